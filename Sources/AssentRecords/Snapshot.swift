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

    init(members: [SnapshotMember], shards: Int) {
        self.members = members
        let hasher = MerkleHasher()
        let leaves = members.map { hasher.leafHash($0.leaf) }
        root = MemoryMerkleTree(leafHashes: leaves).root
        var perShard = [[[UInt8]]](repeating: [], count: shards)
        for (member, leaf) in zip(members, leaves) { perShard[member.shard].append(leaf) }
        shardRoots = perShard.map { MemoryMerkleTree(leafHashes: $0).root }
        shardCounts = perShard.map(\.count)
    }
}
