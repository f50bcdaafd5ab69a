import Foundation

/// A test CA and leaf certificates signed by it, made with the `openssl` command (P-256 keys, two days).
struct TestCertificates {
    let directory: URL
    var caFile: String { directory.appendingPathComponent("ca.pem").path }

    /// A fresh CA in a new temporary directory.
    static func makeCA() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("certs-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try certificates.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                  "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=slurmhub test CA"])
        return certificates
    }

    /// A leaf for `names` (IP addresses or DNS names, `*.` wildcards allowed) written to `<name>.pem` and
    /// `<name>.key` (mode 0600); returns the two paths and the serial number (hex, as NIOSSL reports it).
    @discardableResult
    func makeLeaf(_ name: String, names: [String] = ["127.0.0.1", "localhost"]) throws -> (cert: String, key: String, serial: String) {
        let alternatives = names.map { $0.first?.isNumber == true ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        try "subjectAltName=\(alternatives)\n".write(to: directory.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
        let serial = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0x10...0x7f)) }.joined()
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                     "-out", "\(name).csr", "-subj", "/CN=\(names[0])"])
        try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "0x" + serial,
                     "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
        let key = directory.appendingPathComponent("\(name).key").path
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return (directory.appendingPathComponent("\(name).pem").path, key, serial)
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed"])
        }
    }
}
