import Foundation
import HubModel
import NIOHTTP1

/// A response produced by the route API.
struct RouteAPIResponse {
    var status: HTTPResponseStatus
    /// JSON body, or nil for an empty body.
    var json: String?
}

/// The configurable-http-proxy REST API logic, independent of the network layer.
struct RouteAPIRouter: Sendable {
    let routes: InProcessRouteTable
    let authToken: String

    func handle(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) -> RouteAPIResponse {
        let (path, query) = splitURI(uri)
        if path == "/_chp_healthz" {
            return RouteAPIResponse(status: .ok, json: #"{"status":"OK"}"#)
        }
        guard path == "/api" || path.hasPrefix("/api/") else {
            return error(.notFound, "Not Found")
        }
        guard isAuthorized(headers) else { return error(.forbidden, "Forbidden") }
        guard path == "/api/routes" || path.hasPrefix("/api/routes/") else {
            return error(.notFound, "Not Found")
        }
        let routePath = RoutePath.normalize(String(path.dropFirst("/api/routes".count)))
        let isCollection = path == "/api/routes" || path == "/api/routes/"
        switch method {
        case .GET where isCollection:
            return listRoutes(query: query)
        case .GET:
            guard let route = routes.route(at: routePath) else { return error(.notFound, "Not Found") }
            return RouteAPIResponse(status: .ok, json: encode(.object(Self.json(for: route))))
        case .POST:
            return addRoute(routePath, body: body)
        case .DELETE:
            guard routes.removeRoute(routePath) else { return error(.notFound, "Not Found") }
            return RouteAPIResponse(status: .noContent, json: nil)
        default:
            return error(.methodNotAllowed, "Method Not Allowed")
        }
    }

    private func listRoutes(query: Substring?) -> RouteAPIResponse {
        var cutoff: Date?
        if let raw = queryValue("inactive_since", in: query) {
            guard let date = Timestamp.parse(raw)
                ?? Timestamp.parse(raw.replacingOccurrences(of: " ", with: "+"))
            else {
                return error(.badRequest, "Invalid datestamp '\(raw)' must be ISO8601.")
            }
            cutoff = date
        }
        var object: [String: RouteDataValue] = [:]
        for (path, route) in routes.routes(inactiveSince: cutoff) {
            object[path] = .object(Self.json(for: route))
        }
        return RouteAPIResponse(status: .ok, json: encode(.object(object)))
    }

    private func addRoute(_ path: String, body: [UInt8]) -> RouteAPIResponse {
        guard let value = try? JSONDecoder().decode(RouteDataValue.self, from: Data(body)),
            case .object(var data) = value
        else {
            return error(.badRequest, "Body must be a JSON object")
        }
        guard let target = data.removeValue(forKey: "target")?.stringValue else {
            return error(.badRequest, "Must specify 'target' as string")
        }
        data.removeValue(forKey: "last_activity")
        do {
            try routes.setRoute(path, target: target, data: data)
        } catch {
            return self.error(.badRequest, "Invalid target '\(target)'")
        }
        return RouteAPIResponse(status: .created, json: nil)
    }

    /// The CHP wire form of a route: its data plus `target` and `last_activity`.
    static func json(for route: Route) -> [String: RouteDataValue] {
        var object = route.data
        object["target"] = .string(route.target)
        object["last_activity"] = .string(Timestamp.formatMilliseconds(route.lastActivity))
        return object
    }

    private func isAuthorized(_ headers: HTTPHeaders) -> Bool {
        guard let header = headers.first(name: "authorization") else { return false }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return false }
        let scheme = parts[0].lowercased()
        guard scheme == "token" || scheme == "bearer" else { return false }
        return Self.constantTimeEquals(parts[1].trimmingCharacters(in: .whitespaces), authToken)
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        if a.count != b.count { difference |= 1 }
        for index in 0..<b.count {
            difference |= (index < a.count ? a[index] : 0) ^ b[index]
        }
        return difference == 0 && !b.isEmpty
    }

    private func splitURI(_ uri: String) -> (Substring, Substring?) {
        guard let mark = uri.firstIndex(of: "?") else { return (Substring(uri), nil) }
        return (uri[..<mark], uri[uri.index(after: mark)...])
    }

    private func queryValue(_ name: String, in query: Substring?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if pieces.first.map(String.init) == name {
                return RoutePath.percentDecode(pieces.count > 1 ? String(pieces[1]) : "")
            }
        }
        return nil
    }

    private func error(_ status: HTTPResponseStatus, _ message: String) -> RouteAPIResponse {
        RouteAPIResponse(status: status, json: encode(.object(["error": .string(message)])))
    }

    private func encode(_ value: RouteDataValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
