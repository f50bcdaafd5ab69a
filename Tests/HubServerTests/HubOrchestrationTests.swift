import Foundation
import HubModel
import HubProxy
@testable import HubServer
import HubSpawner
import HubStore
import Hummingbird
import HummingbirdTesting
import Logging
import XCTest

/// The Hub actor's spawn, stop, cancel, restore and poll logic with a scripted spawner, the real store and the
/// in-process route table: no Slurm, no podman, a few seconds for all of it.
final class HubOrchestrationTests: XCTestCase, @unchecked Sendable {
    let spawner = ScriptedSpawner()

    func makeHub(_ hubSettings: String = "", spawnerSettings: String = "start_timeout: 5, http_timeout: 2")
        async throws -> TestHub {
        try await TestHub.make(yaml: """
            hub: {public_bind: "127.0.0.1:0", api_bind: "127.0.0.1:0", data_dir: "$DIR/data"\(hubSettings.isEmpty ? "" : ", " + hubSettings)}
            auth: {dev: {users: [alice, bob, carol]}}
            spawner: {\(spawnerSettings)}
            proxy: {api_bind: ""}
            """, spawner: spawner)
    }

    /// Runs `body` with the URL of a server that answers every GET with `status` (200: a single-user server
    /// that is up; 503: one that is not up yet).
    func withAnsweringServer(status: HTTPResponse.Status = .ok, _ body: @escaping @Sendable (String) async throws -> Void)
        async throws {
        let router = Router()
        router.get("**") { _, _ in Response(status: status) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(try XCTUnwrap(client.port))")
        }
    }

    /// A URL where nothing listens.
    let deadURL = "http://127.0.0.1:9"

    func user(_ hub: TestHub, _ name: String) async throws -> User {
        let found = try await hub.components.store.user(named: name)
        return try XCTUnwrap(found)
    }

    func spawn(_ hub: TestHub, _ name: String = "alice", server: String = "", options: JSONValue = .object([:]))
        async throws -> Hub.SpawnStart {
        try await hub.hub.spawn(user: try await user(hub, name), server: server,
                                options: try ValidatedOptions(options, checkedBy: spawner))
    }

    func waitForLifecycle(_ hub: TestHub, _ user: String = "alice", server: String = "", _ expected: @escaping @Sendable (ServerLifecycle) -> Bool,
                          file: StaticString = #filePath, line: UInt = #line) async throws {
        let core = hub.hub
        try await waitFor({ expected(await core.lifecycle(user: user, server: server)) }, file: file, line: line)
    }

    func isFailed(_ lifecycle: ServerLifecycle) -> Bool {
        if case .failed = lifecycle { return true }
        return false
    }

    func route(_ hub: TestHub, _ prefix: String) async -> Route? {
        hub.parts.routes.route(at: prefix)
    }

    // MARK: Spawning

