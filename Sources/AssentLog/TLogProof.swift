internal import Foundation

/// A `c2sp.org/tlog-proof@v1` file: an inclusion proof with the signed checkpoint it leads to.
///
/// ```
/// c2sp.org/tlog-proof@v1
/// [extra <base64>]
/// index <decimal>
/// <base64 hash>   (zero or more, leaf sibling first)
///
/// <signed checkpoint, verbatim>
/// ```
public struct TLogProof: Sendable, Equatable {
    /// The format's first line.
    public static let header = "c2sp.org/tlog-proof@v1"

    /// Opaque, unauthenticated extra data.
    public let extra: [UInt8]?
    /// The 0-based index of the entry.
    public let index: UInt64
    /// The inclusion proof hashes.
    public let hashes: [[UInt8]]
    /// The signed checkpoint note, verbatim.
    public let checkpoint: String

    /// A proof for entry `index`.
    public init(index: UInt64, hashes: [[UInt8]], checkpoint: String, extra: [UInt8]? = nil) {
        self.index = index
        self.hashes = hashes
        self.checkpoint = checkpoint
        self.extra = extra
    }

    /// The file's text.
    public var text: String {
        var lines = [Self.header]
        if let extra { lines.append("extra " + Base64.encode(extra)) }
        lines.append("index \(index)")
        lines.append(contentsOf: hashes.map(Base64.encode))
        return lines.joined(separator: "\n") + "\n\n" + checkpoint
    }

    /// Parses a proof file strictly.
    /// - Throws: ``NoteError`` with code `malformed`, naming the line.
    public init(text: String) throws(NoteError) {
        guard let blank = text.range(of: "\n\n") else {
            throw NoteError(.malformed, "a tlog-proof needs a blank line before its checkpoint")
        }
        let head = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard head.first == Substring(Self.header) else {
            throw NoteError(.malformed, "line 1: expected \"\(Self.header)\"")
        }
        var line = 1
        var extra: [UInt8]? = nil
        if line < head.count, head[line].hasPrefix("extra ") {
            guard let bytes = Base64.decode(head[line].dropFirst(6)) else {
                throw NoteError(.malformed, "line 2: extra is not base64")
            }
            extra = bytes
            line += 1
        }
        guard line < head.count, head[line].hasPrefix("index "), let index = UInt64(head[line].dropFirst(6)),
            String(index) == head[line].dropFirst(6)
        else { throw NoteError(.malformed, "line \(line + 1): expected \"index <decimal>\"") }
        var hashes: [[UInt8]] = []
        for offset in (line + 1)..<max(head.count, line + 1) {
            guard let hash = Base64.decode(head[offset]), hash.count == 32 else {
                throw NoteError(.malformed, "line \(offset + 1): not a base64 SHA-256 hash")
            }
            hashes.append(hash)
        }
        guard hashes.count <= 63 else { throw NoteError(.malformed, "a proof holds at most 63 hashes") }
        self.extra = extra
        self.index = index
        self.hashes = hashes
        self.checkpoint = String(text[blank.upperBound...])
    }

    /// Verifies that `entry` is at ``index`` in the log whose checkpoint `verifier` signed.
    /// - Returns: the verified checkpoint.
    /// - Throws: ``NoteError``: `badSignature` for the checkpoint, `malformed` for a failed inclusion proof.
    public func verify(entry: [UInt8], verifier: NoteVerifier) throws(NoteError) -> Checkpoint {
        let checkpoint = try Checkpoint.open(self.checkpoint, verifier: verifier)
        let leaf = MerkleHasher().leafHash(entry)
        guard
            MerkleVerification.verifyInclusion(
                index: index, size: checkpoint.size, leafHash: leaf, proof: hashes, root: checkpoint.root)
        else {
            throw NoteError(
                .malformed,
                "the inclusion proof of entry \(index) does not lead to the checkpoint's root (size \(checkpoint.size))"
            )
        }
        return checkpoint
    }
}
