import AssentLog
import AssentRecords
import AssentStorage
import AssentTestSupport
import Foundation

/// A fresh ledger with its records layer in a temporary folder.
struct RecordsFixture {
    let folder: URL
    let ledger: Ledger
    let store: RecordStore

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("assent-records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        ledger = try Ledger.create(
            at: folder.appendingPathComponent("ledger"), origin: "example.org/records",
            postgresURL: try TestBackend.freshPostgresDatabase())
        store = try RecordStore(ledger: ledger)
    }

    var registry: ConsentRegistry { ConsentRegistry(store: store) }

    /// Writes `lines` as a JSONL manifest and returns its source.
    func manifest(_ name: String, _ lines: [String]) throws -> ManifestSource {
        let url = folder.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.pathExtension == "csv" ? .csv(url) : .jsonl(url)
    }

    func ingest(_ source: ManifestSource, options: IngestOptions = IngestOptions(), defaults: JSONObject = JSONObject())
        throws -> IngestReport
    {
        try Ingestor(store: store).ingest(source, defaults: IngestDefaults(fields: defaults), options: options)
    }

    /// Every entry's bytes, concatenated.
    func allEntryBytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        try ledger.forEachEntry { _, _, entry in bytes += entry + [0x0A] }
        return bytes
    }

    func entries(ofType type: String) throws -> [JSONObject] {
        var result: [JSONObject] = []
        try ledger.forEachEntry { _, entryType, bytes in
            if entryType == type { result.append(try JSONParser.parse(bytes).objectValue!) }
        }
        return result
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }
}

extension Array where Element == UInt8 {
    func contains(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard pattern.count <= count else { return false }
        return (0...(count - pattern.count)).contains { self[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }
}
