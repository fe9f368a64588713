import AssentCrypto
import Foundation
import Testing

@testable import AssentLog

/// Cosignatures (c2sp.org/tlog-cosignature, Ed25519) and tlog-policy quorums. The wire format is
/// checked against an independent implementation (tlog-scales) by Tools/checks/witness.py; here, the
/// rules: the key ID, the signed message, tampering, thresholds and nested groups.
@Suite struct CosignatureTests {
    let logSigner: NoteSigner
    let note: String

    init() throws {
        logSigner = try NoteSigner(
            name: "example.org/log", privateKey: try Ed25519PrivateKey(seed: [UInt8](repeating: 7, count: 32)))
        note = try SignedNote.sign(
            text: "example.org/log\n3\n\(Base64.encode([UInt8](repeating: 1, count: 32)))\n", with: logSigner)
    }

    /// A witness of seed `seed`, and the cosignature line it gives `note`'s text at `time`.
    func witness(_ name: String, seed: UInt8, time: UInt64 = 1_700_000_000) throws -> (WitnessKey, String) {
        let key = try Ed25519PrivateKey(seed: [UInt8](repeating: seed, count: 32))
        let witness = WitnessKey(name: name, publicKey: key.publicKey)
        let text = try SignedNote(parsing: note).text
        let signature = try key.signature(for: Cosignature.message(body: text, timestamp: time))
        let idBytes = (0..<4).map { UInt8(truncatingIfNeeded: witness.keyID >> (24 - 8 * $0)) }
        let timeBytes = (0..<8).map { UInt8(truncatingIfNeeded: time >> (56 - 8 * UInt64($0))) }
        return (witness, "— \(name) \(Base64.encode(idBytes + timeBytes + signature))")
    }

    @Test func aCosignatureVerifiesAndItsKeyStringRoundTrips() throws {
        let (key, line) = try witness("w1.example", seed: 1)
        #expect(try WitnessKey(key.keyString) == key)
        #expect(key.keyString.split(separator: "+")[2].hasPrefix("B"), "type 0x04 encodes as B… in base64")
        let cosigned = Cosignature.adding(line, to: note)
        #expect(try Cosignature.timestamp(in: cosigned, by: key) == 1_700_000_000)
        #expect(Cosignature.adding(line, to: cosigned) == cosigned, "a line is added once")
        #expect(try Cosignature.timestamp(in: note, by: key) == nil)
        // The same line on another checkpoint, or a flipped byte, fails.
        let other = try SignedNote.sign(
            text: "example.org/log\n4\n\(Base64.encode([UInt8](repeating: 2, count: 32)))\n", with: logSigner)
        #expect(throws: NoteError.self) { try Cosignature.timestamp(in: Cosignature.adding(line, to: other), by: key) }
        var tampered = Array(line)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        #expect(throws: NoteError.self) {
            try Cosignature.timestamp(in: Cosignature.adding(String(tampered), to: note), by: key)
        }
        // A log key (type 0x01) is not a witness key.
        #expect(throws: NoteError.self) { try WitnessKey(logSigner.verifier.keyString) }
    }

    @Test func quorumsCountGroupsOfWitnesses() throws {
        let (a, lineA) = try witness("a.example", seed: 1)
        let (b, lineB) = try witness("b.example", seed: 2)
        let (c, _) = try witness("c.example", seed: 3)
        let policy = { (group: String) in
            try WitnessPolicy(
                text: """
                    log \(logSigner.verifier.keyString)
                    witness a.example \(a.keyString) https://a.example
                    witness b.example \(b.keyString)
                    witness c.example \(c.keyString)  # no URL is fine
                    group some \(group) a.example b.example c.example
                    group outer all some a.example
                    quorum outer
                    """)
        }
        let onlyA = Cosignature.adding(lineA, to: note)
        let both = Cosignature.adding(lineB, to: onlyA)
        #expect(try policy("2").evaluate(onlyA).satisfied == false)
        #expect(try policy("2").evaluate(both) == (true, ["a.example", "b.example"]))
        #expect(try policy("any").evaluate(onlyA).satisfied)
        #expect(try policy("all").evaluate(both).satisfied == false)
        #expect(try WitnessPolicy(text: "quorum none\n").evaluate(note).satisfied)
    }

    @Test(arguments: [
        ("quorum q\n", "line 1"), ("witness a\nquorum none\n", "line 1"), ("log k\n", "no quorum"),
        ("group g 1 nobody\nquorum g\n", "line 1"), ("quorum none\nquorum none\n", "line 2"),
        ("frobnicate\n", "line 1"),
    ])
    func malformedPoliciesNameTheLine(text: String, expected: String) {
        #expect {
            try WitnessPolicy(text: text)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }
}
