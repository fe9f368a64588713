internal import Foundation
internal import AssentCrypto
internal import AssentLog

/// The private copies an ingest works from, so that what was validated is exactly what is committed.
///
/// Each sample file is read once, streamed into one content spool while it is hashed; the spill of
/// validated samples sits beside it. Both live in a ``WorkFolder`` (mode 0700, inside the ledger
/// folder), made when first needed and removed when the ingest ends. An ingest that reads no sample
/// files and keeps its spill in memory (a server's, whose requests are bounded) never makes one.
final class IngestSpool {
    /// Where a sample file's bytes were spooled.
    struct Extent {
        let offset: Int
        let length: Int
        let digest: [UInt8]
    }

    private let ledger: LedgerPaths
    /// Whether validated samples stay in memory (see ``ValidatedSpill``) instead of in a file here.
    let keepsSpillInMemory: Bool
    private var folder: WorkFolder?
    private var contentDescriptor: Int32 = -1
    private var contentSize = 0
    private lazy var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private let hasher = SHA256Hasher()

    /// A new, empty spool in the ledger's scratch space; with `inMemory`, the validated samples are
    /// kept in memory: for an ingest whose whole input is already in memory and reads no sample files.
    init(ledger: LedgerPaths, inMemory: Bool = false) {
        self.ledger = ledger
        keepsSpillInMemory = inMemory
    }

    deinit {
        if contentDescriptor >= 0 { close(contentDescriptor) }
        folder?.remove()
    }

    /// The spool's private folder (mode 0700), made on first use and removed with the spool.
    func folderURL() throws -> URL {
        if let folder { return folder.url }
        let made = try WorkFolder(ledger: ledger, prefix: "ingest")
        folder = made
        return made.url
    }

    private func contentFile() throws -> Int32 {
        if contentDescriptor >= 0 { return contentDescriptor }
        let path = try folderURL().appendingPathComponent("content").path
        contentDescriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard contentDescriptor >= 0 else {
            throw RecordsError(.invalidInput, "cannot create the ingest spool \(path)")
        }
        return contentDescriptor
    }

    /// Streams the open file `descriptor` (`size` bytes by its `fstat`) into the spool, hashing it.
    /// - Throws: ``SampleFileOpener/Refusal`` when the file cannot be read or its size changed.
    func append(_ descriptor: Int32, size: Int, name: String) throws -> Extent {
        let contentDescriptor = try contentFile()
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
}
