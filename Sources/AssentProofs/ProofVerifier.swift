public import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentRecords

/// What the verifier trusts: the log's verifier key and the operator's signing key (`trust.json`).
public struct TrustAnchor: Sendable {
    /// The log's origin.
    public let origin: String
    /// The checkpoint verifier key string.
    public let logKey: String
    /// The signing public key, PEM.
    public let signingKey: String

    /// Reads `trust.json`.
    public init(json bytes: [UInt8]) throws {
        guard let object = try? JSONParser.parse(bytes).objectValue, let origin = object["origin"]?.stringValue,
            let logKey = object["log_key"]?.stringValue, let signingKey = object["signing_key"]?.stringValue
        else { throw ProofError("trust", "the trust file needs origin, log_key and signing_key") }
        self.origin = origin
        self.logKey = logKey
        self.signingKey = signingKey
    }
}

/// Verifies a provenance proof offline, step by step.
public struct ProofVerifier: Sendable {
    /// Trusted keys; nil means the proof's own keys are used (and the report says so).
    public var trust: TrustAnchor?
    /// The oldest status accepted, in seconds before now; nil for no bound.
    public var maxAge: Int64?
    /// Accept a stale model (the report still names its successor).
    public var allowStale = false
    /// Canonical entries as JSONL (`assent log entries`), to check the status against the log itself.
    public var logMirror: URL?
    /// The time to judge validity at.
    public var now = UTCTime.now()
    /// A witness policy the proof's checkpoint must meet (c2sp.org/tlog-policy); nil for none.
    public var witnessPolicy: WitnessPolicy?

    /// A verifier with no trust anchor.
    public init() {}

    /// One passed step.
    public struct Step: Sendable {
        /// The step's name.
        public let name: String
        /// What was checked.
        public let detail: String

        /// A passed step.
        public init(name: String, detail: String) {
            self.name = name
            self.detail = detail
        }
    }

    /// The outcome of a verification that passed.
    public struct Report: Sendable {
        /// The steps, in order.
        public let steps: [Step]
        /// The model id.
        public let modelID: String
        /// `current` or `stale`.
        public let status: String
        /// The successor, for a stale model that was reproduced.
        public let successor: String?
        /// Whether the keys were pinned by a trust anchor. Without one, the proof is only known to be
        /// internally consistent: a proof forged on another ledger is consistent too.
        public let isAnchored: Bool
    }

    /// Verifies `files` (a proof folder or bundle, read) against the model folder.
    /// - Throws: ``ProofError`` naming the first step that failed; `steps` holds those that passed.
    public func verify(_ files: [String: [UInt8]], model folder: URL, steps: inout [Step]) throws -> Report {
        try verify(files, model: .folder(folder), steps: &steps)
    }

    /// Verifies `files` against the model's files: its folder, or a digest manifest of it.
    /// - Throws: ``ProofError`` naming the first step that failed; `steps` holds those that passed.
    public func verify(_ files: [String: [UInt8]], model: ModelFiles, steps: inout [Step]) throws -> Report {
        func need(_ name: String) throws -> [UInt8] {
            guard let bytes = files[name] else { throw ProofError("input", "the proof lacks \(name)") }
            return bytes
        }
        func text(_ name: String) throws -> String { String(decoding: try need(name), as: UTF8.self) }

        let vkeyText = try text("log.vkey").trimmingCharacters(in: .whitespacesAndNewlines)
        let signingPEM = try text("signing-key.pub.pem")
        if let trust {
            guard trust.logKey == vkeyText else {
                throw ProofError("keys", "the proof's log key is not the trusted one for \(trust.origin)")
            }
            guard trust.signingKey == signingPEM else {
                throw ProofError("keys", "the proof's signing key is not the trusted one")
            }
        }
        let verifier: NoteVerifier
        do { verifier = try NoteVerifier(vkeyText) } catch { throw ProofError("keys", "log.vkey: \(error)") }
        let signingKey: P256PublicKey
        do { signingKey = try P256PublicKey(pemRepresentation: signingPEM) } catch {
            throw ProofError("keys", "signing-key.pub.pem: \(error)")
        }
        steps.append(
            Step(
                name: "keys",
                detail: trust == nil
                    ? "keys taken from the proof itself (pass --trust to pin them)"
                    : "log and signing keys match the trust file"))

        let checkpointText = try text("checkpoint")
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.open(checkpointText, verifier: verifier) } catch {
            throw ProofError("checkpoint", "\(error)")
        }
        steps.append(Step(name: "checkpoint", detail: "signed by \(verifier.name) at size \(checkpoint.size)"))
        if let witnessPolicy {
            let verdict: (satisfied: Bool, cosigners: [String])
            do { verdict = try witnessPolicy.evaluate(checkpointText) } catch {
                throw ProofError("witnesses", "\(error)")
            }
            let who = verdict.cosigners.isEmpty ? "no witness" : verdict.cosigners.joined(separator: ", ")
            guard verdict.satisfied else {
                throw ProofError("witnesses", "the checkpoint's cosignatures (\(who)) do not meet the policy's quorum")
            }
            steps.append(Step(name: "witnesses", detail: "cosigned by \(who): the policy's quorum is met"))
        }

