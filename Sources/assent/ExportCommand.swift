import ArgumentParser
import AssentExports
import AssentLog
import AssentOperations
import AssentRecords
import Foundation

/// `assent export`: regulator and ecosystem documents computed from the ledger.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write regulator and ML supply-chain documents computed from the ledger.",
        discussion: """
            Every export is computed from the log over exactly the snapshot a model was trained on, and \
            is deterministic: the same ledger state and inputs give the same bytes (times come from the \
            latest checkpoint). Classify every source first: assent source set NAME --category ….
            """,
        subcommands: [
            AIActSummaryExport.self, GDPRArt30Export.self, SPDXExport.self, CycloneDXExport.self, CroissantExport.self,
        ])
}

/// Writes one JSON document to `path` (atomically) and reports it as ``reportExport`` does.
func reportExport(_ document: JSONValue, to path: String, json: Bool) throws {
    try ExportFiles.write(Array(PrettyJSON.encode(document).utf8), to: URL(fileURLWithPath: path))
    if json {
        Console.json(JSONObject([("files", .array([.string(path)])), ("warnings", .array([]))]))
    } else {
        Console.line("wrote \(path)")
    }
}

/// Writes an export's files into `folder` and reports them (paths as JSON with --json), with warnings on stderr.
func reportExport(_ files: ExportFiles, into folder: String, json: Bool) throws {
    let paths = try files.write(into: URL(fileURLWithPath: folder))
    for warning in files.warnings { Console.note("warning: \(warning)") }
    if json {
        Console.json(
            JSONObject([
                ("files", .array(paths.map(JSONValue.string))),
                ("warnings", .array(files.warnings.map(JSONValue.string))),
            ]))
    } else {
        for path in paths { Console.line("wrote \(path)") }
    }
}

extension ExportCommand {
    /// `assent export ai-act-summary`.
    struct AIActSummaryExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ai-act-summary",
            abstract:
                "The AI Act Art. 53(1)(d) public summary of a model's training content (the Commission's template).",
            discussion: """
                Writes summary.md, summary.html, summary.json (Schemas/ai-act-summary.schema.json) and \
                domains.csv (domain,bytes,share,top: every crawled registrable domain). Modalities, size \
                bins, languages, source categories, large public datasets, crawlers, crawl period, \
                synthetic-data generators and opt-out exclusions are computed over the model's snapshot; \
                provider-only fields come from --provider (Schemas/ai-act-provider.schema.json). A missing \
                narrative is written as "Not provided" and named in a warning.

                Example: assent export ai-act-summary MODEL --provider provider.json --out-dir summary/
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The model id.")
        var model: String
        @Option(
            help: ArgumentHelp(
                "The provider file (JSON): name, contact, placement_date, code_of_practice_signatory, narratives.",
                valueName: "file"))
        var provider: String
        @Flag(help: "The provider is an SME: list the lower of the top 5 % and 1,000 domains instead of the top 10 %.")
        var sme = false
        @Option(
            name: .customLong("large-dataset-percent"),
            help: "List a public dataset when it holds at least this share of a modality's public data.")
        var largeDatasetPercent = 3
        @Option(
            name: [.customLong("out"), .customLong("out-dir")],
            help: ArgumentHelp("The folder to write into.", valueName: "dir"))
        var out: String

        func validate() throws {
            guard (1...100).contains(largeDatasetPercent) else {
                throw ValidationError("--large-dataset-percent must be 1–100")
            }
        }

        func run() throws {
            try reportingErrors {
                let providerFile = try ProviderFile(
                    bytes: try readFile(provider, what: "provider file"), name: provider)
                let operations = try Operations(ledger: try global.openLedger())
                let files = try Exporter(engine: operations.engine).aiActSummary(
                    model: model, provider: providerFile, isSME: sme, largeDatasetPercent: largeDatasetPercent)
                try reportExport(files, into: out, json: global.json)
            }
        }
    }
}

extension ExportCommand {
    /// `assent export gdpr-art30`.
    struct GDPRArt30Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gdpr-art30",
            abstract: "The GDPR Art. 30(1) record of processing activities, items (a)–(g), per activity.",
            discussion: """
                Writes art30.md and art30.json: one record for the ingest of training data and one for each \
                training policy. Purposes, legal bases, subject and sample counts and the erasure time \
                limits come from the log's consent records (subjects only as counts, never an id); the \
                controller's details, recipients, transfers and security measures from --controller \
                (Schemas/gdpr-controller.schema.json: mandatory name and contact; optional dpo, \
                representative, joint_controllers, recipients, transfers, security_measures, \
                data_subject_categories, personal_data_categories).

