internal import Foundation
internal import AssentCrypto
internal import AssentLog

/// What a new sample is logged and stored with: a fresh 32-byte nonce, the commitment
/// SHA-256(nonce ‖ content), the attribution digest keyed with the nonce, and where the content goes.
///
/// Sealing does not depend on the ledger, so a chunk's samples are sealed on all cores before its write
/// transaction begins (content small enough to stay inline); content kept in a file is sealed while it
/// is copied, inside the commit.
struct SampleSeal {
    let nonce: [UInt8]
    let commitment: [UInt8]
    let attributionDigest: String?
    /// The content for the vault row, or nil when it went to a content file.
    let inline: [UInt8]?
    /// The content file's path relative to the ledger folder, when the content is too large for a row.
    let file: String?
    /// The new sample's entry fields, encoded while sealing (on the sealing thread), all but `subject`,
    /// which the commit adds; nil if they cannot be encoded (the commit then reports why).
    let entry: EncodedFields?

    /// Seals `sample`, storing content larger than `inlineLimit` in a file below `ledgerFolder`.
    /// - Throws: ``RecordsError`` if the content no longer has the digest it was validated with.
    init(_ sample: ValidatedSample, inlineLimit: Int, ledgerFolder: URL) throws {
        guard sample.size > inlineLimit else {
            try self.init(inline: sample)
            return
        }
        let nonce = SecureRandom.bytes(count: 32)
        let hasher = SHA256Hasher()
        hasher.update(nonce)
        let file = try Self.storeContentFile(sample, hasher: hasher, ledgerFolder: ledgerFolder)
        self.init(sample, nonce: nonce, commitment: hasher.finalize(), inline: nil, file: file)
    }

    /// Seals `sample` with its content kept for the vault row.
    /// - Throws: ``RecordsError`` if the content no longer has the digest it was validated with.
    init(inline sample: ValidatedSample) throws {
        let bytes = try sample.contentBytes()
        guard SHA256.hash(bytes) == sample.digest else {
            throw RecordsError(.invalidInput, "line \(sample.line): the content changed after it was validated")
        }
        let nonce = SecureRandom.bytes(count: 32)
        let hasher = SHA256Hasher()
        hasher.update(nonce)
        hasher.update(bytes)
        self.init(sample, nonce: nonce, commitment: hasher.finalize(), inline: bytes, file: nil)
    }

    private init(_ sample: ValidatedSample, nonce: [UInt8], commitment: [UInt8], inline: [UInt8]?, file: String?) {
        self.nonce = nonce
        self.commitment = commitment
        self.inline = inline
        self.file = file
        let attributionDigest = sample.attribution.map { KeyedDigest.of($0, key: nonce) }
        self.attributionDigest = attributionDigest
        entry = try? EncodedFields(sample.newSampleFields(commitment: commitment, attributionDigest: attributionDigest))
    }

    /// Seals, on all cores, every sample of `samples` whose content is inline and within `inlineLimit`;
    /// the others are nil (sealed in the commit).
    /// - Throws: ``RecordsError`` if some content no longer has the digest it was validated with.
    static func seal(_ samples: [ValidatedSample], inlineLimit: Int) throws -> [SampleSeal?] {
        let parts = min(Parallel.width, max(1, samples.count / 256))
        let ranges = Parallel.ranges(samples.count, parts: parts)
        let shared = UnsharedValue(samples)
        let results = Parallel.map(parts: parts) { part in
            UnsharedValue(
                Result {
                    try shared.value[ranges[part]].map { sample -> SampleSeal? in
                        guard case .inline = sample.content, sample.size <= inlineLimit else { return nil }
                        return try SampleSeal(inline: sample)
                    }
                })
        }
        return try results.flatMap { try $0.value.get() }
    }

    /// Streams large content to `content/<digest hex>` beside the database (mode 0600) before the commit
    /// that references it, feeding `hasher` on the way. It is written to a temporary name and renamed into
    /// place, so a file left by a crashed run is replaced, never trusted.
    private static func storeContentFile(_ sample: ValidatedSample, hasher: SHA256Hasher, ledgerFolder: URL) throws
        -> String
    {
        let folder = ledgerFolder.appendingPathComponent("content")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = Hex.encode(sample.digest)
        let url = folder.appendingPathComponent(name)
        let temporary = folder.appendingPathComponent(".\(name).\(Hex.encode(SecureRandom.bytes(count: 6)))")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RecordsError(.invalidInput, "cannot create \(temporary.path): \(String(cString: strerror(errno)))")
        }
        var isClosed = false
        defer {
            if !isClosed { close(descriptor) }
            unlink(temporary.path)
        }
        let plain = SHA256Hasher()
        try sample.withContent { piece in
            hasher.update(rawBuffer: piece)
            plain.update(rawBuffer: piece)
            var done = 0
            while done < piece.count {
                let written = write(descriptor, piece.baseAddress! + done, piece.count - done)
                guard written > 0 else {
                    throw RecordsError(
                        .invalidInput, "cannot write \(temporary.path): \(String(cString: strerror(errno)))")
                }
                done += written
            }
        }
        guard plain.finalize() == sample.digest else {
            throw RecordsError(.invalidInput, "line \(sample.line): the content changed after it was validated")
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw RecordsError(.invalidInput, "cannot write \(temporary.path): \(String(cString: strerror(errno)))")
        }
        isClosed = true
        guard rename(temporary.path, url.path) == 0 else {
            throw RecordsError(.invalidInput, "cannot store \(url.path): \(String(cString: strerror(errno)))")
        }
        return "content/" + name
    }
}
