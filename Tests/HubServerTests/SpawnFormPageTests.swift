import Foundation
import HubModel
@testable import HubServer
import HubSpawner
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest

/// The spawn form: rendering from the spawner's `SpawnForm`, validation errors next to their fields
/// (nothing started), remembered choices, URL-parameter spawns.
final class SpawnFormPageTests: XCTestCase {
    func testFormShowsBothTabsPartitionsEnvironmentsAndAvailability() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let page = try await browser.get(client, "/hub/spawn")
            XCTAssertEqual(page.status, .ok)
            let html = page.text
            for fragment in ["id=\"simple-form\"", "id=\"advanced-form\"", "id=\"tab-simple\" checked",
                             "<option value=\"gpu\"", "<option value=\"r43\"", "id=\"simple-cpus-max\"",
                             "data-partition=\"debug\"", "<td class=\"num\">3</td><td class=\"num\">4</td>",
                             "id=\"advanced-reservation\"", "Quick tests"] {
                XCTAssertTrue(html.contains(fragment), "missing \(fragment)")
            }
            // The simple tab offers only simple partitions.
            let simple = html.components(separatedBy: "id=\"panel-advanced\"").first ?? ""
            XCTAssertFalse(simple.contains("<option value=\"gpu\""))
            XCTAssertEqual(page.headers[.xFrameOptions], "DENY")
            XCTAssertEqual(page.headers[.contentSecurityPolicy],
                           "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               + "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        }
    }

    func testEachInvalidFieldIsShownNextToItAndNothingStarts() async throws {
        let spawner = FakeFormSpawner()
        let hub = try await PageHub.make(spawner: spawner)
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            try await browser.get(client, "/hub/spawn")
            let cases: [(tab: String, fields: [(String, String)], errorID: String, kept: String?)] = [
                ("advanced", [("partition", "debug"), ("cpus", "99")], "advanced-cpus-error", "value=\"99\""),
                ("advanced", [("partition", "debug"), ("runtime", "1:2:3:4")], "advanced-runtime-error", "value=\"1:2:3:4\""),
                ("advanced", [("partition", "debug"), ("runtime", "13:00")], "advanced-runtime-error", "value=\"13:00\""),
                ("advanced", [("partition", "debug"), ("environment", "nope")], "advanced-environment-error", nil),
                ("advanced", [("partition", "nope")], "advanced-partition-error", nil),
                ("advanced", [("partition", "debug"), ("account", "proj\nx")], "advanced-account-error", nil),
                ("advanced", [("partition", "debug"), ("memory", "4G\r\n")], "advanced-memory-error", nil),
                ("simple", [("partition", "debug"), ("cpus", "16")], "simple-cpus-error", nil),
                ("simple", [("partition", "debug"), ("runtime", "2\n")], "simple-runtime-error", nil),
            ]
            for entry in cases {
                let response = try await browser.post(
                    client, "/hub/spawn", form: [("_xsrf", browser.xsrf), ("form", entry.tab)] + entry.fields)
                XCTAssertEqual(response.status, .badRequest, "\(entry.fields)")
                XCTAssertTrue(response.text.contains("id=\"\(entry.errorID)\""), "\(entry.fields): no \(entry.errorID)")
                XCTAssertTrue(response.text.contains("id=\"tab-\(entry.tab)\" checked"), "\(entry.fields): tab kept")
                if let kept = entry.kept { XCTAssertTrue(response.text.contains(kept), "\(entry.fields): value kept") }
            }
            XCTAssertEqual(spawner.started.all, [])
            let lifecycle = await hub.components.hub.lifecycle(user: "alice", server: "")
            XCTAssertEqual(lifecycle, .stopped)
            // Without the XSRF token nothing happens either.
            let forged = try await browser.post(client, "/hub/spawn", form: [("form", "advanced"), ("partition", "debug")])
            XCTAssertEqual(forged.status, .forbidden)
            XCTAssertEqual(spawner.started.all, [])
        }
    }

    func testValidSubmissionStartsAndTheChoiceIsRemembered() async throws {
        let spawner = FakeFormSpawner()
        let hub = try await PageHub.make(spawner: spawner)
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            try await browser.get(client, "/hub/spawn")
            let response = try await browser.post(client, "/hub/spawn", form: [
                ("_xsrf", browser.xsrf), ("form", "advanced"), ("partition", "gpu"), ("cpus", "4"), ("memory", ""),
                ("runtime", "1-02:00"), ("environment", "r43"), ("account", ""),
            ])
            XCTAssertEqual(response.status, .seeOther)
            XCTAssertEqual(response.headers[.location], "/hub/spawn-pending/alice")
            try await waitFor { spawner.started.all.count == 1 }
            XCTAssertEqual(spawner.started.all.first, .object(["partition": "gpu", "cpus": "4", "runtime": "1-02:00",
                                                               "environment": "r43"]))
            let pending = try await browser.get(client, "/hub/spawn-pending/alice")
            XCTAssertEqual(pending.status, .ok)
            XCTAssertTrue(pending.text.contains("<dd id=\"detail-reason\">Resources</dd>"), pending.text)
            XCTAssertTrue(pending.text.contains("id=\"cancel\""))
            // While pending, the form sends the user to the progress page.
            let again = try await browser.get(client, "/hub/spawn")
            XCTAssertEqual(again.headers[.location], "/hub/spawn-pending/alice")

            let cancel = try await browser.post(client, "/hub/stop/alice", form: [("_xsrf", browser.xsrf), ("next", "/hub/home")])
            XCTAssertEqual(cancel.status, .seeOther)
            try await waitFor { await hub.components.hub.lifecycle(user: "alice", server: "") == .stopped }
            let remembered = try await browser.get(client, "/hub/spawn")
            XCTAssertTrue(remembered.text.contains("id=\"tab-advanced\" checked"), "the last choice needs the advanced tab")
            XCTAssertTrue(remembered.text.contains("value=\"1-02:00\""))
            XCTAssertTrue(remembered.text.contains("<option value=\"gpu\" selected>"))
        }
    }

    func testSimpleTabMaxCPUsAndHours() async throws {
        let spawner = FakeFormSpawner()
        let hub = try await PageHub.make(spawner: spawner)
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            try await browser.get(client, "/hub/spawn")
            let response = try await browser.post(client, "/hub/spawn", form: [
                ("_xsrf", browser.xsrf), ("form", "simple"), ("partition", "debug"), ("cpus", "max"), ("runtime", "3"),
                ("environment", "py311"),
            ])
            XCTAssertEqual(response.status, .seeOther)
            try await waitFor { spawner.started.all.count == 1 }
            XCTAssertEqual(spawner.started.all.first, .object(["partition": "debug", "cpus": "8", "runtime": "3",
                                                               "environment": "py311"]))
        }
    }

    /// Spawn links (MOSS's names, JupyterHub 6's `opt-` names) are checked like the form and fill it, from any
    /// site: a GET never starts a server; the form's POST with `_xsrf` does.
    func testSpawnLinksFillTheFormAndNeverStartOnGET() async throws {
        let spawner = FakeFormSpawner()
        let hub = try await PageHub.make(spawner: spawner)
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let refused = try await browser.get(client, "/hub/spawn?partition=debug&nprocs=99&runtime=02:00")
            XCTAssertEqual(refused.status, .badRequest)
            XCTAssertTrue(refused.text.contains("id=\"advanced-cpus-error\""))
            let newline = try await browser.get(client, "/hub/spawn?partition=debug%0A&nprocs=2")
            XCTAssertEqual(newline.status, .badRequest)
            for site in ["cross-site", "same-site", "same-origin", "none", nil] {
                let headers: HTTPFields = site.map { [.secFetchSite: $0] } ?? [:]
                let filled = try await browser.get(client, "/hub/spawn?partition=debug&opt-nprocs=2&runtime=3", headers: headers)
                XCTAssertEqual(filled.status, .ok, site ?? "no Sec-Fetch-Site")
                XCTAssertTrue(filled.text.contains("id=\"spawn-notice\""), site ?? "no Sec-Fetch-Site")
                XCTAssertTrue(filled.text.contains("value=\"2\""), site ?? "no Sec-Fetch-Site")
            }
            XCTAssertEqual(spawner.started.all, [])
            let started = try await browser.post(client, "/hub/spawn", form: [
                ("_xsrf", browser.xsrf), ("form", "advanced"), ("partition", "debug"), ("cpus", "2"), ("runtime", "3"),
            ])
            XCTAssertEqual(started.status, .seeOther)
            XCTAssertEqual(started.headers[.location], "/hub/spawn-pending/alice")
            try await waitFor { spawner.started.all.count == 1 }
            XCTAssertEqual(spawner.started.all.first?.objectValue?["cpus"], .string("2"))
            try await hub.components.hub.stop(user: "alice", server: "")
        }
    }

    func testOthersCannotUseSomeoneElsesForm() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "bob", password: hub.password)
            let response = try await browser.get(client, "/hub/spawn/alice")
            XCTAssertEqual(response.status, .forbidden)
            XCTAssertTrue(response.text.contains("id=\"error-message\""))
        }
    }

    func testFormInputAliasesAndSimpleTabFit() {
        let form = FakeFormSpawner().form
        let input = SpawnFormInput(query: ["nprocs": "2", "partition": "debug", "runtime": "04:00:00"])
        XCTAssertEqual(input.values, ["cpus": "2", "partition": "debug", "runtime": "04:00:00"])
        XCTAssertTrue(input.fitsSimpleTab(form))
        XCTAssertFalse(SpawnFormInput(query: ["partition": "gpu"]).fitsSimpleTab(form))
        XCTAssertFalse(SpawnFormInput(query: ["runtime": "01:30"]).fitsSimpleTab(form))
        XCTAssertFalse(SpawnFormInput(query: ["memory": "2G"]).fitsSimpleTab(form))
        XCTAssertEqual(SpawnFormInput(query: ["qos": "a\nb"]).controlCharacterField, "qos")
        XCTAssertEqual(SpawnFormInput(remembered: .object(["partition": "debug", "cpus": 8]), form: form).tab, .simple)
    }
}
