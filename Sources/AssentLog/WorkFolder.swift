public import Foundation
internal import AssentCrypto
internal import Synchronization

/// A private scratch folder inside the ledger folder (`tmp/<prefix>-<random>`, mode 0700), locked while in use.
///
/// Copies of samples made for an ingest or an external trainer live here, never in a world-readable
/// system folder. The owner holds an exclusive `flock` on the folder's `lock` file for its whole life,
/// so a folder whose lock can be taken belongs to a run that died; ``sweepLeftovers(in:)`` removes those
/// (once they are a minute old, so that a folder being created is never taken for one), and every new
/// work folder sweeps first. The folder is removed by ``remove()``, by `deinit`, and by
/// ``CleanupRegistry/cleanUpAfterSignal()`` when the process is interrupted.
public final class WorkFolder {
    /// The folder.
    public let url: URL
    private let lockDescriptor: Int32
    private var isRemoved = false

    /// Creates a fresh, locked work folder after removing the leftovers of dead runs.
    ///
    /// With `inMemory`, the folder goes under `/dev/shm` (in a 0700 folder of this user's, named after
    /// the ledger) when that is a folder this user owns: creating many small files there is far
    /// cheaper than on a disk file system, which matters for job inputs of one file per sample.
    /// - Throws: ``LedgerError`` with code `invalidInput` when the folder cannot be created.
    public init(ledger paths: LedgerPaths, prefix: String, inMemory: Bool = false) throws {
        var parent = paths.scratch
        try Self.makePrivateFolder(parent)
        if inMemory, let memory = Self.memoryScratch(of: paths), (try? Self.makePrivateFolder(memory)) != nil,
            Self.isOwnPrivateFolder(memory)
        {
            parent = memory
        }
        Self.sweepLeftovers(in: paths)
        url = parent.appendingPathComponent("\(prefix)-\(Hex.encode(SecureRandom.bytes(count: 8)))")
        try Self.makePrivateFolder(url)
        let descriptor = open(url.appendingPathComponent("lock").path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            throw LedgerError(.invalidInput, "cannot lock \(url.path): \(String(cString: strerror(errno)))")
        }
        lockDescriptor = descriptor
        CleanupRegistry.shared.register(folder: url)
    }

    deinit { remove() }

    /// Deletes the folder and everything in it.
    public func remove() {
        guard !isRemoved else { return }
        isRemoved = true
        try? FileManager.default.removeItem(at: url)
        // The per-ledger folder under /dev/shm goes when its last work folder does (rmdir fails otherwise).
        if url.path.hasPrefix("/dev/shm/") { rmdir(url.deletingLastPathComponent().path) }
        close(lockDescriptor)
        CleanupRegistry.shared.unregister(folder: url)
    }

    /// Removes work folders whose owner is gone (their lock can be taken).
    /// - Returns: how many were removed.
    @discardableResult
    public static func sweepLeftovers(in paths: LedgerPaths) -> Int {
        var removed = 0
        for parent in [paths.scratch] + [memoryScratch(of: paths)].compactMap({ $0 }).filter(isOwnPrivateFolder) {
            removed += sweepLeftovers(under: parent)
        }
        return removed
    }

    /// Whether `/dev/shm` has room for `bytes` more with a margin (four times that, plus 256 MiB).
    public static func memoryHasRoom(for bytes: Int) -> Bool {
        var stat = statvfs()
        guard statvfs("/dev/shm", &stat) == 0 else { return false }
        return Double(stat.f_bavail) * Double(stat.f_frsize) > 4 * Double(bytes) + Double(256 << 20)
    }

    /// `/dev/shm/assent-<uid>-<digest of the ledger's path>`, when `/dev/shm` is a folder.
    private static func memoryScratch(of paths: LedgerPaths) -> URL? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isFolder), isFolder.boolValue else {
            return nil
        }
        let digest = Hex.encode(SHA256.hash(Array(paths.folder.standardizedFileURL.path.utf8))).prefix(16)
        return URL(fileURLWithPath: "/dev/shm/assent-\(geteuid())-\(digest)")
    }

    /// Whether `folder` is a real folder (not a link) owned by this user with mode 0700.
    private static func isOwnPrivateFolder(_ folder: URL) -> Bool {
        var info = stat()
        guard lstat(folder.path, &info) == 0 else { return false }
        return info.st_mode & S_IFMT == S_IFDIR && info.st_uid == geteuid() && info.st_mode & 0o077 == 0
    }

    /// Removes the dead runs' folders under `parent`.
    private static func sweepLeftovers(under parent: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        var removed = 0
        for name in names {
            let folder = parent.appendingPathComponent(name)
            // A folder is only a minute-old leftover or older: a new one may not hold its lock yet.
            let modified = (try? FileManager.default.attributesOfItem(atPath: folder.path))?[.modificationDate]
            guard let modified = modified as? Date, Date().timeIntervalSince(modified) > 60 else { continue }
            let descriptor = open(folder.appendingPathComponent("lock").path, O_RDONLY)
            if descriptor >= 0 {
                defer { close(descriptor) }
                guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
            }
            if (try? FileManager.default.removeItem(at: folder)) != nil { removed += 1 }
        }
        return removed
    }

    /// Creates `folder` with mode 0700 (or narrows an existing one to 0700).
    static func makePrivateFolder(_ folder: URL) throws {
        if mkdir(folder.path, 0o700) != 0 && errno != EEXIST {
            throw LedgerError(.invalidInput, "cannot create \(folder.path): \(String(cString: strerror(errno)))")
        }
        chmod(folder.path, 0o700)
    }
}

/// What an interrupted process must not leave behind: work folders holding sample copies, and the
/// process groups of external jobs it started.
///
/// Protected by one `Mutex`; the CLI calls ``cleanUpAfterSignal()`` from its SIGINT/SIGTERM handler.
public final class CleanupRegistry: Sendable {
    /// The registry of this process.
    public static let shared = CleanupRegistry()

    private let state = Mutex<(folders: Set<String>, groups: Set<Int32>)>(([], []))

    func register(folder: URL) { _ = state.withLock { $0.folders.insert(folder.path) } }
    func unregister(folder: URL) { _ = state.withLock { $0.folders.remove(folder.path) } }

    /// Records a child process group to kill if this process is interrupted.
    public func register(processGroup: Int32) { _ = state.withLock { $0.groups.insert(processGroup) } }
    /// Forgets a child process group that has been reaped.
    public func unregister(processGroup: Int32) { _ = state.withLock { $0.groups.remove(processGroup) } }

    /// Kills every registered process group and deletes every registered work folder.
    public func cleanUpAfterSignal() {
        let (folders, groups) = state.withLock { ($0.folders, $0.groups) }
        for group in groups { kill(-group, SIGKILL) }
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
    }
}
