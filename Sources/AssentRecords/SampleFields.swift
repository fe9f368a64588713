internal import Foundation

/// The fields of a manifest line, and the vocabularies their values come from.
public enum SampleFields {
    /// Every field a manifest line may carry.
    public static let all = [
        "path", "text", "content_base64", "json", "license", "attribution", "source", "source_uri", "collected_at",
        "media_type", "subject", "consent", "opt_out", "language", "size_value", "size_unit",
    ]

    /// Units of `size_value`: text in tokens, images counted, audio and video in seconds.
    public static let sizeUnits = ["tokens", "images", "seconds"]

    /// Opt-out statuses: the fold of the signals observed.
    public static let optOutStatuses = ["reserved", "notReserved", "unknown"]

    /// Opt-out mechanisms (W3C TDMRep, IETF AIPREF, robots.txt, X-Robots-Tag, ai.txt, Spawning, CAWG/C2PA).
    public static let optOutMechanisms = [
        "tdmrep-file", "tdm-header", "tdm-meta", "robots", "aipref-robots", "aipref-header", "x-robots-tag", "ai-txt",
        "spawning", "cawg", "c2pa",
    ]

    /// The status a single signal value means: reserved, notReserved, or unknown.
    static func status(ofSignalValue value: String) -> String {
        let reserved: Set<String> = [
            "1", "train-ai=n", "ai-use=n", "disallow", "noai", "noimageai", "true", "notallowed", "constrained",
            "reserved",
        ]
        let open: Set<String> = ["0", "train-ai=y", "ai-use=y", "allow", "false", "allowed", "notreserved"]
        let key = value.lowercased().replacingOccurrences(of: " ", with: "")
        if reserved.contains(key) { return "reserved" }
        if open.contains(key) { return "notReserved" }
        return "unknown"
    }

    /// Folds signal statuses as IETF AIPREF does: any reservation wins, then any permission, else unknown.
    static func fold(_ statuses: [String]) -> String {
        if statuses.contains("reserved") { return "reserved" }
        if statuses.contains("notReserved") { return "notReserved" }
        return "unknown"
    }

    /// The closest known field name, for "did you mean" hints.
    static func suggestion(for field: String) -> String? {
        let best = all.map { ($0, EditDistance.between(Array(field.lowercased().utf8), Array($0.utf8))) }.min {
            $0.1 < $1.1
        }
        guard let best, best.1 <= max(2, field.count / 3) else { return nil }
        return best.0
    }

    /// Whether `text` is a usable identifier (consent ids, source names): 1–128 printable characters.
    static func isValidName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 128 && text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
    }

    /// A media type guessed from a file extension.
    static func mediaType(forExtension pathExtension: String) -> String {
        switch pathExtension.lowercased() {
        case "txt", "md": "text/plain"
        case "json": "application/json"
        case "jsonl": "application/jsonl"
        case "csv": "text/csv"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "wav": "audio/wav"
        case "html", "htm": "text/html"
        case "pdf": "application/pdf"
        default: "application/octet-stream"
        }
    }
}
