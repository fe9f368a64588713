public import AssentLog

/// A JSON configuration file for an export (the AI Act provider file, the GDPR controller file),
/// checked field by field so that every error names the file and the field.
struct ConfigFile {
    /// What a field must hold.
    enum Kind {
        case text, boolean, date, texts, narratives
    }

    let name: String
    let object: JSONObject

    /// Parses `bytes` and checks them against `fields` (name → kind, whether mandatory).
    /// - Throws: ``ExportError`` listing every missing mandatory field at once, or naming the first
    ///   field with the wrong type or an unknown field.
    init(bytes: [UInt8], name: String, fields: [(String, Kind, mandatory: Bool)]) throws {
        self.name = name
        guard let parsed = try? JSONParser.parse(bytes), let object = parsed.objectValue else {
            throw ExportError("\(name): not a JSON object")
        }
        self.object = object
        let known = Set(fields.map(\.0))
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw ExportError(
                "\(name): unknown field \"\(unknown)\" (known: \(fields.map(\.0).joined(separator: ", ")))")
        }
        let missing = fields.filter { $0.mandatory && (object[$0.0] == nil || object[$0.0] == .null) }.map(\.0)
        if !missing.isEmpty {
            throw ExportError(
                "\(name): missing mandatory field\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))")
        }
        for (field, kind, _) in fields {
            guard let value = object[field], value != .null else { continue }
            try Self.check(value, kind, field: "\(name): field \(field)")
        }
    }

    private static func check(_ value: JSONValue, _ kind: Kind, field: String) throws {
        switch kind {
        case .text:
            guard let text = value.stringValue, !text.isEmpty else {
                throw ExportError("\(field): expected a non-empty string")
            }
        case .boolean:
            guard case .bool = value else { throw ExportError("\(field): expected true or false") }
        case .date:
            guard let text = value.stringValue, isDate(text) else {
                throw ExportError("\(field): expected a date YYYY-MM-DD")
            }
        case .texts:
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue?.isEmpty == false }) else {
                throw ExportError("\(field): expected an array of non-empty strings")
            }
        case .narratives:
            guard let object = value.objectValue, object.members.allSatisfy({ $0.value.stringValue != nil }) else {
                throw ExportError("\(field): expected an object of section number → text, like {\"2.3\": \"…\"}")
            }
        }
    }

    /// Whether `text` is a calendar date YYYY-MM-DD.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        return year >= 1 && (1...12).contains(month) && (1...31).contains(day)
            && UTCTime.parse("\(text)T00:00:00Z") != nil
    }

    /// A string field, or nil.
    func text(_ field: String) -> String? { object[field]?.stringValue }

    /// A boolean field, or nil.
    func boolean(_ field: String) -> Bool? { if case .bool(let value) = object[field] { value } else { nil } }

    /// A string-array field, empty when absent.
    func texts(_ field: String) -> [String] { object[field]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}

/// The provider file of `assent export ai-act-summary` (`Schemas/ai-act-provider.schema.json`).
public struct ProviderFile: Sendable {
    /// The provider's name.
    public let name: String
    /// Its contact details.
    public let contact: String
    /// When the model is placed on the Union market, YYYY-MM-DD.
    public let placementDate: String
    /// Whether the provider signed the GPAI Code of Practice.
    public let codeOfPracticeSignatory: Bool
    /// The authorised representative (Art. 54), "N/A" when absent.
    public let authorisedRepresentative: String
    /// Base models this one modifies, with links to their summaries; empty for none.
    public let modelDependencies: [String]
    /// The model's public name, printed beside its id.
    public let modelName: String?
    /// Whether user interactions with the model itself were trained on (2.4, first question).
    public let trainsOnModelInteractions: Bool
    /// Narrative texts by template section ("1.3", "2.3", "3.1", …).
    public let narratives: [String: String]

    /// Parses and checks a provider file.
    /// - Throws: ``ExportError`` listing every missing mandatory field, or naming a wrong one.
    public init(bytes: [UInt8], name fileName: String) throws {
        let file = try ConfigFile(
            bytes: bytes, name: "provider file \(fileName)",
            fields: [
                ("name", .text, true), ("contact", .text, true), ("placement_date", .date, true),
                ("code_of_practice_signatory", .boolean, true), ("authorised_representative", .text, false),
                ("model_dependencies", .texts, false), ("model_name", .text, false),
                ("trains_on_model_interactions", .boolean, false), ("narratives", .narratives, false),
            ])
        name = file.text("name")!
        contact = file.text("contact")!
        placementDate = file.text("placement_date")!
        codeOfPracticeSignatory = file.boolean("code_of_practice_signatory")!
        authorisedRepresentative = file.text("authorised_representative") ?? "N/A"
        modelDependencies = file.texts("model_dependencies")
        modelName = file.text("model_name")
        trainsOnModelInteractions = file.boolean("trains_on_model_interactions") ?? false
        var narratives: [String: String] = [:]
        for member in file.object["narratives"]?.objectValue?.members ?? [] {
            narratives[member.key] = member.value.stringValue
        }
        self.narratives = narratives
    }
}
