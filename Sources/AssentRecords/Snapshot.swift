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

    /// Hashes the leaves and computes the roots; the whole tree and the shard trees are reduced on two
    /// threads, which changes nothing in the result.
    init(members: [SnapshotMember], shards: Int) {
        self.members = members
        let leaves = Self.flatLeafHashes(members)
        var perShard = [[UInt8]](repeating: [], count: shards)
        for (offset, member) in members.enumerated() {
            perShard[member.shard].append(contentsOf: leaves[offset * 32..<offset * 32 + 32])
        }
        let shardLeaves = perShard
        let results = ResultSlots(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let hasher = MerkleHasher()
            if part == 0 {
                results.set(0, [hasher.root(ofFlatLeafHashes: leaves)])
            } else {
                results.set(1, shardLeaves.map { hasher.root(ofFlatLeafHashes: $0) })
            }
        }
        root = results.value(0)[0]
        shardRoots = results.value(1)
        shardCounts = shardLeaves.map { $0.count / 32 }
    }

    /// Every member's leaf hash, 32 bytes each, concatenated in member order; two threads each hash half.
    static func flatLeafHashes(_ members: [SnapshotMember]) -> [UInt8] {
        var flat = [UInt8](repeating: 0, count: members.count * 32)
        let half = members.count / 2
        flat.withUnsafeMutableBytes { buffer in
            let output = SendableBuffer(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                let hasher = MerkleHasher()
                for index in (part == 0 ? 0..<half : half..<members.count) {
                    members[index].leaf.withUnsafeBytes { hasher.leafHash($0, into: output.base + index * 32) }
                }
            }
        }
        return flat
    }
}

/// A raw pointer handed to worker threads that write disjoint ranges of it.
private struct SendableBuffer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
}

/// One result slot per worker thread, each written by exactly one worker before `concurrentPerform` returns.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [[[UInt8]]]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ index: Int, _ value: [[UInt8]]) { lock.withLock { slots[index] = value } }

    func value(_ index: Int) -> [[UInt8]] { lock.withLock { slots[index] } }
}
