import AssentLog
import AssentProofs
import FuzzSupport

/// A verifier pinned to the fixture's keys, at the time the seed proofs were made.
private let verifier: ProofVerifier = {
    var verifier = ProofVerifier()
    do { verifier.trust = try TrustAnchor(json: FuzzFixture.bytes("trust.json")) } catch {
        fatalError("the fixture's trust.json does not parse: \(error)")
    }
    verifier.now = FuzzFixture.text("now")
    verifier.allowStale = true
    return verifier
}()

/// The model the seed bundle proves.
private let modelID = FuzzFixture.text("model-id")

/// The files of the seed bundle that verifies, and their names in order.
private let seedFiles: [String: [UInt8]] = {
    guard let bytes = FuzzFixture.seeds("proof-bundle")["current.json"],
        let files = try? ProofBuilder.files(inBundle: bytes)
    else { fatalError("the seed bundle current.json is missing or unreadable") }
    return files
}()
private let seedNames = seedFiles.keys.sorted()

/// The proof an input stands for: a whole bundle when it starts with `{`; otherwise its first byte picks
/// one file of the seed bundle (by sorted name) and the rest replaces that file, so mutations reach each
/// file's checks with every other file intact.
private func files(for input: [UInt8]) -> [String: [UInt8]]? {
    if input.first == UInt8(ascii: "{") { return try? ProofBuilder.files(inBundle: input) }
    guard let selector = input.first else { return nil }
    var files = seedFiles
    files[seedNames[Int(selector) % seedNames.count]] = Array(input.dropFirst())
    return files
}

/// libFuzzer entry: a proof bundle, or one replaced file of the seed bundle, verified against the
/// fixture's model folder.
///
/// Verification must fail cleanly or succeed; a proof that verifies must be about the fixture's model.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProofBundle(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let files = files(for: fuzzInput(start, count)) else { return 0 }
    var steps: [ProofVerifier.Step] = []
    guard let report = try? verifier.verify(files, model: FuzzFixture.url("model"), steps: &steps) else { return 0 }
    precondition(report.modelID == modelID, "a proof of \(report.modelID) verified against the fixture's model")
    return 0
}
