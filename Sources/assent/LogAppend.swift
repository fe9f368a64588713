import ArgumentParser
import AssentLog
import AssentOperations

extension LogCommand {
    /// `assent log append`: raw note entries, to exercise the log before records exist.
    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append note entries (type note or note.*) in one transaction.",
            discussion: """
                Either --jsonl FILE (one JSON object per line; its "type" field names the entry type) or \
                --type T --json BODY. Record types (sample, consent, …) cannot be appended this way. Fields \
                v, seq, prev and at are set by the log; numbers must be integers.

                Example: assent log append --type note --json '{"text":"dataset v2 frozen"}'
                """)
        @OptionGroup var location: LedgerOption
        @Option(help: ArgumentHelp("A JSONL file of entries, each with a \"type\" field.", valueName: "file"))
        var jsonl: String?
        @Option(help: "The entry type, with --json BODY.")
        var type: String?
        @Option(
            name: .customLong("json"),
            help: ArgumentHelp("The entry body, a JSON object, with --type.", valueName: "body"))
        var body: String?
        @Flag(name: .customLong("print-json"), help: "Print the result as JSON (--json names the body here).")
        var printJSON = false

        func validate() throws {
            switch (jsonl, type, body) {
            case (.some, nil, nil), (nil, .some, .some): break
            default: throw ValidationError("give either --jsonl FILE, or --type T with --json BODY")
            }
        }

        func run() throws {
            try reportingErrors {
                let ledger = try location.openLedger()
                var notes: [(type: String, fields: JSONObject)] = []
                if let jsonl {
                    notes = try Self.parse(jsonl: try readFile(jsonl, what: "JSONL file"), name: jsonl)
                } else if let type, let body {
                    notes = [(type, try Self.parseObject(Array(body.utf8), place: "--json"))]
                }
                let (entries, sweep) = try Operations(ledger: ledger).appendNotes(notes)
                reportSweep(sweep)
                if printJSON {
                    Console.json(
                        JSONObject([
                            ("appended", .integer(Int64(entries.count))), ("size", .integer(Int64(try ledger.size()))),
                            ("seqs", .array(entries.map { .integer(Int64($0.seq)) })),
                        ]))
                } else {
                    let range = entries.isEmpty ? "" : " (seq \(entries.first!.seq)…\(entries.last!.seq))"
                    Console.line("appended \(entries.count) entries\(range); log size \(try ledger.size())")
                }
            }
        }

        /// Parses a JSONL file into typed note bodies, naming the line of any error.
        static func parse(jsonl bytes: [UInt8], name: String) throws -> [(type: String, fields: JSONObject)] {
            var result: [(type: String, fields: JSONObject)] = []
            for (number, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.last == 0x0D ? line.dropLast() : line
                if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                var object = try parseObject(Array(trimmed), place: "\(name) line \(number + 1)")
                guard let type = object["type"]?.stringValue else {
                    throw LedgerError(
                        .invalidInput, "\(name) line \(number + 1): field \"type\" is missing or not a string")
                }
                object["type"] = nil
                guard EntryFormat.isNoteType(type) else {
                    throw LedgerError(
                        .invalidInput,
                        "\(name) line \(number + 1): type \"\(type)\" is not a note type (note or note.*); record types cannot be appended raw"
                    )
                }
                result.append((type, object))
            }
            guard !result.isEmpty else { throw LedgerError(.invalidInput, "\(name) holds no entries") }
            return result
        }

        /// Parses one JSON object, naming `place` in any error.
        static func parseObject(_ bytes: [UInt8], place: String) throws -> JSONObject {
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch {
                throw LedgerError(.invalidInput, "\(place): \(error)")
            }
            guard let object = value.objectValue else {
                throw LedgerError(.invalidInput, "\(place): expected a JSON object")
            }
            if let reserved = object.keys.first(where: { EntryFormat.reservedFields.contains($0) && $0 != "type" }) {
                throw LedgerError(
                    .invalidInput, "\(place): field \"\(reserved)\" is set by the log and may not be given")
            }
            return object
        }
    }
}
