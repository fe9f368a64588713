import AssentCrypto
import AssentLog
import Foundation
import Testing
import AssentTestSupport

@testable import AssentEngine
@testable import AssentProofs
@testable import AssentRecords

/// A ledger with a trained model and its proof.
struct ProofFixture {
    let folder: URL
    let ledger: Ledger
    let store: RecordStore
    let engine: Engine
    let model: ModelRecord
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    init(origin: String = "example.org/proofs") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("assent-proofs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        ledger = try Ledger.create(
            at: folder.appendingPathComponent("ledger"), origin: origin,
            postgresURL: try TestBackend.freshPostgresDatabase())
        store = try RecordStore(ledger: ledger)
        engine = try Engine(store: store)
        _ = try ConsentRegistry(store: store).grant(
            subject: "kim", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil, id: "c-kim"
        )
        let lines = try String(
            contentsOf: Self.root.appendingPathComponent("Tools/datasets/digits/digits-train.jsonl"), encoding: .utf8
        ).split(separator: "\n").prefix(60)
        var manifest = ""
        for (index, line) in lines.enumerated() {
            var fields = JSONObject([
                ("text", .string(String(line))), ("license", .string("MIT")), ("source", .string("d")),
            ])
            if index < 6 {
                fields["subject"] = .string("kim")
                fields["consent"] = .string("c-kim")
            }
            manifest += String(decoding: CanonicalJSON.encode(.object(fields)), as: UTF8.self) + "\n"
        }
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("m.jsonl"))
        _ = try Ingestor(store: store).ingest(.jsonl(folder.appendingPathComponent("m.jsonl")))
        model = try engine.train(trainer: "naive-bayes", shards: 2).model
    }

    var trust: TrustAnchor {
        get throws { try TrustAnchor(json: [UInt8](try Data(contentsOf: ledger.paths.trust))) }
    }

    func verify(_ files: [String: [UInt8]], model folder: URL? = nil, allowStale: Bool = false, mirror: URL? = nil)
        throws -> ProofVerifier.Report
    {
        var verifier = ProofVerifier()
        verifier.trust = try trust
        verifier.allowStale = allowStale
        verifier.logMirror = mirror
        var steps: [ProofVerifier.Step] = []
        return try verifier.verify(files, model: folder ?? engine.folder(of: model), steps: &steps)
    }

    func failedStep(_ files: [String: [UInt8]], model folder: URL? = nil) -> String? {
        do {
            _ = try verify(files, model: folder)
            return nil
        } catch let error as ProofError {
            return error.step
        } catch {
            return "other: \(error)"
        }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }
}

@Suite struct ProofTests {
    @Test func aFreshProofVerifiesEveryStep() throws {
        let fixture = try ProofFixture()
        defer { fixture.cleanUp() }
        let files = try ProofBuilder(engine: fixture.engine).build(modelID: fixture.model.id)
        let report = try fixture.verify(files)
        #expect(report.status == "current" && report.modelID == fixture.model.id)
        let names = Set(files.keys)
        for name in [
            "model.sig", "signing-key.pub.pem", "provenance.dsse.json", "snapshot.dsse.json", "status.dsse.json",
            "checkpoint", "log.vkey", "snapshot-entry.tlog-proof", "model-entry.tlog-proof",
        ] {
            #expect(names.contains(name), "\(name)")
        }
        let bundle = ProofBuilder.bundle(files)
        let url = fixture.folder.appendingPathComponent("proof.json")
        try Data(bundle).write(to: url)
        #expect(try ProofBuilder.read(url) == files, "the bundle holds the same parts")
    }

