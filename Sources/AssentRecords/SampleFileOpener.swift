internal import Foundation

/// Opens the files a manifest names, once each, the way an attacker cannot redirect.
///
/// A relative path is walked from the manifest folder's descriptor one component at a time with
/// `openat` and `O_NOFOLLOW`, so no symbolic link is followed anywhere and a file swapped for a link
/// after the check is refused, not read. Absolute paths and `..` are refused unless `allowOutside`; then
/// the path is resolved once and the resolved path is walked the same way. Whatever the mode, only
/// regular files are read (a FIFO, socket, device or folder is refused by name), nothing inside the
/// ledger folder, nothing on `/proc`, `/sys`, `/dev` or another kernel file system, nothing over
/// `maximumSize`, and, inside a confined folder, no file with more than one hard link (another name
/// of that file may live anywhere, the ledger's keys included).
final class SampleFileOpener {
    /// An opened sample file: its descriptor (owned by the caller) and size.
    struct OpenedFile {
        let descriptor: Int32
        let size: Int
    }

    /// Why a path was refused.
    struct Refusal: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    private struct FileID: Hashable {
        let device: UInt64
        let inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// The folder relative paths start from.
    let baseFolder: URL
    /// Whether absolute paths and `..` may leave the base folder.
    let allowOutside: Bool
    /// The largest file accepted, in bytes.
    let maximumSize: Int
    private let baseDescriptor: Int32
    private let ledgerFolder: FileID?
    private let ledgerFiles: Set<FileID>

    /// Folders whose "files" are process, kernel or device state, never data.
    private static let kernelFolders = ["/proc", "/sys", "/dev"]
    /// The devices of those folders' file systems: a file on one of them is refused wherever it is mounted.
    private let kernelDevices: Set<UInt64>
    /// Why relative paths cannot be opened at all (a manifest read from `/dev/stdin` has `/dev` as its folder).
    private let baseRefusal: String?
    private let readsFiles: Bool

    /// Why a `path` is refused where no files are read (a manifest sent over the network).
    static let filesNotRead = Refusal(
        "files are not read here: give the content as text, content_base64 or json instead")

    /// An opener for paths relative to `baseFolder`.
    /// - Throws: ``RecordsError`` when the base folder cannot be opened.
    init(baseFolder: URL, ledgerFolder: URL?, allowOutside: Bool, maximumSize: Int, readsFiles: Bool = true) throws {
        self.baseFolder = baseFolder
        self.readsFiles = readsFiles
        self.allowOutside = allowOutside
        self.maximumSize = maximumSize
        baseDescriptor = open(baseFolder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard baseDescriptor >= 0 else {
            throw RecordsError(
                .invalidInput, "cannot open the folder \(baseFolder.path): \(String(cString: strerror(errno)))")
        }
        var folderID: FileID? = nil
        var files: Set<FileID> = []
        if let ledgerFolder {
            var info = stat()
            if stat(ledgerFolder.path, &info) == 0 { folderID = FileID(info) }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: ledgerFolder.path)) ?? [] {
                if lstat(ledgerFolder.appendingPathComponent(name).path, &info) == 0 { files.insert(FileID(info)) }
            }
        }
        self.ledgerFolder = folderID
        ledgerFiles = files
        var devices: Set<UInt64> = []
        for folder in Self.kernelFolders {
            var info = stat()
            if stat(folder, &info) == 0 { devices.insert(UInt64(info.st_dev)) }
        }
        kernelDevices = devices
        baseRefusal = Self.kernelFolders.first(where: {
            baseFolder.path == $0 || baseFolder.path.hasPrefix($0 + "/")
        }).map { "\(baseFolder.path) is under \($0), which holds system state, not data" }
    }

    deinit { close(baseDescriptor) }

    /// Whether `info` is the ledger folder itself (a folder walk skips it).
    func isLedgerFolder(_ info: stat) -> Bool { ledgerFolder == FileID(info) }

