internal import AssentCrypto
internal import Foundation
internal import AssentLog

/// A 32-byte commitment held as four big-endian words: it orders like its bytes, hashes, and is copied
/// without a heap allocation, so a million of them sort and merge as plain memory.
struct CommitmentKey: Hashable, Comparable, Sendable {
    let w0: UInt64
    let w1: UInt64
    let w2: UInt64
    let w3: UInt64

    /// Reads the first 32 bytes of `bytes` (which must hold at least 32).
    init(_ bytes: UnsafeRawBufferPointer) {
        func word(_ offset: Int) -> UInt64 {
            UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        (w0, w1, w2, w3) = (word(0), word(8), word(16), word(24))
    }

    /// The key of a 32-byte commitment.
    init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a commitment has 32 bytes")
        self = bytes.withUnsafeBytes { CommitmentKey($0) }
    }

    /// The 32 bytes.
    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            write(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = 32
        }
    }

    /// Writes the 32 bytes at `pointer`.
    func write(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// Writes the 64 lowercase hex digits at `pointer`.
    func writeHex(to pointer: UnsafeMutablePointer<UInt8>) {
        Self.hexPairs.withUnsafeBufferPointer { pairs in
            func hex(_ word: UInt64, at start: Int) {
                for byte in 0..<8 {
                    let value = Int(truncatingIfNeeded: word >> UInt64(56 - 8 * byte)) & 0xff
                    pointer[start + 2 * byte] = pairs[2 * value]
                    pointer[start + 2 * byte + 1] = pairs[2 * value + 1]
                }
            }
            hex(w0, at: 0)
            hex(w1, at: 16)
            hex(w2, at: 32)
            hex(w3, at: 48)
        }
    }

    /// The two lowercase hex digits of every byte value, in order.
    private static let hexPairs: [UInt8] = {
        let digits = Array("0123456789abcdef".utf8)
        var pairs: [UInt8] = []
        for value in 0..<256 { pairs += [digits[value >> 4], digits[value & 15]] }
        return pairs
    }()

    static func < (lhs: CommitmentKey, rhs: CommitmentKey) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}

/// Distinct strings (licences, opt-out statuses, consent ids, pseudonyms) numbered in the order first
/// seen, looked up from their raw UTF-8 bytes, so reading a million rows makes one `String` per
/// distinct value rather than one per row.
struct TextTable: Sendable {
    /// The strings, by number.
    private(set) var strings: [String] = []
    /// Every string's UTF-8 bytes, concatenated, and where each starts (one more start than strings).
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Open addressing: a string's number, or -1 for an empty slot; the count is a power of two.
    private var slots = [Int32](repeating: -1, count: 64)
    /// The number found last, checked first: rows often repeat the value of the row before.
    private var last: Int32 = -1

    /// The number of `text`, numbering it if it is new.
    mutating func index(of text: UnsafeRawBufferPointer) -> Int32 {
        if last >= 0 && equals(last, text) { return last }
        let hash = Self.hash(text)
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while slots[slot] >= 0 {
            let candidate = slots[slot]
            if hashes[Int(candidate)] == hash && equals(candidate, text) {
                last = candidate
                return candidate
            }
            slot = (slot + 1) & (slots.count - 1)
        }
        let index = Int32(strings.count)
        strings.append(String(decoding: text, as: UTF8.self))
        bytes.append(contentsOf: text)
        starts.append(bytes.count)
        hashes.append(hash)
        slots[slot] = index
        if strings.count * 2 > slots.count { grow() }
        last = index
        return index
    }

    /// The number of `string`, numbering it if it is new.
    mutating func index(of string: String) -> Int32 {
        var copy = string
        return copy.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }

    /// The string numbered `index`.
    subscript(index: Int32) -> String { strings[Int(index)] }

