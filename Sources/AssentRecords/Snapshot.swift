internal import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentStorage

/// A logged snapshot: the exact consented set at a log height under a policy.
public struct Snapshot: Sendable {
    /// `snap-<seq>`.
    public let id: String
    /// The log index of its entry.
    public let seq: UInt64
    /// H, R, T, T' and K.
    public let parameters: SnapshotParameters
    /// The policy it was cut under.
    public let policy: Policy
    /// The number of members.
    public let count: Int
    /// The RFC 6962 root over the members' leaf bytes.
    public let root: [UInt8]
    /// Each shard's root and member count.
    public let shardRoots: [[UInt8]]
    /// Each shard's member count.
    public let shardCounts: [Int]

    /// The snapshot id for the entry at `seq`.
    public static func id(forSeq seq: UInt64) -> String { "snap-\(seq)" }

    /// Parses `snap-<seq>` (or a bare number).
    public static func seq(fromID id: String) -> UInt64? {
        UInt64(id.hasPrefix("snap-") ? String(id.dropFirst(5)) : id)
    }

    /// The snapshot statement: every field of the entry that a verifier checks.
    public var statement: JSONObject {
        JSONObject([
            ("snapshot", .string(id)), ("base_height", .integer(Int64(parameters.baseHeight))),
            ("revocation_height", .integer(Int64(parameters.revocationHeight))), ("as_of", .string(parameters.asOf)),
            ("evaluated_at", .string(parameters.evaluatedAt)), ("policy", .string(policy.digest)),
            ("policy_name", .string(policy.name)), ("purpose", .string(policy.purpose)),
            ("license_list", .string(SPDXLicenseList.version)), ("count", .integer(Int64(count))),
            ("root", .string("sha256:" + Hex.encode(root))), ("shards", .integer(Int64(parameters.shards))),
            ("shard_roots", .array(shardRoots.map { .string("sha256:" + Hex.encode($0)) })),
            ("shard_counts", .array(shardCounts.map { .integer(Int64($0)) })),
        ])
    }
}