                Example: assent export gdpr-art30 --controller controller.json --out-dir art30/
                """)
        @OptionGroup var global: GlobalOptions
        @Option(
            help: ArgumentHelp(
                "The controller file (JSON): name, contact, dpo, recipients, transfers, security_measures.",
                valueName: "file"))
        var controller: String?
        @Option(
            name: [.customLong("out"), .customLong("out-dir")],
            help: ArgumentHelp("The folder to write into.", valueName: "dir"))
        var out: String

        func run() throws {
            try reportingErrors {
                let controllerFile = try controller.map {
                    try ControllerFile(bytes: try readFile($0, what: "controller file"), name: $0)
                }
                let operations = try Operations(ledger: try global.openLedger())
                try reportExport(
                    try Exporter(engine: operations.engine).gdprArt30(controller: controllerFile), into: out,
                    json: global.json)
            }
        }
    }
}

/// Opens the ledger, computes one document with `make` and writes it to `out` (reported as
/// ``reportExport(_:to:json:)`` does), exiting 1 with the error's message when anything fails.
func exportDocument(_ global: GlobalOptions, to out: String, _ make: (Exporter) throws -> JSONValue) throws {
    try reportingErrors {
        let operations = try Operations(ledger: try global.openLedger())
        try reportExport(try make(Exporter(engine: operations.engine)), to: out, json: global.json)
    }
}

/// The `--out FILE` option of the single-document exports.
struct OutputFile: ParsableArguments {
    @Option(help: ArgumentHelp("The file to write (replaced atomically).", valueName: "file"))
    var out: String
}

extension ExportCommand {
    /// `assent export spdx`.
    struct SPDXExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "spdx",
            abstract: "An SPDX 3.0.1 JSON-LD AI BOM of a model: AI and Dataset profiles.",
            discussion: """
                The model is an ai_AIPackage (hyperparameters from its config, its metrics, the digests of \
                its shard outputs as software_File elements), its snapshot a dataset_DatasetPackage (size in \
                bytes, collection process, sensitive personal information, intended use), linked by \
                trainedOn; each package has exactly one hasConcludedLicense and one hasDeclaredLicense. The \
                snapshot's licence is the AND of its members' distinct licences.

                Example: assent export spdx MODEL --out model.spdx3.json
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The model id.")
        var model: String
        @Option(help: "The model's own licence, an SPDX expression (NOASSERTION when not given).")
        var license = "NOASSERTION"
        @OptionGroup var output: OutputFile

        func run() throws {
            try exportDocument(global, to: output.out) { exporter in
                if license != "NOASSERTION" {
                    do { _ = try LicenseExpressionParser.parse(license) } catch {
                        throw ExportError("--license: \(error)")
                    }
                }
                return try exporter.spdx(model: model, license: license)
            }
        }
    }

    /// `assent export cyclonedx`.
    struct CycloneDXExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cyclonedx",
            abstract: "A CycloneDX ML-BOM of a model: a model card whose dataset is its snapshot.",
            discussion: """
                The BOM's subject is a machine-learning-model component (its digest and shard digests as \
                hashes, metrics as performanceMetrics, trainer and config as assent: properties) whose model \
                card's datasets reference a data component for the snapshot (licences as one SPDX \
                expression, governance, sensitive data).

                Example: assent export cyclonedx MODEL --spec 1.7 --out model.cdx.json
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The model id.")
        var model: String
        @Option(help: "The CycloneDX specification version: 1.6 or 1.7.")
        var spec = "1.6"
        @OptionGroup var output: OutputFile

        func run() throws {
            try exportDocument(global, to: output.out) { try $0.cycloneDX(model: model, specVersion: spec) }
        }
    }

    /// `assent export croissant`.
    struct CroissantExport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "croissant",
            abstract: "A Croissant 1.1 description of a snapshot, with the Responsible AI vocabulary.",
            discussion: """
                The distribution is the snapshot's member list, members.jsonl, exactly as assent snapshot \
                members SNAPSHOT prints it (its sha256 is in the document); the record set reads each \
                member's commitment, consent and licence from it. RAI fields: collection, collection types, \
                collection timeframe, personal and sensitive information, use cases, preprocessing \
                (policy and opt-outs) and the maintenance plan.

                Example: assent export croissant snap-12 --out croissant.json && assent snapshot members snap-12 > members.jsonl
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The snapshot id.")
        var snapshot: String
        @OptionGroup var output: OutputFile

        func run() throws {
            try exportDocument(global, to: output.out) { try $0.croissant(snapshot: snapshot) }
        }
    }
}
