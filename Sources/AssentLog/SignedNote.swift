internal import Foundation
internal import AssentCrypto

/// A C2SP signed note: text lines, a blank line, then one or more signature lines.
///
/// ```
/// <text, each line ending in "\n">
/// "\n"
/// "— " <key name> " " base64(key ID[4] ‖ signature) "\n"
/// ```
public struct SignedNote: Sendable, Equatable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        /// The key name on the line.
        public let name: String
        /// The key ID, the first four bytes of the decoded payload.
        public let keyID: UInt32
        /// The signature bytes after the key ID.
        public let signature: [UInt8]
    }

    /// The signed text, including its final newline.
    public let text: String
    /// The signatures, in order.
    public let signatures: [Signature]

    /// Signs `text` (which must end in a newline) with `signer`, returning the whole note.
    /// - Throws: ``NoteError`` when the text is not valid note text.
    public static func sign(text: String, with signer: NoteSigner) throws -> String {
        try checkText(text)
        let signature = try signer.privateKey.signature(for: Array(text.utf8))
        let id = signer.verifier.keyID
        let payload = [UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)] + signature
        return text + "\n— \(signer.name) \(Base64.encode(payload))\n"
    }

    /// Parses a note without checking any signature.
    /// - Throws: ``NoteError`` with code `malformed`.
    public init(parsing note: String) throws(NoteError) {
        guard note.utf8.allSatisfy({ $0 >= 0x20 || $0 == 0x0A }) else {
            throw NoteError(.malformed, "a note may not hold control characters other than newline")
        }
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw NoteError(.malformed, "a note needs a blank line between its text and its signatures")
        }
        let text = String(note[..<note.index(after: split.lowerBound)])
        let signatureBlock = note[split.upperBound...]
        guard signatureBlock.hasSuffix("\n") else { throw NoteError(.malformed, "a note must end with a newline") }
        var signatures: [Signature] = []
        for line in signatureBlock.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("— ") else { throw NoteError(.malformed, "a signature line must start with \"— \"") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, NoteKeyID.isValidName(String(fields[0])) else {
                throw NoteError(.malformed, "a signature line reads \"— <name> <base64>\"")
            }
            guard let payload = Base64.decode(fields[1]), payload.count > 4 else {
                throw NoteError(.malformed, "a signature is not valid base64 of at least five bytes")
            }
            let id = payload.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(Signature(name: String(fields[0]), keyID: id, signature: Array(payload.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw NoteError(.malformed, "a note needs at least one signature") }
        guard signatures.count <= 100 else { throw NoteError(.malformed, "a note may carry at most 100 signatures") }
        try Self.checkText(text)
        self.text = text
        self.signatures = signatures
    }

    /// Parses `note` and returns its text if a known key signed it.
    ///
    /// Signatures by unknown keys are ignored; a signature by a known key that fails to verify rejects
    /// the note, as C2SP and Go's `note.Open` require.
    /// - Throws: ``NoteError`` with code `malformed` or `badSignature`.
    public static func open(_ note: String, verifiers: [NoteVerifier]) throws(NoteError) -> String {
        let parsed = try SignedNote(parsing: note)
        var verified = false
        for signature in parsed.signatures {
            guard let verifier = verifiers.first(where: { $0.name == signature.name && $0.keyID == signature.keyID })
            else {
                continue
            }
            guard verifier.publicKey.isValidSignature(signature.signature, for: Array(parsed.text.utf8)) else {
                throw NoteError(.badSignature, "the signature by \(signature.name) does not verify")
            }
            verified = true
        }
        guard verified else {
            let names = verifiers.map(\.name).joined(separator: ", ")
            throw NoteError(.badSignature, "the note carries no signature by a trusted key (\(names))")
        }
        return parsed.text
    }

    private static func checkText(_ text: String) throws(NoteError) {
        guard text.hasSuffix("\n") else { throw NoteError(.malformed, "note text must end with a newline") }
        guard !text.hasPrefix("\n"), !text.isEmpty else { throw NoteError(.malformed, "note text must not be empty") }
    }
}
