import AssentCrypto
import AssentLog
import AssentRecords
import AssentStorage
import Foundation

/// Writes a JSONL manifest of `count` samples of about 1 KiB: varied licences, a third tied to one of
/// `consents` consenting subjects. Deterministic for a given count.
func generateIngestManifest(at url: URL, count: Int, consents: [(subject: String, id: String)]) throws {
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    let licenses = [
        "CC-BY-4.0", "MIT", "Apache-2.0 OR MIT", "CC0-1.0", "CC-BY-SA-4.0", "GPL-2.0+", "LicenseRef-custom-terms",
    ]
    var buffer: [UInt8] = []
    for index in 0..<count {
        let seed = SHA256.hash(Array("sample \(index)".utf8))
        let body = Hex.encode(seed + seed + seed + seed + seed + seed + seed + seed)  // 512 hex chars
        var fields = JSONObject([
            ("text", .string("sample \(index) " + body + body.prefix(440))),
            ("license", .string(licenses[index % licenses.count])),
            ("source", .string("generated-\(index % 4)")), ("collected_at", .string("2024-06-01T00:00:00Z")),
            ("media_type", .string("text/plain")),
        ])
        if index % 3 == 0 {
            let consent = consents[index / 3 % consents.count]
            fields["subject"] = .string(consent.subject)
            fields["consent"] = .string(consent.id)
        }
        buffer += CanonicalJSON.encode(.object(fields)) + [0x0A]
        if buffer.count > 1 << 20 {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(buffer))
}

/// Ingest throughput next to a raw single-row SQLite insert of the same rows, and peak RSS.
func benchmarkIngest() throws {
    let total = option("--samples", default: 1_000_000)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let ledger = try Ledger.create(at: scratch.appendingPathComponent("ledger"), origin: "bench.example/ingest")
    let store = try RecordStore(ledger: ledger)
    let registry = ConsentRegistry(store: store)
    var consents: [(String, String)] = []
    for number in 0..<1_000 {
        let subject = "person-\(number)@example.org"
        consents.append(
            (
                subject,
                try registry.grant(
                    subject: subject, purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil
                ).id
            ))
    }
    let manifest = scratch.appendingPathComponent("manifest.jsonl")
    _ = FileManager.default.createFile(atPath: manifest.path, contents: nil)
    try generateIngestManifest(at: manifest, count: total, consents: consents)
    let bytes = (try FileManager.default.attributesOfItem(atPath: manifest.path)[.size] as? Int) ?? 0
    print("ingest benchmark: \(total) samples, manifest \(bytes / total) bytes/line, 1000 consenting subjects")
    if let kept = stringOption("--keep") {
        // The same manifest and the ledger with its consents, for `assent ingest` and the Python script.
        let folder = URL(fileURLWithPath: kept)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ledger.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try FileManager.default.copyItem(at: manifest, to: folder.appendingPathComponent("manifest.jsonl"))
        try FileManager.default.copyItem(at: ledger.paths.folder, to: folder.appendingPathComponent("ledger"))
        print("kept the manifest and the ledger before ingest in \(kept)")
    }
    sync()  // the manifest's dirty pages are written back now, not during the timed ingest

    let start = now()
    let report = try Ingestor(store: store).ingest(.jsonl(manifest)) { phase, _, _ in
        if phase == "validated" { print("  validation (phase 1) took \(format(now() - start)) s") }
    }
    let seconds = now() - start
    print(
        "ingest:      \(format(Double(total) / seconds)) samples/s (\(format(seconds)) s, \(report.added) added, \(report.chunks) chunks), peak RSS \(format(peakRSSMiB())) MiB"
    )

    try benchmarkStorageFloor(of: ledger, in: scratch, samples: total, ingestSeconds: seconds)
    try benchmarkSingleTable(manifest: manifest, in: scratch, ingestSeconds: seconds)
}

/// The storage floor: the rows the ingest wrote, inserted again one by one with prepared statements
/// into a new ledger's tables (same schema, indexes and triggers), in transactions of 10,000 samples.
func benchmarkStorageFloor(of ingested: Ledger, in scratch: URL, samples: Int, ingestSeconds: Double) throws {
    let target = try Ledger.create(at: scratch.appendingPathComponent("floor"), origin: "bench.example/floor")
    _ = try RecordStore(ledger: target)
    let source = try Database(path: ingested.paths.database.path)
    let tables = [
        ("entries", "seq"), ("vault_content", "sample"), ("samples", "seq"), ("sample_sources", "sample"),
        ("vault_sources", "sample"),
    ]
    let destination = try Database(path: target.paths.database.path)
    let last = try source.scalarInteger("SELECT max(seq) FROM entries") ?? 0
    var rows = 0
    var perTable: [String: Double] = [:]
    let start = now()
    var low: Int64 = 0
    while low <= last {
        let high = low + 10_000
        try destination.writeTransaction {
            for (table, key) in tables {
                let tableStart = now()
                defer { perTable[table, default: 0] += now() - tableStart }
                let select = try source.makeStatement("SELECT * FROM \(table) WHERE \(key) >= ? AND \(key) < ?")
                try select.bind([.integer(low), .integer(high)])
                let columns = select.columnCount
                let placeholders = Array(repeating: "?", count: Int(columns)).joined(separator: ", ")
                try destination.withStatement("INSERT INTO \(table) VALUES (\(placeholders))") { insert in
                    while try select.step() {
                        try insert.reset()
                        for column in 0..<columns { try insert.bind(select.value(column), at: column + 1) }
                        _ = try insert.step()
                        rows += 1
                    }
                }
            }
        }
        low = high
    }
    let floorSeconds = now() - start
    let split = tables.map { "\($0.0) \(format(perTable[$0.0] ?? 0)) s" }.joined(separator: ", ")
    print(
        "storage floor: \(format(Double(samples) / floorSeconds)) samples/s (\(rows) rows of the ledger's own tables re-inserted one by one, \(format(floorSeconds)) s: \(split)); ledger overhead over the floor = \(String(format: "%.2f", ingestSeconds / floorSeconds))×"
    )
}

/// The single-table insert the Python script does, from Swift: parse each line and insert id, content,
/// licence, source, subject and consent.
func benchmarkSingleTable(manifest: URL, in scratch: URL, ingestSeconds: Double) throws {
    let raw = try Database(path: scratch.appendingPathComponent("raw.sqlite").path)
    try raw.execute(
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, content BLOB NOT NULL, license TEXT, source TEXT, subject TEXT, consent TEXT)"
    )
    let reader = try LineSource(path: manifest.path)
    let rawStart = now()
    var rows = 0
    var finished = false
    while !finished {
        try raw.writeTransaction {
            try raw.withStatement(
                "INSERT INTO samples (content, license, source, subject, consent) VALUES (?, ?, ?, ?, ?)"
            ) { insert in
                for _ in 0..<5_000 {
                    guard let line = reader.next() else {
                        finished = true
                        return
                    }
                    let object = try JSONParser.parse(line).objectValue!
                    try insert.reset()
                    try insert.bind(.blob(Array(object["text"]!.stringValue!.utf8)), at: 1)
                    try insert.bind(.text(object["license"]!.stringValue!), at: 2)
                    try insert.bind(.text(object["source"]!.stringValue!), at: 3)
                    try insert.bind(object["subject"].flatMap(\.stringValue).map(SQLValue.text) ?? .null, at: 4)
                    try insert.bind(object["consent"].flatMap(\.stringValue).map(SQLValue.text) ?? .null, at: 5)
                    try insert.step()
                    rows += 1
                }
            }
        }
    }
    let rawSeconds = now() - rawStart
    print(
        "raw SQLite:  \(format(Double(rows) / rawSeconds)) rows/s (parse + single-row insert, \(format(rawSeconds)) s); ingest/raw = \(String(format: "%.2f", rawSeconds / ingestSeconds))"
    )
}

/// Reads a file's lines (the benchmark's own simple reader).
final class LineSource {
    private let lines: [Substring]
    private var position = 0

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        lines = text.split(separator: "\n")
    }

    func next() -> [UInt8]? {
        guard position < lines.count else { return nil }
        defer { position += 1 }
        return Array(lines[position].utf8)
    }
}
