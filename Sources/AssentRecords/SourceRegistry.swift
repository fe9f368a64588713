internal import Foundation
public import AssentLog
internal import AssentStorage

/// What the ledger knows about one source dataset, from its latest `source` entry.
public struct SourceRecord: Sendable, Equatable {
    /// The dataset name, as samples' `source` field gives it.
    public let name: String
    /// Its category in the AI Act summary's terms (one of ``SourceRegistry/categories``).
    public let category: String
    /// Where the dataset is published, if anywhere.
    public let uri: String?
    /// The crawler's name or user agent, for crawled data.
    public let crawler: String?
    /// The model that generated it, for synthetic data.
    public let generator: String?
    /// A description for the summary's narrative fields.
    public let description: String?
    /// The log index of the entry.
    public let seq: UInt64

    /// The record as JSON (the entry's fields plus its index).
    public var json: JSONObject {
        entryFields.merging(JSONObject([("seq", .integer(Int64(seq)))]))
    }

    /// The logged fields.
    var entryFields: JSONObject {
        JSONObject([
            ("name", .string(name)), ("category", .string(category)), ("uri", uri.map(JSONValue.string) ?? .null),
            ("crawler", crawler.map(JSONValue.string) ?? .null),
            ("generator", generator.map(JSONValue.string) ?? .null),
            ("description", description.map(JSONValue.string) ?? .null),
        ])
    }
}

/// Classifying source datasets: each `assent source set` logs a `source` entry, so every export can
/// be recomputed from the log; the latest entry for a name wins.
public struct SourceRegistry {
    /// Source categories, after the sections of the AI Act training-content summary: publicly available
    /// datasets (2.1), licensed from rightsholders (2.2.1), private from other third parties (2.2.2),
    /// crawled by the provider (2.3), user data (2.4), synthetic (2.5), other (2.6).
    public static let categories = ["public", "licensed", "private", "crawled", "user", "synthetic", "other"]

    /// The store the entries are in.
    public let store: RecordStore

    /// A registry over `store`.
    public init(store: RecordStore) { self.store = store }

    /// Logs a classification of source `name`.
    /// - Throws: ``RecordsError`` `invalidInput` naming the field: an unknown category, a URI without a
    ///   scheme, an over-long or multi-line text.
    @discardableResult
    public func set(
        _ name: String, category: String, uri: String? = nil, crawler: String? = nil, generator: String? = nil,
        description: String? = nil
    ) throws -> SourceRecord {
        guard SampleFields.isValidName(name) else {
            throw RecordsError(.invalidInput, "name: must be 1–128 printable characters")
        }
        guard Self.categories.contains(category) else {
            throw RecordsError(
                .invalidInput,
                "category: unknown category \"\(category)\" (known: \(Self.categories.joined(separator: ", ")))")
        }
        if let uri {
            guard let parts = URLComponents(string: uri), parts.scheme != nil, uri.count <= 2_048 else {
                throw RecordsError(.invalidInput, "uri: expected an absolute URL like https://example.org/dataset")
            }
        }
        for (field, value) in [("crawler", crawler), ("generator", generator)] {
            if let value, !SampleFields.isValidName(value) {
                throw RecordsError(.invalidInput, "\(field): must be 1–128 printable characters")
            }
        }
        if let description, description.isEmpty || description.count > 4_000 {
            throw RecordsError(.invalidInput, "description: must be 1–4000 characters")
        }
        return try store.ledger.write { writer in
            let fields = SourceRecord(
                name: name, category: category, uri: uri, crawler: crawler, generator: generator,
                description: description, seq: 0
            ).entryFields
            let entry = try writer.append(type: "source", fields: fields)
            return SourceRecord(
                name: name, category: category, uri: uri, crawler: crawler, generator: generator,
                description: description, seq: entry.seq)
        }
    }

    /// The latest classification of every source, by name, from entries before `height` (all by default).
    public func all(before height: UInt64 = .max) throws -> [String: SourceRecord] {
        var records: [String: SourceRecord] = [:]
        try store.database.withStatement(
            "SELECT seq, body FROM entries WHERE type = 'source' AND seq < ? ORDER BY seq"
        ) { statement in
            try statement.bind([.integer(Int64(clamping: height))])
            while try statement.step() {
                let body = try JSONParser.parse(statement.blob(1)).objectValue ?? JSONObject()
                guard let name = body["name"]?.stringValue, let category = body["category"]?.stringValue else {
                    continue
                }
                records[name] = SourceRecord(
                    name: name, category: category, uri: body["uri"]?.stringValue,
                    crawler: body["crawler"]?.stringValue, generator: body["generator"]?.stringValue,
                    description: body["description"]?.stringValue, seq: UInt64(statement.integer(0)))
            }
        }
        return records
    }

    /// Every source name samples were ingested under, with its sample count, from the index.
    public func sampleCounts() throws -> [String: Int] {
        try store.database.withStatement("SELECT source, count(*) FROM sample_sources GROUP BY source") {
            statement in
            var counts: [String: Int] = [:]
            while try statement.step() { counts[statement.text(0)] = Int(statement.integer(1)) }
            return counts
        }
    }
}
