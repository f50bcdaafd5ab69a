/// Path handling shared by the route table and the route API, following
/// configurable-http-proxy: paths are percent-decoded, empty segments are dropped
/// and the trailing slash is stripped, except for the root "/".
public enum RoutePath {
    /// Normalizes a routespec or request path (without query) to its table key.
    ///
    /// `"/user/alice/"` → `"/user/alice"`, `"/user/a%40b"` → `"/user/a@b"`, `""` → `"/"`.
    public static func normalize(_ path: String) -> String {
        if isAlreadyNormal(path) { return path }
        let decoded = percentDecode(path)
        var result = ""
        result.reserveCapacity(decoded.utf8.count + 1)
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            result.append("/")
            result.append(contentsOf: segment)
        }
        return result.isEmpty ? "/" : result
    }

    /// Fast check: starts with "/", no "%", no "//", no trailing "/" (unless root).
    private static func isAlreadyNormal(_ path: String) -> Bool {
        var previousSlash = false
        var count = 0
        for byte in path.utf8 {
            count += 1
            if byte == UInt8(ascii: "%") { return false }
            if byte == UInt8(ascii: "/") {
                if previousSlash { return false }
                previousSlash = true
            } else {
                if count == 1 { return false }
                previousSlash = false
            }
        }
        if count == 0 { return false }
        return count == 1 || !previousSlash
    }

    /// Decodes `%XX` escapes; malformed escapes and invalid UTF-8 are left as they are.
    public static func percentDecode(_ string: String) -> String {
        let bytes = Array(string.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return string }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-encodes everything except RFC 3986 unreserved characters.
    public static func percentEncodeComponent(_ string: String) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count * 3)
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
