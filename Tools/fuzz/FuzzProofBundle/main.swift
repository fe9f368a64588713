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

/// libFuzzer entry: any bytes as an assent proof bundle, verified against the fixture's model folder.
///
/// Verification must fail cleanly or succeed; a bundle that verifies must be about the fixture's model.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProofBundle(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let files = try? ProofBuilder.files(inBundle: fuzzInput(start, count)) else { return 0 }
    var steps: [ProofVerifier.Step] = []
    guard let report = try? verifier.verify(files, model: FuzzFixture.url("model"), steps: &steps) else { return 0 }
    precondition(report.modelID == modelID, "a proof of \(report.modelID) verified against the fixture's model")
    return 0
}
