/// One stored row of the tree: 256 consecutive hashes of one stratum and every complete subtree above them.
///
/// Stratum `s` holds the hashes of binary levels 8s…8s+7. Tile `index` of stratum `s` covers the
/// level-8s hashes [256·index, 256·index + 256). Its slots hold level 8s (256 hashes), then
/// level 8s+1 (128), … level 8s+7 (2): 510 slots of 32 bytes, zero where not yet complete. The hash of a
/// full tile is the next stratum's level-0 hash. So any perfect subtree is one slot of one row, and an
/// inclusion proof in a tree of a million entries reads three rows.
struct TreeTile {
    /// Hashes per tile at the tile's base level.
    static let width = 256
    /// Slots per tile: 256 + 128 + … + 2.
    static let slotCount = 510
    /// Bytes per stored tile.
    static let byteCount = slotCount * 32

    /// The stratum (binary levels 8·stratum … 8·stratum+7).
    let stratum: Int
    /// The tile's index within its stratum.
    let index: UInt64
    /// How many base-level hashes are present (1…256).
    var filled: Int
    /// The 510 slots, 32 bytes each.
    var slots: [UInt8]

    /// A new, empty tile.
    init(stratum: Int, index: UInt64) {
        self.stratum = stratum
        self.index = index
        self.filled = 0
        self.slots = [UInt8](repeating: 0, count: Self.byteCount)
    }

    /// A tile read back from storage.
    init(stratum: Int, index: UInt64, filled: Int, slots: [UInt8]) {
        self.stratum = stratum
        self.index = index
        self.filled = filled
        self.slots = slots
    }

    /// The first slot of local level `level` (0…7).
    static func levelOffset(_ level: Int) -> Int { 512 - (512 >> level) }

    /// The slot number holding local level `level`, position `position` within the tile.
    static func slot(level: Int, position: Int) -> Int { levelOffset(level) + position }

    /// Where the subtree at binary `level` and `index` is stored: (stratum, tile index, slot).
    static func location(level: Int, index: UInt64) -> (stratum: Int, tile: UInt64, slot: Int) {
        let stratum = level / 8
        let local = level % 8
        let tile = index >> UInt64(8 - local)
        let position = Int(index & UInt64((256 >> local) - 1))
        return (stratum, tile, slot(level: local, position: position))
    }

    /// The 32 bytes of slot `slot`.
    func hash(slot: Int) -> [UInt8] { Array(slots[slot * 32..<(slot + 1) * 32]) }

    /// Appends a base-level hash and fills every subtree slot it completes.
    /// - Returns: the tile's own hash when this append filled it, else nil.
    mutating func append(_ newHash: [UInt8], hasher: MerkleHasher) -> [UInt8]? {
        precondition(filled < Self.width && newHash.count == 32)
        var position = filled
        slots.withUnsafeMutableBytes { raw in
            raw.baseAddress!.advanced(by: position * 32).copyMemory(from: newHash, byteCount: 32)
            var level = 0
            while level < 7 && position & 1 == 1 {
                let left = UnsafeRawBufferPointer(
                    rebasing: raw[(Self.slot(level: level, position: position - 1) * 32)...].prefix(32))
                let right = UnsafeRawBufferPointer(
                    rebasing: raw[(Self.slot(level: level, position: position) * 32)...].prefix(32))
                position >>= 1
                level += 1
                let outputStart = Self.slot(level: level, position: position) * 32
                let output = UnsafeMutableRawBufferPointer(rebasing: raw[outputStart..<outputStart + 32])
                hasher.nodeHash(left: left, right: right, into: output)
            }
        }
        filled += 1
        guard filled == Self.width else { return nil }
        return hasher.nodeHash(
            hash(slot: Self.slot(level: 7, position: 0)), hash(slot: Self.slot(level: 7, position: 1)))
    }
}
