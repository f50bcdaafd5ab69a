import XCTest

@testable import SSHTransport

final class ShellQuotingTests: XCTestCase {
    func testPlainWordsStayUnquoted() {
        XCTAssertEqual(ShellQuoting.quote("sbatch"), "sbatch")
        XCTAssertEqual(ShellQuoting.quote("--parsable"), "--parsable")
        XCTAssertEqual(ShellQuoting.quote("/home/alice/job.sh"), "/home/alice/job.sh")
        XCTAssertEqual(ShellQuoting.quote("user@host:1,2+3%"), "user@host:1,2+3%")
    }

    func testEmptyWordIsTwoQuotes() {
        XCTAssertEqual(ShellQuoting.quote(""), "''")
    }

    func testSpecialCharactersAreSingleQuoted() {
        XCTAssertEqual(ShellQuoting.quote("a b"), "'a b'")
        XCTAssertEqual(ShellQuoting.quote("$HOME"), "'$HOME'")
        XCTAssertEqual(ShellQuoting.quote("`id`"), "'`id`'")
        XCTAssertEqual(ShellQuoting.quote("a;b|c&d"), "'a;b|c&d'")
        XCTAssertEqual(ShellQuoting.quote("line1\nline2"), "'line1\nline2'")
        XCTAssertEqual(ShellQuoting.quote("*"), "'*'")
        XCTAssertEqual(ShellQuoting.quote("~root"), "'~root'")
        XCTAssertEqual(ShellQuoting.quote("\"double\""), "'\"double\"'")
        XCTAssertEqual(ShellQuoting.quote("\\"), "'\\'")
        XCTAssertEqual(ShellQuoting.quote("é"), "'é'")
    }

    func testAssignmentLookalikeIsQuoted() {
        XCTAssertEqual(ShellQuoting.quote("PATH=/tmp"), "'PATH=/tmp'")
    }

    func testSingleQuotesAreEscaped() {
        XCTAssertEqual(ShellQuoting.quote("it's"), "'it'\\''s'")
        XCTAssertEqual(ShellQuoting.quote("'"), "''\\'''")
        // A quote followed by a combining mark is one Character but must still be escaped.
        XCTAssertEqual(ShellQuoting.quote("'\u{301}"), "''\\''\u{301}'")
    }

    func testCommandLineJoinsQuotedWords() {
        XCTAssertEqual(
            ShellQuoting.commandLine(["sudo", "-u", "alice", "sh", "-c", "echo $1", "x y"]),
            "sudo -u alice sh -c 'echo $1' 'x y'")
    }

    func testQuotedWordsSurviveARealShell() throws {
        let words = ["a b", "it's", "$HOME", "`id`", "line1\nline2", "", "*", "\\n", "'\u{301}", "PATH=/x"]
        let line = ShellQuoting.commandLine(["printf", "[%s]"] + words)
        let output = try SSHDHarness.shell(["/bin/sh", "-c", line])
        XCTAssertEqual(output, words.map { "[\($0)]" }.joined())
    }

    func testBackoffDoublesUpToTheMaximum() {
        var backoff = ReconnectBackoff(initial: .milliseconds(500), maximum: .seconds(30))
        let delays = (0..<9).map { _ in backoff.nextDelay() }
        XCTAssertEqual(delays.prefix(4), [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)])
        XCTAssertEqual(delays.last, .seconds(30))
        backoff.reset()
        XCTAssertEqual(backoff.nextDelay(), .milliseconds(500))
    }
}
