import CLibSSH
import Foundation

/// An owned libssh private key, with the OpenSSH certificate attached when one exists.
final class SSHPrivateKey {
    /// The `ssh_key`; freed with the object.
    let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        ssh_key_free(handle)
    }

    /// Reads the key at `path`, and the certificate at `certificatePath` if that file exists.
    static func load(path: String, certificatePath: String) throws -> SSHPrivateKey {
        var imported: OpaquePointer?
        let status = ssh_pki_import_privkey_file(path, nil, nil, nil, &imported)
        guard status == SSH_OK, let imported else {
            let reason = status == SSH_EOF ? "missing or unreadable" : "not a private key without a passphrase"
            throw TransportError.privateKeyUnusable(path: path, reason: reason)
        }
        let key = SSHPrivateKey(handle: imported)
        if FileManager.default.fileExists(atPath: certificatePath) {
            try key.attachCertificate(at: certificatePath)
        }
        return key
    }

    private func attachCertificate(at certificatePath: String) throws {
        var certificate: OpaquePointer?
        guard ssh_pki_import_cert_file(certificatePath, &certificate) == SSH_OK, let certificate else {
            throw TransportError.privateKeyUnusable(path: certificatePath, reason: "not an OpenSSH certificate")
        }
        defer { ssh_key_free(certificate) }
        guard ssh_pki_copy_cert_to_privkey(certificate, handle) == SSH_OK else {
            throw TransportError.privateKeyUnusable(
                path: certificatePath, reason: "the certificate does not belong to the private key")
        }
    }
}
