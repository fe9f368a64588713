internal import Foundation
public import AssentLog

/// A membership or non-membership proof of one commitment in a snapshot's tree.
///
/// Membership: the leaf holding the commitment and its inclusion proof. Non-membership: inclusion
/// proofs of the leaves at indices i and i+1 with commitment(i) < x < commitment(i+1); at the edges,
/// index 0 with x below it, index n−1 with x above it, or the empty tree.
public enum SnapshotProof {
    /// The format tag.
    public static let format = "assent.snapshot-proof/v1"

    /// Builds the proof for `commitment` over `members` (in leaf order).
    public static func make(snapshot: Snapshot, members: [SnapshotMember], commitment: [UInt8]) throws -> JSONObject {
        let hasher = MerkleHasher()
        let leaves = SnapshotContents.flatLeafHashes(members)
        func leaf(_ index: Int) -> JSONValue {
            .object(
                JSONObject([
                    ("index", .integer(Int64(index))),
                    ("leaf", .string(String(decoding: members[index].leaf, as: UTF8.self))),
                    (
                        "proof",
                        .array(
                            hasher.inclusionProof(index: index, ofFlatLeafHashes: leaves).map {
                                .string(Hex.encode($0))
                            })
                    ),
                ]))
        }
        var object = header(snapshot: snapshot, size: members.count, commitment: commitment)
        let low = insertionPoint(of: commitment, in: members)
        if low < members.count && members[low].commitment == commitment {
            object["member"] = .bool(true)
            object["leaf"] = leaf(low)
            return object
        }
        object["member"] = .bool(false)
        if low > 0 { object["left"] = leaf(low - 1) }
        if low < members.count { object["right"] = leaf(low) }
        return object
    }

    /// The fields every proof of `commitment` in `snapshot` (of `size` members) starts with.
    static func header(snapshot: Snapshot, size: Int, commitment: [UInt8]) -> JSONObject {
        JSONObject([
            ("proof", .string(format)), ("snapshot", .string(snapshot.id)),
            ("root", .string("sha256:" + Hex.encode(snapshot.root))),
            ("size", .integer(Int64(size))), ("commitment", .string("sha256:" + Hex.encode(commitment))),
        ])
    }

    /// The position of the first of `members` (in commitment order) not below `commitment`.
    static func insertionPoint(of commitment: [UInt8], in members: [SnapshotMember]) -> Int {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if members[middle].commitment.lexicographicallyPrecedes(commitment) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// Checks every condition of a proof against a trusted root and size.
    /// - Returns: whether the commitment is a member.
    /// - Throws: ``RecordsError`` naming the condition that failed.
    public static func verify(_ proof: JSONObject, root: [UInt8], size: UInt64) throws -> Bool {
        func fail(_ message: String) -> RecordsError { RecordsError(.invalidInput, "snapshot proof: \(message)") }
        guard proof["proof"]?.stringValue == format else { throw fail("not an \(format) document") }
        guard let commitment = proof["commitment"]?.stringValue.flatMap(RevocationRegistry.parseCommitment) else {
            throw fail("commitment is missing or malformed")
        }
        guard proof["size"]?.integerValue == Int64(size) else {
            throw fail("size \(proof["size"]?.integerValue ?? -1) is not the trusted size \(size)")
        }
        guard proof["root"]?.stringValue == "sha256:" + Hex.encode(root) else {
            throw fail("root is not the trusted root")
        }
        let hasher = MerkleHasher()
        func checkLeaf(_ name: String) throws -> (index: UInt64, commitment: [UInt8])? {
            guard let value = proof[name] else { return nil }
            guard let object = value.objectValue, let index = object["index"]?.integerValue, index >= 0,
                let leafText = object["leaf"]?.stringValue, let hashes = object["proof"]?.arrayValue
            else { throw fail("\(name) needs index, leaf and proof") }
            let path = try hashes.map { item -> [UInt8] in
                guard let hash = item.stringValue.flatMap(Hex.decode), hash.count == 32 else {
                    throw fail("\(name).proof holds a malformed hash")
                }
                return hash
            }
            let bytes = Array(leafText.utf8)
            guard let leaf = try? JSONParser.parse(bytes).objectValue, CanonicalJSON.encode(.object(leaf)) == bytes,
                leaf.keys == ["commitment", "consent", "license"],
                let leafCommitment = leaf["commitment"]?.stringValue.flatMap(RevocationRegistry.parseCommitment)
            else { throw fail("\(name).leaf is not a canonical snapshot leaf") }
            guard
                MerkleVerification.verifyInclusion(
                    index: UInt64(index), size: size, leafHash: hasher.leafHash(bytes), proof: path, root: root)
            else { throw fail("the inclusion proof of \(name) (index \(index)) does not lead to the root") }
            return (UInt64(index), leafCommitment)
        }
        switch proof["member"]?.boolValue {
        case true:
            guard let leaf = try checkLeaf("leaf") else { throw fail("a membership proof needs leaf") }
            guard leaf.commitment == commitment else { throw fail("the proven leaf holds another commitment") }
            return true
        case false:
            let left = try checkLeaf("left")
            let right = try checkLeaf("right")
            switch (left, right) {
            case (nil, nil):
                guard size == 0 else { throw fail("only an empty tree proves absence without neighbours") }
            case (let left?, nil):
                guard left.index == size - 1 else {
                    throw fail("a lone left neighbour must be the last leaf (index \(size - 1))")
                }
                guard left.commitment.lexicographicallyPrecedes(commitment) else {
                    throw fail("the left neighbour is not below the commitment")
                }
            case (nil, let right?):
                guard right.index == 0 else { throw fail("a lone right neighbour must be the first leaf (index 0)") }
                guard commitment.lexicographicallyPrecedes(right.commitment) else {
                    throw fail("the right neighbour is not above the commitment")
                }
            case (let left?, let right?):
                guard right.index == left.index + 1 else {
                    throw fail("the neighbours are not adjacent (indices \(left.index), \(right.index))")
                }
                guard left.commitment.lexicographicallyPrecedes(commitment),
                    commitment.lexicographicallyPrecedes(right.commitment)
                else {
                    throw fail("the commitment does not lie strictly between its neighbours")
                }
            }
            return false
        default:
            throw fail("member must be true or false")
        }
    }
}
