public import AssentLog
public import AssentOperations
internal import AssentEngine
internal import AssentRecords

/// What the explorer's pages show, as JSON: each page renders exactly this, and `/v1/explorer/…`
/// serves it, so the page and its JSON twin never disagree.
public struct ExplorerData {
    /// Entries per log page.
    public static let pageSize = 50

    /// The operations the data is read through.
    public let operations: Operations

    /// An explorer over `operations`' ledger.
    public init(operations: Operations) { self.operations = operations }

    /// Why a page cannot be shown: the thing asked for does not exist.
    public struct NotFound: Error, Sendable {
        /// What was not found, in words.
        public let message: String
    }

    /// The overview: log size, latest checkpoint with its cosignatures against the witness quorum,
    /// counts, samples by source and by licence class, and samples ingested and revoked per day.
    public func overview() throws -> JSONObject {
        let store = operations.store
        // Opening the registry may create its tables: a write, so before the read transaction.
        let witnesses = try WitnessRegistry(store: store)
        return try store.ledger.reading {
            let checkpoint = try store.ledger.latestCheckpoint()
            let (note, cosigners) = try witnesses.cosigned(size: checkpoint.size)
            let quorum = try witnesses.quorum()
            var byDay: [String: (ingested: Int, revoked: Int)] = [:]
            var licences: [String: Int] = [:]
            try store.ledger.forEachEntry(to: checkpoint.size) { _, type, bytes in
                guard type == "sample" || type == "revocation" else { return }
                let entry = try JSONParser.parse(bytes).objectValue ?? JSONObject()
                let day = String((entry["at"]?.stringValue ?? "").prefix(10))
                if type == "sample" {
                    byDay[day, default: (0, 0)].ingested += 1
                    let licence = entry["license_concluded"]?.stringValue ?? "NOASSERTION"
                    licences[
                        LicenseClasses.builtInClass(of: licence)
                            ?? (licence.contains(" ") ? "compound" : "unclassified"), default: 0] += 1
                } else {
                    byDay[day, default: (0, 0)].revoked += entry["samples"]?.arrayValue?.count ?? 0
                }
            }
            func counts(_ values: [String: Int]) -> JSONValue {
                .object(JSONObject(values.map { ($0.key, .integer(Int64($0.value))) }))
            }
            return JSONObject([
                ("log_size", .integer(Int64(checkpoint.size))),
                (
                    "checkpoint",
                    .object(
                        JSONObject([
                            ("size", .integer(Int64(checkpoint.size))), ("note", .string(note)),
                            ("cosignatures", .integer(Int64(cosigners))), ("quorum", .integer(Int64(quorum))),
                            ("meets_quorum", .bool(cosigners >= quorum)),
                        ]))
                ),
                ("counts", .object(try store.status())),
                ("samples_by_source", counts(try SourceRegistry(store: store).sampleCounts())),
                ("samples_by_license_class", counts(licences)),
                (
                    "timeline",
                    .array(
                        byDay.keys.sorted().map { day in
                            .object(
                                JSONObject([
                                    ("day", .string(day)), ("ingested", .integer(Int64(byDay[day]!.ingested))),
                                    ("revoked", .integer(Int64(byDay[day]!.revoked))),
                                ]))
                        })
                ),
            ])
        }
    }

    /// One page of the log, newest first: index, type, time and leaf hash of each entry.
    /// - Throws: ``NotFound`` for a page past the last.
    public func logPage(_ page: Int) throws -> JSONObject {
        let ledger = operations.ledger
        return try ledger.reading {
            let size = try ledger.latestCheckpoint().size
            let pages = max(1, Int((size + UInt64(Self.pageSize) - 1) / UInt64(Self.pageSize)))
            guard (1...pages).contains(page) else {
                throw NotFound(
                    message: "page \(page) of the log does not exist: it has \(pages) pages of \(Self.pageSize) entries"
                )
            }
            let upper = size - UInt64((page - 1) * Self.pageSize)
            let lower = upper >= UInt64(Self.pageSize) ? upper - UInt64(Self.pageSize) : 0
            var rows: [JSONValue] = []
            try ledger.forEachEntry(from: lower, to: upper) { seq, type, bytes in
                let at = (try? JSONParser.parse(bytes).objectValue?["at"]?.stringValue) ?? nil
                rows.append(
                    .object(
                        JSONObject([
                            ("index", .integer(Int64(seq))), ("type", .string(type)),
                            ("at", at.map(JSONValue.string) ?? .null),
                            ("leaf_hash", .string(Hex.encode(MerkleHasher().leafHash(bytes)))),
                        ])))
            }
            return JSONObject([
                ("page", .integer(Int64(page))), ("pages", .integer(Int64(pages))), ("size", .integer(Int64(size))),
                ("entries", .array(rows.reversed())),
            ])
        }
    }

    /// Entry `index`: its decoded body, its inclusion proof against the latest checkpoint (checked
    /// here), and for a sample the snapshots that hold it and the models trained on them.
    /// - Throws: ``NotFound`` for an index past the log's checkpointed size.
    public func entry(_ index: UInt64) throws -> (json: JSONObject, proof: TLogProof) {
        let ledger = operations.ledger
        return try ledger.reading {
            let checkpoint = try ledger.latestCheckpoint()
            guard index < checkpoint.size else {
                throw NotFound(
                    message:
                        "entry \(index) does not exist: the log has \(checkpoint.size) entries (0–\(checkpoint.size - 1))"
                )
            }
            let entry = try ledger.entry(index)
            let proof = try ledger.inclusionProof(index: index, size: checkpoint.size)
            let verified = (try? proof.verify(entry: entry.bytes, verifier: ledger.verifier)) != nil
            let body = try JSONParser.parse(entry.bytes).objectValue ?? JSONObject()
            var snapshots: [String] = []
            var models: [String] = []
            if let text = body["commitment"]?.stringValue, let commitment = RevocationRegistry.parseCommitment(text) {
                let store = SnapshotStore(store: operations.store)
                for id in try store.all() {
                    if try store.prove(try store.load(id), commitment: commitment)["member"]?.boolValue == true {
                        snapshots.append(id)
                    }
                }
                let holding = Set(snapshots)
                models = try operations.engine.models().filter { holding.contains($0.snapshot) }.map(\.id)
            }
            return (
                JSONObject([
                    ("index", .integer(Int64(index))), ("type", .string(entry.type)), ("body", .object(body)),
                    ("leaf_hash", .string(Hex.encode(MerkleHasher().leafHash(entry.bytes)))),
                    (
                        "inclusion",
                        .object(
                            JSONObject([
                                ("checkpoint_size", .integer(Int64(checkpoint.size))), ("verified", .bool(verified)),
                                ("proof", .string("/log/\(index)/proof")),
                            ]))
                    ),
                    ("snapshots", .array(snapshots.map(JSONValue.string))),
                    ("models", .array(models.map(JSONValue.string))),
                ]), proof
            )
        }
    }
}