    @Test func validityTimesAreComparedAsTimesNotText() throws {
        let fixture = try ProofFixture()
        defer { fixture.cleanUp() }
        var builder = ProofBuilder(engine: fixture.engine)
        builder.validity = 400_000_000_000  // valid until the year 14702: text comparison called it expired
        let files = try builder.build(modelID: fixture.model.id)
        do {
            _ = try fixture.verify(files)
            Issue.record("a year-14702 validity was accepted")
        } catch let error as ProofError {
            #expect(error.step == "status" && error.message.contains("UTC times"), "\(error.message)")
        }
        var verifier = ProofVerifier()
        verifier.trust = try fixture.trust
        verifier.now = "2026-13-01T00:00:00Z"
        var steps: [ProofVerifier.Step] = []
        let fresh = try ProofBuilder(engine: fixture.engine).build(modelID: fixture.model.id)
        #expect(throws: ProofError.self, "an unreadable clock is refused, not skipped") {
            try verifier.verify(fresh, model: fixture.engine.folder(of: fixture.model), steps: &steps)
        }
    }

    @Test func everyTamperingIsRejectedWithItsStep() throws {
        let fixture = try ProofFixture()
        defer { fixture.cleanUp() }
        let files = try ProofBuilder(engine: fixture.engine).build(modelID: fixture.model.id, sample: nil)
        func flipped(_ name: String, at position: (([UInt8]) -> Int)) -> [String: [UInt8]] {
            var copy = files
            var bytes = copy[name]!
            let index = position(bytes)
            // Inside base64 text, swap for another base64 letter: flipping a bit could leave the alphabet
            // ('+' becomes '*'), and the failure would then be a parse error, not the signature's.
            let isBase64Letter = (0x41...0x5A).contains(bytes[index]) || (0x61...0x7A).contains(bytes[index])
            bytes[index] = isBase64Letter ? (bytes[index] == 0x41 ? 0x42 : 0x41) : bytes[index] ^ 0x01
            copy[name] = bytes
            return copy
        }
        // 20 characters in: inside the signature's value (past its DER header) or the payload's JSON.
        func base64Position(_ marker: String) -> ([UInt8]) -> Int {
            { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                let range = text.range(of: marker)!
                var index = text.utf8.distance(from: text.utf8.startIndex, to: range.upperBound) + 20
                while !(0x41...0x5A).contains(bytes[index]) && !(0x61...0x7A).contains(bytes[index]) { index += 1 }
                return index
            }
        }
        let cases: [(String, [String: [UInt8]], String)] = [
            ("model.sig signature", flipped("model.sig", at: base64Position("\"sig\":\"")), "model-signature"),
            ("provenance signature", flipped("provenance.dsse.json", at: base64Position("\"sig\":\"")), "provenance"),
            ("provenance payload", flipped("provenance.dsse.json", at: base64Position("\"payload\":\"")), "provenance"),
            (
                "snapshot statement", flipped("snapshot.dsse.json", at: base64Position("\"payload\":\"")),
                "snapshot-statement"
            ),
            ("status signature", flipped("status.dsse.json", at: base64Position("\"sig\":\"")), "status"),
            ("checkpoint root", flipped("checkpoint", at: { _ in 24 }), "checkpoint"),
            ("checkpoint signature", flipped("checkpoint", at: { $0.count - 10 }), "checkpoint"),
            ("model entry", flipped("entries/\(fixture.model.seq).entry", at: { $0.count / 2 }), "entries"),
            (
                "proof hash",
                flipped("entries/\(fixture.model.seq).tlog-proof", at: base64Position("index \(fixture.model.seq)\n")),
                "entries"
            ),
        ]
        for (what, tampered, step) in cases {
            #expect(fixture.failedStep(tampered) == step, "\(what)")
        }
        let modelFolder = fixture.engine.folder(of: fixture.model)
        let changed = fixture.folder.appendingPathComponent("changed")
        try FileManager.default.copyItem(at: modelFolder, to: changed)
        try Data([1]).write(to: changed.appendingPathComponent("shard-001.bin"), options: .atomic)
        #expect(fixture.failedStep(files, model: changed) == "model-signature", "a changed file")
        let added = fixture.folder.appendingPathComponent("added")
        try FileManager.default.copyItem(at: modelFolder, to: added)
        try Data("x".utf8).write(to: added.appendingPathComponent("extra.txt"))
        #expect(fixture.failedStep(files, model: added) == "model-signature", "an added file")
        let removed = fixture.folder.appendingPathComponent("removed")
        try FileManager.default.copyItem(at: modelFolder, to: removed)
        try FileManager.default.removeItem(at: removed.appendingPathComponent("shard-000.bin"))
        #expect(fixture.failedStep(files, model: removed) == "model-signature", "a removed file")
        var missing = files
        missing["status.dsse.json"] = nil
        #expect(fixture.failedStep(missing) == "input")
    }

    @Test func aCheckpointFromAnotherLedgerIsRejected() throws {
        let fixture = try ProofFixture()
        defer { fixture.cleanUp() }
        let other = try ProofFixture(origin: "example.org/proofs")
        defer { other.cleanUp() }
        var files = try ProofBuilder(engine: fixture.engine).build(modelID: fixture.model.id)
        files["checkpoint"] = Array(try other.ledger.latestCheckpoint().note.utf8)
        #expect(fixture.failedStep(files) == "checkpoint")
        var foreignKeys = files
        foreignKeys["log.vkey"] = Array((other.ledger.verifier.keyString + "\n").utf8)
        #expect(fixture.failedStep(foreignKeys) == "keys", "keys that are not the trusted ones")
    }

    @Test func aStaleModelPresentedAsCurrentIsCaught() throws {
        let fixture = try ProofFixture()
        defer { fixture.cleanUp() }
        let before = try ProofBuilder(engine: fixture.engine).build(modelID: fixture.model.id)
        #expect(try fixture.verify(before).status == "current")
        try RevocationRegistry(store: fixture.store).revoke(.subject("kim")) { writer, affected, id in
            try fixture.engine.markStale(affected: affected, revocation: id, writer: writer)
        }
        let mirror = fixture.folder.appendingPathComponent("mirror.jsonl")
        var lines: [UInt8] = []
        try fixture.ledger.forEachEntry { _, _, bytes in lines += bytes + [0x0A] }
        try Data(lines).write(to: mirror)
        do {
            _ = try fixture.verify(before, mirror: mirror)
            Issue.record("an old 'current' attestation passed against the log mirror")
        } catch let error as ProofError {
            #expect(error.step == "log-mirror")
        }
        let reproduced = try fixture.engine.reproduce(fixture.model.id)
        let after = try ProofBuilder(engine: fixture.engine).build(modelID: fixture.model.id)
        do {
            _ = try fixture.verify(after)
            Issue.record("a stale model verified")
        } catch let error as ProofError {
            #expect(
                error.step == "status" && error.message.contains(reproduced.model.id),
                "names the successor: \(error.message)")
        }
        lines = []
        try fixture.ledger.forEachEntry { _, _, bytes in lines += bytes + [0x0A] }
        try Data(lines).write(to: mirror)
        #expect(try fixture.verify(after, allowStale: true, mirror: mirror).successor == reproduced.model.id)
        let receipt = try ConsentRegistry(store: fixture.store).receipt(subject: "kim")
        let revoked = try #require(
            receipt["samples"]?.arrayValue?.first?.objectValue?["commitment"]?.stringValue.flatMap(
                RevocationRegistry.parseCommitment))
        let successorProof = try ProofBuilder(engine: fixture.engine).build(
            modelID: reproduced.model.id, sample: revoked)
        #expect(
            try fixture.verify(successorProof, model: fixture.engine.folder(of: reproduced.model)).status == "current")
        var forged = successorProof
        var sampleProof = try JSONParser.parse(successorProof["sample-proof.json"]!).objectValue!
        let oldProof = try SnapshotProof.make(
            snapshot: try SnapshotStore(store: fixture.store).load(fixture.model.snapshot),
            members: try SnapshotStore(store: fixture.store).members(
                try SnapshotStore(store: fixture.store).load(fixture.model.snapshot)), commitment: revoked)
        sampleProof = oldProof
        forged["sample-proof.json"] = CanonicalJSON.encode(.object(sampleProof))
        #expect(
            fixture.failedStep(forged, model: fixture.engine.folder(of: reproduced.model)) == "sample-proof",
            "a membership proof for a revoked sample does not hold against the post-revocation snapshot")
    }

    @Test func dsseAndModelSignaturesInterOperateWithTheReferenceSample() throws {
        let sample = ProofFixture.root.appendingPathComponent("Tests/Fixtures/model-signing-sample")
        let key = try P256PublicKey(
            pemRepresentation: try String(
                contentsOf: sample.appendingPathComponent("ec-p256-public.pem"), encoding: .utf8))
        for name in ["sample_model.sig", "handmade.sig", "handmade-ext.sig"] {
            let verified = try ModelSignature.verify(
                bundle: [UInt8](try Data(contentsOf: sample.appendingPathComponent(name))),
                folder: sample.appendingPathComponent("sample_model"), key: key)
            #expect(
                verified.modelID == "sha256:42adb313725b8d57ec364aadc7812bab395fa47c71ab06ef7e7f3b91de6ae1a1", "\(name)"
            )
        }
        let signing = try P256PrivateKey(
            pemRepresentation: try String(
                contentsOf: sample.appendingPathComponent("TEST-ONLY-ec-p256-private.pem"), encoding: .utf8))
        let ours = try ModelSignature.sign(folder: sample.appendingPathComponent("sample_model"), key: signing)
        let hint = try JSONParser.parse(ours).objectValue?["verificationMaterial"]?.objectValue?["publicKey"]?
            .objectValue?["hint"]?.stringValue
        #expect(
            hint == "82aa5a01027b421fdb617e25b34dd1611d8c51692b8af2687a833c397ae29a08",
            "key hint = SHA-256 of the PEM text with its final newline")
        let ourVerdict = try ModelSignature.verify(
            bundle: ours, folder: sample.appendingPathComponent("sample_model"), key: key)
        #expect(
            ourVerdict.modelID != "sha256:42adb313725b8d57ec364aadc7812bab395fa47c71ab06ef7e7f3b91de6ae1a1",
            "our signatures cover README.md too")
        let payload = Array("{\"a\":1}".utf8)
        #expect(
            DSSEEnvelope.preAuthenticationEncoding(type: "t", body: payload) == Array("DSSEv1 1 t 7 {\"a\":1}".utf8))
    }
}
