import Foundation

/// Why a user or server name was refused.
public struct NameError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Validates user names: they become Unix accounts on the cluster, so only a strict pattern passes.
///
/// Names are lower-cased first, then must match the pattern in full. The default pattern
/// admits what `useradd` admits by default; `/`, `..`, NUL, spaces and non-ASCII look-alikes never pass.
public struct UsernamePolicy: Sendable {
    /// The default pattern, applied after lower-casing.
    public static let defaultPattern = "^[a-z_][a-z0-9_-]{0,31}$"

    public let pattern: String
    private let regex: NSRegularExpressionBox

    public init(pattern: String = UsernamePolicy.defaultPattern) throws {
        self.pattern = pattern
        do {
            regex = NSRegularExpressionBox(try NSRegularExpression(pattern: pattern))
        } catch {
            throw NameError("invalid username pattern \(pattern): \(error)")
        }
    }

    /// Lower-cases and checks a user name, returning the normalized name.
    public func normalize(_ raw: String) throws -> String {
        let name = raw.lowercased()
        guard !name.isEmpty else { throw NameError("Invalid username: empty") }
        guard name.utf8.count <= 256, name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7f }) else {
            throw NameError("Invalid username \(Self.quoted(raw)): only ASCII letters, digits, '_' and '-' are allowed")
        }
        let range = NSRange(name.startIndex..., in: name)
        guard regex.value.firstMatch(in: name, range: range)?.range == range else {
            throw NameError("Invalid username \(Self.quoted(raw)): must match \(pattern)")
        }
        return name
    }

    /// Whether the name is acceptable as it stands (already normalized).
    public func isValid(_ name: String) -> Bool {
        (try? normalize(name)) == name
    }

    /// A bounded, printable rendition of an untrusted name for error messages and logs.
    public static func quoted(_ raw: String) -> String {
        let cut = raw.prefix(40)
        let printable = cut.unicodeScalars.map { scalar -> String in
            scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7f
                ? String(scalar) : String(format: "\\u{%X}", scalar.value)
        }.joined()
        return "'" + printable + (raw.count > 40 ? "…" : "") + "'"
    }
}

/// Server names: empty for the default server; otherwise letters, digits, `.`, `_`, `-` (no `/`).
public enum ServerNamePolicy {
    /// Checks a named server's name.
    public static func validate(_ name: String) throws {
        if name.isEmpty { return }
        guard name.utf8.count <= 64,
              name.matchesWhole(#"^[A-Za-z0-9][A-Za-z0-9._-]*$"#) else {
            throw NameError("Invalid server name \(UsernamePolicy.quoted(name)): use letters, digits, '.', '_' and '-' (at most 64)")
        }
    }
}

/// NSRegularExpression is immutable and thread-safe, but not marked Sendable.
final class NSRegularExpressionBox: @unchecked Sendable {
    let value: NSRegularExpression
    init(_ value: NSRegularExpression) { self.value = value }
}

/// URL path quoting as JupyterHub does it: `quote(name, safe='@~')`.
public enum PathQuoting {
    private static let allowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-~@")
        set.insert(charactersIn: "")
        return set
    }()

    /// Percent-encodes everything but unreserved characters, `@` and `~`.
    public static func quote(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
