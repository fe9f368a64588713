internal import Foundation
public import AssentLog
public import AssentRecords

/// The AI Act Art. 53(1)(d) public summary of training content, in the Commission's template
/// (sections 1–3, its field labels and size bins), computed over exactly a model's snapshot.
public struct AIActSummary {
    /// The model the summary is for.
    public let model: String
    /// What the model was trained on.
    public let content: TrainingContent
    /// The provider-only fields.
    public let provider: ProviderFile
    /// Whether the provider is an SME (the top-domain rule's lower bound).
    public let isSME: Bool
    /// The share of a modality's public data above which a public dataset is listed, in percent.
    public let largeDatasetPercent: Int
    /// The summary's version: 1 for a model, one more for each reproduction that replaced its predecessor.
    public let version: Int
    /// What changed since the previous version, for a reproduced model.
    public let changes: String?

    let statistics: ContentStatistics
    private(set) var warnings: [String] = []

    /// A summary of `content` for `model`.
    public init(
        model: String, content: TrainingContent, provider: ProviderFile, isSME: Bool = false,
        largeDatasetPercent: Int = 3, version: Int = 1, changes: String? = nil
    ) {
        self.model = model
        self.content = content
        self.provider = provider
        self.isSME = isSME
        self.largeDatasetPercent = largeDatasetPercent
        self.version = version
        self.changes = changes
        statistics = ContentStatistics(content)
    }

    /// The four files: `summary.md`, `summary.html`, `summary.json` and `domains.csv`.
    /// - Throws: ``ExportError`` when some of the snapshot's sources have no category.
    public func files() throws -> ExportFiles {
        try content.requireClassifiedSources()
        var copy = self
        let document = copy.document()
        var files = ExportFiles()
        files.warnings = copy.warnings
        files.add("summary.md", Array(document.markdown.utf8))
        files.add("summary.html", Array(document.html.utf8))
        files.add("summary.json", json: .object(document.json.merging(JSONObject([("facts", .object(facts))]))))
        var csv = "domain,bytes,share,top\n"
        for row in statistics.rankedDomains(sme: isSME) {
            csv += "\(Self.csvField(row.domain)),\(row.bytes),\(row.share),\(row.top ? "yes" : "no")\n"
        }
        files.add("domains.csv", Array(csv.utf8))
        return files
    }

    /// The computed figures, for machines: what the prose states, as numbers.
    var facts: JSONObject {
        let modalities = statistics.presentModalities.map { modality -> JSONValue in
            let size = statistics.modalities[modality]!
            return .object(
                JSONObject([
                    ("modality", .string(modality.rawValue)), ("samples", .integer(Int64(size.samples))),
                    ("bytes", .integer(Int64(size.bytes))),
                    ("size", .integer(statistics.estimatedSize(modality, content: content))),
                    ("unit", .string(Self.unit(modality))), ("unmeasured_samples", .integer(Int64(size.unmeasured))),
                    (
                        "bin",
                        ContentStatistics.sizeBin(modality, statistics.estimatedSize(modality, content: content)).map(
                            JSONValue.string) ?? .null
                    ),
                ]))
        }
        let sources = statistics.sources.keys.sorted().map { name -> JSONValue in
            let use = statistics.sources[name]!
            return .object(
                JSONObject([
                    ("name", .string(name)), ("category", .string(content.sources[name]?.category ?? "")),
                    ("samples", .integer(Int64(use.samples))), ("bytes", .integer(Int64(use.bytes))),
                    ("modalities", .array(use.bytesByModality.keys.sorted().map { .string($0.rawValue) })),
                ]))
        }
        return JSONObject([
            ("model", .string(model)), ("snapshot", .string(content.snapshot.id)),
            ("snapshot_root", .string(Hex.encode(content.snapshot.root))),
            ("samples", .integer(Int64(content.samples.count))),
            ("checkpoint_size", .integer(Int64(content.checkpoint.size))),
            ("computed_at", .string(content.checkpoint.time)),
            ("modalities", .array(modalities)), ("sources", .array(sources)),
            (
                "languages",
                .object(JSONObject(statistics.languages.map { ($0.key, JSONValue.integer(Int64($0.value))) }))
            ),
            ("latest_collection", statistics.latestCollection.map(JSONValue.string) ?? .null),
            ("crawled_domains", .integer(Int64(statistics.domains.count))),
            (
                "opt_out_exclusions",
                .object(JSONObject(content.optOutExclusions.map { ($0.key, JSONValue.integer(Int64($0.value))) }))
            ),
            ("summary_version", .integer(Int64(version))),
        ])
    }

    /// A CSV field, quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { ",\"\n\r".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The unit a modality's size is counted in.
    static func unit(_ modality: Modality) -> String {
        switch modality {
        case .text: "tokens"
        case .image: "images"
        case .audio, .video: "seconds"
        case .other: "bytes"
        }
    }

    /// A narrative from the provider file (the first of `keys` given), or "Not provided" and a warning.
    mutating func narrative(_ keys: String..., required: Bool = true) -> String {
        for key in keys { if let text = provider.narratives[key] { return text } }
        if required { warnings.append("narrative \(keys[0]) not provided (add it to the provider file's narratives)") }
        return "Not provided"
    }
}
