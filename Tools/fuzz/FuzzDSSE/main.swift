import AssentCrypto
import AssentLog
import AssentProofs
import FuzzSupport

/// The fixture's signing key and the (type, payload) pairs it really signed (the seed envelopes).
private let fixture: (key: P256PublicKey, signed: Set<[UInt8]>) = {
    guard let key = try? P256PublicKey(pemRepresentation: FuzzFixture.text("signing-key.pub.pem") + "\n") else {
        fatalError("the fixture's signing-key.pub.pem does not parse")
    }
    let signed = FuzzFixture.seeds("dsse").values.compactMap { bytes -> [UInt8]? in
        guard let envelope = envelope(in: bytes), envelope.isSigned(by: key) else { return nil }
        return DSSEEnvelope.preAuthenticationEncoding(type: envelope.payloadType, body: envelope.payload)
    }
    precondition(!signed.isEmpty, "no seed envelope verifies under the fixture's key")
    return (key, Set(signed))
}()

/// The envelope in `bytes`: a DSSE envelope itself, or the `dsseEnvelope` of a Sigstore bundle.
private func envelope(in bytes: [UInt8]) -> DSSEEnvelope? {
    guard let object = try? JSONParser.parse(bytes).objectValue else { return nil }
    return try? DSSEEnvelope(json: object["dsseEnvelope"]?.objectValue ?? object)
}

/// libFuzzer entry: any bytes as a DSSE envelope (alone or inside a model-signing bundle).
///
/// A parsed envelope must re-serialise to one that parses equal; an envelope the fixture key accepts must
/// carry a type and payload that key really signed (no forgery, no confusion through the PAE).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDSSE(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let parsed = envelope(in: fuzzInput(start, count)) else { return 0 }
    guard let again = try? DSSEEnvelope(json: parsed.json) else {
        fatalError("a re-serialised envelope does not parse")
    }
    precondition(again == parsed, "a re-serialised envelope parses differently")
    if parsed.isSigned(by: fixture.key) {
        let message = DSSEEnvelope.preAuthenticationEncoding(type: parsed.payloadType, body: parsed.payload)
        precondition(fixture.signed.contains(message), "an envelope the key never signed was accepted")
    }
    return 0
}
