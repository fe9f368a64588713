internal import Foundation
internal import AssentCrypto
internal import AssentLog

/// Takes an external trainer's output into the ledger's `models/` folder, trusting nothing about it.
enum ModelOutput {
    /// Checks that `output` holds only regular files and folders, copies it into a staging folder under
    /// `models`, hashes the copy and renames it into place as `<root hex>`. A folder already there is
    /// kept only if its digest is the same (an interrupted earlier copy is replaced, never trusted).
    /// - Throws: ``EngineError`` `trainerFailed` naming the first entry that is a symbolic link, FIFO,
    ///   socket or device.
    static func accept(_ output: URL, into models: URL) throws -> (ModelDigest, URL) {
        try assemble(into: models) { staging in try copyTree(from: output, to: staging, relative: "") }
    }

    /// Builds a model folder in a staging folder under `models` with `fill`, then hashes it and renames
    /// it into place as `<root hex>` (a folder already there is kept only if its digest is the same).
    /// Nothing is left behind when `fill` or the hashing fails.
    static func assemble(into models: URL, _ fill: (URL) throws -> Void) throws -> (ModelDigest, URL) {
        let manager = FileManager.default
        try manager.createDirectory(at: models, withIntermediateDirectories: true)
        let staging = models.appendingPathComponent(".staging-" + Hex.encode(SecureRandom.bytes(count: 8)))
        try manager.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            try fill(staging)
            let digest = try ModelDigest(folder: staging)
            let final = models.appendingPathComponent(Hex.encode(digest.root))
            if manager.fileExists(atPath: final.path) {
                if (try? ModelDigest(folder: final).root) == digest.root {
                    try manager.removeItem(at: staging)
                    return (digest, final)
                }
                try manager.removeItem(at: final)
            }
            guard rename(staging.path, final.path) == 0 else {
                throw EngineError(.trainerFailed, "cannot move the model into \(final.path)")
            }
            return (digest, final)
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }

    /// Copies a job's output folder into `target` (created), accepting only regular files and folders.
    /// - Throws: ``EngineError`` `trainerFailed` naming `what` and the first entry of another kind.
    static func copyOutput(_ source: URL, to target: URL, what: String = "") throws {
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try copyTree(from: source, to: target, relative: what)
    }

    private static func copyTree(from source: URL, to target: URL, relative: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() {
            let from = source.appendingPathComponent(name)
            let to = target.appendingPathComponent(name)
            let path = relative + name
            var info = stat()
            guard lstat(from.path, &info) == 0 else {
                throw EngineError(.trainerFailed, "cannot read the trainer's output \(path)")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try FileManager.default.createDirectory(at: to, withIntermediateDirectories: false)
                try copyTree(from: from, to: to, relative: path + "/")
            case S_IFREG:
                try FileManager.default.copyItem(at: from, to: to)
            default:
                let kind =
                    switch info.st_mode & S_IFMT {
                    case S_IFLNK: "a symbolic link"
                    case S_IFIFO: "a FIFO"
                    case S_IFSOCK: "a socket"
                    default: "a device"
                    }
                throw EngineError(
                    .trainerFailed,
                    "the trainer's output \(path) is \(kind); a model holds only regular files and folders")
            }
        }
    }
}
