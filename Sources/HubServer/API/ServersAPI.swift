import Foundation
import HubConfig
import HubModel
import HubSpawner
import Hummingbird

/// `/hub/api/users/{name}/server[s/{server}]`: start, stop and the progress event-stream.
struct ServersAPI {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        router.post("/hub/api/users/:name/server", use: start)
        router.post("/hub/api/users/:name/servers/:server", use: start)
        router.delete("/hub/api/users/:name/server", use: stop)
        router.delete("/hub/api/users/:name/servers/:server", use: stop)
        router.get("/hub/api/users/:name/server/progress", use: progress)
        router.get("/hub/api/users/:name/servers/:server/progress", use: progress)
    }

    func target(_ request: Request, _ context: HubRequestContext) async throws -> (User, String) {
        let user = try await components.users.existing(try context.parameters.require("name"))
        let server = context.parameters.get("server").map { $0.removingPercentEncoding ?? $0 } ?? ""
        try ServerNamePolicy.validate(server)
        return (user, server)
    }

    @Sendable func start(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (user, server) = try await target(request, context)
        try principal.require("servers", onServer: server, of: user.name)
        let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)
        if let body, body.objectValue == nil { throw HubError.badRequest("user_options must be a JSON object") }
        let started = try await components.servers.start(as: principal, user: user, server: server, options: body)
        return try await waitForSpawn(user: user.name, server: server, started: started == .alreadyPending)
    }

    private func waitForSpawn(user: String, server: String, started alreadyPending: Bool) async throws -> Response {
        if alreadyPending { return JSONResponse.empty(.accepted) }
        let outcome = try await Self.poll(for: components.config.hub.slowSpawnTimeout) {
            await components.hub.progress(user: user, server: server)?.read(from: Int.max).outcome
        }
        switch outcome {
        case .ready?: return JSONResponse.empty(.created)
        case .failed(let message)?: throw HubError.failed("Spawn failed: \(message)")
        case nil: return JSONResponse.empty(.accepted)
        }
    }

    @Sendable func stop(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (user, server) = try await target(request, context)
        try principal.require("delete:servers", onServer: server, of: user.name)
        let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue ?? [:]
        if body["remove"] == .bool(true), server.isEmpty {
            throw HubError.badRequest("Cannot remove the default server")
        }
        let lifecycle = await components.hub.lifecycle(user: user.name, server: server)
        if !server.isEmpty, lifecycle == .stopped {
            throw HubError.notFound("\(user.name) has no server named '\(server)'")
        }
        try await components.servers.stop(as: principal, user: user, server: server)
        let stopped = try await Self.poll(for: components.config.hub.slowStopTimeout) {
            await components.hub.lifecycle(user: user.name, server: server).active ? nil : true
        }
        return JSONResponse.empty(stopped == nil ? .accepted : .noContent)
    }

    /// Checks `condition` every 50 ms for up to `seconds`: JupyterHub's slow spawn/stop timeouts,
    /// after which the API answers 202 and the work goes on in the background.
    static func poll<T>(for seconds: Double, _ condition: () async -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let value = await condition() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Sendable func progress(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (user, server) = try await target(request, context)
        try principal.require("read:servers", onServer: server, of: user.name)
        let lifecycle = await components.hub.lifecycle(user: user.name, server: server)
        let log: ProgressLog
        switch lifecycle {
        case .running:
            log = ProgressLog()
            log.finish(.ready(url: components.serverURLs.url(user: user.name, server: server)))
        case .spawning, .failed, .checking, .stopping:
            guard let existing = await components.hub.progress(user: user.name, server: server) else {
                throw HubError.badRequest("\(user.name)'s server is not pending")
            }
            log = existing
        case .stopped:
            throw HubError.badRequest("\(user.name)'s server is not running")
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in try await Self.stream(log, to: &writer) })
    }

    /// Writes progress events as they arrive; a keepalive every 8 s; ends with `ready` or `failed`.
    static func stream(_ log: ProgressLog, to writer: inout any ResponseBodyWriter) async throws {
        var index = 0
        var lastWrite = ContinuousClock.now
        while true {
            let (events, outcome) = log.read(from: index)
            index += events.count
            for event in events {
                var model: [String: JSONValue] = ["message": .string(event.message)]
                if let progress = event.progress { model["progress"] = .number(Double(progress)) }
                if let html = event.htmlMessage { model["html_message"] = .string(html) }
                try await writer.write(ByteBuffer(string: "data: \(JSONValue.object(model).jsonString())\n\n"))
                lastWrite = .now
            }
            if let outcome {
                let final: JSONValue
                switch outcome {
                case .ready(let url):
                    final = .object([
                        "progress": 100, "ready": .bool(true), "message": .string("Server ready at \(url)"),
                        "html_message": .string("Server ready at <a href=\"\(url)\">\(url)</a>"), "url": .string(url),
                    ])
                case .failed(let message):
                    final = .object(["progress": 100, "failed": .bool(true), "message": .string("Spawn failed: \(message)")])
                }
                try await writer.write(ByteBuffer(string: "data: \(final.jsonString())\n\n"))
                try await writer.finish(nil)
                return
            }
            if ContinuousClock.now - lastWrite > .seconds(8) {
                try await writer.write(ByteBuffer(string: "\n\n"))
                lastWrite = .now
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