    /// Opens `path` (as the manifest gives it) for reading.
    /// - Throws: ``Refusal`` naming why the path is not ingested.
    func openFile(_ path: String) throws(Refusal) -> OpenedFile {
        guard readsFiles else { throw Self.filesNotRead }
        let isOutside = path.hasPrefix("/") || path.split(separator: "/").contains("..")
        if let baseRefusal, !isOutside { throw Refusal(baseRefusal) }
        if isOutside && !allowOutside {
            throw Refusal(
                "\(path) is outside the manifest's folder; ingest reads only files below it unless given --allow-outside"
            )
        }
        var start = baseDescriptor
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if isOutside {
            let joined = path.hasPrefix("/") ? path : baseFolder.path + "/" + path
            guard let resolved = realpath(joined, nil) else {
                throw Refusal("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            let absolute = String(cString: resolved)
            free(resolved)
            if let folder = Self.kernelFolders.first(where: { absolute == $0 || absolute.hasPrefix($0 + "/") }) {
                throw Refusal("\(path) is under \(folder), which holds system state, not data")
            }
            components = absolute.split(separator: "/").map(String.init)
            start = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        components.removeAll { $0 == "." }
        guard let name = components.popLast() else { throw Refusal("\(path) names no file") }
        var directory = start
        defer { if directory != baseDescriptor { close(directory) } }
        for component in components {
            let next = openat(directory, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { throw refusal(path, component: component, in: directory) }
            if directory != baseDescriptor { close(directory) }
            directory = next
            var info = stat()
            if fstat(directory, &info) == 0, ledgerFolder == FileID(info) {
                throw Refusal("\(path) is inside the ledger folder, which is never ingested")
            }
        }
        var before = stat()
        guard fstatat(directory, name, &before, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw Refusal("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        try refuseUnlessRegular(before, path: path)
        let descriptor = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { throw refusal(path, component: name, in: directory) }
        do throws(Refusal) {
            var info = stat()
            guard fstat(descriptor, &info) == 0, FileID(info) == FileID(before) else {
                throw Refusal("\(path) changed while it was opened")
            }
            try refuseUnlessRegular(info, path: path)
            if kernelDevices.contains(UInt64(info.st_dev)) {
                throw Refusal("\(path) is on a kernel file system (process or device state), not data")
            }
            if ledgerFiles.contains(FileID(info)) {
                throw Refusal("\(path) is a file of the ledger folder, which is never ingested")
            }
            if !allowOutside && info.st_nlink > 1 {
                throw Refusal(
                    "\(path) has \(info.st_nlink) hard links; another name of it may be outside the folder (copy it, or give --allow-outside)"
                )
            }
            guard Int(info.st_size) <= maximumSize else {
                throw Refusal(
                    "\(path) is \(info.st_size) bytes, over the limit of \(maximumSize) bytes (--max-sample-size)")
            }
            _ = fcntl(descriptor, F_SETFL, 0)
            return OpenedFile(descriptor: descriptor, size: Int(info.st_size))
        } catch let refusal {
            close(descriptor)
            throw refusal
        }
    }

    private func refuseUnlessRegular(_ info: stat, path: String) throws(Refusal) {
        let kind: String? =
            switch info.st_mode & S_IFMT {
            case S_IFREG: nil
            case S_IFLNK: "a symbolic link, which ingest does not follow"
            case S_IFDIR: "a folder"
            case S_IFIFO: "a FIFO"
            case S_IFSOCK: "a socket"
            case S_IFCHR, S_IFBLK: "a device"
            default: "not a regular file"
            }
        if let kind { throw Refusal("\(path) is \(kind); only regular files are ingested") }
    }

    private func refusal(_ path: String, component: String, in directory: Int32) -> Refusal {
        let code = errno
        var info = stat()
        if fstatat(directory, component, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK {
            return Refusal("\(path): \(component) is a symbolic link, which ingest does not follow")
        }
        return Refusal("cannot read \(path): \(String(cString: strerror(code)))")
    }
}

extension SampleFileOpener {
    /// Every file below the base folder as a relative path, sorted, skipping hidden entries (and
    /// everything below a hidden folder) and the ledger folder. Entries that are not regular files are
    /// listed, so that ``openFile(_:)`` refuses them by name instead of skipping them silently.
    func listFiles() throws -> [String] {
        var found: [String] = []
        try list(descriptor: dup(baseDescriptor), prefix: "", into: &found)
        return found.sorted()
    }

    private func list(descriptor: Int32, prefix: String, into found: inout [String]) throws {
        guard let directory = fdopendir(descriptor) else {
            close(descriptor)
            throw RecordsError(.invalidInput, "cannot list \(baseFolder.path)/\(prefix)")
        }
        defer { closedir(directory) }
        var folders: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }
            var info = stat()
            guard fstatat(dirfd(directory), name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                if !isLedgerFolder(info) { folders.append(name) }
            } else {
                found.append(prefix + name)
            }
        }
        for name in folders {
            let child = openat(dirfd(directory), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { continue }
            try list(descriptor: child, prefix: prefix + name + "/", into: &found)
        }
    }
}