    private func equals(_ index: Int32, _ text: UnsafeRawBufferPointer) -> Bool {
        let start = starts[Int(index)]
        let count = starts[Int(index) + 1] - start
        guard count == text.count else { return false }
        guard count > 0 else { return true }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress! + start, text.baseAddress!, count) == 0 }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = Int32(index)
        }
    }

    /// FNV-1a over the bytes, with a final mix so that the low bits spread.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash ^ (hash >> 29)
    }
}

/// Sorting by commitment in linear time: commitments are SHA-256 outputs, spread evenly, so items are
/// first placed in buckets by the top 16 bits and each small bucket is then sorted. The order is the
/// one total order of the keys, so the result does not depend on how it was reached.
enum CommitmentSort {
    /// `items` in ascending order of `key`.
    static func sorted<T>(_ items: [T], by key: (T) -> CommitmentKey) -> [T] {
        guard items.count > 64 else { return items.sorted { key($0) < key($1) } }
        var counts = [Int](repeating: 0, count: 65_537)
        for item in items { counts[Int(key(item).w0 >> 48) + 1] += 1 }
        for bucket in 1..<counts.count { counts[bucket] += counts[bucket - 1] }
        let starts = counts
        // Every slot is initialised exactly once: the counts' prefix sums place each item.
        var output = [T](unsafeUninitializedCapacity: items.count) { buffer, initialized in
            for item in items {
                let bucket = Int(key(item).w0 >> 48)
                (buffer.baseAddress! + counts[bucket]).initialize(to: item)
                counts[bucket] += 1
            }
            initialized = items.count
        }
        for bucket in 0..<65_536 where starts[bucket + 1] - starts[bucket] > 1 {
            output[starts[bucket]..<starts[bucket + 1]].sort { key($0) < key($1) }
        }
        return output
    }
}

/// One snapshot member in fixed-size form: its commitment, the number of its (consent, licence) pair
/// in the snapshot's pair list, and its shard.
struct MemberRecord: Sendable {
    let commitment: CommitmentKey
    let pair: UInt32
    var shard: UInt32
    /// Where its leaf hash already stands in a list of known leaf hashes, or ``noLeaf``.
    var leaf: UInt32 = noLeaf

    /// The ``leaf`` of a record whose leaf hash is not known yet.
    static let noLeaf = UInt32.max

    /// The shard of a record whose shard comes from its commitment and is not computed yet.
    static let shardNotComputed = UInt32.max

    /// Computes, on every core, the shard of each record marked ``shardNotComputed``: the first 8
    /// bytes of SHA-256 of its commitment, big-endian, modulo `shards` (as
    /// ``SnapshotEvaluator/shard(subject:commitment:of:)``).
    static func assignShards(_ records: inout [MemberRecord], of shards: Int) {
        let count = records.count
        records.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsharedValue(buffer)
            _ = Parallel.map(parts: Parallel.width) { part in
                let hasher = SHA256Hasher()
                var bytes = [UInt8](repeating: 0, count: 32)
                var digest = [UInt8](repeating: 0, count: 32)
                for index in Parallel.ranges(count, parts: Parallel.width)[part]
                where shared.value[index].shard == shardNotComputed {
                    bytes.withUnsafeMutableBytes { shared.value[index].commitment.write(to: $0.baseAddress!) }
                    bytes.withUnsafeBytes { hasher.update(rawBuffer: $0) }
                    digest.withUnsafeMutableBytes { hasher.finalize(into: $0.baseAddress!) }
                    let prefix = digest.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
                    shared.value[index].shard = UInt32(prefix % UInt64(shards))
                }
                return 0
            }
        }
    }
}

/// A snapshot's members as fixed-size records with their distinct (consent, licence) pairs, the form
/// in which they are cut, merged, hashed and stored (36 bytes each: commitment, pair number
/// little-endian). Each pair's leaf ending is kept as bytes, so a leaf is written without allocating.
struct MemberTable: Sendable {
    /// Bytes of a stored member record.
    static let recordSize = 36

