internal import Foundation
internal import AssentLog

/// Validated samples kept between ingest's two phases, so that each manifest line is parsed and
/// validated once.
///
/// Phase 1 appends every sample that passed validation (with its content) to a file in the ingest's
/// private work folder; phase 2 reads them back in order. Memory stays bounded by one record however
/// large the manifest is. The file lives and dies with the ``IngestSpool`` that holds sample files.
/// When the spool keeps its spill in memory (an input that was in memory already), the samples are
/// kept as they are.
final class ValidatedSpill {
    private let descriptor: Int32
    private let spool: IngestSpool
    private var pending: [UInt8] = []
    private var written = 0
    private var kept: [ValidatedSample]?

    /// The samples, when they are kept in memory.
    var samplesInMemory: [ValidatedSample]? { kept }

    /// A new, empty spill inside `spool`'s work folder, or in memory if the spool says so.
    init(spool: IngestSpool) throws {
        self.spool = spool
        guard !spool.keepsSpillInMemory else {
            descriptor = -1
            kept = []
            return
        }
        let path = try spool.folderURL().appendingPathComponent("validated").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RecordsError(.invalidInput, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        pending.reserveCapacity(1 << 20)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Appends `sample` (buffered; ``finishWriting()`` flushes).
    func append(_ sample: ValidatedSample) throws {
        if kept != nil { return kept!.append(sample) }
        var record = SpillRecord()
        record.integer(sample.line)
        switch sample.content {
        case .inline(let bytes):
            record.integer(0)
            record.bytes(bytes)
        case .spooled(_, let extent):
            record.integer(1)
            record.integer(extent.offset)
            record.integer(extent.length)
            record.bytes(extent.digest)
        }
        record.bytes(sample.digest)
        record.integer(sample.size)
        for text in [sample.mediaType, sample.licenseDeclared, sample.licenseConcluded, sample.source] {
            record.string(text)
        }
        for text in [sample.attribution, sample.sourceURI, sample.collectedAt, sample.subject, sample.consent] {
            record.optionalString(text)
        }
        record.bytes(CanonicalJSON.encode(.object(sample.optOut)))
        record.bytes(CanonicalJSON.encode(.object(sample.descriptors)))
        record.bytes(sample.metadataDigest)
        withUnsafeBytes(of: UInt64(record.bytes.count).littleEndian) { pending.append(contentsOf: $0) }
        pending.append(contentsOf: record.bytes)
        if pending.count >= 1 << 20 { try flush() }
    }

    /// Writes what is buffered; call once phase 1 is done.
    func finishWriting() throws { try flush() }

    /// Reads the samples back in the order they were appended.
    func makeReader() -> Reader { Reader(spill: self) }

    private func flush() throws {
        var done = 0
        while done < pending.count {
            let count = pending.withUnsafeBytes {
                pwrite(descriptor, $0.baseAddress! + done, $0.count - done, off_t(written + done))
            }
            guard count > 0 else {
                throw RecordsError(.invalidInput, "cannot write the ingest spool: \(String(cString: strerror(errno)))")
            }
            done += count
        }
        written += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads spilled samples sequentially, through a 1 MiB window.
    final class Reader {
        /// Kept alive (with its descriptor and spool) while the reader is.
        private let spill: ValidatedSpill
        private let end: Int
        private var keptPosition = 0
        private var window: [UInt8] = []
        private var windowStart = 0
        private var position = 0

        fileprivate init(spill: ValidatedSpill) {
            self.spill = spill
            end = spill.written
        }

        /// Up to `count` further samples, in order (empty at the end).
        func next(_ count: Int) throws -> [ValidatedSample] {
            var samples: [ValidatedSample] = []
            while samples.count < count, let sample = try next() { samples.append(sample) }
            return samples
        }

        /// The next sample, or nil after the last.
        /// - Throws: ``RecordsError`` if the spill is truncated or unreadable.
        func next() throws -> ValidatedSample? {
            if let kept = spill.kept {
                guard keptPosition < kept.count else { return nil }
                defer { keptPosition += 1 }
                return kept[keptPosition]
            }
            guard position < end else { return nil }
            let length = try read(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            var record = SpillRecord.Cursor(bytes: try read(length))
            return try record.sample(spool: spill.spool)
        }

        private func read(_ count: Int) throws -> ArraySlice<UInt8> {
            if position + count > windowStart + window.count {
                let want = max(count, 1 << 20)
                window = [UInt8](repeating: 0, count: min(want, end - position))
                let got = window.withUnsafeMutableBytes {
                    pread(spill.descriptor, $0.baseAddress!, $0.count, off_t(position))
                }
                guard got == window.count, window.count >= count else {
                    throw RecordsError(.invalidInput, "the ingest spool is truncated")
                }
                windowStart = position
            }
            let start = position - windowStart
            position += count
            return window[start..<start + count]
        }
    }
}

/// One spilled sample's bytes: little-endian integers and length-prefixed byte strings.
private struct SpillRecord {
    var bytes: [UInt8] = []

    mutating func integer(_ value: Int) {
        withUnsafeBytes(of: UInt64(bitPattern: Int64(value)).littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func bytes(_ value: [UInt8]) {
        integer(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { bytes(Array(value.utf8)) }

    mutating func optionalString(_ value: String?) {
        guard let value else { return integer(-1) }
        string(value)
    }

    /// Reads a record written by ``SpillRecord``.
    struct Cursor {
        let bytes: ArraySlice<UInt8>
        var offset: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            offset = bytes.startIndex
        }

        mutating func integer() throws -> Int {
            guard offset + 8 <= bytes.endIndex else { throw RecordsError(.invalidInput, "the ingest spool is damaged") }
            let value = bytes[offset..<offset + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            offset += 8
            return Int(Int64(bitPattern: UInt64(littleEndian: value)))
        }

        mutating func byteString() throws -> ArraySlice<UInt8> {
            let count = try integer()
            guard count >= 0, offset + count <= bytes.endIndex else {
                throw RecordsError(.invalidInput, "the ingest spool is damaged")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func string() throws -> String { String(decoding: try byteString(), as: UTF8.self) }

        mutating func optionalString() throws -> String? {
            let start = offset
            if try integer() == -1 { return nil }
            offset = start
            return try string()
        }

        mutating func sample(spool: IngestSpool) throws -> ValidatedSample {
            let line = try integer()
            let content: ValidatedSample.Content
            if try integer() == 0 {
                content = .inline(Array(try byteString()))
            } else {
                let offset = try integer()
                let length = try integer()
                content = .spooled(
                    spool, IngestSpool.Extent(offset: offset, length: length, digest: Array(try byteString())))
            }
            let digest = Array(try byteString())
            let size = try integer()
            let mediaType = try string()
            let declared = try string()
            let concluded = try string()
            let source = try string()
            let attribution = try optionalString()
            let sourceURI = try optionalString()
            let collectedAt = try optionalString()
            let subject = try optionalString()
            let consent = try optionalString()
            let optOut = try JSONParser.parse(Array(try byteString())).objectValue ?? JSONObject()
            let descriptors = try JSONParser.parse(Array(try byteString())).objectValue ?? JSONObject()
            return ValidatedSample(
                line: line, content: content, digest: digest, size: size, mediaType: mediaType,
                licenseDeclared: declared, licenseConcluded: concluded, deprecatedLicenses: [],
                attribution: attribution, source: source, sourceURI: sourceURI, collectedAt: collectedAt,
                optOut: optOut, subject: subject, consent: consent, descriptors: descriptors,
                metadataDigest: Array(try byteString()))
        }
    }
}
