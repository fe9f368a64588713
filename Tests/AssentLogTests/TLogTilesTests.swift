import Foundation
import Testing

@testable import AssentLog

/// The C2SP tlog-tiles layout and export. Vectors from c2sp.org/tlog-tiles (the path of 1234067, the
/// partial widths of a tree of 70,000) and Go sumdb/tlog's path tests without the height; the export
/// is checked against tlog-scales' reader and writer by Tools/checks/tlog_tiles.py.
@Suite struct TLogTilesTests {
    @Test func pathsFollowTheSpecification() {
        #expect(TLogTiles.Tile(level: 0, index: 1_234_067, width: 256).path == "tile/0/x001/x234/067")
        #expect(TLogTiles.Tile(level: 0, index: 5, width: 256).path == "tile/0/005")
        #expect(TLogTiles.Tile(level: 0, index: 1, width: 5).path == "tile/0/001.p/5")
        #expect(TLogTiles.Tile(level: 5, index: 123_456_078, width: 256).path == "tile/5/x123/x456/078")
        #expect(TLogTiles.Tile(level: nil, index: 3_057_500, width: 2).path == "tile/entries/x003/x057/500.p/2")
        #expect(TLogTiles.Tile(level: 1, index: 1000, width: 256).path == "tile/1/x001/000")
    }

    @Test(arguments: [
        "tile/0/x001/x234/067", "tile/0/005", "tile/0/001.p/5", "tile/5/x123/x456/078",
        "tile/entries/x003/x057/500.p/2", "tile/63/000",
    ])
    func validPathsRoundTrip(path: String) {
        #expect(TLogTiles.parse(path)?.path == path)
    }

    @Test(arguments: [
        "tile/3/5/123/456/078", "tile/0/123/456/078", "tile/-1/000", "tile/64/000", "tile/0/x000/001",
        "tile/0/5", "tile/0/0005", "tile/0/001.p/0", "tile/0/001.p/256", "tile/0/001.p/05", "tile/0/001.p",
        "tile/data/000", "tiles/0/000", "tile/0/", "tile/00/000", "tile/0/00a", "tile/0/x1/000",
        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
    ])
    func malformedPathsAreRefused(path: String) {
        #expect(TLogTiles.parse(path) == nil)
    }

    @Test func aTreeOf70000HasThePartialWidthsOfTheSpecification() {
        let tiles = TLogTiles.tiles(size: 70_000)
        let partial = { (level: Int?) in tiles.filter { $0.level == level && !$0.isFull }.map(\.width) }
        #expect(tiles.filter { $0.level == 0 && $0.isFull }.count == 273)
        #expect(partial(0) == [112] && partial(1) == [17] && partial(2) == [1] && partial(nil) == [112])
        #expect(tiles.filter { $0.level == 1 && $0.isFull }.count == 1)
        #expect(!tiles.contains { ($0.level ?? 0) > 2 })
        #expect(TLogTiles.tiles(size: 0).isEmpty)
        #expect(TLogTiles.tiles(size: 256).map(\.path) == ["tile/0/000", "tile/entries/000", "tile/1/000.p/1"])
        for tile in tiles { #expect(TLogTiles.contains(tile, size: 70_000)) }
        #expect(TLogTiles.contains(TLogTiles.Tile(level: 0, index: 273, width: 111), size: 70_000))
        #expect(!TLogTiles.contains(TLogTiles.Tile(level: 0, index: 273, width: 113), size: 70_000))
        #expect(TLogTiles.contains(TLogTiles.Tile(level: 0, index: 272, width: 5), size: 70_000))
        #expect(!TLogTiles.contains(TLogTiles.Tile(level: 0, index: 274, width: 256), size: 70_000))
    }

    @Test func tilesHoldTheLeafHashesAndBundlesTheEntries() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger.create(at: folder, origin: "example.org/tiles")
        let entries = try ledger.appendNotes(
            (0..<300).map { ("note", JSONObject([("text", .string("note \($0)"))])) })
        let level0 = try ledger.tileContents(TLogTiles.Tile(level: 0, index: 1, width: 44), size: 300)
        #expect(level0 == Array(entries[256..<300].flatMap(\.leafHash)))
        let bundle = try ledger.tileContents(TLogTiles.Tile(level: nil, index: 0, width: 256), size: 300)
        var expected: [UInt8] = []
        for entry in entries[0..<256] {
            expected += [UInt8(entry.bytes.count >> 8), UInt8(entry.bytes.count & 0xFF)] + entry.bytes
        }
        #expect(bundle == expected)
        let level1 = try ledger.tileContents(TLogTiles.Tile(level: 1, index: 0, width: 1), size: 300)
        #expect(level1 == referenceRoot(entries[0..<256].map(\.leafHash)[...]))
        // An earlier checkpoint's right edge is the prefix of today's.
        #expect(
            try ledger.tileContents(TLogTiles.Tile(level: 0, index: 1, width: 43), size: 300)
                == Array(entries[256..<299].flatMap(\.leafHash)))
        #expect(throws: LedgerError.self) {
            try ledger.tileContents(TLogTiles.Tile(level: 0, index: 1, width: 45), size: 300)
        }
    }

    @Test func anExportIsRefusedByALogOfAnotherKeyOrAnEarlierSize() throws {
        let scratch = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let ledger = try Ledger.create(at: scratch.appendingPathComponent("a"), origin: "example.org/a")
        _ = try ledger.appendNotes([("note", JSONObject([("text", .string("one"))]))])
        let out = scratch.appendingPathComponent("out")
        let first = try ledger.exportTiles(to: out)
        #expect(first.size == 1 && first.written == 2 && first.kept == 0)
        let again = try ledger.exportTiles(to: out)
        #expect(again.written == 0 && again.kept == 2)

        let other = try Ledger.create(at: scratch.appendingPathComponent("b"), origin: "example.org/b")
        let checkpoint = try String(contentsOf: out.appendingPathComponent("checkpoint"), encoding: .utf8)
        #expect(throws: LedgerError.self) { try other.exportTiles(to: out) }
        #expect(try String(contentsOf: out.appendingPathComponent("checkpoint"), encoding: .utf8) == checkpoint)

        // A copy of the ledger taken before the export is behind the folder: refused, not rolled back.
        let copy = scratch.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: ledger.paths.folder, to: copy)
        _ = try ledger.appendNotes([("note", JSONObject([("text", .string("two"))]))])
        try ledger.exportTiles(to: out)
        #expect(throws: LedgerError.self) { try Ledger(opening: copy).exportTiles(to: out) }
    }
}
