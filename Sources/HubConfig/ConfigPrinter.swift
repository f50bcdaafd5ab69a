import Foundation
import Yams

extension ConfigLoader {
    /// The effective configuration as YAML, for `check-config`. Secret values are never in the
    /// configuration (only paths to files holding them), so nothing needs masking; any key whose
    /// name suggests a secret value is redacted anyway as a guard.
    public static func effectiveYAML(path: String?, environment: [String: String]) throws -> String {
        let tree = try mergedTree(path: path, environment: environment)
        return try Yams.dump(object: normalizeScalars(redact(tree)), sortKeys: true)
    }

    static func redact(_ value: Any, key: String = "") -> Any {
        switch value {
        case let map as [String: Any]:
            return Dictionary(uniqueKeysWithValues: map.map { ($0.key, redact($0.value, key: $0.key)) })
        case let list as [Any]:
            return list.map { redact($0, key: key) }
        default:
            let lowered = key.lowercased()
            let secretLike = (lowered.contains("secret") || lowered.contains("password") || lowered.contains("token"))
                && !lowered.hasSuffix("_file")
            return secretLike ? "<redacted>" : value
        }
    }
}
