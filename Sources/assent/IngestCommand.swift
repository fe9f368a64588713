import ArgumentParser
import AssentLog
import AssentOperations
import AssentRecords
import Foundation

/// `assent ingest`: records samples with licence metadata and consent.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest samples with licence and consent metadata from a JSONL or CSV manifest, or a folder.",
        discussion: """
            Manifest fields (one sample per JSONL line or CSV row): path | text | content_base64 | json (exactly \
            one; json is a JSON object whose canonical encoding is the content, what the built-in trainers read: \
            {"features":[…],"label":n} or {"text":"…","label":n}), \
            license (SPDX expression, or hf:<tag>), attribution, source (dataset name), source_uri, collected_at \
            (UTC, 2024-05-01T12:00:00Z), media_type, subject (real id, kept in the vault), consent (consent id), \
            opt_out (reserved | notReserved | unknown, or {"status":…, "signals":[{"mechanism","value","observed_at"}]}).

            The options below give defaults for fields a line leaves out. The whole input is validated before \
            anything is written; then it commits in chunks. Running it again adds only what is missing.

            Files are read once each and never through a symbolic link: path values must stay below the \
            manifest's folder (absolute paths and '..' need --allow-outside); hidden files and folders, the ledger \
            folder, /proc, /sys, /dev, FIFOs, sockets, devices, files with several hard links and files over \
            --max-sample-size are refused by name. The manifest may be a pipe (/dev/stdin).

            Examples:
              assent ingest data.jsonl
                (a line: {"json":{"features":[0,3,16],"label":2},"license":"CC-BY-4.0","source":"digits"})
              assent ingest rows.csv --source crawl-2024 --license CC-BY-4.0
              assent ingest --folder ./images --license CC0-1.0 --source photos --media-type image/png
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A manifest: .jsonl (one JSON object per line) or .csv (header row).")
    var manifest: String?
    @Option(help: ArgumentHelp("Ingest every file below this folder as one sample.", valueName: "dir"))
    var folder: String?
    @Option(help: "Manifest format when the extension does not tell: jsonl or csv.")
    var format: String?
    @Option(help: "Default SPDX licence expression (or hf:<tag>).")
    var license: String?
    @Option(help: "Default source dataset name.")
    var source: String?
    @Option(help: "Default attribution text (kept in the vault; its digest is logged).")
    var attribution: String?
    @Option(name: .customLong("source-uri"), help: "Default source URI (kept in the vault).")
    var sourceURI: String?
    @Option(name: .customLong("collected-at"), help: "Default collection time, UTC (2024-05-01T12:00:00Z).")
    var collectedAt: String?
    @Option(name: .customLong("media-type"), help: "Default media type.")
    var mediaType: String?
    @Option(help: "Default subject (real id; the log sees only a pseudonym).")
    var subject: String?
    @Option(help: "Default consent id.")
    var consent: String?
    @Option(name: .customLong("opt-out"), help: "Default opt-out status: reserved, notReserved or unknown.")
    var optOut: String?
    @Flag(name: .customLong("skip-invalid"), help: "Skip and report invalid lines instead of failing.")
    var skipInvalid = false
    @Flag(help: "Refuse paths outside the manifest's folder (the default; kept so that older scripts still run).")
    var confine = false
    @Flag(
        name: .customLong("allow-outside"),
        help:
            "Let path values be absolute or use '..'. The ledger folder, /proc, /sys, /dev and non-regular files stay refused."
    )
    var allowOutside = false
    @Option(
        name: .customLong("max-sample-size"),
        help: ArgumentHelp(
            "The largest sample file ingested, in bytes (default 268435456, 256 MiB).", valueName: "bytes"))
    var maxSampleSize = 256 << 20
    @Option(name: .customLong("chunk-size"), help: "Samples per write transaction.")
    var chunkSize = 10_000

    func validate() throws {
        guard (manifest == nil) != (folder == nil) else {
            throw ValidationError("give a manifest file or --folder DIR, not both")
        }
        if let format, !["jsonl", "csv"].contains(format) { throw ValidationError("--format is jsonl or csv") }
        guard (1...1_000_000).contains(chunkSize) else {
            throw ValidationError("--chunk-size must be between 1 and 1000000")
        }
        guard maxSampleSize > 0 else { throw ValidationError("--max-sample-size must be positive") }
        if confine && allowOutside { throw ValidationError("--confine and --allow-outside contradict each other") }
    }

    func run() throws {
        try reportingErrors {
            let operations = try Operations(ledger: try global.openLedger())
            let store = operations.store
            let input: ManifestSource
            if let folder {
                input = .folder(URL(fileURLWithPath: folder).standardizedFileURL)
            } else {
                let url = URL(fileURLWithPath: manifest!).standardizedFileURL
                let kind = format ?? (url.pathExtension.lowercased() == "csv" ? "csv" : "jsonl")
                input = kind == "csv" ? .csv(url) : .jsonl(url)
            }
            var defaults = JSONObject()
            let given: [(String, String?)] = [
                ("license", license), ("source", source), ("attribution", attribution), ("source_uri", sourceURI),
                ("collected_at", collectedAt), ("media_type", mediaType), ("subject", subject), ("consent", consent),
                ("opt_out", optOut),
            ]
            for (name, value) in given { if let value { defaults[name] = .string(value) } }
            var options = IngestOptions()
            options.skipInvalid = skipInvalid
            options.allowOutside = allowOutside
            options.maximumSampleSize = maxSampleSize
            options.chunkSize = chunkSize
            let started = Date()
            let progress = global.makeProgress()
            defer { progress.finish() }
            let (report, sweep) = try operations.ingest(
                input, defaults: IngestDefaults(fields: defaults), options: options
            ) { phase, done, total in
                progress.update(phase, done: done, total: total)
            }
            progress.finish()
            reportSweep(sweep)
            let seconds = Date().timeIntervalSince(started)
            if global.json {
                Console.json(report.json)
                return
            }
            for skipped in report.skipped { Console.note("skipped line \(skipped.line): \(skipped.message)") }
            for (id, count) in report.deprecated.sorted(by: { $0.key < $1.key }) {
                Console.note(
                    "warning: deprecated licence id \(id) on \(count) samples (concluded licence uses its replacement where the list has one)"
                )
            }
            if report.tiedToConsent > 0 {
                Console.note(
                    "tied \(report.tiedToConsent) personal samples without a consent field to their subject's one current consent"
                )
            }
            if report.notAdmitted > 0 {
                Console.note(
                    "warning: \(report.notAdmitted) samples will not be admitted by any snapshot under the standard policy:"
                )
                for (reason, count) in report.notAdmittedReasons { Console.note("  \(count) × \(reason)") }
                Console.note(
                    "  first lines: "
                        + report.notAdmittedLines.map { "\($0.line)" }.joined(separator: ", ")
                        + " (assent snapshot explain SAMPLE says why for one sample)")
            }
            Console.line(
                "ingested \(report.items) items in \(String(format: "%.1f", seconds)) s: \(report.added) new samples, \(report.addedSources) further sources, \(report.unchanged) unchanged, \(report.skipped.count) skipped"
            )
            Console.line("log size \(try store.ledger.size()); checkpoint \(try store.ledger.latestCheckpoint().size)")
        }
    }
}

/// `assent status`: what the ledger holds.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Count entries, samples, consents, revocations, snapshots, models and stale models.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try reportingErrors {
            let status = try RecordStore(ledger: try global.openLedger()).status()
            if global.json {
                Console.json(status)
            } else {
                let order = [
                    "origin", "entries", "samples", "sample_sources", "subjects", "consents", "consent_renewals",
                    "revocations",
                    "snapshots", "models", "stale_models",
                ]
                for key in order {
                    guard let value = status[key] else { continue }
                    let text = value.integerValue.map(String.init) ?? value.stringValue ?? ""
                    Console.line(
                        (key.replacingOccurrences(of: "_", with: " ") + ":").padding(
                            toLength: 18, withPad: " ", startingAt: 0) + text)
                }
            }
        }
    }
}

/// `assent license`: checks licence expressions without ingesting anything.
struct LicenseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license",
        abstract: "Check SPDX licence expressions (or hf:<tag>) against the SPDX list, one per argument or stdin line.",
        discussion:
            "Prints the canonical form; --json prints {input, valid, canonical, concluded, deprecated, error} per line. Exit 1 if any is invalid."
    )
    @Argument(help: "Expressions; none reads one per line from stdin.")
    var expressions: [String] = []
    @Flag(help: "Print one JSON object per expression.")
    var json = false

    func run() throws {
        var inputs = expressions
        if inputs.isEmpty {
            while let line = readLine() { inputs.append(line) }
        }
        var anyInvalid = false
        for input in inputs {
            var text = input
            if input.hasPrefix("hf:") {
                text = HuggingFaceLicenses.spdxExpression(forTag: String(input.dropFirst(3))) ?? input
            }
            do {
                let expression = try LicenseExpressionParser.parse(text)
                if json {
                    Console.json(
                        JSONObject([
                            ("input", .string(input)), ("valid", .bool(true)),
                            ("canonical", .string(expression.canonical)),
                            ("concluded", .string(expression.replacingDeprecated.canonical)),
                            ("deprecated", .array(expression.deprecatedIdentifiers.map(JSONValue.string))),
                            ("licenses", .array(expression.identifiers.map(JSONValue.string))),
                        ]))
                } else {
                    let note =
                        expression.deprecatedIdentifiers.isEmpty
                        ? "" : "  (deprecated: \(expression.deprecatedIdentifiers.joined(separator: ", ")))"
                    Console.line(expression.canonical + note)
                }
            } catch {
                anyInvalid = true
                if json {
                    Console.json(
                        JSONObject([
                            ("input", .string(input)), ("valid", .bool(false)), ("error", .string(error.description)),
                        ]))
                } else {
                    Console.error("\(LicenseExpressionError.shortened(input)): \(error)")
                }
            }
        }
        if anyInvalid { throw ExitCode(1) }
    }
}
