import AssentCrypto
import Foundation
@testable import AssentLog
import Testing

// Vector A: golang.org/x/mod sumdb/note note_test.go. Vector B: C2SP signed-note.md.
// Both as quoted in shared/reference/transparency-log.md §3.6.
@Suite struct SignedNoteTests {
    static let peterSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let peterVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let enochVerifier = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
    static let text =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let peterLine =
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    static let enochLine =
        "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

    @Test func vectorASignsByteForByte() throws {
        let signer = try NoteSigner(keyString: Self.peterSigner)
        #expect(signer.verifier.keyString == Self.peterVerifier)
        #expect(hex(signer.privateKey.seed) == "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173")
        #expect(
            hex(signer.privateKey.publicKey.rawRepresentation)
                == "1a5cd907143c384c41e830c5bce12aa8817ec5649aaabf2c31388b35b2d744d6")
        #expect(try SignedNote.sign(text: Self.text, with: signer) == Self.text + "\n" + Self.peterLine)
        #expect(signer.keyString == Self.peterSigner)
    }

    @Test func vectorAOpensWithEitherSigner() throws {
        let note = Self.text + "\n" + Self.peterLine + Self.enochLine
        #expect(try SignedNote.open(note, verifiers: [NoteVerifier(Self.peterVerifier)]) == Self.text)
        #expect(try SignedNote.open(note, verifiers: [NoteVerifier(Self.enochVerifier)]) == Self.text)
        #expect(
            try SignedNote.open(note, verifiers: [NoteVerifier(Self.enochVerifier), NoteVerifier(Self.peterVerifier)])
                == Self.text)
    }

    @Test func vectorB() throws {
        let verifier = try NoteVerifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        let note =
            "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
        #expect(try SignedNote.open(note, verifiers: [verifier]) == "This is an example message.\n")
    }

    @Test func rejectsChangedTextUnknownKeysAndBadSignatures() throws {
        let peter = try NoteVerifier(Self.peterVerifier)
        let enoch = try NoteVerifier(Self.enochVerifier)
        let changed = Self.text.replacingOccurrences(of: "answer", with: "Answer") + "\n" + Self.peterLine
        #expect(throws: NoteError(.badSignature, "")) { try SignedNote.open(changed, verifiers: [peter]) }
        #expect(throws: NoteError(.badSignature, "")) {
            try SignedNote.open(Self.text + "\n" + Self.peterLine, verifiers: [enoch])
        }
        let corrupt = Self.text + "\n" + Self.peterLine.replacingOccurrences(of: "x08go", with: "x08gp")
        #expect(throws: NoteError.self) { try SignedNote.open(corrupt, verifiers: [peter]) }
        #expect(throws: NoteError(.malformed, "")) {
            try SignedNote.open(Self.text + Self.peterLine, verifiers: [peter])
        }
        #expect(throws: NoteError(.malformed, "")) { try SignedNote.open(Self.text + "\n", verifiers: [peter]) }
        #expect(throws: NoteError(.malformed, "")) {
            try SignedNote.open(Self.text + "\n" + Self.peterLine.dropLast(), verifiers: [peter])
        }
        #expect(throws: NoteError(.malformed, "")) {
            try SignedNote.open("a\u{01}b\n\n" + Self.peterLine, verifiers: [peter])
        }
    }

    // TestNewVerifier: every proper prefix or substring and every single-byte increment is rejected.
    @Test func rejectsEverySubstringAndIncrementOfAVerifierKey() throws {
        let key = Array(Self.peterVerifier.utf8)
        for start in 0..<key.count {
            for end in start...key.count where end - start < key.count {
                let candidate = String(decoding: key[start..<end], as: UTF8.self)
                #expect(throws: NoteError.self, "substring \(start)..<\(end)") { try NoteVerifier(candidate) }
            }
        }
        for position in key.indices {
            var changed = key
            changed[position] &+= 1
            let candidate = String(decoding: changed, as: UTF8.self)
            #expect(throws: NoteError.self, "increment at \(position)") { try NoteVerifier(candidate) }
        }
        #expect(throws: NoteError.self) { try NoteVerifier("PeterNeumann+cc469956+AXBADKEY==") }
        #expect(throws: NoteError.self) {
            try NoteVerifier("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        }
    }

    @Test func realWorldGoChecksumDatabaseKeyParses() throws {
        let verifier = try NoteVerifier("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
        #expect(verifier.name == "sum.golang.org")
    }

    @Test func checkpointsParseStrictly() throws {
        let root = MerkleHasher().leafHash(Array("hello world".utf8))
        let checkpoint = Checkpoint(origin: "example.com/log", size: 123_456_789_012, root: root)
        #expect(try Checkpoint(text: checkpoint.text) == checkpoint)
        #expect(checkpoint.text == "example.com/log\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n")
        #expect(try Checkpoint(text: checkpoint.text + "extension\n").size == 123_456_789_012)
        for bad in [
            "example.com/log\n0123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "example.com/log\n0xab\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "example.com/log\n12\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40Hmuw\n",
            "example.com/log\n12\n",
            "\n12\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "example.com/log\n0\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
        ] {
            #expect(throws: NoteError.self, "\(bad)") { try Checkpoint(text: bad) }
        }
    }

    @Test func tlogProofRoundTripsAndRejectsMalformedFiles() throws {
        let signer = try NoteSigner(keyString: Self.peterSigner)
        let hasher = MerkleHasher()
        let entries: [[UInt8]] = (0..<5).map { Array("entry \($0)".utf8) }
        let tree = InMemoryTree(leafHashes: entries.map { hasher.leafHash($0) })
        let note = try SignedNote.sign(
            text: Checkpoint(origin: "PeterNeumann", size: 5, root: tree.root).text, with: signer)
        let proof = TLogProof(
            index: 3, hashes: try MerkleProofGenerator(source: tree).inclusionProof(index: 3, size: 5),
            checkpoint: note, extra: [1, 2])
        let parsed = try TLogProof(text: proof.text)
        #expect(parsed == proof)
        #expect(try parsed.verify(entry: entries[3], verifier: signer.verifier).size == 5)
        #expect(throws: NoteError.self) { try parsed.verify(entry: entries[2], verifier: signer.verifier) }
        #expect(throws: NoteError.self) {
            try TLogProof(text: proof.text.replacingOccurrences(of: "index 3", with: "index 03"))
        }
        #expect(throws: NoteError.self) {
            try TLogProof(
                text: proof.text.replacingOccurrences(of: "c2sp.org/tlog-proof@v1", with: "c2sp.org/tlog-proof@v2"))
        }
        #expect(throws: NoteError.self) { try TLogProof(text: String(proof.text.prefix(60))) }
    }
}
