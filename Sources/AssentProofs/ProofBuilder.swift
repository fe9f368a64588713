public import Foundation
internal import AssentCrypto
internal import AssentLog
internal import AssentRecords
public import AssentEngine

/// Builds a model's provenance proof: every part as its own standard file.
public struct ProofBuilder {
    /// The engine holding the model.
    public let engine: Engine
    /// How long the status attestation stays valid, in seconds.
    public var validity: Int64 = 3600

    /// A builder over `engine`.
    public init(engine: Engine) { self.engine = engine }

    /// The proof for `modelID` as file name → bytes (`entries/<seq>.entry` and so on).
    /// - Parameter sample: also prove this sample's membership or absence in the model's snapshot.
    public func build(modelID: String, sample: [UInt8]? = nil) throws -> [String: [UInt8]] {
        // One snapshot of the ledger: a revocation committing meanwhile must not add a stale entry the
        // checkpoint read here does not cover.
        // (A sample's proof comes from the snapshot's own tiles, which never change, so it may be read
        // after; building missing tiles writes, which a read snapshot must not.)
        let check = try DerivedStateCheck(store: engine.store)
        var (files, snapshot) = try engine.store.ledger.reading { try assemble(modelID: modelID, check: check) }
        if let sample {
            let proof = try SnapshotStore(store: engine.store).prove(snapshot, commitment: sample)
            files["sample-proof.json"] = CanonicalJSON.encode(.object(proof)) + [0x0A]
        }
        return files
    }

    private func assemble(modelID: String, check: DerivedStateCheck) throws -> ([String: [UInt8]], Snapshot) {
        let store = engine.store
        let ledger = store.ledger
        // The status comes from the registry; first make sure the registry is what the log says.
        try check.run(includingSamples: false)
        let model = try engine.model(modelID)
        let snapshots = SnapshotStore(store: store)
        let snapshot = try snapshots.load(model.snapshot)
        let key = try ledger.signingKey()
        let (size, note) = try ledger.latestCheckpoint()
        let checkpoint = try Checkpoint.open(note, verifier: ledger.verifier)
        var files: [String: [UInt8]] = [:]
        files["model.sig"] = try ModelSignature.sign(folder: try engine.presentFolder(of: model), key: key)
        files["signing-key.pub.pem"] = Array(try key.publicKey.pemRepresentation.utf8)
        files["checkpoint"] = Array(note.utf8)
        files["log.vkey"] = Array((ledger.verifier.keyString + "\n").utf8)

        var seqs: [(String, UInt64)] = [("snapshot", snapshot.seq), ("model", model.seq)]
        let staleSeqs = try engine.staleEntries(of: model.id)
        seqs += staleSeqs.map { ("stale", $0) }
        if let successor = model.supersededBy { seqs.append(("successor", try engine.model(successor).seq)) }
        for (role, seq) in seqs {
            let entry = try ledger.entry(seq)
            let proof = try ledger.inclusionProof(index: seq, size: size)
            files["entries/\(seq).entry"] = entry.bytes
            files["entries/\(seq).tlog-proof"] = Array(proof.text.utf8)
            if role == "snapshot" { files["snapshot-entry.tlog-proof"] = Array(proof.text.utf8) }
            if role == "model" { files["model-entry.tlog-proof"] = Array(proof.text.utf8) }
        }

        let origin = ledger.origin
        let modelRoot = String(model.id.dropFirst(7))
        let provenance = Self.statement(
            subject: (engine.folder(of: model).lastPathComponent, modelRoot),
            predicateType: "https://slsa.dev/provenance/v1",
            predicate: JSONObject([
                (
                    "buildDefinition",
                    .object(
                        JSONObject([
                            ("buildType", .string("https://assent.example/buildtypes/ledger-train/v1")),
                            (
                                "externalParameters",
                                .object(
                                    JSONObject([
                                        ("trainer", .string(model.trainer)), ("config", .string(model.configDigest)),
                                        ("seed", .integer(Int64(model.seed))),
                                        ("shards", .integer(Int64(snapshot.parameters.shards))),
                                        ("snapshot", .string(snapshot.id)),
                                    ]))
                            ),
                            (
                                "resolvedDependencies",
                                .array([
                                    .object(
                                        JSONObject([
                                            ("uri", .string("ledger://\(origin)/snapshots/\(snapshot.id)")),
                                            (
                                                "digest",
                                                .object(JSONObject([("sha256", .string(Hex.encode(snapshot.root)))]))
                                            ),
                                            (
                                                "annotations",
                                                .object(
                                                    JSONObject([
                                                        ("count", .integer(Int64(snapshot.count))),
                                                        ("policy", .string(snapshot.policy.digest)),
                                                        ("entry", .integer(Int64(snapshot.seq))),
                                                    ]))
                                            ),
                                        ])),
                                    .object(
                                        JSONObject([
                                            ("uri", .string("ledger://\(origin)/checkpoints/\(size)")),
                                            (
                                                "digest",
                                                .object(JSONObject([("sha256", .string(Hex.encode(checkpoint.root)))]))
                                            ),
                                            (
                                                "annotations",
                                                .object(
                                                    JSONObject([
                                                        ("origin", .string(origin)), ("size", .integer(Int64(size))),
                                                    ]))
                                            ),
                                        ])),
                                ])
                            ),
                        ]))
                ),
                (
                    "runDetails",
                    .object(
                        JSONObject([
                            ("builder", .object(JSONObject([("id", .string("https://assent.example/engine/v1"))]))),
                            (
                                "metadata",
                                .object(
                                    JSONObject([("invocationId", .string("ledger://\(origin)/entries/\(model.seq)"))]))
                            ),
                        ]))
                ),
            ]))
        files["provenance.dsse.json"] = try Self.envelope(provenance, key: key)
        let snapshotStatement = Self.statement(
            subject: (snapshot.id, Hex.encode(snapshot.root)), predicateType: "https://assent.example/snapshot/v1",
            predicate: snapshot.statement)
        files["snapshot.dsse.json"] = try Self.envelope(snapshotStatement, key: key)

        let now = UTCTime.now()
        let validUntil = UTCTime.format(UTCTime.parse(now)! + validity)
        let status = Self.statement(
            subject: (model.id, modelRoot), predicateType: "https://assent.example/model-status/v1",
            predicate: JSONObject([
                ("model", .string(model.id)), ("status", .string(model.isStale ? "stale" : "current")),
                (
                    "checkpoint",
                    .object(
                        JSONObject([
                            ("origin", .string(origin)), ("size", .integer(Int64(size))),
                            ("root", .string(Base64.encode(checkpoint.root))),
                        ]))
                ),
                ("attested_at", .string(now)), ("valid_until", .string(validUntil)),
                ("stale_entries", .array(staleSeqs.map { .integer(Int64($0)) })),
                ("stale_causes", .array(model.staleCauses.map(JSONValue.object))),
                ("successor", model.supersededBy.map(JSONValue.string) ?? .null),
                ("model_entry", .integer(Int64(model.seq))), ("snapshot_entry", .integer(Int64(snapshot.seq))),
            ]))
        files["status.dsse.json"] = try Self.envelope(status, key: key)
        return (files, snapshot)
    }

