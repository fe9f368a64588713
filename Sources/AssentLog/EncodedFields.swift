/// An entry body's fields encoded as canonical JSON ahead of the write transaction, possibly on another
/// thread, so that the writer only splices in what is known in the transaction: the log's own fields
/// (`at`, `prev`, `seq`, `type`, `v`) and any given to ``LogWriter/append(type:encoded:adding:)``.
///
/// The spliced body is byte for byte the canonical JSON of all the fields together, as
/// ``LogWriter/append(type:fields:)`` would write it.
public struct EncodedFields: Sendable {
    /// Each member's key, in canonical (bytewise) order.
    fileprivate let keys: [String]
    /// Each member's canonical `"key":value` bytes, one after the other.
    fileprivate let bytes: [UInt8]
    /// Where each member's bytes end in `bytes`.
    fileprivate let ends: [Int]

    /// Encodes `fields`.
    /// - Throws: ``LedgerError`` with code `invalidInput` for a reserved field or a non-ASCII key, as
    ///   ``LogWriter/append(type:fields:)`` would.
    public init(_ fields: JSONObject) throws {
        try EntryFormat.checkFields(fields)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        var ends: [Int] = []
        ends.reserveCapacity(fields.members.count)
        for member in fields.members {
            CanonicalJSON.writeMember(member.key, member.value, to: &bytes)
            ends.append(bytes.count)
        }
        keys = fields.members.map(\.key)
        self.bytes = bytes
        self.ends = ends
    }

    /// The canonical JSON of these fields together with `others` (which win over a member of the same
    /// key): one merge of two key-ordered lists.
    func body(with others: JSONObject) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 256)
        output.append(UInt8(ascii: "{"))
        var mine = 0
        var theirs = 0
        let other = others.members
        func separate() { if output.count > 1 { output.append(UInt8(ascii: ",")) } }
        while mine < keys.count || theirs < other.count {
            let takeTheirs: Bool
            if mine == keys.count {
                takeTheirs = true
            } else if theirs == other.count {
                takeTheirs = false
            } else if keys[mine].utf8.elementsEqual(other[theirs].key.utf8) {
                mine += 1  // the same key: the other value replaces this one
                continue
            } else {
                takeTheirs = other[theirs].key.utf8.lexicographicallyPrecedes(keys[mine].utf8)
            }
            separate()
            if takeTheirs {
                CanonicalJSON.writeMember(other[theirs].key, other[theirs].value, to: &output)
                theirs += 1
            } else {
                output.append(contentsOf: bytes[(mine == 0 ? 0 : ends[mine - 1])..<ends[mine]])
                mine += 1
            }
        }
        output.append(UInt8(ascii: "}"))
        return output
    }
}

extension EntryFormat {
    /// Refuses a reserved field or a non-ASCII key anywhere in `fields`.
    /// - Throws: ``LedgerError`` with code `invalidInput` naming the field.
    static func checkFields(_ fields: JSONObject) throws {
        if let reserved = fields.keys.first(where: reservedFields.contains) {
            throw LedgerError(.invalidInput, "field \"\(reserved)\" is set by the log and may not be given")
        }
        if let key = firstNonASCIIKey(in: .object(fields)) {
            throw LedgerError(.invalidInput, "field \"\(key)\": object keys must be printable ASCII")
        }
    }
}

extension CanonicalJSON {
    /// Appends one object member, `"key":value`, in canonical form.
    static func writeMember(_ key: String, _ value: JSONValue, to output: inout [UInt8]) {
        writeString(key, to: &output)
        output.append(UInt8(ascii: ":"))
        write(value, to: &output)
    }
}
