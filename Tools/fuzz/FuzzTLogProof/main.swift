import AssentLog
import FuzzSupport

/// The fixture's log key and the entries its seed proofs are about.
private let fixture: (verifier: NoteVerifier, entries: [UInt64: [UInt8]]) = {
    guard let verifier = try? NoteVerifier(FuzzFixture.text("log.vkey")) else {
        fatalError("the fixture's log.vkey does not parse")
    }
    let entries = FuzzFixture.entries
    precondition(!entries.isEmpty, "the fixture holds no entries")
    return (verifier, entries)
}()

/// libFuzzer entry: any bytes as a c2sp.org/tlog-proof@v1 file.
///
/// A parsed proof must re-serialise to a file that parses the same; a proof that verifies for one of the
/// fixture's entries must be about that entry's own index (a proof never transfers to another entry).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLogProof(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: fuzzInput(start, count), as: UTF8.self)
    guard let proof = try? TLogProof(text: text) else { return 0 }
    guard let again = try? TLogProof(text: proof.text) else { fatalError("a re-serialised tlog-proof does not parse") }
    precondition(again == proof, "a re-serialised tlog-proof parses differently")
    for (seq, entry) in fixture.entries {
        if (try? proof.verify(entry: entry, verifier: fixture.verifier)) != nil {
            precondition(proof.index == seq, "entry \(seq) was proven at index \(proof.index)")
        }
    }
    return 0
}
