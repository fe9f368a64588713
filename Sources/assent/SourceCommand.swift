import ArgumentParser
import AssentLog
import AssentOperations
import AssentRecords

/// `assent source`: classify source datasets for the regulator exports.
struct SourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Classify source datasets (public, licensed, crawled, …) for the AI Act summary and other exports.",
        subcommands: [Set.self, List.self])

    /// `assent source set`.
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log a source dataset's category and details; the latest entry for a name wins.",
            discussion: """
                Categories follow the sections of the AI Act training-content summary: public (publicly \
                available datasets, 2.1), licensed (licensed from rightsholders, 2.2.1), private (other \
                third parties, 2.2.2), crawled (crawled by you or for you, 2.3), user (user interactions, \
                2.4), synthetic (AI-generated, 2.5), other (2.6).

                Example: assent source set web-2025 --category crawled --crawler AssentBot/1.0
                Example: assent source set wiki-dump --category public --uri https://dumps.wikimedia.org/
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The dataset name, as the samples' source field gives it.")
        var name: String
        @Option(help: "public, licensed, private, crawled, user, synthetic or other.")
        var category: String
        @Option(help: "Where the dataset is published (a URL).")
        var uri: String?
        @Option(help: "The crawler's name or user agent (crawled data).")
        var crawler: String?
        @Option(help: "The model that generated the data (synthetic data).")
        var generator: String?
        @Option(help: "A description for the summary.")
        var description: String?

        func run() throws {
            try reportingErrors {
                let (record, sweep) = try Operations(ledger: try global.openLedger()).setSource(
                    name, category: category, uri: uri, crawler: crawler, generator: generator,
                    description: description)
                reportSweep(sweep)
                if global.json {
                    Console.json(record.json)
                } else {
                    Console.line("source \(record.name): \(record.category) (entry \(record.seq))")
                }
            }
        }
    }

    /// `assent source list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List source datasets: every classified one and every name samples were ingested under.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let registry = SourceRegistry(store: try Operations(ledger: try global.openLedger()).store)
                let records = try registry.all()
                let counts = try registry.sampleCounts()
                let names = Swift.Set(records.keys).union(counts.keys).sorted()
                if global.json {
                    Console.json(
                        JSONObject([
                            (
                                "sources",
                                .array(
                                    names.map { name in
                                        let base =
                                            records[name]?.json
                                            ?? JSONObject([("name", .string(name)), ("category", .null)])
                                        return .object(
                                            base.merging(
                                                JSONObject([("samples", .integer(Int64(counts[name] ?? 0)))])))
                                    })
                            )
                        ]))
                    return
                }
                for name in names {
                    let record = records[name]
                    let detail = [
                        record?.uri, record?.crawler.map { "crawler \($0)" },
                        record?.generator.map {
                            "generator \($0)"
                        },
                    ].compactMap { $0 }.joined(separator: ", ")
                    Console.line(
                        "\(name)\t\(record?.category ?? "(no category: assent source set \(name) --category …)")\t\(counts[name] ?? 0) samples\(detail.isEmpty ? "" : "\t" + detail)"
                    )
                }
            }
        }
    }
}
