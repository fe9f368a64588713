internal import Foundation
public import AssentLog
public import AssentRecords

/// One sample of a snapshot as its log entries describe it (nothing from the vault).
public struct ContentSample: Sendable {
    /// Its commitment, `sha256:<hex>`.
    public let commitment: String
    /// Its content size in bytes.
    public let bytes: Int
    /// Its media type.
    public let mediaType: String
    /// When it was collected (or, when the manifest did not say, when it was ingested).
    public let collectedAt: String
    /// Its BCP 47 language, if given.
    public let language: String?
    /// Its size in `sizeUnit`, if given.
    public let sizeValue: Int64?
    /// `tokens`, `images` or `seconds`, with `sizeValue`.
    public let sizeUnit: String?
    /// The registrable domain of its source URI, if it had one.
    public let domain: String?
    /// The source datasets it came from, in the order they were logged.
    public let sources: [String]
    /// Its concluded licence per source, in the same order.
    public let licenses: [String]
    /// Its declared licence per source, in the same order.
    public let declaredLicenses: [String]
    /// Whether it has a data subject (personal data under consent).
    public let hasSubject: Bool

    /// The summary's modality for this sample's media type.
    public var modality: Modality { Modality(mediaType: mediaType) }
}

/// The modalities of the AI Act summary's section 1.3.
public enum Modality: String, Sendable, CaseIterable, Comparable {
    case text, image, audio, video, other

    /// The modality of a media type: `text/*` and JSON are text, `image/*`, `audio/*`, `video/*`.
    public init(mediaType: String) {
        let type = mediaType.lowercased()
        if type.hasPrefix("text/") || type.hasPrefix("application/json") || type.hasPrefix("application/jsonl") {
            self = .text
        } else if type.hasPrefix("image/") {
            self = .image
        } else if type.hasPrefix("audio/") {
            self = .audio
        } else if type.hasPrefix("video/") {
            self = .video
        } else {
            self = .other
        }
    }

    /// The label the template prints.
    public var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// Orders as the template lists them.
    public static func < (lhs: Modality, rhs: Modality) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a snapshot was made of, recomputed from the log: its members' entries, the source
/// classifications, and the samples the policy left out for an opt-out.
public struct TrainingContent: Sendable {
    /// The snapshot.
    public let snapshot: Snapshot
    /// Its members, in commitment order.
    public let samples: [ContentSample]
    /// The latest classification of every source, as of `checkpoint`.
    public let sources: [String: SourceRecord]
    /// Samples before the snapshot's base that it left out because their opt-out reserved rights,
    /// by the mechanism that signalled it (`declared` when the manifest gave a status alone).
    public let optOutExclusions: [String: Int]
    /// The checkpoint the export is computed at (the latest), and the time of its last entry.
    public let checkpoint: (size: UInt64, note: String, time: String)

    /// Reads the content of `snapshot` from `store`'s log, in one read snapshot of the ledger.
    public static func read(_ snapshot: Snapshot, store: RecordStore) throws -> TrainingContent {
        try store.ledger.reading {
            let checkpoint = try store.ledger.latestCheckpoint()
            let time = try entryTime(store.ledger, seq: checkpoint.size - 1)
            let members = try SnapshotStore(store: store).members(snapshot)
            var positions: [String: Int] = [:]
            for (offset, member) in members.enumerated() {
                positions["sha256:" + Hex.encode(member.commitment)] = offset
            }
            var builders = [SampleBuilder?](repeating: nil, count: members.count)
            var exclusions: [String: Int] = [:]
            var excluded: [String: [String]] = [:]
            let honoursOptOut = snapshot.policy.optOutReserved == "exclude"
            try store.ledger.forEachEntry(to: snapshot.parameters.baseHeight) { _, type, bytes in
                guard type == "sample" || type == "sample.source" else { return }
                let entry = try JSONParser.parse(bytes).objectValue ?? JSONObject()
                guard let commitment = entry["commitment"]?.stringValue else { return }
                guard let position = positions[commitment] else {
                    if honoursOptOut, let mechanisms = reservingMechanisms(entry) {
                        excluded[commitment, default: []].append(contentsOf: mechanisms)
                    }
                    return
                }
                if type == "sample" {
                    builders[position] = SampleBuilder(entry: entry, commitment: commitment)
                } else {
                    builders[position]?.add(source: entry)
                }
            }
            for mechanisms in excluded.values {
                for mechanism in Set(mechanisms) { exclusions[mechanism, default: 0] += 1 }
            }
            return TrainingContent(
                snapshot: snapshot, samples: builders.compactMap { $0?.sample },
                sources: try SourceRegistry(store: store).all(before: checkpoint.size),
                optOutExclusions: exclusions, checkpoint: (checkpoint.size, checkpoint.note, time))
        }
    }

