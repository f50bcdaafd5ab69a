import Foundation
import HubConfig
import HubModel
@testable import HubServer
import HubSpawner
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import XCTest

/// A spawner with a site form: two partitions, two environments, availability from a pretend `sinfo`.
/// It validates a subset of the Slurm spawner's rules and records what it was asked to start;
/// started servers stay pending until stopped.
final class FakeFormSpawner: Spawner {
    let started = Recorder()
    let form = SpawnForm(
        partitions: [
            .init(name: "debug", description: "Quick tests", simple: true, maxCPUs: 8, maxMemoryMiB: 4096, maxRuntime: 12 * 3600),
            .init(name: "gpu", description: "GPU nodes", maxCPUs: 32, maxMemoryMiB: 262_144, maxGPUs: 2, maxRuntime: 2 * 86400),
        ],
        environments: [.init(id: "py311", description: "Python 3.11"), .init(id: "r43", description: "R 4.3")],
        allowAccountingOptions: true,
        availability: [.init(partition: "debug", state: "up", idleNodes: 3, totalNodes: 4, idleCPUs: 30, totalCPUs: 32),
                       .init(partition: "gpu", state: "drain", idleNodes: 0, totalNodes: 2, idleCPUs: 0, totalCPUs: 64)])

    var kind: String { "fake-form" }
    var hasOptionsForm: Bool { true }
    func optionsForm() async -> SpawnForm? { form }

    func validateOptions(_ options: JSONValue) throws {
        let raw = options.objectValue ?? [:]
        var values: [String: String] = [:]
        for (key, value) in raw {
            guard let text = value.stringValue ?? value.intValue.map(String.init) else {
                throw SpawnError(field: key, reason: "must be a single value")
            }
            guard !text.contains(where: \.isNewline) else { throw SpawnError(field: key, reason: "must be one line") }
            values[key] = text
        }
        let known: Set<String> = ["partition", "cpus", "memory", "gpus", "runtime", "environment", "reservation", "account",
                                  "qos", "default_url"]
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw SpawnError(field: unknown, reason: "is not an option this hub accepts")
        }
        guard let partition = form.partitions.first(where: { $0.name == (values["partition"] ?? "debug") }) else {
            throw SpawnError(field: "partition", reason: "unknown partition")
        }
        if let cpus = values["cpus"] {
            guard let number = Int(cpus), (1...partition.maxCPUs).contains(number) else {
                throw SpawnError(field: "cpus", reason: "must be between 1 and \(partition.maxCPUs)")
            }
        }
        if let runtime = values["runtime"] {
            guard let seconds = try? SlurmQuantities.seconds(runtime: runtime) else {
                throw SpawnError(field: "runtime", reason: "must look like [d-]hh[:mm[:ss]]")
            }
            guard seconds <= partition.maxRuntime else {
                throw SpawnError(field: "runtime", reason: "must be at most \(SlurmQuantities.runtime(seconds: partition.maxRuntime))")
            }
        }
        if let environment = values["environment"], !form.environments.contains(where: { $0.id == environment }) {
            throw SpawnError(field: "environment", reason: "unknown environment")
        }
    }

    func start(_ request: SpawnRequest, progress: @escaping ProgressSink) async throws -> SpawnResult {
        progress(ProgressEvent(progress: 20, message: "Job 7 pending in queue (reason: Resources); estimated start 2026-11-22T10:00:00"))
        started.append(request.userOptions)
        try await Task.sleep(for: .seconds(3600))
        throw SpawnError("never starts")
    }

    func poll(state: JSONValue) async -> PollResult { .running }
    func stop(state: JSONValue) async throws {}
}

/// Options a fake spawner was asked to start with.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [JSONValue] = []

    func append(_ item: JSONValue) { lock.withLock { items.append(item) } }
    var all: [JSONValue] { lock.withLock { items } }
}

/// A hub assembled in-process for page tests, and a browser-like client keeping cookies.
struct PageHub {
    let components: HubComponents
    let app: Application<RouterResponder<HubRequestContext>>
    let password = "page-test-password"

    static func make(spawner: (any Spawner)? = FakeFormSpawner(), extraYAML: String = "") async throws -> PageHub {
        let hub = try await TestHub.make(yaml: """
            hub: {public_bind: "127.0.0.1:0", api_bind: "127.0.0.1:0", data_dir: "$DIR/data", admin_users: [admin]}
            auth: {dev: {users: [alice, bob, admin], password_file: "$DIR/pw"}}
            proxy: {api_bind: ""}
            \(extraYAML)
            """, files: ["pw": "page-test-password\n"], spawner: spawner)
        return PageHub(components: hub.components, app: hub.application())
    }
}

/// Cookies of one browser session, sent back with every request.
final class Browser: @unchecked Sendable {
    var cookies: [String: String] = [:]

    var xsrf: String { cookies["_xsrf"] ?? "" }

    func headers(_ extra: HTTPFields = [:]) -> HTTPFields {
        var headers = extra
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        }
        return headers
    }

    func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            guard let pair = header.split(separator: ";").first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: equals)...])
            if value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    @discardableResult
    func get(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: self.headers(headers), body: nil)
        remember(response)
        return response
    }

    @discardableResult
    func post(_ client: some TestClientProtocol, _ uri: String, form: [(String, String)]) async throws -> TestResponse {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(
            uri: uri, method: .post, headers: headers([.contentType: "application/x-www-form-urlencoded"]),
            body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Logs in through the dev login form.
    func login(_ client: some TestClientProtocol, as user: String, password: String) async throws {
        try await get(client, "/hub/login")
        let response = try await post(client, "/hub/login", form: [("_xsrf", xsrf), ("username", user), ("password", password)])
        XCTAssertEqual(response.status, .found, "login of \(user)")
        XCTAssertNotNil(cookies["jupyterhub-hub-login"], "login cookie of \(user)")
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// Polls `condition` for up to 5 s.
func waitFor(_ condition: @Sendable () async -> Bool, file: StaticString = #filePath, line: UInt = #line) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    XCTFail("condition not met within 5 s", file: file, line: line)
}
