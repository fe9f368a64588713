internal import Foundation

/// Reads a file line by line in bounded memory, counting lines from 1.
final class LineReader {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private lazy var scratch = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var isAtEnd = false
    private let path: String
    private(set) var lineNumber = 0

    /// Opens `path` for reading.
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw RecordsError(.invalidInput, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads lines from `bytes`, already in memory; `name` is how errors name them.
    init(bytes: [UInt8], name: String) {
        path = name
        descriptor = -1
        buffer = bytes
        isAtEnd = true
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The next line without its newline (and without a trailing CR), or nil at the end.
    /// - Throws: ``RecordsError`` naming the file when reading it fails.
    func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var line = buffer[start..<newline]
                start = newline + 1
                if line.last == 0x0D { line = line.dropLast() }
                lineNumber += 1
                return line
            }
            if isAtEnd {
                guard start < buffer.count else { return nil }
                var line = buffer[start...]
                start = buffer.count
                if line.last == 0x0D { line = line.dropLast() }
                lineNumber += 1
                return line
            }
            try fill()
        }
    }

    private func fill() throws {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let count = scratch.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        guard count >= 0 else {
            throw RecordsError(.invalidInput, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if count > 0 {
            buffer.append(contentsOf: scratch[0..<count])
        } else {
            isAtEnd = true
        }
    }
}
