/// A JSON value with integers only, as Assent entries allow (no floating point anywhere).
///
/// Objects keep their members in a sorted array, so iteration order never depends on hashing.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer in the signed 64-bit range.
    case integer(Int64)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, members sorted by key bytes.
    case object(JSONObject)

    /// The string, when this is a string.
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    /// The integer, when this is an integer.
    public var integerValue: Int64? { if case .integer(let value) = self { value } else { nil } }
    /// The object, when this is an object.
    public var objectValue: JSONObject? { if case .object(let value) = self { value } else { nil } }
    /// The array, when this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    /// The Boolean, when this is a Boolean.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }

    /// Values are equal when their canonical forms are: strings compare by their UTF-8 bytes, not by
    /// Unicode canonical equivalence as Swift strings do ("é" and "e\u{301}" differ here).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.integer(let left), .integer(let right)): left == right
        case (.string(let left), .string(let right)): left.utf8.elementsEqual(right.utf8)
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)): left == right
        default: false
        }
    }
}

/// A JSON object whose members are kept sorted by the UTF-8 bytes of their keys.
public struct JSONObject: Sendable, Hashable {
    /// The members in canonical (bytewise key) order.
    public private(set) var members: [(key: String, value: JSONValue)]

    /// An empty object.
    public init() { members = [] }

    /// An object from key–value pairs; a later duplicate key replaces an earlier one.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for `key`, or nil; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            let position = insertionPoint(for: key)
            guard position < members.count, members[position].key.utf8.elementsEqual(key.utf8) else { return nil }
            return members[position].value
        }
        set {
            let position = insertionPoint(for: key)
            let exists = position < members.count && members[position].key.utf8.elementsEqual(key.utf8)
            switch (newValue, exists) {
            case (let value?, true): members[position].value = value
            case (let value?, false): members.insert((key, value), at: position)
            case (nil, true): members.remove(at: position)
            case (nil, false): break
            }
        }
    }

    /// The keys in canonical order.
    public var keys: [String] { members.map(\.key) }

    /// This object with `other`'s members added (replacing members with the same key).
    public func merging(_ other: JSONObject) -> JSONObject {
        var merged = self
        for member in other.members { merged[member.key] = member.value }
        return merged
    }

    private func insertionPoint(for key: String) -> Int {
        let target = Array(key.utf8)
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if members[middle].key.utf8.lexicographicallyPrecedes(target) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Objects are equal when they have the same members. Keys compare by their UTF-8 bytes, as canonical
    /// JSON does, not by Unicode canonical equivalence as Swift strings do.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy {
                $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value
            }
    }

    /// Hashes the members in order.
    public func hash(into hasher: inout Hasher) {
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

/// A string literal is a JSON string, so documents can be written as they read.
extension JSONValue: ExpressibleByStringLiteral {
    /// The JSON string `value`.
    public init(stringLiteral value: String) { self = .string(value) }
}

/// An array literal is a JSON array.
extension JSONValue: ExpressibleByArrayLiteral {
    /// The JSON array of `elements`.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}
