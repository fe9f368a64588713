/// A source of perfect-subtree hashes: the hash at `level` (a subtree of 2^level leaves) and `index`.
public protocol SubtreeHashSource {
    /// Returns the hash of leaves [index·2^level, (index+1)·2^level), which must be complete.
    /// - Throws: when the storage behind it fails or the subtree is not stored.
    func hash(level: Int, index: UInt64) throws -> [UInt8]
}

/// RFC 6962 §2.1 proof generation from stored subtree hashes, in O(log n) lookups.
///
/// Every proof element is `MTH(D[a:b])`; a range is split into at most log n perfect subtrees,
/// each read from the ``SubtreeHashSource``, and folded from the right. Nothing is rehashed from leaves.
public struct MerkleProofGenerator<Source: SubtreeHashSource> {
    /// Where the subtree hashes come from.
    public let source: Source
    private let hasher = MerkleHasher()

    /// Creates a generator over `source`.
    public init(source: Source) { self.source = source }

    /// `MTH(D[begin:end])`, the hash of a range of leaves, from stored perfect subtrees.
    public func rangeHash(begin: UInt64, end: UInt64) throws -> [UInt8] {
        precondition(begin <= end)
        if begin == end { return MerkleHasher.emptyRoot }
        var parts: [[UInt8]] = []
        var position = begin
        while position < end {
            var level = position == 0 ? 63 : position.trailingZeroBitCount
            while level > 0 && (UInt64(1) << UInt64(level)) > end - position { level -= 1 }
            parts.append(try source.hash(level: level, index: position >> UInt64(level)))
            position += UInt64(1) << UInt64(level)
        }
        var result = parts.removeLast()
        while let left = parts.popLast() { result = hasher.nodeHash(left, result) }
        return result
    }

    /// The root of the tree of the first `size` leaves.
    public func root(size: UInt64) throws -> [UInt8] { try rangeHash(begin: 0, end: size) }

    /// The audit path for leaf `index` in the tree of `size` leaves, leaf sibling first.
    public func inclusionProof(index: UInt64, size: UInt64) throws -> [[UInt8]] {
        precondition(index < size)
        var proof: [[UInt8]] = []
        var low: UInt64 = 0
        var high = size
        while high - low > 1 {
            let split = TreeMath.splitPoint(high - low)
            if index - low < split {
                proof.append(try rangeHash(begin: low + split, end: high))
                high = low + split
            } else {
                proof.append(try rangeHash(begin: low, end: low + split))
                low += split
            }
        }
        return proof.reversed()
    }

    /// The consistency proof from the tree of `oldSize` leaves to the tree of `newSize` (0 < old ≤ new).
    public func consistencyProof(oldSize: UInt64, newSize: UInt64) throws -> [[UInt8]] {
        precondition(oldSize > 0 && oldSize <= newSize)
        if oldSize == newSize { return [] }
        var upper: [[UInt8]] = []
        var m = oldSize
        var low: UInt64 = 0
        var high = newSize
        var isWholeOldTree = true
        while m != high - low {
            let split = TreeMath.splitPoint(high - low)
            if m <= split {
                upper.append(try rangeHash(begin: low + split, end: high))
                high = low + split
            } else {
                upper.append(try rangeHash(begin: low, end: low + split))
                m -= split
                low += split
                isWholeOldTree = false
            }
        }
        var proof: [[UInt8]] = isWholeOldTree ? [] : [try rangeHash(begin: low, end: high)]
        proof.append(contentsOf: upper.reversed())
        return proof
    }
}
