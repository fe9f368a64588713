import AssentCrypto
import AssentEngine
import AssentLog
import AssentProofs
import AssentRecords
import Foundation

/// `assent verify` of a proof for a model trained on N samples, and model hashing throughput next to
/// `openssl dgst -sha256` over the same files.
func benchmarkVerify() throws {
    let total = option("--samples", default: 100_000)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    print("verify benchmark: model trained on \(total) samples")
    let (ledger, store, _) = try makeSubjectLedger(count: total, in: scratch)
    let engine = try Engine(store: store)
    let model = try engine.train(trainer: "naive-bayes", shards: 16).model
    let files = try ProofBuilder(engine: engine).build(modelID: model.id)
    var verifier = ProofVerifier()
    verifier.trust = try TrustAnchor(json: [UInt8](try Data(contentsOf: ledger.paths.trust)))
    let folder = engine.folder(of: model)
    let rounds = 50
    var start = now()
    for _ in 0..<rounds {
        var steps: [ProofVerifier.Step] = []
        _ = try verifier.verify(files, model: folder, steps: &steps)
    }
    let verifyMillis = (now() - start) / Double(rounds) * 1000
    start = now()
    for _ in 0..<rounds { _ = try ModelDigest(folder: folder) }
    let hashMillis = (now() - start) / Double(rounds) * 1000
    print(
        "verify:      \(format(verifyMillis)) ms per proof in process, of which model hashing \(format(hashMillis)) ms; without hashing \(format(verifyMillis - hashMillis)) ms"
    )

    let big = scratch.appendingPathComponent("big-model")
    try FileManager.default.createDirectory(at: big, withIntermediateDirectories: true)
    let chunk = [UInt8](repeating: 0xA5, count: 1 << 20)
    for file in 0..<8 {
        _ = FileManager.default.createFile(atPath: big.appendingPathComponent("part-\(file).bin").path, contents: nil)
        let handle = try FileHandle(forWritingTo: big.appendingPathComponent("part-\(file).bin"))
        for _ in 0..<128 { handle.write(Data(chunk)) }
        try handle.close()
    }
    _ = try ModelDigest(folder: big)
    start = now()
    _ = try ModelDigest(folder: big)
    let ours = now() - start
    let openssl =
        try timedRun(
            "/usr/bin/openssl", ["dgst", "-sha256"] + (0..<8).map { big.appendingPathComponent("part-\($0).bin").path }
        )
        .millis / 1000
    print(
        "hashing:     \(format(1024 / ours)) MiB/s (ModelDigest) vs \(format(1024 / openssl)) MiB/s (openssl dgst -sha256) over 1 GiB in 8 files; ratio \(String(format: "%.2f", openssl / ours))"
    )
}