    /// The members.
    var records: [MemberRecord] = []
    /// The distinct (consent, licence) pairs the records number.
    private(set) var pairs: [(consent: String?, license: String)] = []
    /// Each pair's leaf bytes after the commitment's hex: `","consent":…,"license":…}`.
    private(set) var leafEndings: [[UInt8]] = []
    private var pairNumbers: [String: UInt32] = [:]

    /// The number of the pair (`consent`, `license`), numbering it if it is new.
    mutating func pair(consent: String?, license: String) -> UInt32 {
        let key = (consent.map { "c" + $0 } ?? "-") + "\n" + license
        if let known = pairNumbers[key] { return known }
        let number = UInt32(pairs.count)
        pairs.append((consent, license))
        var ending: [UInt8] = []
        SnapshotMember.appendLeafEnding(consent: consent, license: license, to: &ending)
        leafEndings.append(ending)
        pairNumbers[key] = number
        return number
    }

    /// The stored pair list: a JSON array of `[consent or null, licence]`.
    var pairsJSON: [UInt8] {
        CanonicalJSON.encode(
            .array(pairs.map { .array([$0.consent.map(JSONValue.string) ?? .null, .string($0.license)]) }))
    }

    /// The member at `index` as a ``SnapshotMember``.
    func member(_ index: Int) -> SnapshotMember {
        let record = records[index]
        let pair = pairs[Int(record.pair)]
        return SnapshotMember(
            commitment: record.commitment.bytes, consent: pair.consent, license: pair.license, shard: Int(record.shard))
    }

    /// The leaf bytes of `record` written into `buffer` (which must hold ``maximumLeafSize`` bytes);
    /// returns their count.
    func writeLeaf(_ record: MemberRecord, into buffer: UnsafeMutablePointer<UInt8>) -> Int {
        let prefix = SnapshotMember.leafPrefix
        prefix.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: $0.count) }
        record.commitment.writeHex(to: buffer + prefix.count)
        let ending = leafEndings[Int(record.pair)]
        ending.withUnsafeBufferPointer { (buffer + prefix.count + 64).update(from: $0.baseAddress!, count: $0.count) }
        return prefix.count + 64 + ending.count
    }

    /// The largest leaf any pair of this table makes.
    var maximumLeafSize: Int { SnapshotMember.leafPrefix.count + 64 + (leafEndings.map(\.count).max() ?? 0) }

    /// Appends the stored form of `records` (36 bytes each) to `blob`.
    static func encode(_ records: some Collection<MemberRecord>, into blob: inout [UInt8]) {
        let start = blob.count
        blob.append(contentsOf: repeatElement(0, count: records.count * recordSize))
        blob.withUnsafeMutableBytes { bytes in
            var offset = start
            for record in records {
                record.commitment.write(to: bytes.baseAddress! + offset)
                bytes.storeBytes(of: record.pair.littleEndian, toByteOffset: offset + 32, as: UInt32.self)
                offset += recordSize
            }
        }
    }

    /// The records stored in `blob`, each with `shard` and its pair number mapped through `pairMap`.
    /// - Throws: ``RecordsError`` `conflict` for a blob that is not whole records or names an unknown pair.
    static func decode(
        _ blob: UnsafeRawBufferPointer, shard: Int, pairMap: [UInt32], into records: inout [MemberRecord]
    )
        throws
    {
        guard blob.count % recordSize == 0 else {
            throw RecordsError(.conflict, "a stored snapshot member list is damaged; run assent log verify")
        }
        records.reserveCapacity(records.count + blob.count / recordSize)
        for offset in stride(from: 0, to: blob.count, by: recordSize) {
            let pair = Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: offset + 32, as: UInt32.self)))
            guard pair < pairMap.count else {
                throw RecordsError(.conflict, "a stored snapshot member names an unknown pair; run assent log verify")
            }
            records.append(
                MemberRecord(
                    commitment: CommitmentKey(UnsafeRawBufferPointer(rebasing: blob[offset..<offset + 32])),
                    pair: pairMap[pair], shard: UInt32(shard)))
        }
    }
}
