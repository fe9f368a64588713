internal import Foundation
public import AssentEngine
public import AssentLog
public import AssentRecords

/// What the supply-chain exports (SPDX, CycloneDX) say about one model: its record and log entry,
/// its snapshot's content, its version in the chain of reproductions, and the ledger's origin.
public struct ModelFacts: Sendable {
    /// The model.
    public let model: ModelRecord
    /// Its `model` entry on the log (metrics, shard digests, time).
    public let entry: JSONObject
    /// What its snapshot was made of.
    public let content: TrainingContent
    /// Its place in the chain of reproductions, from 1.
    public let version: Int
    /// The ledger's origin, which names the documents' namespace.
    public let origin: String

    /// The model entry's `at` time.
    public var trainedAt: String { entry["at"]?.stringValue ?? content.checkpoint.time }
    /// The snapshot entry's time: when the dataset was cut.
    public let snapshotAt: String
    /// The digests of the model's shard outputs, `sha256:<hex>`, in shard order.
    public var shardDigests: [String] { entry["shard_digests"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// The model's metrics as recorded (integers: basis points and counts).
    public var metrics: [(key: String, value: JSONValue)] { entry["metrics"]?.objectValue?.members ?? [] }
    /// The snapshot's total content size in bytes.
    public var datasetBytes: Int { content.samples.reduce(0) { $0 + $1.bytes } }
    /// Whether any sample of the snapshot is personal data under a consent.
    public var hasPersonalData: Bool { content.samples.contains(where: \.hasSubject) }
    /// The modalities present in the snapshot.
    public var modalities: [Modality] { Set(content.samples.map(\.modality)).sorted() }
    /// The sources of the snapshot with their categories, sorted by name.
    public var sources: [(name: String, category: String)] {
        Set(content.samples.flatMap(\.sources)).sorted().map { ($0, content.sources[$0]?.category ?? "unclassified") }
    }

    /// The snapshot's licences as one SPDX expression: the AND of its members' distinct concluded
    /// licences (a compound one in parentheses), or NOASSERTION when there are none.
    public var concludedLicense: String { Self.conjunction(content.samples.flatMap(\.licenses)) }
    /// The AND of the members' distinct declared licences.
    public var declaredLicense: String { Self.conjunction(content.samples.flatMap(\.declaredLicenses)) }

    /// The AND of the distinct expressions in `expressions`, each compound one in parentheses.
    public static func conjunction(_ expressions: [String]) -> String {
        let distinct = Set(expressions.filter { !$0.isEmpty }).sorted()
        guard !distinct.isEmpty else { return "NOASSERTION" }
        if distinct.count == 1 { return distinct[0] }
        return distinct.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: " AND ")
    }

    /// The hex part of a `sha256:<hex>` digest.
    public static func hex(_ digest: String) -> String {
        digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : digest
    }
}

extension Exporter {
    /// The facts of `model` at the latest checkpoint, read in one read snapshot of the ledger.
    /// - Throws: for an unknown model, or ``ExportError`` for sources without a category.
    public func modelFacts(_ id: String) throws -> ModelFacts {
        try store.ledger.reading {
            let model = try engine.model(id)
            let snapshot = try SnapshotStore(store: store).load(model.snapshot)
            let content = try TrainingContent.read(snapshot, store: store)
            try content.requireClassifiedSources()
            let entry = try JSONParser.parse(try store.ledger.entry(model.seq).bytes).objectValue ?? JSONObject()
            return ModelFacts(
                model: model, entry: entry, content: content, version: try version(of: model),
                origin: store.ledger.origin, snapshotAt: try TrainingContent.entryTime(store.ledger, seq: snapshot.seq))
        }
    }
}
