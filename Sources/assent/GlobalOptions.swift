import ArgumentParser
import AssentLog
import AssentRecords
import Foundation

/// The `--ledger DIR` option every command takes.
struct LedgerOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The ledger folder (default: $ASSENT_LEDGER, else ./.assent).", valueName: "dir"))
    var ledger: String?

    /// The ledger folder after applying the default rules.
    var ledgerFolder: URL {
        let path = ledger ?? ProcessInfo.processInfo.environment["ASSENT_LEDGER"] ?? ".assent"
        return URL(fileURLWithPath: path)
    }

    /// Opens the ledger.
    func openLedger() throws -> Ledger { try Ledger(opening: ledgerFolder) }
}

/// Options every command with structured output shares: `--ledger DIR` and `--json`.
struct GlobalOptions: ParsableArguments {
    @OptionGroup var location: LedgerOption

    @Flag(name: .long, help: "Print machine-readable JSON on stdout.")
    var json = false

    @Flag(name: .long, help: "Show no progress line on stderr (errors and warnings still show).")
    var quiet = false

    /// The progress line for this command.
    func makeProgress() -> ProgressLine { ProgressLine(quiet: quiet) }

    /// The ledger folder after applying the default rules.
    var ledgerFolder: URL { location.ledgerFolder }

    /// Opens the ledger.
    func openLedger() throws -> Ledger { try location.openLedger() }
}

/// A failed verification: the report was printed; exit with status 2.
struct VerificationFailure: Error {
    let message: String
}

/// Runs `body`, turning our errors into a one-line message on stderr and the documented exit codes:
/// 1 for bad input or a failed operation, 2 for a failed verification.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as VerificationFailure {
        Console.error("verification failed: \(error.message)")
        throw ExitCode(2)
    } catch let error as LedgerError where error.code == .verificationFailed {
        Console.error("verification failed: \(error.message)")
        throw ExitCode(2)
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        Console.error("\(error)")
        throw ExitCode(1)
    }
}

/// Output helpers: results on stdout, diagnostics on stderr.
enum Console {
    /// Writes a line to stdout.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes raw bytes to stdout.
    static func raw(_ bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }

    /// Writes canonical JSON and a newline to stdout.
    static func json(_ object: JSONObject) {
        line(String(decoding: CanonicalJSON.encode(.object(object)), as: UTF8.self))
    }

    /// Writes "assent: error: …" to stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data("assent: error: \(text)\n".utf8))
    }

    /// Writes a progress or notice line to stderr.
    static func note(_ text: String) { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
}

/// Reads a whole file, with an error that names it.
func readFile(_ path: String, what: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw LedgerError(.invalidInput, "cannot read \(what) \(path)")
    }
    return [UInt8](data)
}

/// Reads a whole UTF-8 text file, with an error that names it.
func readTextFile(_ path: String, what: String) throws -> String {
    guard let text = String(validating: try readFile(path, what: what), as: UTF8.self) else {
        throw LedgerError(.invalidInput, "\(what) \(path) is not UTF-8 text")
    }
    return text
}

/// Parses a sample id given on the command line: `sha256:<64 hex digits>`, the prefix optional.
func sampleID(_ text: String) throws -> [UInt8] {
    guard let commitment = RevocationRegistry.parseCommitment(text) else {
        throw RecordsError(.invalidInput, "\"\(text)\" is not a sample id (sha256:<64 hex digits>)")
    }
    return commitment
}

/// Reads a verifier key file (one line).
func readVerifierKey(_ path: String) throws -> NoteVerifier {
    let text = try readTextFile(path, what: "verifier key").trimmingCharacters(in: .whitespacesAndNewlines)
    do { return try NoteVerifier(text) } catch { throw LedgerError(.key, "verifier key \(path): \(error.message)") }
}

/// Refuses log indexes and sizes past what the log can hold (2^63 − 1), naming the argument, so that
/// no numeric argument reaches a conversion that would trap.
func checkLogIndexes(_ values: [(name: String, value: UInt64?)]) throws {
    for (name, value) in values {
        if let value, value > UInt64(Int64.max) {
            throw ValidationError("\(name) must be between 0 and \(Int64.max), not \(value)")
        }
    }
}
