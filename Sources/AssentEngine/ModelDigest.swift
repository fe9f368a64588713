public import Foundation
internal import AssentCrypto
internal import AssentLog

/// The OpenSSF model-signing digest of a model folder (`files` serialization, SHA-256).
///
/// Every regular file below the folder (dotfiles included; `.git/`, `.github/`, `.gitattributes`,
/// `.gitignore` ignored) is hashed; files are ordered by their path components, each compared as UTF-8
/// bytes; the root is SHA-256 over the raw file digests in that order.
public struct ModelDigest: Sendable, Equatable {
    /// One file: its POSIX relative path and SHA-256.
    public struct Resource: Sendable, Equatable {
        /// The relative path, `/`-separated, no leading `./`.
        public let name: String
        /// The file's SHA-256.
        public let digest: [UInt8]
    }

    /// The files in canonical order.
    public let resources: [Resource]
    /// SHA-256 over the raw digests in order.
    public let root: [UInt8]

    /// `sha256:<hex>` of the root: the model id.
    public var id: String { "sha256:" + Hex.encode(root) }

    /// Paths model signing ignores by default.
    static let ignored = [".git", ".github", ".gitattributes", ".gitignore"]

    /// Hashes the folder.
    /// - Throws: ``EngineError`` for a symlink, an unreadable file or a missing folder.
    public init(folder: URL, ignoring extra: [String] = []) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw EngineError(.notFound, "\(folder.path) is not a model folder")
        }
        let base = folder.standardizedFileURL.path
        var names: [String] = []
        guard let enumerator = manager.enumerator(atPath: base) else {
            throw EngineError(.notFound, "cannot list \(folder.path)")
        }
        while let relative = enumerator.nextObject() as? String {
            let components = relative.split(separator: "/").map(String.init)
            if let first = components.first, (Self.ignored + extra).contains(first) || extra.contains(relative) {
                continue
            }
            let attributes = try manager.attributesOfItem(atPath: base + "/" + relative)
            let type = attributes[.type] as? FileAttributeType
            if type == .typeSymbolicLink {
                throw EngineError(.invalidInput, "\(relative) is a symlink; model folders hold regular files only")
            }
            if type == .typeRegular { names.append(relative) }
        }
        names.sort { Self.precedes($0, $1) }
        let hasher = SHA256Hasher()
        var resources: [Resource] = []
        for name in names {
            guard let handle = FileHandle(forReadingAtPath: base + "/" + name) else {
                throw EngineError(.invalidInput, "cannot read \(name)")
            }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
            resources.append(Resource(name: name, digest: hasher.finalize()))
        }
        self.resources = resources
        self.root = SHA256.hash(resources.flatMap(\.digest))
    }

    /// Orders paths by their components, each compared as UTF-8 bytes (as Python's PurePosixPath does).
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        let a = lhs.split(separator: "/", omittingEmptySubsequences: false).map { Array($0.utf8) }
        let b = rhs.split(separator: "/", omittingEmptySubsequences: false).map { Array($0.utf8) }
        for (x, y) in zip(a, b) where x != y { return x.lexicographicallyPrecedes(y) }
        return a.count < b.count
    }
}