    /// The sources of the snapshot's samples that no `source` entry classifies, sorted.
    public var unclassifiedSources: [String] {
        Set(samples.flatMap(\.sources)).filter { sources[$0] == nil }.sorted()
    }

    /// Fails, listing them and how to classify them, when some of the snapshot's sources have no category.
    public func requireClassifiedSources() throws {
        let missing = unclassifiedSources
        guard !missing.isEmpty else { return }
        throw ExportError(
            "snapshot \(snapshot.id) has samples from sources without a category: \(missing.joined(separator: ", ")); "
                + "classify each with assent source set NAME --category public|licensed|private|crawled|user|synthetic|other"
        )
    }

    /// The `at` time of entry `seq`.
    static func entryTime(_ ledger: Ledger, seq: UInt64) throws -> String {
        let entry = try JSONParser.parse(try ledger.entry(seq).bytes).objectValue
        return entry?["at"]?.stringValue ?? "1970-01-01T00:00:00Z"
    }

    /// The mechanisms of an entry's opt-out when it reserves rights; nil when it does not.
    private static func reservingMechanisms(_ entry: JSONObject) -> [String]? {
        guard let optOut = entry["opt_out"]?.objectValue, optOut["status"]?.stringValue == "reserved" else {
            return nil
        }
        let signals = (optOut["signals"]?.arrayValue ?? []).compactMap(\.objectValue)
        let reserving = signals.filter { $0["status"]?.stringValue == "reserved" }.compactMap {
            $0["mechanism"]?.stringValue
        }
        return reserving.isEmpty ? ["declared"] : reserving
    }

    /// Collects one member's sample entry and its later source entries.
    private struct SampleBuilder {
        var sample: ContentSample

        init(entry: JSONObject, commitment: String) {
            func text(_ key: String) -> String? { entry[key]?.stringValue }
            sample = ContentSample(
                commitment: commitment, bytes: Int(entry["size"]?.integerValue ?? 0),
                mediaType: text("media_type") ?? "application/octet-stream",
                collectedAt: text("collected_at") ?? text("at") ?? "1970-01-01T00:00:00Z", language: text("language"),
                sizeValue: entry["size_value"]?.integerValue, sizeUnit: text("size_unit"), domain: text("domain"),
                sources: [text("source") ?? ""], licenses: [text("license_concluded") ?? "NOASSERTION"],
                declaredLicenses: [text("license_declared") ?? "NOASSERTION"],
                hasSubject: entry["subject"]?.stringValue != nil)
        }

        mutating func add(source entry: JSONObject) {
            sample = ContentSample(
                commitment: sample.commitment, bytes: sample.bytes, mediaType: sample.mediaType,
                collectedAt: sample.collectedAt, language: sample.language, sizeValue: sample.sizeValue,
                sizeUnit: sample.sizeUnit, domain: sample.domain ?? entry["domain"]?.stringValue,
                sources: sample.sources + [entry["source"]?.stringValue ?? ""],
                licenses: sample.licenses + [entry["license_concluded"]?.stringValue ?? "NOASSERTION"],
                declaredLicenses: sample.declaredLicenses + [entry["license_declared"]?.stringValue ?? "NOASSERTION"],
                hasSubject: sample.hasSubject)
        }
    }
}
