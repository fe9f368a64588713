/// The C2SP tlog-tiles layout (c2sp.org/tlog-tiles): which tiles a tree of a given size has, and their
/// paths.
///
/// Hash `i` of tile `n` at level `l` is the root of the `256^l` entries starting at `(256n + i)·256^l`.
/// A tree of size `s` has `⌊s / 256^l⌋` such hashes at level `l`: full tiles of 256, then one partial
/// tile of the remainder (never an empty one). Entry bundles follow the level-0 tiles: the same indices
/// and widths, each entry written as a big-endian `uint16` length and its bytes.
public enum TLogTiles {
    /// Hashes (or entries) in a full tile.
    public static let width = 256

    /// One tile of a tree: its level (nil for an entry bundle), index and width (1…256).
    public struct Tile: Sendable, Equatable, Hashable {
        /// The level, 0…63, or nil for the entry bundle of level-0 tile `index`.
        public let level: Int?
        /// The tile's index within its level.
        public let index: UInt64
        /// How many hashes (or entries) it holds; 256 for a full tile.
        public let width: Int

        /// A tile at `level` (nil: entry bundle), `index`, of `width` hashes or entries.
        public init(level: Int?, index: UInt64, width: Int) {
            self.level = level
            self.index = index
            self.width = width
        }

        /// Whether the tile is full, and so never changes.
        public var isFull: Bool { width == TLogTiles.width }

        /// The tile's path under the log's prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`,
        /// with `N` in 3-digit groups, every group but the last prefixed with `x`.
        public var path: String {
            var groups = [Self.format(index % 1000)]
            var rest = index / 1000
            while rest > 0 {
                groups.insert("x" + Self.format(rest % 1000), at: 0)
                rest /= 1000
            }
            let name = groups.joined(separator: "/") + (isFull ? "" : ".p/\(width)")
            return "tile/\(level.map(String.init) ?? "entries")/\(name)"
        }

        private static func format(_ group: UInt64) -> String {
            let digits = String(group)
            return String(repeating: "0", count: 3 - digits.count) + digits
        }
    }

    /// The tiles and entry bundles of a tree of `size` entries, lowest level first.
    public static func tiles(size: UInt64) -> [Tile] {
        var tiles: [Tile] = []
        var count = size
        var level = 0
        while count > 0 {
            let full = count / UInt64(width)
            let partial = Int(count % UInt64(width))
            for index in 0..<full { tiles.append(Tile(level: level, index: index, width: width)) }
            if partial > 0 { tiles.append(Tile(level: level, index: full, width: partial)) }
            if level == 0 {
                for index in 0..<full { tiles.append(Tile(level: nil, index: index, width: width)) }
                if partial > 0 { tiles.append(Tile(level: nil, index: full, width: partial)) }
            }
            count = full
            level += 1
        }
        return tiles
    }

    /// Whether a tree of `size` entries holds every hash (or entry) of `tile`: a full tile within its
    /// level, or a partial one no wider than what that index holds, which includes the right edge of
    /// every earlier checkpoint (a reader of an older checkpoint still gets the tiles it names).
    public static func contains(_ tile: Tile, size: UInt64) -> Bool {
        guard (1...width).contains(tile.width), (tile.level ?? 0) < 64 else { return false }
        var count = size
        for _ in 0..<(tile.level ?? 0) { count /= UInt64(width) }
        let (start, overflow) = tile.index.multipliedReportingOverflow(by: UInt64(width))
        return !overflow && start < count && count - start >= UInt64(tile.width)
    }

    /// Parses a tile path as ``Tile/path`` writes it, strictly: anything else (missing `x` prefixes,
    /// leading zero groups, a width of 0 or 256 after `.p/`, a level past 63) is nil.
    public static func parse(_ path: String) -> Tile? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "tile" else { return nil }
        let level: Int?
        if parts[1] == "entries" {
            level = nil
        } else {
            guard let number = Int(parts[1]), String(number) == parts[1], (0..<64).contains(number) else {
                return nil
            }
            level = number
        }
        parts.removeFirst(2)
        var width = Self.width
        if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
            guard let partial = Int(parts[parts.count - 1]), String(partial) == parts[parts.count - 1],
                (1..<Self.width).contains(partial)
            else { return nil }
            width = partial
            parts.removeLast()
            parts[parts.count - 1].removeLast(2)
        }
        var index: UInt64 = 0
        for (position, group) in parts.enumerated() {
            let isLast = position == parts.count - 1
            let digits = isLast ? Substring(group) : group.dropFirst()
            guard isLast || group.hasPrefix("x"), digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = UInt64(digits)
            else { return nil }
            let (scaled, overflow) = index.multipliedReportingOverflow(by: 1000)
            guard !overflow else { return nil }
            index = scaled + value
        }
        let tile = Tile(level: level, index: index, width: width)
        return tile.path == path ? tile : nil
    }
}
