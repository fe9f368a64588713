public import Foundation
internal import AssentLog

/// Where samples come from: a JSONL or CSV manifest, or a plain folder of files.
public enum ManifestSource: Sendable {
    /// One JSON object per line.
    case jsonl(URL)
    /// A header row naming the same columns as the JSONL fields, then one sample per row.
    case csv(URL)
    /// Every regular file below the folder (sorted by path) is one sample; metadata from the defaults.
    case folder(URL)
    /// JSONL already in memory (a request's body), named `name` in errors. Its lines must carry their
    /// content: no sample file is read for it.
    case memory(name: String, jsonl: [UInt8])

    /// The folder that relative `path` values are resolved against: the manifest's folder, or the
    /// folder itself, with symbolic links in the path the user gave resolved once.
    func resolvedBaseFolder() throws -> URL {
        let given =
            switch self {
            case .jsonl(let url), .csv(let url): url.deletingLastPathComponent()
            case .folder(let url): url
            case .memory(let name, _):
                throw RecordsError(.invalidInput, "\(name) is in memory and has no folder to read files from")
            }
        guard let resolved = realpath(given.path, nil) else {
            throw RecordsError(.invalidInput, "cannot open \(given.path): \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        var isFolder: ObjCBool = false
        let path = String(cString: resolved)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw RecordsError(.invalidInput, "\(given.path) is not a folder")
        }
        return URL(fileURLWithPath: path)
    }

    /// How error messages name the input.
    var name: String {
        switch self {
        case .jsonl(let url), .csv(let url), .folder(let url): url.path
        case .memory(let name, _): name
        }
    }
}

/// One manifest line (or CSV row, or file) as fields, before validation.
struct RawManifestItem {
    /// The 1-based line (CSV: the row's first line; folder: the file's position).
    let line: Int
    /// The fields; values are JSON (CSV cells are strings).
    let fields: JSONObject
    /// Why the line could not be read as fields (not JSON, not UTF-8, wrong width), if so.
    var failure: RecordsError? = nil

    /// A line that could not be read as fields, for `message`.
    static func failed(line: Int, _ message: String) -> RawManifestItem {
        RawManifestItem(
            line: line, fields: JSONObject(), failure: RecordsError(.invalidInput, "line \(line): \(message)"))
    }
}

/// Streams the items of a manifest, one at a time, in bounded memory.
final class ManifestReader {
    private enum State {
        case lines(LineReader, isCSV: Bool, header: [String]?)
        case files([String], next: Int)
    }

    private var state: State

    /// Reads a JSONL or CSV manifest at `url`; `name` is how errors name it.
    init(lines url: URL, isCSV: Bool, name: String) throws {
        let reader = try LineReader(path: url.path)
        guard isCSV else {
            state = .lines(reader, isCSV: false, header: nil)
            return
        }
        guard let first = try reader.next() else {
            throw RecordsError(.invalidInput, "\(name): the CSV file is empty")
        }
        let header = try CSV.parseRecord(first, reader: reader, line: 1).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        state = .lines(reader, isCSV: true, header: header)
    }

    /// Reads JSONL lines from `bytes`.
    init(jsonl bytes: [UInt8], name: String) {
        state = .lines(LineReader(bytes: bytes, name: name), isCSV: false, header: nil)
    }

    /// Reads a folder listing: each relative path is one item.
    init(files: [String]) { state = .files(files, next: 0) }

    /// A manifest item as read, before a JSONL line is parsed (which ``parse(_:)`` does, on any thread).
    enum Pending {
        /// An item ready for validation (a CSV row, a folder's file, or a line that failed to read).
        case item(RawManifestItem)
        /// A JSONL line, not parsed yet.
        case jsonLine(number: Int, bytes: ArraySlice<UInt8>)

        /// The 1-based line of the item.
        var line: Int {
            switch self {
            case .item(let item): item.line
            case .jsonLine(let number, _): number
            }
        }

        /// The item's fields (parsing a JSONL line), or why they could not be read.
        func parse() -> RawManifestItem {
            switch self {
            case .item(let item): return item
            case .jsonLine(let number, let line):
                guard String(validating: line, as: UTF8.self) != nil else {
                    return .failed(line: number, "invalid UTF-8")
                }
                let value: JSONValue
                do { value = try JSONParser.parse(Array(line)) } catch {
                    return .failed(line: number, "not valid JSON: \(error)")
                }
                guard let object = value.objectValue else { return .failed(line: number, "expected a JSON object") }
                return RawManifestItem(line: number, fields: object)
            }
        }
    }

    /// Up to `count` items, together at most about `byteLimit` bytes of JSONL (always at least one item).
    func nextBatch(count: Int, byteLimit: Int) throws -> [Pending] {
        var batch: [Pending] = []
        var bytes = 0
        while batch.count < count && bytes < byteLimit, let item = try nextPending() {
            if case .jsonLine(_, let line) = item { bytes += line.count }
            batch.append(item)
        }
        return batch
    }

    /// The next item with a JSONL line left unparsed, or nil at the end.
    /// - Throws: ``RecordsError`` for a CSV row of the wrong width or a quoted cell left open.
    func nextPending() throws -> Pending? {
        switch state {
        case .lines(let reader, let isCSV, let header):
            while let line = try reader.next() {
                let number = reader.lineNumber
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                guard isCSV, let header else { return .jsonLine(number: number, bytes: line) }
                guard String(validating: line, as: UTF8.self) != nil else {
                    return .item(.failed(line: number, "invalid UTF-8"))
                }
                let cells = try CSV.parseRecord(line, reader: reader, line: number)
                guard cells.count == header.count else {
                    return .item(.failed(line: number, "\(cells.count) columns, but the header has \(header.count)"))
                }
                var fields = JSONObject()
                for (name, cell) in zip(header, cells) where !cell.isEmpty { fields[name] = .string(cell) }
                return .item(RawManifestItem(line: number, fields: fields))
            }
            return nil
        case .files(let files, let next):
            guard next < files.count else { return nil }
            state = .files(files, next: next + 1)
            return .item(RawManifestItem(line: next + 1, fields: JSONObject([("path", .string(files[next]))])))
        }
    }
}

/// RFC 4180 CSV records: comma-separated, double-quoted cells with "" for a quote, newlines inside quotes.
enum CSV {
    /// Parses one record starting with `first`, reading more lines from `reader` while a quote is open.
    static func parseRecord(_ first: ArraySlice<UInt8>, reader: LineReader, line: Int) throws -> [String] {
        var cells: [String] = []
        var cell: [UInt8] = []
        var inQuotes = false
        var bytes = Array(first)
        var index = 0
        while true {
            while index < bytes.count {
                let byte = bytes[index]
                if inQuotes {
                    if byte == 0x22 {
                        if index + 1 < bytes.count && bytes[index + 1] == 0x22 {
                            cell.append(0x22)
                            index += 1
                        } else {
                            inQuotes = false
                        }
                    } else {
                        cell.append(byte)
                    }
                } else if byte == 0x22 && cell.isEmpty {
                    inQuotes = true
                } else if byte == 0x2C {
                    cells.append(String(decoding: cell, as: UTF8.self))
                    cell = []
                } else {
                    cell.append(byte)
                }
                index += 1
            }
            guard inQuotes else { break }
            guard let more = try reader.next() else {
                throw RecordsError(.invalidInput, "line \(line): a quoted CSV cell is not closed")
            }
            cell.append(0x0A)
            bytes = Array(more)
            index = 0
        }
        cells.append(String(decoding: cell, as: UTF8.self))
        return cells
    }
}
