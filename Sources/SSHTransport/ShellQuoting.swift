/// Quoting of argv words for a POSIX shell, as an SSH server hands the command line to the
/// user's login shell (`$SHELL -c '<line>'`).
public enum ShellQuoting {
    /// Quotes one word so that the shell passes it through byte for byte.
    ///
    /// Words made only of unambiguous characters (letters, digits and `_-./:,@+%`) stay as they
    /// are, the empty word becomes `''`, and everything else is wrapped in single quotes, with each
    /// embedded `'` written as `'\''`. Inside single quotes no character is special, newlines included.
    public static func quote(_ word: String) -> String {
        if word.isEmpty { return "''" }
        if word.utf8.allSatisfy(isPlain) { return word }
        var quoted = "'"
        // Scalars, not Characters: a quote followed by a combining mark is one Character.
        for scalar in word.unicodeScalars {
            if scalar == "'" {
                quoted += "'\\''"
            } else {
                quoted.unicodeScalars.append(scalar)
            }
        }
        quoted += "'"
        return quoted
    }

    /// Joins an argv array into one shell command line, quoting every word.
    public static func commandLine(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    /// Bytes that a POSIX shell never treats specially in any position of a word.
    /// `=` is absent on purpose: a leading `NAME=value` word would be taken as an assignment.
    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"),
            UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }
}
