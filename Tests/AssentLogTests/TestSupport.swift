@testable import AssentLog
import Foundation

func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
func unhex(_ text: String) -> [UInt8] { Hex.decode(text)! }

typealias InMemoryTree = MemoryMerkleTree

/// The Merkle Tree Hash of the given leaf hashes, computed directly from RFC 6962's recursive
/// definition, as the reference.
func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
    let hasher = MerkleHasher()
    if leaves.isEmpty { return MerkleHasher.emptyRoot }
    if leaves.count == 1 { return leaves.first! }
    var split = 1
    while split * 2 < leaves.count { split *= 2 }
    let start = leaves.startIndex
    return hasher.nodeHash(referenceRoot(leaves[start..<start + split]), referenceRoot(leaves[(start + split)...]))
}

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("assent-test-\(UUID().uuidString)")
    return url
}
