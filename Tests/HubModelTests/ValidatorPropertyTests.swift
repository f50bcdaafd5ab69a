import XCTest

@testable import HubModel

/// A small seeded generator, so that a failing case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Characters that must never pass a name or option check: C0 controls (NUL, tab, CR, LF, …), DEL, NEL, the
/// Unicode line and paragraph separators, bidi overrides and isolates, zero-width characters and the BOM.
let hostileScalars: [Unicode.Scalar] = (0x00...0x1F).compactMap(Unicode.Scalar.init) + [
    "\u{7F}", "\u{85}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{202B}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}",
    "\u{2069}", "\u{200B}", "\u{200D}", "\u{FEFF}", "\u{00A0}",
]

/// `base` with one hostile character put at a random place (the end included, where `$` used to let it through).
func withHostileCharacter(_ base: String, using random: inout SplitMix64) -> String {
    var scalars = Array(base.unicodeScalars)
    let hostile = hostileScalars.randomElement(using: &random) ?? "\n"
    scalars.insert(hostile, at: Int.random(in: 0...scalars.count, using: &random))
    var result = String.UnicodeScalarView()
    result.append(contentsOf: scalars)
    return String(result)
}

final class ValidatorPropertyTests: XCTestCase {
    func testTrailingLineBreaksNoLongerPassAnchoredPatterns() {
        for suffix in ["\n", "\r\n", "\u{2028}", "\u{85}"] {
            XCTAssertFalse("x\(suffix)".matchesWhole(#"^[a-z]+$"#), suffix.debugDescription)
            XCTAssertThrowsError(try ServerNamePolicy.validate("x\(suffix)"), suffix.debugDescription)
        }
        XCTAssertTrue("abc".matchesWhole(#"^[a-z]+$"#))
        XCTAssertTrue("abc".matchesWhole("[a-z]+"))
        XCTAssertFalse("ab1".matchesWhole("[a-z]+|[0-9]"))
        XCTAssertTrue("a$".matchesWhole(#"^[a-z]\$$"#))
        XCTAssertTrue("ABC".matchesWhole("[a-z]+", caseInsensitive: true))
    }

    func testNameValidatorsRefuseEveryHostileCharacterAnywhere() throws {
        var random = SplitMix64(state: 20_261_207)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_-")
        let users = try UsernamePolicy()
        for round in 0..<3000 {
            let length = Int.random(in: 1...20, using: &random)
            let base = "a" + String((0..<length).map { _ in alphabet.randomElement(using: &random) ?? "a" })
            XCTAssertNoThrow(try ServerNamePolicy.validate(base), base)
            XCTAssertTrue(users.isValid(String(base.prefix(32))), base)
            let hostile = withHostileCharacter(base, using: &random)
            XCTAssertThrowsError(try ServerNamePolicy.validate(hostile), "round \(round): \(hostile.debugDescription)")
            XCTAssertThrowsError(try users.normalize(hostile), "round \(round): \(hostile.debugDescription)")
            XCTAssertFalse(hostile.matchesWhole(#"^[A-Za-z0-9_-]+$"#), "round \(round): \(hostile.debugDescription)")
        }
    }
}
