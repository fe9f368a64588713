public import Foundation
public import AssentLog

/// Files an export produces, written only once all of them were computed.
public struct ExportFiles: Sendable {
    /// File name → bytes, in the order they are written.
    public private(set) var files: [(name: String, bytes: [UInt8])] = []
    /// What the export could not fill in and wrote a placeholder for.
    public var warnings: [String] = []

    /// No files yet.
    public init() {}

    /// Adds a file.
    public mutating func add(_ name: String, _ bytes: [UInt8]) { files.append((name, bytes)) }

    /// Adds a JSON file: canonical key order, two-space indentation, a final newline.
    public mutating func add(_ name: String, json: JSONValue) { add(name, Array(PrettyJSON.encode(json).utf8)) }

    /// Writes every file into `folder` (created if needed), each through a temporary file renamed into
    /// place. Returns the paths written.
    public func write(into folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try files.map { file in
            try Self.write(file.bytes, to: folder.appendingPathComponent(file.name))
            return folder.appendingPathComponent(file.name).path
        }
    }

    /// Writes `bytes` to `url` atomically (a temporary file beside it, renamed into place).
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(bytes)) else {
            throw ExportError("cannot write \(url.path)")
        }
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw ExportError("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// JSON with keys in canonical order and two-space indentation: readable and byte-for-byte stable.
public enum PrettyJSON {
    /// `value` as indented text with a final newline.
    public static func encode(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: "", into: &output)
        return output + "\n"
    }

    private static func write(_ value: JSONValue, indent: String, into output: inout String) {
        let inner = indent + "  "
        switch value {
        case .object(let object) where !object.members.isEmpty:
            output += "{\n"
            for (offset, member) in object.members.enumerated() {
                output += inner + String(decoding: CanonicalJSON.encode(.string(member.key)), as: UTF8.self) + ": "
                write(member.value, indent: inner, into: &output)
                output += offset == object.members.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        case .array(let items) where !items.isEmpty:
            output += "[\n"
            for (offset, item) in items.enumerated() {
                output += inner
                write(item, indent: inner, into: &output)
                output += offset == items.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        default:
            output += String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
    }
}
