package import Foundation
internal import AssentCrypto

/// Reading and writing key files, refusing private keys that others can read.
package enum KeyFiles {
    /// Writes `contents` to a new file with mode 0600; fails if the file exists.
    static func writePrivate(_ contents: String, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError(.key, "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw LedgerError(.key, "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a public file atomically.
    static func writePublic(_ contents: String, to url: URL) throws {
        do {
            try Data(contents.utf8).write(to: url, options: .atomic)
        } catch {
            throw LedgerError(.key, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Reads a private key file after checking that only its owner can read it.
    package static func readPrivate(_ url: URL) throws -> String {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw LedgerError(.key, "missing key file \(url.path): \(String(cString: strerror(errno)))")
        }
        try refuseIfShared(url, mode: UInt32(info.st_mode))
        return try readText(url)
    }

    /// Refuses a secret file (a key, the database holding the vault) that anyone but its owner can access.
    package static func refuseIfShared(_ url: URL, mode fileMode: UInt32) throws {
        let mode = fileMode & 0o777
        guard mode & 0o077 == 0 else {
            throw LedgerError(
                .key,
                "\(url.path) is readable by others (mode \(String(mode, radix: 8))); fix it with: chmod 600 \(url.path)"
            )
        }
    }

    /// Reads a text file, naming it when it cannot be read.
    static func readText(_ url: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw LedgerError(.key, "cannot read \(url.path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LedgerError(.key, "\(url.path) is not UTF-8 text")
        }
        return text
    }
}
