/// A strict JSON parser (RFC 8259) for entry bodies and manifests.
///
/// It rejects what canonical entries cannot hold: floating-point numbers, integers outside 64 bits,
/// duplicate keys, invalid UTF-8, lone surrogates, and nesting deeper than 64.
public struct JSONParser {
    /// Why a document was rejected, with the byte offset (0-based) where it went wrong.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The byte offset in the input.
        public let offset: Int
        /// What was wrong.
        public let reason: String
        /// "reason at byte N".
        public var description: String { "\(reason) at byte \(offset + 1)" }
    }

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    /// Parses one JSON document from `bytes`, allowing white space around it.
    /// - Throws: ``Failure`` naming the byte and the reason.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("unexpected data after the JSON value") }
        return value
    }

    /// Parses one JSON document from a string.
    public static func parse(_ text: String) throws(Failure) -> JSONValue { try parse(Array(text.utf8)) }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ reason: String) -> Failure { Failure(offset: position, reason: reason) }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(Failure) {
        let expected = Array(literal.utf8)
        guard bytes.count - position >= expected.count, Array(bytes[position..<position + expected.count]) == expected
        else {
            throw failure("invalid literal, expected \(literal)")
        }
        position += expected.count
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= 64 else { throw failure("nesting deeper than 64 levels") }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a string key")
            }
            let keyOffset = position
            let key = try parseString()
            guard object[key] == nil else { throw Failure(offset: keyOffset, reason: "duplicate key \"\(key)\"") }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            position += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input in an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            guard bytes[position] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
            position += 1
            depth -= 1
            return .object(object)
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enter()
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw failure("unexpected end of input in an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            guard bytes[position] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
            position += 1
            depth -= 1
            return .array(items)
        }
    }

    private mutating func parseInteger() throws(Failure) -> Int64 {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            position += 1
        }
        guard position > digitsStart else { throw failure("expected a digit") }
        if bytes[digitsStart] == UInt8(ascii: "0") && position - digitsStart > 1 {
            throw Failure(offset: start, reason: "a number has a leading zero")
        }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw Failure(
                offset: start, reason: "floating-point numbers are not allowed (use integers, e.g. basis points)")
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Int64(text) else {
            throw Failure(offset: start, reason: "integer \(text) is outside the 64-bit range")
        }
        return value
    }

    private mutating func parseString() throws(Failure) -> String {
        position += 1
        var text = ""
        var runStart = position
        func flush(_ parser: JSONParser, _ end: Int, into text: inout String) throws(Failure) {
            guard end > runStart else { return }
            guard let run = String(validating: parser.bytes[runStart..<end], as: UTF8.self) else {
                throw Failure(offset: runStart, reason: "invalid UTF-8 in a string")
            }
            text += run
        }
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try flush(self, position, into: &text)
                position += 1
                return text
            }
            if byte < 0x20 { throw failure("a control character must be escaped in a string") }
            if byte == UInt8(ascii: "\\") {
                try flush(self, position, into: &text)
                text.unicodeScalars.append(try parseEscape())
                runStart = position
                continue
            }
            position += 1
        }
    }

    private mutating func parseEscape() throws(Failure) -> Unicode.Scalar {
        position += 1
        guard position < bytes.count else { throw failure("unterminated escape") }
        let code = bytes[position]
        position += 1
        switch code {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let first = try parseHex4()
            if (0xD800...0xDBFF).contains(first) {
                guard bytes.count - position >= 6, bytes[position] == 92, bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw failure("a lone surrogate in a \\u escape")
                }
                position += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second) else { throw failure("a lone surrogate in a \\u escape") }
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(first) else { throw failure("a lone surrogate in a \\u escape") }
            return scalar
        default: throw Failure(offset: position - 1, reason: "invalid escape")
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard bytes.count - position >= 4 else { throw failure("a \\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default: throw failure("a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
