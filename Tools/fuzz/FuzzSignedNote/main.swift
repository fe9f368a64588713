import AssentLog
import FuzzSupport

/// The fixture's log key and the texts it really signed (the seed checkpoints).
private let fixture: (verifier: NoteVerifier, signedTexts: Set<String>) = {
    guard let verifier = try? NoteVerifier(FuzzFixture.text("log.vkey")) else {
        fatalError("the fixture's log.vkey does not parse")
    }
    let texts = FuzzFixture.seeds("signed-note").values.compactMap {
        try? SignedNote.open(String(decoding: $0, as: UTF8.self), verifiers: [verifier])
    }
    precondition(!texts.isEmpty, "no seed checkpoint verifies under the fixture's key")
    return (verifier, Set(texts))
}()

/// libFuzzer entry: any bytes as a C2SP signed note and as a checkpoint.
///
/// A parsed note must re-serialise to a note that parses the same; a note the fixture key accepts must
/// carry a text that key really signed (no forgery); an accepted checkpoint must re-serialise exactly.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignedNote(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let note = String(decoding: fuzzInput(start, count), as: UTF8.self)
    if let parsed = try? SignedNote(parsing: note) {
        let lines = parsed.signatures.map { signature in
            let id = signature.keyID
            let prefix = [UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)]
            return "— \(signature.name) \(Base64.encode(prefix + signature.signature))\n"
        }
        let rebuilt = parsed.text + "\n" + lines.joined()
        guard let again = try? SignedNote(parsing: rebuilt) else { fatalError("a re-serialised note does not parse") }
        precondition(again == parsed, "a re-serialised note parses differently")
    }
    if let text = try? SignedNote.open(note, verifiers: [fixture.verifier]) {
        precondition(fixture.signedTexts.contains(text), "a note the key never signed was accepted: \(text)")
        let checkpoint = try? Checkpoint.open(note, verifier: fixture.verifier)
        if let checkpoint { precondition(checkpoint.text == text, "a checkpoint does not re-serialise exactly") }
    }
    return 0
}