        var entries: [UInt64: JSONObject] = [:]
        for name in files.keys.sorted() where name.hasPrefix("entries/") && name.hasSuffix(".entry") {
            let seqText = name.dropFirst(8).dropLast(6)
            guard let seq = UInt64(seqText) else { throw ProofError("entries", "\(name) is not named by its index") }
            let bytes = try need(name)
            let proofText = try text("entries/\(seq).tlog-proof")
            let proof: TLogProof
            do { proof = try TLogProof(text: proofText) } catch {
                throw ProofError("entries", "entry \(seq): \(error)")
            }
            guard proof.index == seq, proof.checkpoint == checkpointText else {
                throw ProofError("entries", "entry \(seq): its tlog-proof is for another index or checkpoint")
            }
            do { _ = try proof.verify(entry: bytes, verifier: verifier) } catch {
                throw ProofError("entries", "entry \(seq): \(error)")
            }
            guard let object = try? JSONParser.parse(bytes).objectValue, object["seq"]?.integerValue == Int64(seq)
            else {
                throw ProofError("entries", "entry \(seq) is not a canonical entry with that seq")
            }
            entries[seq] = object
        }
        steps.append(
            Step(name: "entries", detail: "\(entries.count) entries proven in the log at size \(checkpoint.size)"))

        let signature = try ModelSignature.verify(bundle: try need("model.sig"), files: model, key: signingKey)
        let over: String
        switch model {
        case .folder(let folder): over = folder.lastPathComponent
        case .digests(let digests): over = "the \(digests.count) files of the digest manifest"
        }
        steps.append(
            Step(
                name: "model-signature",
                detail: "OpenSSF model signature over \(over) is valid; root \(signature.modelID)"
                    + (signature.warnings.isEmpty ? "" : " (\(signature.warnings.joined(separator: "; ")))")))

        guard
            let (modelSeq, modelEntry) = entries.first(where: {
                $0.value["type"]?.stringValue == "model" && $0.value["model"]?.stringValue == signature.modelID
            })
        else {
            throw ProofError("model-entry", "no proven model entry names \(signature.modelID)")
        }
        guard let snapshotID = modelEntry["snapshot"]?.stringValue, let snapshotSeq = Snapshot.seq(fromID: snapshotID),
            let snapshotEntry = entries[snapshotSeq], snapshotEntry["type"]?.stringValue == "snapshot"
        else { throw ProofError("model-entry", "the model entry's snapshot entry is not in the proof") }
        guard modelEntry["snapshot_root"] == snapshotEntry["root"] else {
            throw ProofError("model-entry", "the model entry names another snapshot root")
        }
        for (name, seq) in [("snapshot-entry.tlog-proof", snapshotSeq), ("model-entry.tlog-proof", modelSeq)] {
            guard files[name] == files["entries/\(seq).tlog-proof"] else {
                throw ProofError("entries", "\(name) is not the proof of entry \(seq)")
            }
        }
        steps.append(
            Step(
                name: "model-entry",
                detail: "entry \(modelSeq) logs \(signature.modelID) trained on \(snapshotID) (entry \(snapshotSeq))"
                    + Self.trainerNote(modelEntry)))

        let snapshotStatement = try Self.open(
            try need("snapshot.dsse.json"), key: signingKey, step: "snapshot-statement")
        let snapshotRoot = snapshotEntry["root"]?.stringValue ?? ""
        guard Self.subjectDigest(snapshotStatement) == String(snapshotRoot.dropFirst(7)) else {
            throw ProofError("snapshot-statement", "its subject is not the snapshot root \(snapshotRoot)")
        }
        let predicate = snapshotStatement["predicate"]?.objectValue ?? JSONObject()
        for key in [
            "base_height", "revocation_height", "as_of", "evaluated_at", "policy", "count", "root", "shards",
            "shard_roots",
        ]
        where predicate[key] != snapshotEntry[key] {
            throw ProofError("snapshot-statement", "\(key) differs from the logged snapshot entry")
        }
        steps.append(
            Step(
                name: "snapshot-statement",
                detail:
                    "signed; \(predicate["count"]?.integerValue ?? 0) samples, root \(snapshotRoot), heights \(predicate["base_height"]?.integerValue ?? 0)/\(predicate["revocation_height"]?.integerValue ?? 0), policy \(predicate["policy"]?.stringValue ?? "")"
            ))

