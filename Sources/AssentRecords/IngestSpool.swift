internal import Foundation
internal import AssentCrypto
internal import AssentLog

/// The private copies an ingest works from, so that what was validated is exactly what is committed.
///
/// The manifest is copied once (so a pipe such as `/dev/stdin` works, and a manifest edited during the
/// run changes nothing), and each sample file is read once, streamed into one content spool while it is
/// hashed. Both live in a ``WorkFolder`` (mode 0700, inside the ledger folder), removed when the ingest ends.
final class IngestSpool {
    /// Where a sample file's bytes were spooled.
    struct Extent {
        let offset: Int
        let length: Int
        let digest: [UInt8]
    }

    private let folder: WorkFolder
    private let contentDescriptor: Int32
    private var contentSize = 0
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private let hasher = SHA256Hasher()

    /// A new, empty spool in the ledger's scratch space.
    init(ledger: LedgerPaths) throws {
        folder = try WorkFolder(ledger: ledger, prefix: "ingest")
        contentDescriptor = open(
            folder.url.appendingPathComponent("content").path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard contentDescriptor >= 0 else {
            throw RecordsError(.invalidInput, "cannot create the ingest spool in \(folder.url.path)")
        }
    }

    deinit {
        close(contentDescriptor)
        folder.remove()
    }

    /// Copies the manifest at `url` into the spool and returns the copy.
    /// - Throws: ``RecordsError`` naming the manifest when it cannot be read.
    func copyManifest(_ url: URL) throws -> URL {
        let source = open(url.path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else {
            throw RecordsError(.invalidInput, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(source) }
        let copy = folder.url.appendingPathComponent("manifest")
        let target = open(copy.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard target >= 0 else { throw RecordsError(.invalidInput, "cannot create \(copy.path)") }
        defer { close(target) }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress!, $0.count) }
            guard count >= 0 else {
                throw RecordsError(.invalidInput, "cannot read \(url.path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try writeAll(target, count: count, what: copy.path)
        }
        return copy
    }

    /// Streams the open file `descriptor` (`size` bytes by its `fstat`) into the spool, hashing it.
    /// - Throws: ``SampleFileOpener/Refusal`` when the file cannot be read or its size changed.
    func append(_ descriptor: Int32, size: Int, name: String) throws -> Extent {
        let offset = contentSize
        var length = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            guard count >= 0 else {
                throw SampleFileOpener.Refusal("cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            length += count
            guard length <= size else { throw SampleFileOpener.Refusal("\(name) grew while it was read") }
            buffer.withUnsafeBytes { hasher.update(rawBuffer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            let written = buffer.withUnsafeBytes {
                pwrite(contentDescriptor, $0.baseAddress!, count, off_t(offset + length - count))
            }
            guard written == count else {
                throw SampleFileOpener.Refusal("cannot spool \(name): \(String(cString: strerror(errno)))")
            }
        }
        guard length == size else { throw SampleFileOpener.Refusal("\(name) shrank while it was read") }
        contentSize += length
        return Extent(offset: offset, length: length, digest: hasher.finalize())
    }

    /// Calls `body` with the spooled bytes of `extent`, in pieces of at most 1 MiB, in order.
    func readExtent(_ extent: Extent, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var done = 0
        var piece = [UInt8](repeating: 0, count: min(extent.length, 1 << 20))
        while done < extent.length {
            let want = min(piece.count, extent.length - done)
            let count = piece.withUnsafeMutableBytes {
                pread(contentDescriptor, $0.baseAddress!, want, off_t(extent.offset + done))
            }
            guard count > 0 else { throw RecordsError(.invalidInput, "the ingest spool is truncated") }
            try piece.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            done += count
        }
    }

    private func writeAll(_ target: Int32, count: Int, what: String) throws {
        var done = 0
        while done < count {
            let written = buffer.withUnsafeBytes { write(target, $0.baseAddress! + done, count - done) }
            guard written > 0 else {
                throw RecordsError(.invalidInput, "cannot write \(what): \(String(cString: strerror(errno)))")
            }
            done += written
        }
    }
}
