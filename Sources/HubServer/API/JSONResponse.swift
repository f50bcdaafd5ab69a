import Foundation
import HubModel
import Hummingbird

/// JSON responses.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(value.jsonString())
        return Response(status: status, headers: [.contentType: "application/json; charset=UTF-8"],
                        body: .init(byteBuffer: buffer))
    }

    static func empty(_ status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: .init())
    }

    /// JupyterHub's error body: `{"status": code, "message": "..."}`, with `Retry-After` when given.
    static func error(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) -> Response {
        var response = make(.object(["status": .number(Double(status.code)), "message": .string(message)]), status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    static func error(_ error: HubError) -> Response {
        self.error(error.status, error.message, retryAfter: error.retryAfter)
    }
}

extension Request {
    /// The body as a JSON value; empty bodies are `nil`. Oversized or malformed bodies are 4xx errors.
    func decodeJSONBody(limit: Int) async throws -> JSONValue? {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            throw HubError.tooLarge("Request body too large (limit \(limit) bytes)")
        }
        let text = String(buffer: buffer)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return nil }
        guard let value = JSONValue.parse(text) else { throw HubError.badRequest("Invalid JSON in request body") }
        return value
    }

    /// The body as URL-encoded form fields.
    func decodeForm(limit: Int = 65536) async throws -> [String: String] {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            throw HubError.tooLarge("Request body too large")
        }
        return FormDecoding.parse(String(buffer: buffer))
    }
}

/// `application/x-www-form-urlencoded` parsing.
enum FormDecoding {
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            fields[key] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