        let provenance = try Self.open(try need("provenance.dsse.json"), key: signingKey, step: "provenance")
        guard provenance["predicateType"]?.stringValue == "https://slsa.dev/provenance/v1" else {
            throw ProofError("provenance", "not SLSA Provenance v1")
        }
        guard Self.subjectDigest(provenance) == String(signature.modelID.dropFirst(7)) else {
            throw ProofError("provenance", "its subject is not the model root")
        }
        let dependencies =
            provenance["predicate"]?.objectValue?["buildDefinition"]?.objectValue?["resolvedDependencies"]?.arrayValue
            ?? []
        let digests = dependencies.compactMap { $0.objectValue?["digest"]?.objectValue?["sha256"]?.stringValue }
        guard digests.contains(String(snapshotRoot.dropFirst(7))) else {
            throw ProofError("provenance", "resolvedDependencies lacks the snapshot")
        }
        guard digests.contains(Hex.encode(checkpoint.root)) else {
            throw ProofError("provenance", "resolvedDependencies lacks the checkpoint")
        }
        steps.append(
            Step(
                name: "provenance",
                detail: "SLSA v1 statement signed; depends on \(snapshotID) and checkpoint \(checkpoint.size)"))

        let status = try Self.open(try need("status.dsse.json"), key: signingKey, step: "status").objectValue(
            "predicate")
        guard status["model"]?.stringValue == signature.modelID else {
            throw ProofError("status", "the attestation is for another model")
        }
        let attested = status["checkpoint"]?.objectValue
        guard attested?["size"]?.integerValue == Int64(checkpoint.size),
            attested?["root"]?.stringValue == Base64.encode(checkpoint.root)
        else {
            throw ProofError("status", "the attestation is not at the proof's checkpoint")
        }
        guard let validUntil = status["valid_until"]?.stringValue, let attestedAt = status["attested_at"]?.stringValue
        else {
            throw ProofError("status", "the attestation lacks attested_at or valid_until")
        }
        guard let untilSeconds = UTCTime.parse(validUntil), let attestedSeconds = UTCTime.parse(attestedAt) else {
            throw ProofError("status", "attested_at and valid_until must be UTC times like 2026-01-01T00:00:00Z")
        }
        guard let nowSeconds = UTCTime.parse(now) else {
            throw ProofError("status", "the verifier's clock is unreadable")
        }
        guard untilSeconds >= nowSeconds else {
            throw ProofError("status", "the attestation expired at \(validUntil); ask the operator for a fresh proof")
        }
        guard attestedSeconds <= nowSeconds + 300 else {
            throw ProofError("status", "the attestation is dated \(attestedAt), in the future")
        }
        let age = max(0, nowSeconds - attestedSeconds)
        if let maxAge, age > maxAge {
            throw ProofError("status", "the attestation is from \(attestedAt), older than --max-age")
        }
        let staleEntries = entries.filter {
            $0.value["type"]?.stringValue == "stale" && $0.value["model"]?.stringValue == signature.modelID
        }
        let state = status["status"]?.stringValue ?? ""
        let successor = status["successor"]?.stringValue
        if state == "current" && !staleEntries.isEmpty {
            throw ProofError("status", "attested current, but the proof holds stale entries for the model")
        }
        if state == "stale" && staleEntries.isEmpty {
            throw ProofError("status", "attested stale, but no stale entry is proven")
        }
        if let successor {
            guard
                entries.values.contains(where: {
                    $0["model"]?.stringValue == successor && $0["supersedes"]?.stringValue == signature.modelID
                })
            else {
                throw ProofError("status", "the successor's model entry is not proven")
            }
        }
        steps.append(
            Step(
                name: "status",
                detail:
                    "\(state) at checkpoint \(checkpoint.size), attested \(attestedAt) (\(Self.describe(age: age)) ago; what happened to the log since is not known to this proof), valid until \(validUntil)"
                    + (successor.map { "; successor \($0)" } ?? "")))

        if let bytes = files["sample-proof.json"] {
            guard let proof = try? JSONParser.parse(bytes).objectValue, let count = predicate["count"]?.integerValue,
                let root = RevocationRegistry.parseCommitment(snapshotRoot)
            else { throw ProofError("sample-proof", "malformed") }
            let member: Bool
            do { member = try SnapshotProof.verify(proof, root: root, size: UInt64(count)) } catch {
                throw ProofError("sample-proof", "\(error)")
            }
            steps.append(
                Step(
                    name: "sample-proof",
                    detail:
                        "\(proof["commitment"]?.stringValue ?? "") is \(member ? "a member" : "not a member") of \(snapshotID)"
                ))
        }

