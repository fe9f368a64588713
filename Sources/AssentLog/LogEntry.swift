/// One entry of the log as stored: its canonical bytes and where it stands.
public struct LogEntry: Sendable, Equatable {
    /// The 0-based index.
    public let seq: UInt64
    /// The entry type (`note`, `sample`, …).
    public let type: String
    /// The canonical JSON bytes.
    public let bytes: [UInt8]
    /// SHA-256(0x00 ‖ bytes).
    public let leafHash: [UInt8]

    /// Creates an entry record.
    public init(seq: UInt64, type: String, bytes: [UInt8], leafHash: [UInt8]) {
        self.seq = seq
        self.type = type
        self.bytes = bytes
        self.leafHash = leafHash
    }
}

/// The fields every entry carries, and the rules an entry body must follow.
public enum EntryFormat {
    /// The entry-schema version written as `v`.
    public static let version: Int64 = 1
    /// The fields the log sets itself; a body may not carry them.
    public static let reservedFields: Set<String> = ["v", "type", "seq", "prev", "at"]
    /// The largest entry, in bytes (the C2SP tiles limit is 65,535).
    public static let maximumSize = 65_535
    /// The most bytes the log's own fields (`v`, `type`, `seq`, `prev`, `at`) add to a body of up to 64
    /// KiB, for callers that check the limit before the entry exists.
    public static let largestEnvelope = 160

    /// Whether `type` is a note type, the only kind the raw append command accepts.
    public static func isNoteType(_ type: String) -> Bool { type == "note" || type.hasPrefix("note.") }

    /// Whether `type` is a well-formed type name: lowercase ASCII letters, digits, '.', '-' and '_'.
    public static func isValidType(_ type: String) -> Bool {
        !type.isEmpty && type.count <= 64
            && type.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || [46, 45, 95].contains($0) }
    }

    /// Checks that every object key in `value` is printable ASCII.
    /// - Returns: the first offending key path, or nil.
    public static func firstNonASCIIKey(in value: JSONValue, path: String = "") -> String? {
        switch value {
        case .object(let object):
            for member in object.members {
                let memberPath = path.isEmpty ? member.key : path + "." + member.key
                if !member.key.utf8.allSatisfy({ (0x20..<0x7f).contains($0) }) { return memberPath }
                if let found = firstNonASCIIKey(in: member.value, path: memberPath) { return found }
            }
            return nil
        case .array(let items):
            for (offset, item) in items.enumerated() {
                if let found = firstNonASCIIKey(in: item, path: "\(path)[\(offset)]") { return found }
            }
            return nil
        default: return nil
        }
    }
}
