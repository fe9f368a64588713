public import Foundation
internal import AssentStorage

/// What ``Ledger/exportTiles(to:progress:)`` did.
public struct TileExportReport: Sendable, Equatable {
    /// The size of the checkpoint the export serves.
    public let size: UInt64
    /// Tiles and entry bundles written by this run.
    public let written: Int
    /// Tiles and entry bundles already in the folder from an earlier run.
    public let kept: Int
}

extension Ledger {
    /// The bytes of `tile` in the tree of `size` entries: its hashes, or for an entry bundle its entries,
    /// each after a big-endian `uint16` length.
    /// - Throws: ``LedgerError`` `notFound` when a tree of that size has no such tile (past its right
    ///   edge, or a partial tile of another width), `storage` when the stored tree lacks it.
    public func tileContents(_ tile: TLogTiles.Tile, size: UInt64) throws -> [UInt8] {
        guard TLogTiles.contains(tile, size: size) else {
            throw LedgerError(.notFound, "the tree of size \(size) has no tile \(tile.path)")
        }
        return try database.readTransaction { try tileBytes(tile, reader: TileHashReader(database: database)) }
    }

    /// Writes the log as C2SP tlog-tiles under `folder`, for the latest checkpoint: every tile and
    /// entry bundle, then `checkpoint`, each to a temporary name renamed into place, so a reader never
    /// sees a half-written file or a checkpoint whose tiles are missing. Run again, it writes only what
    /// is new (full tiles never change; a partial tile of a given width never changes either).
    /// - Parameter progress: called with the number of tiles handled and the total.
    /// - Throws: ``LedgerError`` `invalidInput` when `folder` holds another log's checkpoint or a later
    ///   one, `verificationFailed` when its checkpoint is not a prefix of this log, `storage` when a file
    ///   cannot be written.
    @discardableResult
    public func exportTiles(to folder: URL, progress: ((Int, Int) -> Void)? = nil) throws -> TileExportReport {
        try database.readTransaction {
            let (size, note) = try latestCheckpoint()
            let checkpointFile = folder.appendingPathComponent("checkpoint")
            if let existing = try? String(contentsOf: checkpointFile, encoding: .utf8) {
                try checkEarlierExport(existing, in: folder, size: size)
            }
            let tiles = TLogTiles.tiles(size: size)
            let reader = TileHashReader(database: database)
            var written = 0
            for (done, tile) in tiles.enumerated() {
                let url = folder.appendingPathComponent(tile.path)
                if !FileManager.default.fileExists(atPath: url.path) {
                    try Self.writeAtomically(try tileBytes(tile, reader: reader), to: url)
                    written += 1
                }
                if done % 256 == 255 { progress?(done + 1, tiles.count) }
            }
            progress?(tiles.count, tiles.count)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Self.writeAtomically(Array(note.utf8), to: checkpointFile)
            return TileExportReport(size: size, written: written, kept: tiles.count - written)
        }
    }

    /// Refuses a folder whose checkpoint is not an earlier (or the same) checkpoint of this log.
    private func checkEarlierExport(_ note: String, in folder: URL, size: UInt64) throws {
        let earlier: Checkpoint
        do { earlier = try Checkpoint.open(note, verifier: verifier) } catch {
            throw LedgerError(
                .invalidInput,
                "\(folder.path) holds a checkpoint that this log's key did not sign (\(error)): export into an empty folder"
            )
        }
        guard earlier.size <= size else {
            throw LedgerError(
                .invalidInput,
                "\(folder.path) holds a checkpoint of size \(earlier.size), past this log's \(size)")
        }
        guard try root(size: earlier.size) == earlier.root else {
            throw LedgerError(
                .verificationFailed,
                "\(folder.path) holds a checkpoint of size \(earlier.size) whose root differs from this log's: the logs have forked"
            )
        }
    }

    func tileBytes(_ tile: TLogTiles.Tile, reader: TileHashReader) throws -> [UInt8] {
        if let level = tile.level {
            guard let stored = try reader.tile(stratum: level, index: tile.index), stored.filled >= tile.width else {
                throw LedgerError(.storage, "the stored tree lacks tile \(tile.path); run assent log verify")
            }
            return Array(stored.slots[0..<tile.width * 32])
        }
        var bundle: [UInt8] = []
        var count = 0
        let first = tile.index * UInt64(TLogTiles.width)
        try forEachEntry(from: first, to: first + UInt64(tile.width)) { _, _, bytes in
            guard bytes.count <= EntryFormat.maximumSize else {
                throw LedgerError(.storage, "entry \(first + UInt64(count)) is longer than an entry bundle allows")
            }
            bundle += [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)]
            bundle += bytes
            count += 1
        }
        guard count == tile.width else {
            throw LedgerError(.storage, "the log lacks entries of bundle \(tile.path); run assent log verify")
        }
        return bundle
    }

    private static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            // Written and flushed under a temporary name, then renamed: a reader (or a crash) sees the old
            // file or the whole new one, and the checkpoint, written last, never names missing tiles.
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission)
            }
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
        } catch {
            throw LedgerError(.storage, "cannot write \(temporary.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw LedgerError(.storage, "cannot rename \(temporary.path) to \(url.lastPathComponent): \(reason)")
        }
    }
}