    func testSpawnRoutesTheServerOnceItAnswers() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            self.spawner.launch = .answer(url: url)
            let started = try await self.spawn(hub)
            XCTAssertEqual(started, .started)
            try await self.waitForLifecycle(hub) { $0 == .running }
            let route = await self.route(hub, "/user/alice/")
            XCTAssertEqual(route?.target, url)
            let record = try await hub.components.store.server(user: "alice", name: "")
            XCTAssertEqual(record?.url, url)
            let outcome = await hub.hub.progress(user: "alice", server: "")?.read(from: 0).outcome
            XCTAssertEqual(outcome, .ready(url: "/user/alice/"))
        }
    }

    func testSpawnRequestCarriesTheServersOwnTokenAndPrefix() async throws {
        let hub = try await makeHub()
        spawner.launch = .queue
        _ = try await spawn(hub, server: "")
        try await waitFor({ !self.spawner.started.isEmpty })
        let request = try XCTUnwrap(spawner.started.first)
        XCTAssertEqual(request.servicePrefix, "/user/alice/")
        let token = try XCTUnwrap(request.environment["JUPYTERHUB_API_TOKEN"])
        let record = try await hub.components.store.token(hash: Secrets.hash(token))
        XCTAssertEqual(record?.userName, "alice")
        XCTAssertEqual(record?.scopes.contains("access:servers!server=alice/"), true)
        self.expectNotNil(try await hub.components.store.oauthClient(id: "jupyterhub-user-alice"))
        try await hub.hub.stop(user: "alice", server: "")
    }

    func testSecondStartOfAPendingServerIsAlreadyPending() async throws {
        let hub = try await makeHub()
        spawner.launch = .queue
        self.expectEqual(try await spawn(hub), .started)
        self.expectEqual(try await spawn(hub), .alreadyPending)
        XCTAssertEqual(spawner.started.count, 1, "one launch only")
        try await hub.hub.stop(user: "alice", server: "")
    }

    func testSecondStartOfARunningServerIsRefusedAsAlreadyRunning() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            self.spawner.launch = .answer(url: url)
            _ = try await self.spawn(hub)
            try await self.waitForLifecycle(hub) { $0 == .running }
            do {
                _ = try await self.spawn(hub)
                XCTFail("a running server started again")
            } catch let error as HubError {
                XCTAssertEqual(error, .badRequest("alice's server is already running"))
            }
        }
    }

    func testTheAPIAnswersJupyterHubsCodesForASecondStart() async throws {
        let hub = try await makeHub("slow_spawn_timeout: 0.2")
        let admin = try await hub.components.tokens.issue(
            as: Principal(owner: .user(try await user(hub, "alice")), scopes: try await user(hub, "alice").roleScopes,
                          token: nil, sessionID: nil),
            user: try await user(hub, "alice"), TokenIssuer.TokenRequest())
        let headers: HTTPFields = [.authorization: "token \(admin.token)"]
        spawner.launch = .queue
        try await hub.application().test(.router) { client in
            let first = try await client.execute(uri: "/hub/api/users/alice/server", method: .post, headers: headers)
            XCTAssertEqual(first.status, .accepted, "still pending after slow_spawn_timeout")
            let second = try await client.execute(uri: "/hub/api/users/alice/server", method: .post, headers: headers)
            XCTAssertEqual(second.status, .accepted, "a pending server answers 202 again")
        }
        try await hub.hub.stop(user: "alice", server: "")
        await hub.hub.waitUntilStopped(user: "alice", server: "")
        try await withAnsweringServer { url in
            self.spawner.launch = .answer(url: url)
            try await hub.application().test(.router) { client in
                let first = try await client.execute(uri: "/hub/api/users/alice/server", method: .post, headers: headers)
                XCTAssertEqual(first.status, .created)
                let second = try await client.execute(uri: "/hub/api/users/alice/server", method: .post, headers: headers)
                XCTAssertEqual(second.status, .badRequest)
                XCTAssertTrue(String(buffer: second.body).contains("is already running"), String(buffer: second.body))
            }
        }
    }

    func testAFailedLaunchLeavesNoTokenClientOrRow() async throws {
        let hub = try await makeHub()
        spawner.launch = .fail("sbatch: error: invalid partition")
        _ = try await spawn(hub)
        try await waitForLifecycle(hub) { self.isFailed($0) }
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .failed("sbatch: error: invalid partition"))
        let token = try XCTUnwrap(spawner.started.first?.environment["JUPYTERHUB_API_TOKEN"])
        self.expectNil(try await hub.components.store.token(hash: Secrets.hash(token)))
        self.expectNil(try await hub.components.store.oauthClient(id: "jupyterhub-user-alice"))
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
        XCTAssertTrue(spawner.stopped.isEmpty, "nothing was launched, nothing to stop")
    }

    func testAFailureAfterLaunchStopsWhatWasLaunched() async throws {
        let hub = try await makeHub()
        spawner.launch = .failAfterCheckpoint("job ended before it started")
        _ = try await spawn(hub)
        try await waitForLifecycle(hub) { self.isFailed($0) }
        XCTAssertEqual(spawner.stopped.count, 1)
        XCTAssertEqual(spawner.stopped.first?.objectValue?["user"], "alice")
    }

    func testAServerExitingBeforeItAnswersFailsTheSpawn() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer(status: .serviceUnavailable) { url in
            self.spawner.launch = .answer(url: url)
            self.spawner.defaultPoll = .gone(exitStatus: 3)
            _ = try await self.spawn(hub)
            try await self.waitForLifecycle(hub) { self.isFailed($0) }
        }
        guard case .failed(let message) = await hub.hub.lifecycle(user: "alice", server: "") else { return XCTFail() }
        XCTAssertTrue(message.contains("exited before answering (exit status 3)"), message)
        self.expectNil(await route(hub, "/user/alice/"))
    }

    func testAServerThatNeverAnswersFailsAfterTheHTTPTimeout() async throws {
        let hub = try await makeHub(spawnerSettings: "start_timeout: 5, http_timeout: 1")
        try await withAnsweringServer(status: .serviceUnavailable) { url in
            self.spawner.launch = .answer(url: url)
            _ = try await self.spawn(hub)
            try await self.waitForLifecycle(hub) { self.isFailed($0) }
        }
        guard case .failed(let message) = await hub.hub.lifecycle(user: "alice", server: "") else { return XCTFail() }
        XCTAssertTrue(message.contains("did not respond within 1 seconds"), message)
        self.expectEqual(spawner.stopped.count, 1, "the launched server is stopped")
    }

    func testAStartThatTakesTooLongTimesOutAndIsStopped() async throws {
        let hub = try await makeHub(spawnerSettings: "start_timeout: 1, http_timeout: 1")
        spawner.launch = .queue
        _ = try await spawn(hub)
        try await waitForLifecycle(hub) { self.isFailed($0) }
        guard case .failed(let message) = await hub.hub.lifecycle(user: "alice", server: "") else { return XCTFail() }
        XCTAssertTrue(message.contains("Spawner.start did not complete within 1 seconds"), message)
        XCTAssertEqual(spawner.stopped.count, 1, "the queued job is cancelled")
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
    }

    func testARestartAfterFailureIsAllowed() async throws {
        let hub = try await makeHub()
        spawner.launch = .fail("first try fails")
        _ = try await spawn(hub)
        try await waitForLifecycle(hub) { self.isFailed($0) }
        spawner.launch = .queue
        self.expectEqual(try await spawn(hub), .started)
        try await hub.hub.stop(user: "alice", server: "")
    }

    // MARK: Options and limits

    func testRefusedOptionsChangeNothing() async throws {
        let hub = try await makeHub()
        let alice = try await user(hub, "alice")
        let principal = Principal(owner: .user(alice), scopes: alice.roleScopes, token: nil, sessionID: nil)
        do {
            _ = try await hub.components.servers.start(as: principal, user: alice, server: "", options: .object(["bad": 1]))
            XCTFail("refused option accepted")
        } catch HubError.invalidOption(let field, let reason, _) {
            XCTAssertEqual(field, "bad")
            XCTAssertEqual(reason, "is refused by this spawner")
        }
        XCTAssertTrue(spawner.started.isEmpty)
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
        self.expectEqual(try await user(hub, "alice").lastUserOptions, alice.lastUserOptions)
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .stopped)
    }

    func testGivenOptionsAreRememberedAndUsedWhenNoneAreGiven() async throws {
        let hub = try await makeHub()
        spawner.launch = .queue
        let alice = try await user(hub, "alice")
        let principal = Principal(owner: .user(alice), scopes: alice.roleScopes, token: nil, sessionID: nil)
        _ = try await hub.components.servers.start(as: principal, user: alice, server: "", options: .object(["cpus": "2"]))
        self.expectEqual(try await user(hub, "alice").lastUserOptions, .object(["cpus": "2"]))
        try await hub.hub.stop(user: "alice", server: "")
        await hub.hub.waitUntilStopped(user: "alice", server: "")
        _ = try await hub.components.servers.start(as: principal, user: try await user(hub, "alice"), server: "", options: nil)
        XCTAssertEqual(spawner.started.last?.userOptions, .object(["cpus": "2"]))
        try await hub.hub.stop(user: "alice", server: "")
    }

    func testAnotherUsersServerNeedsTheServersScope() async throws {
        let hub = try await makeHub()
        let bob = try await user(hub, "bob")
        let principal = Principal(owner: .user(bob), scopes: bob.roleScopes, token: nil, sessionID: nil)
        do {
            _ = try await hub.components.servers.start(as: principal, user: try await user(hub, "alice"), server: "", options: nil)
            XCTFail("bob started alice's server")
        } catch let error as HubError {
            XCTAssertEqual(error, .forbidden("Action requires servers on alice/"))
        }
        XCTAssertTrue(spawner.started.isEmpty)
    }

    func testConcurrentSpawnLimitAnswersTooManyRequestsWithRetryAfter() async throws {
        let hub = try await makeHub("concurrent_spawn_limit: 1")
        spawner.launch = .queue
        _ = try await spawn(hub, "alice")
        do {
            _ = try await spawn(hub, "bob")
            XCTFail("over the concurrent spawn limit")
        } catch HubError.tooManyRequests(let message, let retryAfter) {
            XCTAssertTrue(message.contains("Too many users trying to log in"), message)
            XCTAssertTrue((30...60).contains(retryAfter))
        }
        self.expectEqual(await hub.hub.lifecycle(user: "bob", server: ""), .stopped)
        try await hub.hub.stop(user: "alice", server: "")
    }

    func testActiveServerLimitCountsRunningAndPendingServers() async throws {
        let hub = try await makeHub("active_server_limit: 1")
        spawner.launch = .queue
        _ = try await spawn(hub, "alice")
        do {
            _ = try await spawn(hub, "bob")
            XCTFail("over the active server limit")
        } catch HubError.tooManyRequests(let message, _) {
            XCTAssertEqual(message, "Active user limit exceeded. Try again in a few minutes.")
        }
        try await hub.hub.stop(user: "alice", server: "")
    }

    func testNamedServersNeedToBeEnabled() async throws {
        let hub = try await makeHub("allow_named_servers: false")
        do {
            _ = try await spawn(hub, server: "gpu")
            XCTFail("named server without allow_named_servers")
        } catch let error as HubError {
            XCTAssertEqual(error, .badRequest("Named servers are not enabled."))
        }
    }

    func testNamedServerLimitPerUser() async throws {
        let hub = try await makeHub("allow_named_servers: true, named_server_limit_per_user: 1")
        spawner.launch = .queue
        _ = try await spawn(hub, server: "one")
        do {
            _ = try await spawn(hub, server: "two")
            XCTFail("over the named server limit")
        } catch let error as HubError {
            XCTAssertTrue(error.message.contains("already has the maximum of 1 named servers"), error.message)
        }
        self.expectEqual(try await spawn(hub, server: ""), .started, "the default server does not count")
        try await hub.hub.stop(user: "alice", server: "one")
        try await hub.hub.stop(user: "alice", server: "")
    }

    // MARK: Stopping and cancelling

    func testCancelDuringTheQueueStopsTheQueuedJobAndForgetsIt() async throws {
        let hub = try await makeHub()
        spawner.launch = .queue
        _ = try await spawn(hub)
        try await waitFor({ await (try? hub.components.store.server(user: "alice", name: ""))??.state.isEmptyObject == false })
        try await hub.hub.stop(user: "alice", server: "")
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .stopping)
        await hub.hub.waitUntilStopped(user: "alice", server: "")
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .stopped)
        XCTAssertEqual(spawner.stopped.count, 1, "the queued job is cancelled once")
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
        self.expectNil(try await hub.components.store.oauthClient(id: "jupyterhub-user-alice"))
        let outcome = await hub.hub.progress(user: "alice", server: "")?.read(from: 0).outcome
        XCTAssertEqual(outcome, .failed("Spawn cancelled"))
    }

    func testStoppingARunningServerUnroutesAndStopsIt() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            self.spawner.launch = .answer(url: url)
            _ = try await self.spawn(hub)
            try await self.waitForLifecycle(hub) { $0 == .running }
            try await hub.hub.stop(user: "alice", server: "")
            await hub.hub.waitUntilStopped(user: "alice", server: "")
        }
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .stopped)
        self.expectNil(await route(hub, "/user/alice/"))
        XCTAssertEqual(spawner.stopped.count, 1)
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
    }

    func testStoppingAStoppedOrFailedServerLaunchesNothing() async throws {
        let hub = try await makeHub()
        try await hub.hub.stop(user: "alice", server: "")
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .stopped)
        spawner.launch = .fail("no")
        _ = try await spawn(hub)
        try await waitForLifecycle(hub) { self.isFailed($0) }
        try await hub.hub.stop(user: "alice", server: "")
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .stopped, "stop clears a failure")
        XCTAssertTrue(spawner.stopped.isEmpty)
    }

    func testDeletingAUserStopsTheirServersFirst() async throws {
        let hub = try await makeHub()
        spawner.launch = .queue
        _ = try await spawn(hub, "carol")
        try await waitFor({ await (try? hub.components.store.server(user: "carol", name: ""))??.state.isEmptyObject == false })
        try await hub.hub.deleteUser("carol")
        XCTAssertEqual(spawner.stopped.count, 1)
        self.expectNil(try await hub.components.store.user(named: "carol"))
        self.expectEqual(await hub.hub.lifecycles(ofUser: "carol"), [:])
    }

    // MARK: Polling

    func runningServer(_ hub: TestHub, _ name: String, url: String) async throws {
        spawner.launch = .answer(url: url)
        _ = try await spawn(hub, name)
        try await waitForLifecycle(hub, name) { $0 == .running }
    }

    func testAPollAnsweringUnknownNeverStopsAServer() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            try await self.runningServer(hub, "alice", url: url)
        }
        spawner.defaultPoll = .unknown(reason: "slurmctld not responding")
        await hub.hub.pollRunningServers()
        await hub.hub.pollRunningServers()
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .running)
        self.expectNotNil(await route(hub, "/user/alice/"))
        self.expectNotNil(try await hub.components.store.server(user: "alice", name: ""))
        XCTAssertTrue(spawner.stopped.isEmpty)
    }

    func testAPollAnsweringGoneForgetsTheServerWithoutStoppingIt() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            try await self.runningServer(hub, "alice", url: url)
        }
        spawner.defaultPoll = .gone(exitStatus: 0)
        await hub.hub.pollRunningServers()
        self.expectEqual(await hub.hub.lifecycle(user: "alice", server: ""), .stopped)
        self.expectNil(await route(hub, "/user/alice/"))
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
        XCTAssertTrue(spawner.stopped.isEmpty, "a gone server is not stopped again")
    }

    func testRunningServersArePolledWithOneBulkCall() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            for name in ["alice", "bob", "carol"] { try await self.runningServer(hub, name, url: url) }
        }
        let before = spawner.pollAllCalls.count
        await hub.hub.pollRunningServers()
        XCTAssertEqual(spawner.pollAllCalls.count, before + 1)
        XCTAssertEqual(Set(spawner.pollAllCalls.last?.keys ?? [:].keys), ["alice/", "bob/", "carol/"])
    }

    // MARK: Restore after a restart

    /// A new Hub over the same database, as after a restart: fresh memory, fresh route table.
    func restarted(_ hub: TestHub, spawner: ScriptedSpawner) -> (Hub, InProcessRouteTable) {
        let routes = InProcessRouteTable()
        let core = Hub(live: hub.components.live, store: hub.components.store, spawner: spawner, routes: routes,
                       metrics: HubMetrics(), logger: Logger(label: "test"))
        return (core, routes)
    }

    func saveRow(_ hub: TestHub, user: String, url: String?, state: JSONValue) async throws {
        var record = ServerRecord(userName: user, name: "", userOptions: .object([:]))
        record.url = url
        record.state = state
        record.started = Date()
        _ = try await hub.components.store.save(record)
    }

    func testRestoreRoutesServersThatStillRun() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            try await self.saveRow(hub, user: "alice", url: url, state: .object(["id": 1]))
            let (core, routes) = self.restarted(hub, spawner: self.spawner)
            await core.restore()
            self.expectEqual(await core.lifecycle(user: "alice", server: ""), .running)
            self.expectEqual(routes.route(at: "/user/alice/")?.target, url)
        }
        XCTAssertEqual(spawner.pollAllCalls.count, 1, "one bulk poll")
        XCTAssertTrue(spawner.stopped.isEmpty)
    }

    func testRestoreForgetsAServerThatEndedWhileTheHubWasDown() async throws {
        let hub = try await makeHub()
        try await saveRow(hub, user: "alice", url: deadURL, state: .object(["id": 7]))
        spawner.setPoll(.gone(exitStatus: nil), forID: 7)
        let (core, routes) = restarted(hub, spawner: spawner)
        await core.restore()
        self.expectEqual(await core.lifecycle(user: "alice", server: ""), .stopped)
        self.expectNil(routes.route(at: "/user/alice/"))
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
        XCTAssertTrue(spawner.stopped.isEmpty, "restore never stops servers")
    }

    func testRestoreKeepsAndRoutesAServerWhosePollIsUnknown() async throws {
        let hub = try await makeHub()
        try await saveRow(hub, user: "alice", url: deadURL, state: .object(["id": 8]))
        spawner.setPoll(.unknown(reason: "squeue timed out"), forID: 8)
        let (core, routes) = restarted(hub, spawner: spawner)
        await core.restore()
        self.expectEqual(await core.lifecycle(user: "alice", server: ""), .running)
        self.expectEqual(routes.route(at: "/user/alice/")?.target, deadURL)
        self.expectNotNil(try await hub.components.store.server(user: "alice", name: ""))
    }

    func testRestoreResumesASpawnInterruptedBeforeTheServerHadAnAddress() async throws {
        let hub = try await makeHub()
        try await withAnsweringServer { url in
            try await self.saveRow(hub, user: "alice", url: nil, state: .object(["id": 9, "tag": "queued"]))
            self.spawner.launch = .answer(url: url)
            let (core, routes) = self.restarted(hub, spawner: self.spawner)
            await core.restore()
            try await waitFor({ await core.lifecycle(user: "alice", server: "") == .running })
            self.expectEqual(routes.route(at: "/user/alice/")?.target, url)
        }
        XCTAssertEqual(spawner.resumed, [.object(["id": 9, "tag": "queued"])])
        XCTAssertTrue(spawner.started.isEmpty, "nothing new is launched")
    }

    func testRestoreForgetsARowWithNeitherAddressNorState() async throws {
        let hub = try await makeHub()
        try await saveRow(hub, user: "alice", url: nil, state: .object([:]))
        let (core, _) = restarted(hub, spawner: spawner)
        await core.restore()
        self.expectEqual(await core.lifecycle(user: "alice", server: ""), .stopped)
        self.expectNil(try await hub.components.store.server(user: "alice", name: ""))
        XCTAssertTrue(spawner.resumed.isEmpty)
    }

    func testRestoreSweepsOrphansKnowingEveryRowsState() async throws {
        let hub = try await makeHub()
        try await saveRow(hub, user: "alice", url: deadURL, state: .object(["id": 1]))
        try await saveRow(hub, user: "bob", url: deadURL, state: .object(["id": 2]))
        spawner.defaultPoll = .unknown(reason: "test")
        let (core, _) = restarted(hub, spawner: spawner)
        await core.restore()
        XCTAssertEqual(spawner.sweptKnownStates.count, 1)
        XCTAssertEqual(Set(spawner.sweptKnownStates.first?.compactMap { $0.objectValue?["id"]?.intValue } ?? []), [1, 2])
    }

    // MARK: Port reports

    func testPortReportsReachOnlyThePendingServerOfTheToken() async throws {
        let hub = try await makeHub()
        spawner.launch = .queue
        _ = try await spawn(hub)
        try await waitFor({ !self.spawner.started.isEmpty })
        let row = try await hub.components.store.server(user: "alice", name: "")
        let tokenID = try XCTUnwrap(row?.tokenID)
        self.expectEqual(try await hub.hub.reportPort(50001, tokenID: tokenID), .accepted)
        self.expectEqual(try await hub.hub.reportPort(50002, tokenID: tokenID), .alreadyReported)
        self.expectEqual(try await hub.hub.reportPort(50003, tokenID: tokenID + 1000), .noPendingServer)
        try await hub.hub.stop(user: "alice", server: "")
    }

    // XCTest's assertions take autoclosures, which cannot await; these take values.
    func expectEqual<T: Equatable>(_ value: T, _ expected: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(value, expected, message, file: file, line: line)
    }
    func expectNil(_ value: (some Any)?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(value, message, file: file, line: line)
    }
    func expectNotNil(_ value: (some Any)?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotNil(value, message, file: file, line: line)
    }
    func expectTrue(_ value: Bool, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(value, message, file: file, line: line)
    }
}
