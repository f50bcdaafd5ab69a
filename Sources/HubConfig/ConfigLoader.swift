import Foundation
import HubModel
import Yams

/// A configuration problem, with the key it concerns.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Loads the configuration: embedded defaults, then the YAML file, then `SLURMHUB_*` environment overrides.
///
/// Environment overrides name a leaf key path in upper case with `_` between parts:
/// `SLURMHUB_HUB_PUBLIC_BIND=127.0.0.1:8000`, `SLURMHUB_SPAWNER_LOCAL_CMD='[jupyterhub-singleuser, --allow-root]'`.
/// Values are parsed as YAML, so lists and numbers work. Unknown keys in the file are errors (typos must not pass).
public enum ConfigLoader {
    /// Key paths whose values are free-form maps or lists of maps (not checked for unknown keys below them).
    static let freeForm: Set<String> = ["spawner.environment", "services"]

    /// Loads and validates the configuration.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> HubConfiguration
    {
        let tree = try mergedTree(path: path, environment: environment)
        let config = try decode(tree)
        try validate(config)
        return config
    }

    /// The merged YAML tree (defaults ← file ← environment), before decoding.
    public static func mergedTree(path: String?, environment: [String: String]) throws -> [String: Any] {
        guard var tree = try Yams.load(yaml: DefaultConfig.yaml) as? [String: Any] else {
            throw ConfigError("embedded default configuration is not a mapping")
        }
        if let path, !path.isEmpty {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigError("cannot read config file \(path): \(error.localizedDescription)")
            }
            let loaded: Any?
            do {
                loaded = try Yams.load(yaml: text)
            } catch {
                throw ConfigError("config file \(path) is not valid YAML: \(error)")
            }
            if let loaded {
                guard let overlay = loaded as? [String: Any] else {
                    throw ConfigError("config file \(path) must be a YAML mapping at the top level")
                }
                tree = try merge(tree, overlay, path: "")
            }
        }
        for (keyPath, envName) in leafPaths(of: tree, prefix: "") {
            guard let raw = environment[envName] else { continue }
            let value = (try? Yams.load(yaml: raw)) ?? raw
            tree = set(tree, keyPath.split(separator: ".").map(String.init), value)
        }
        return tree
    }

    /// Deep-merges `overlay` onto `base`, refusing keys the defaults do not have.
    static func merge(_ base: [String: Any], _ overlay: [String: Any], path: String) throws -> [String: Any] {
        var result = base
        for (key, value) in overlay {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let existing = base[key] else {
                throw ConfigError("unknown config key '\(keyPath)'")
            }
            if freeForm.contains(keyPath) {
                result[key] = value
            } else if let baseMap = existing as? [String: Any] {
                guard let overlayMap = value as? [String: Any] else {
                    throw ConfigError("config key '\(keyPath)' must be a mapping")
                }
                result[key] = try merge(baseMap, overlayMap, path: keyPath)
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// Every leaf key path and the environment variable that overrides it.
    static func leafPaths(of tree: [String: Any], prefix: String) -> [(String, String)] {
        tree.flatMap { key, value -> [(String, String)] in
            let keyPath = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let map = value as? [String: Any], !freeForm.contains(keyPath) {
                return leafPaths(of: map, prefix: keyPath)
            }
            let envName = "SLURMHUB_" + keyPath.uppercased().replacingOccurrences(of: ".", with: "_")
            return [(keyPath, envName)]
        }
    }

    static func set(_ tree: [String: Any], _ path: [String], _ value: Any) -> [String: Any] {
        var result = tree
        guard let first = path.first else { return tree }
        if path.count == 1 {
            result[first] = value
        } else {
            result[first] = set(result[first] as? [String: Any] ?? [:], Array(path.dropFirst()), value)
        }
        return result
    }

    static func decode(_ tree: [String: Any]) throws -> HubConfiguration {
        do {
            let data = try JSONSerialization.data(withJSONObject: normalizeScalars(tree))
            return try JSONDecoder().decode(HubConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigError("invalid configuration: \(describe(error))")
        }
    }

    /// YAML scalars that JSON cannot hold as-is (dates, NSNull keys) become strings.
    static func normalizeScalars(_ value: Any) -> Any {
        switch value {
        case let map as [String: Any]: return map.mapValues(normalizeScalars)
        case let list as [Any]: return list.map(normalizeScalars)
        case is String, is Bool, is Int, is Double, is NSNull: return value
        case let date as Date: return Timestamp.format(date)
        default: return "\(value)"
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context): return "'\(path(context))' must be \(type)"
        case .valueNotFound(let type, let context): return "'\(path(context))' is missing (\(type))"
        case .keyNotFound(let key, let context): return "'\(path(context)).\(key.stringValue)' is missing"
        case .dataCorrupted(let context): return "'\(path(context))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
