import Foundation

extension CharacterSet {
    /// Space and tab only: what option values are trimmed of. Foundation's `.whitespaces` also holds characters
    /// such as U+200B that must be refused, not silently dropped.
    public static let spaceAndTab = CharacterSet(charactersIn: " \t")
}

extension StringProtocol {
    /// Whether the whole string matches `pattern`, an ICU regular expression written with or without `^…$`.
    ///
    /// The pattern is anchored with `\A` and `\z`: ICU's `$` also matches before a final line break, so
    /// `"x\n"` would pass `^[a-z]+$` and carry a newline into a job script. Every validator that checks a name or
    /// an option with a pattern goes through here.
    public func matchesWhole(_ pattern: String, caseInsensitive: Bool = false) -> Bool {
        var core = Substring(pattern)
        if core.hasPrefix("^") { core = core.dropFirst() }
        if core.hasSuffix("$"), !core.hasSuffix("\\$") { core = core.dropLast() }
        let options: String.CompareOptions = caseInsensitive ? [.regularExpression, .caseInsensitive] : .regularExpression
        return String(self).range(of: "\\A(?:" + core + ")\\z", options: options) != nil
    }
}
