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
    package let members: [SnapshotMember]
    package let root: [UInt8]
    package let shardRoots: [[UInt8]]
    package let shardCounts: [Int]
    /// The root of each tile of ``SnapshotStore/tileSize`` leaves, 32 bytes each, in tile order.
    let tileHashes: [UInt8]

    /// Hashes the leaves and computes the roots; the work is spread over the cores, which changes nothing
    /// in the result.
    init(members: [SnapshotMember], shards: Int) {
        self.members = members
        let leaves = Self.flatLeafHashes(members)
        var perShard = [[UInt8]](repeating: [], count: shards)
        for (offset, member) in members.enumerated() {
            perShard[member.shard].append(contentsOf: leaves[offset * 32..<offset * 32 + 32])
        }
        let shardLeaves = perShard
        // The tiles are complete subtrees of the snapshot's tree (all but the last), so the tree over
        // their roots has the snapshot's root; the proof tiles store the same hashes.
        let roots = Parallel.map(parts: 2) { part in
            let hasher = MerkleHasher()
            return part == 0
                ? [Self.tileHashes(ofFlatLeafHashes: leaves)] : shardLeaves.map { hasher.root(ofFlatLeafHashes: $0) }
        }
        tileHashes = roots[0][0]
        root = MerkleHasher().root(ofFlatLeafHashes: tileHashes)
        shardRoots = roots[1]
        shardCounts = shardLeaves.map { $0.count / 32 }
    }

    /// The RFC 6962 root of each run of ``SnapshotStore/tileSize`` leaf hashes (the last run may be
    /// shorter), concatenated.
    static func tileHashes(ofFlatLeafHashes leaves: [UInt8]) -> [UInt8] {
        let hasher = MerkleHasher()
        let size = SnapshotStore.tileSize * 32
        var hashes: [UInt8] = []
        hashes.reserveCapacity((leaves.count + size - 1) / size * 32)
        for start in stride(from: 0, to: leaves.count, by: size) {
            hashes += hasher.root(ofFlatLeafHashes: Array(leaves[start..<min(leaves.count, start + size)]))
        }
        return hashes
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
        return Array(parts.joined())
    }
}
