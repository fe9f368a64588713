internal import AssentStorage
internal import Foundation
internal import Synchronization

/// Keeps SQLite's checkpoints off the writer's thread. SQLite's own policy has every commit that leaves
/// more than 1,000 frames in the write-ahead log copy them into the database file before the commit
/// returns, so the server's writer stopped every few group commits to copy and fsync.
///
/// Here the writer's connection only counts the log's frames (``Database/takeOverCheckpoints()``). Each
/// time `step` more frames have been written, a passive checkpoint runs on a connection and thread of its
/// own while the writer goes on. Larger steps also copy fewer pages in all: a page several commits changed
/// (an index leaf, the log's edge tiles) is copied once. A passive checkpoint that runs beside the writer
/// never ends with the log fully copied, though, and SQLite only starts the log afresh when it is. So once
/// the log holds `limit` frames, background checkpoints follow each other closely, and as soon as one has
/// left at most a quarter of a step uncopied the writer copies that rest itself; its next transaction
/// then restarts the log (or copies all the rest itself, past `limit` plus two steps). The log so stays
/// below about `limit` frames plus two steps (about 200 MB with 8 KiB pages at the defaults).
final class CheckpointScheduler: @unchecked Sendable {
    /// Frames written between two background checkpoints.
    let step: Int
    /// Frames after which the writer finishes the checkpoint itself so that the log restarts.
    let limit: Int
    private let connection: Database
    private let queue = DispatchQueue(label: "assent.ledger.checkpoint")
    private let isRunning = Mutex(false)
    /// Background checkpoints finished so far.
    let passes = Atomic(0)
    /// The log's frame count when the last checkpoint began; only the writer's thread touches it.
    private var framesAtLastStart = 0

    /// A scheduler checkpointing the SQLite database at `path` on a connection of its own, for the writer
    /// `writer`, whose automatic checkpoints it turns off.
    /// - Throws: ``StorageError`` when the connection cannot be opened.
    init(path: String, writer: Database, step: Int = 4_000, limit: Int = 16_000) throws {
        connection = try Database(path: path, create: false)
        self.step = step
        self.limit = limit
        writer.takeOverCheckpoints()
    }

    /// Called on the writer's thread after each of its jobs: starts a background checkpoint when `step`
    /// frames have been written since the last began (past `limit`, one after another), or past `limit`
    /// copies the little a background checkpoint left on `writer` itself.
    func afterWrite(on writer: Database) {
        let frames = writer.writeAheadLogFrames
        if frames < framesAtLastStart { framesAtLastStart = 0 }  // the log restarted
        guard !isRunning.withLock({ $0 }) else { return }
        let sinceLastStart = frames - framesAtLastStart
        // Past `limit + 2 step` the background has not caught up with the writer: copy the rest here.
        if frames >= limit, sinceLastStart <= step / 4 || frames >= limit + 2 * step {
            _ = try? writer.checkpointWriteAheadLog()
            framesAtLastStart = frames
            return
        }
        guard sinceLastStart >= step || frames >= limit else { return }
        framesAtLastStart = frames
        isRunning.withLock { $0 = true }
        queue.async {
            _ = try? self.connection.checkpointWriteAheadLog()
            self.passes.add(1, ordering: .relaxed)
            self.isRunning.withLock { $0 = false }
        }
    }
}