        if let logMirror {
            try checkMirror(
                logMirror, checkpoint: checkpoint, entries: entries, model: signature.modelID, modelSeq: modelSeq,
                state: state)
            steps.append(
                Step(name: "log-mirror", detail: "the mirror matches the checkpoint and agrees with the status"))
        }
        if state == "stale" && !allowStale {
            throw ProofError(
                "status",
                "the model is stale (consent was withdrawn for some of its data)"
                    + (successor.map { "; use its successor \($0)" } ?? "") + "; pass --allow-stale to accept it")
        }
        return Report(
            steps: steps, modelID: signature.modelID, status: state, successor: successor, isAnchored: trust != nil)
    }

    /// An age in seconds as the largest sensible unit.
    static func describe(age: Int64) -> String {
        switch age {
        case ..<120: "\(age) s"
        case ..<7200: "\(age / 60) min"
        case ..<172_800: "\(age / 3600) h"
        default: "\(age / 86_400) days"
        }
    }

    /// How an external trainer ran, as its model entry records it.
    static func trainerNote(_ entry: JSONObject) -> String {
        guard entry["trainer"]?.stringValue == "exec" else { return "" }
        switch entry["sandboxed"]?.boolValue {
        case true: return "; external trainer, sandboxed"
        case false: return "; WARNING: external trainer run with --no-sandbox (unconfined: it could read the vault)"
        default: return "; external trainer, sandbox not recorded (trained before sandboxing existed)"
        }
    }

    private func checkMirror(
        _ url: URL, checkpoint: Checkpoint, entries: [UInt64: JSONObject], model: String, modelSeq: UInt64,
        state: String
    ) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ProofError("log-mirror", "cannot read \(url.path)")
        }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        guard lines.count >= checkpoint.size else {
            throw ProofError(
                "log-mirror", "the mirror has \(lines.count) entries, fewer than the checkpoint's \(checkpoint.size)")
        }
        let hasher = MerkleHasher()
        let leaves = lines.prefix(Int(checkpoint.size)).flatMap { hasher.leafHash($0) }
        guard hasher.root(ofFlatLeafHashes: leaves) == checkpoint.root else {
            throw ProofError(
                "log-mirror", "the mirror's first \(checkpoint.size) entries do not hash to the checkpoint root")
        }
        for (seq, entry) in entries where CanonicalJSON.encode(.object(entry)) != lines[Int(seq)] {
            throw ProofError("log-mirror", "entry \(seq) differs from the mirror")
        }
        var staleInLog = false
        for line in lines.dropFirst(Int(modelSeq) + 1) where !line.isEmpty {
            if let entry = try? JSONParser.parse(line).objectValue, entry["type"]?.stringValue == "stale",
                entry["model"]?.stringValue == model
            {
                staleInLog = true
            }
        }
        if staleInLog && state != "stale" {
            throw ProofError("log-mirror", "the log marks the model stale, but the status says \(state)")
        }
        if !staleInLog && state == "stale" {
            throw ProofError("log-mirror", "the status says stale, but the mirror has no stale entry for the model")
        }
    }

    /// Opens a DSSE envelope file signed by `key` and returns its in-toto statement.
    static func open(_ bytes: [UInt8], key: P256PublicKey, step: String) throws -> JSONObject {
        guard let object = try? JSONParser.parse(bytes).objectValue else {
            throw ProofError(step, "not a JSON envelope")
        }
        let envelope: DSSEEnvelope
        do { envelope = try DSSEEnvelope(json: object) } catch let error as ProofError {
            throw ProofError(step, error.message)
        }
        guard envelope.isSigned(by: key) else { throw ProofError(step, "the DSSE signature does not verify") }
        guard envelope.payloadType == DSSEEnvelope.inTotoType,
            let statement = try? JSONParser.parse(envelope.payload).objectValue,
            statement["_type"]?.stringValue == "https://in-toto.io/Statement/v1"
        else { throw ProofError(step, "the payload is not an in-toto Statement v1") }
        return statement
    }

    static func subjectDigest(_ statement: JSONObject) -> String? {
        guard let subjects = statement["subject"]?.arrayValue, subjects.count == 1 else { return nil }
        return subjects[0].objectValue?["digest"]?.objectValue?["sha256"]?.stringValue
    }
}

extension JSONObject {
    /// The object-valued member `key`, or an empty object.
    func objectValue(_ key: String) -> JSONObject { self[key]?.objectValue ?? JSONObject() }
}