/// Computed snapshot contents before they are logged.
package struct SnapshotContents {
    /// The members in leaf order, as records with their pairs.
    let table: MemberTable
    package let root: [UInt8]
    package let shardRoots: [[UInt8]]
    package let shardCounts: [Int]
    /// The root of each tile of ``SnapshotStore/tileSize`` leaves, 32 bytes each, in tile order.
    let tileHashes: [UInt8]
    /// Shard → the log index of an earlier snapshot whose stored member blob for that shard holds
    /// exactly this shard's members (found equal by their root), so it need not be stored again.
    var storedShards: [Int: UInt64] = [:]

    /// The members as ``SnapshotMember`` values.
    package var members: [SnapshotMember] { table.records.indices.map(table.member) }

    /// Hashes the leaves of `table` (records in leaf order) and computes the roots; the work is spread
    /// over the cores, which changes nothing in the result. A record whose ``MemberRecord/leaf`` is
    /// set takes its leaf hash from `knownLeaves` instead of hashing again, and a shard in
    /// `knownShardRoots` (a shard whose members are those of an earlier snapshot, checked against its
    /// root) keeps that root.
    init(table: MemberTable, shards: Int, knownLeaves: [UInt8] = [], knownShardRoots: [Int: [UInt8]] = [:]) {
        self.table = table
        let leaves = Self.flatLeafHashes(table.records, table: table, known: knownLeaves)
        var shardCounts = [Int](repeating: 0, count: shards)
        for record in table.records { shardCounts[Int(record.shard)] += 1 }
        var perShard = shardCounts.enumerated().map {
            knownShardRoots[$0] == nil ? [UInt8](repeating: 0, count: $1 * 32) : []
        }
        var filled = [Int](repeating: 0, count: shards)
        leaves.withUnsafeBytes { source in
            for (offset, record) in table.records.enumerated() where knownShardRoots[Int(record.shard)] == nil {
                let shard = Int(record.shard)
                perShard[shard].withUnsafeMutableBytes { target in
                    target.baseAddress!.advanced(by: filled[shard]).copyMemory(
                        from: source.baseAddress! + offset * 32, byteCount: 32)
                }
                filled[shard] += 32
            }
        }
        let shardLeaves = perShard
        // The tiles are complete subtrees of the snapshot's tree (all but the last), so the tree over
        // their roots has the snapshot's root; the proof tiles store the same hashes.
        tileHashes = Self.tileHashes(ofFlatLeafHashes: leaves)
        root = MerkleHasher().root(ofFlatLeafHashes: tileHashes)
        shardRoots = Parallel.map(parts: shards) { shard in
            knownShardRoots[shard] ?? MerkleHasher().root(ofFlatLeafHashes: shardLeaves[shard])
        }
        self.shardCounts = shardCounts
    }

    /// Every record's leaf hash, 32 bytes each, concatenated in record order, computed on every core;
    /// a record whose ``MemberRecord/leaf`` is set copies its hash from `known` instead.
    static func flatLeafHashes(_ records: [MemberRecord], table: MemberTable, known: [UInt8] = []) -> [UInt8] {
        let size = table.maximumLeafSize
        let parts = Parallel.map(parts: Parallel.width) { part in
            let range = Parallel.ranges(records.count, parts: Parallel.width)[part]
            var flat = [UInt8](repeating: 0, count: range.count * 32)
            let hasher = MerkleHasher()
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { leaf in
                flat.withUnsafeMutableBytes { output in
                    known.withUnsafeBytes { known in
                        for (offset, index) in range.enumerated() {
                            let record = records[index]
                            if record.leaf != MemberRecord.noLeaf {
                                precondition(Int(record.leaf) < known.count / 32, "a known leaf hash is missing")
                                (output.baseAddress! + offset * 32).copyMemory(
                                    from: known.baseAddress! + Int(record.leaf) * 32, byteCount: 32)
                                continue
                            }
                            let count = table.writeLeaf(record, into: leaf.baseAddress!)
                            hasher.leafHash(
                                UnsafeRawBufferPointer(start: leaf.baseAddress!, count: count),
                                into: output.baseAddress! + offset * 32)
                        }
                    }
                }
            }
            return flat
        }
        return Self.concatenated(parts)
    }

    /// The RFC 6962 root of each run of ``SnapshotStore/tileSize`` leaf hashes (the last run may be
    /// shorter), concatenated.
    static func tileHashes(ofFlatLeafHashes leaves: [UInt8]) -> [UInt8] {
        let size = SnapshotStore.tileSize * 32
        let tiles = (leaves.count + size - 1) / size
        let parts = Parallel.map(parts: Parallel.width) { part in
            let hasher = MerkleHasher()
            var hashes: [UInt8] = []
            for tile in Parallel.ranges(tiles, parts: Parallel.width)[part] {
                hashes += hasher.root(
                    ofFlatLeafHashes: Array(leaves[tile * size..<min(leaves.count, (tile + 1) * size)]))
            }
            return hashes
        }
        return Self.concatenated(parts)
    }

    /// The parts one after the other, copied once into a buffer of the right size.
    static func concatenated(_ parts: [[UInt8]]) -> [UInt8] {
        var joined: [UInt8] = []
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { joined += part }
        return joined
    }

    /// Every member's leaf hash, 32 bytes each, concatenated in member order.
    static func flatLeafHashes(_ members: [SnapshotMember]) -> [UInt8] {
        let parts = Parallel.map(parts: Parallel.width) { part in
            let range = Parallel.ranges(members.count, parts: Parallel.width)[part]
            var flat = [UInt8](repeating: 0, count: range.count * 32)
            let hasher = MerkleHasher()
            var leaf: [UInt8] = []
            leaf.reserveCapacity(256)
            flat.withUnsafeMutableBytes { output in
                for (offset, index) in range.enumerated() {
                    leaf.removeAll(keepingCapacity: true)
                    members[index].appendLeaf(to: &leaf)
                    leaf.withUnsafeBytes { hasher.leafHash($0, into: output.baseAddress! + offset * 32) }
                }
            }
            return flat
        }
        return Self.concatenated(parts)
    }
}