    /// An in-toto Statement v1.
    static func statement(subject: (name: String, sha256: String), predicateType: String, predicate: JSONObject)
        -> JSONObject
    {
        JSONObject([
            ("_type", .string("https://in-toto.io/Statement/v1")),
            (
                "subject",
                .array([
                    .object(
                        JSONObject([
                            ("name", .string(subject.name)),
                            ("digest", .object(JSONObject([("sha256", .string(subject.sha256))]))),
                        ]))
                ])
            ),
            ("predicateType", .string(predicateType)), ("predicate", .object(predicate)),
        ])
    }

    static func envelope(_ statement: JSONObject, key: P256PrivateKey) throws -> [UInt8] {
        CanonicalJSON.encode(
            .object(try DSSEEnvelope.sign(payload: CanonicalJSON.encode(.object(statement)), with: key).json)) + [0x0A]
    }

    /// Writes the files into `folder`.
    public static func write(_ files: [String: [UInt8]], to folder: URL) throws {
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
    }

    /// The files as one JSON bundle: `{"format":"assent.proof-bundle/v1","files":{name: base64}}`.
    public static func bundle(_ files: [String: [UInt8]]) -> [UInt8] {
        CanonicalJSON.encode(
            .object(
                JSONObject([
                    ("format", .string("assent.proof-bundle/v1")),
                    ("files", .object(JSONObject(files.map { ($0.key, .string(Base64.encode($0.value))) }))),
                ]))) + [0x0A]
    }

    /// The files of a bundle (see ``bundle(_:)``), name → bytes.
    /// - Throws: ``ProofError`` at step `input` when the bytes are not such a bundle.
    public static func files(inBundle bytes: [UInt8]) throws(ProofError) -> [String: [UInt8]] {
        guard let object = try? JSONParser.parse(bytes).objectValue,
            object["format"]?.stringValue == "assent.proof-bundle/v1", let files = object["files"]?.objectValue
        else { throw ProofError("input", "not an assent proof bundle") }
        var result: [String: [UInt8]] = [:]
        for member in files.members {
            guard let bytes = member.value.stringValue.flatMap(Base64.decode) else {
                throw ProofError("input", "bundle file \(member.key) is not base64")
            }
            result[member.key] = bytes
        }
        return result
    }

    /// Reads a proof folder or bundle file into file name → bytes.
    public static func read(_ url: URL) throws -> [String: [UInt8]] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ProofError("input", "\(url.path) does not exist")
        }
        if !isFolder.boolValue {
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ProofError("input", "\(url.path) cannot be read")
            }
            do { return try files(inBundle: [UInt8](data)) } catch {
                throw ProofError("input", "\(url.path): \(error.message)")
            }
        }
        var result: [String: [UInt8]] = [:]
        let base = url.standardizedFileURL.path
        for case let relative as String in FileManager.default.enumerator(atPath: base)
            ?? FileManager.DirectoryEnumerator()
        {
            let path = base + "/" + relative
            var child: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &child), !child.boolValue,
                let data = FileManager.default.contents(atPath: path)
            {
                result[relative] = [UInt8](data)
            }
        }
        return result
    }
}
