/// A C2SP tlog-checkpoint body: origin, tree size and root hash, one a line.
public struct Checkpoint: Sendable, Equatable {
    /// The log's origin line.
    public let origin: String
    /// The number of entries.
    public let size: UInt64
    /// The RFC 6962 root hash of the first `size` entries.
    public let root: [UInt8]

    /// A checkpoint for `size` entries with `root`.
    public init(origin: String, size: UInt64, root: [UInt8]) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The note text: `origin\nsize\nbase64(root)\n`.
    public var text: String { "\(origin)\n\(size)\n\(Base64.encode(root))\n" }

    /// Parses a checkpoint body strictly: a decimal size without leading zeros, a 32-byte root.
    /// Extension lines after the root are allowed and ignored.
    /// - Throws: ``NoteError`` with code `malformed`.
    public init(text: String) throws(NoteError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "", !lines[0].isEmpty else {
            throw NoteError(.malformed, "a checkpoint has an origin, a size and a root hash line")
        }
        guard let size = UInt64(lines[1]), String(size) == lines[1] else {
            throw NoteError(.malformed, "invalid checkpoint size \"\(lines[1])\"")
        }
        guard let root = Base64.decode(lines[2]), root.count == 32 else {
            throw NoteError(.malformed, "the checkpoint root is not base64 of 32 bytes")
        }
        if size == 0 && root != MerkleHasher.emptyRoot {
            throw NoteError(.malformed, "a checkpoint of size 0 must carry SHA-256 of the empty string")
        }
        self.origin = String(lines[0])
        self.size = size
        self.root = root
    }

    /// Opens a signed checkpoint note with `verifier` and parses its body.
    ///
    /// The origin must equal the verifier's key name, so a checkpoint of another log is refused.
    /// - Throws: ``NoteError``.
    public static func open(_ note: String, verifier: NoteVerifier) throws(NoteError) -> Checkpoint {
        let text = try SignedNote.open(note, verifiers: [verifier])
        let checkpoint = try Checkpoint(text: text)
        guard checkpoint.origin == verifier.name else {
            throw NoteError(
                .badSignature, "the checkpoint is for origin \"\(checkpoint.origin)\", not \"\(verifier.name)\"")
        }
        return checkpoint
    }
}
