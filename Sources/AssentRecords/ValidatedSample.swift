internal import Foundation
internal import AssentCrypto
public import AssentLog

/// Defaults for fields a manifest line leaves out (the command line's `--license`, `--source`, …).
public struct IngestDefaults: Sendable {
    /// Field name → value, as a manifest line would give it.
    public var fields: JSONObject

    /// Defaults from field values.
    public init(fields: JSONObject = JSONObject()) { self.fields = fields }
}

/// A manifest line after validation: every field checked, the content's digest computed.
struct ValidatedSample {
    /// Where the content is.
    enum Content {
        /// Bytes given in the manifest line itself.
        case inline([UInt8])
        /// A sample file, read once into the ingest spool.
        case spooled(IngestSpool, IngestSpool.Extent)
    }

    /// Finds the content of a `path` field: opens the file once (or looks up where it was spooled).
    typealias PathResolver = (_ path: String, _ line: Int) throws -> (content: Content, digest: [UInt8], size: Int)

    let line: Int
    let content: Content
    let digest: [UInt8]
    let size: Int
    let mediaType: String
    let licenseDeclared: String
    let licenseConcluded: String
    let deprecatedLicenses: [String]
    let attribution: String?
    let source: String
    let sourceURI: String?
    let collectedAt: String?
    let optOut: JSONObject
    let subject: String?
    var consent: String?
    /// Logged descriptive fields, present only when given: `language`, `size_value`, `size_unit`, and
    /// `domain` (the registrable domain of `source_uri`, whose full text stays in the vault). A sample
    /// with a data subject logs no domain: a person's own site would name them on the log.
    let descriptors: JSONObject
    /// SHA-256 over what must match when the same content comes again from the same source.
    let metadataDigest: [UInt8]

    /// Calls `body` with the content bytes, in order, in pieces of at most 1 MiB.
    func withContent(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch content {
        case .inline(let bytes): try bytes.withUnsafeBytes(body)
        case .spooled(let spool, let extent): try spool.readExtent(extent, body)
        }
    }

    /// The content bytes, whole (for content small enough to keep inline).
    func contentBytes() throws -> [UInt8] {
        if case .inline(let bytes) = content { return bytes }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        try withContent { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Validates `item` with `defaults` filling missing fields.
    /// - Parameters:
    ///   - resolvePath: opens a `path` field's file (throwing ``SampleFileOpener/Refusal`` to refuse it).
    ///   - licenses: parsed licence expressions, shared across the items of a run.
    /// - Throws: ``RecordsError`` naming the line and field.
    static func validate(
        _ item: RawManifestItem, defaults: IngestDefaults, resolvePath: PathResolver, licenses: LicenseCache
    ) throws -> ValidatedSample {
        if let failure = item.failure { throw failure }
        let line = item.line
        func fail(_ field: String, _ message: String) -> RecordsError {
            RecordsError(.invalidInput, "line \(line): field \(field): \(message)")
        }
        for key in item.fields.keys where !SampleFields.all.contains(key) {
            let hint = SampleFields.suggestion(for: key).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw RecordsError(.invalidInput, "line \(line): unknown field \"\(key)\"\(hint)")
        }
        var fields = defaults.fields
        for member in item.fields.members { fields[member.key] = member.value }
        func string(_ field: String) throws -> String? {
            guard let value = fields[field], value != .null else { return nil }
            guard let text = value.stringValue else { throw fail(field, "expected a string") }
            return text
        }

        let contentFields = ["path", "text", "content_base64", "json"].filter { item.fields[$0] != nil }
        guard contentFields.count == 1 else {
            throw RecordsError(
                .invalidInput,
                "line \(line): give exactly one of path, text, content_base64 or json (found \(contentFields.isEmpty ? "none" : contentFields.joined(separator: ", ")))"
            )
        }
        let content: Content
        let digest: [UInt8]
        let size: Int
        var guessedType = "application/octet-stream"
        switch contentFields[0] {
        case "text":
            let bytes = Array(try string("text")!.utf8)
            content = .inline(bytes)
            digest = SHA256.hash(bytes)
            size = bytes.count
            guessedType = "text/plain; charset=utf-8"
        case "json":
            var value = item.fields["json"]!
            if let text = value.stringValue {  // a CSV cell holds the object as JSON text
                guard let parsed = try? JSONParser.parse(text) else { throw fail("json", "not valid JSON") }
                value = parsed
            }
            guard value.objectValue != nil else { throw fail("json", "expected a JSON object") }
            let bytes = CanonicalJSON.encode(value)
            content = .inline(bytes)
            digest = SHA256.hash(bytes)
            size = bytes.count
            guessedType = "application/json"
        case "content_base64":
            guard let bytes = Base64.decode(try string("content_base64")!) else {
                throw fail("content_base64", "not valid standard base64")
            }
            content = .inline(bytes)
            digest = SHA256.hash(bytes)
            size = bytes.count
        default:
            let relative = try string("path")!
            do {
                (content, digest, size) = try resolvePath(relative, line)
            } catch let refusal as SampleFileOpener.Refusal {
                throw fail("path", refusal.message)
            }
            guessedType = SampleFields.mediaType(forExtension: URL(fileURLWithPath: relative).pathExtension)
        }

        guard let licenseText = try string("license") else {
            throw fail("license", "missing (give it per line or with --license)")
        }
        let expressionText: String
        if licenseText.hasPrefix("hf:") {
            guard let mapped = HuggingFaceLicenses.spdxExpression(forTag: String(licenseText.dropFirst(3))) else {
                throw fail("license", "unknown Hugging Face licence tag \"\(licenseText.dropFirst(3))\"")
            }
            expressionText = mapped
        } else {
            expressionText = licenseText
        }
        let expression: LicenseExpression
        do { expression = try licenses.parse(expressionText) } catch {
            throw fail("license", "\(error)")
        }

        guard let source = try string("source") else {
            throw fail("source", "missing (the dataset name; give it per line or with --source)")
        }
        guard SampleFields.isValidName(source) else { throw fail("source", "must be 1–128 printable characters") }
        let attribution = try string("attribution")
        let sourceURI = try string("source_uri")
        let collectedAt = try string("collected_at")
        if let collectedAt, UTCTime.parse(collectedAt) == nil {
            throw fail("collected_at", "expected a UTC time like 2024-05-01T12:00:00Z")
        }
        let mediaType = try string("media_type") ?? guessedType
        guard !mediaType.isEmpty, mediaType.contains("/"), mediaType.count <= 255 else {
            throw fail("media_type", "expected a media type like text/plain")
        }
        let subject = try string("subject")
        if let subject, !SampleFields.isValidName(subject) {
            throw fail("subject", "must be 1–128 printable characters")
        }
        let consent = try string("consent")
        if let consent, !ConsentRegistry.isValidID(consent) {
            throw fail("consent", "invalid consent id \"\(consent)\"")
        }
        let optOut = try parseOptOut(fields["opt_out"], fail: { fail("opt_out", $0) })
        let descriptors = try describe(fields, sourceURI: subject == nil ? sourceURI : nil, fail: fail)

        let concluded = licenses.concluded(expression)
        var metadata = JSONObject([
            ("license", .string(licenses.canonical(expression))), ("media_type", .string(mediaType)),
            ("opt_out", .object(optOut)),
        ])
        if let attribution { metadata["attribution"] = .string(attribution) }
        if let sourceURI { metadata["source_uri"] = .string(sourceURI) }
        if let collectedAt { metadata["collected_at"] = .string(collectedAt) }
        for member in descriptors.members { metadata[member.key] = member.value }
        let metadataBytes = CanonicalJSON.encode(.object(metadata))
        let sample = ValidatedSample(
            line: line, content: content, digest: digest, size: size, mediaType: mediaType,
            licenseDeclared: expression.canonical, licenseConcluded: concluded,
            deprecatedLicenses: expression.deprecatedIdentifiers,
            attribution: attribution, source: source, sourceURI: sourceURI, collectedAt: collectedAt, optOut: optOut,
            subject: subject, consent: consent, descriptors: descriptors, metadataDigest: SHA256.hash(metadataBytes))
        guard sample.entrySizeBound(metadataSize: metadataBytes.count) > EntryFormat.maximumSize else { return sample }
        let largest = CanonicalJSON.encode(.object(sample.largestEntryFields)).count + EntryFormat.largestEnvelope
        guard largest <= EntryFormat.maximumSize else {
            throw RecordsError(
                .invalidInput,
                "line \(line): its entry would be about \(largest) bytes, over the log's limit of \(EntryFormat.maximumSize) (shorten the licence expression or the opt-out signals)"
            )
        }
        return sample
    }

    /// The fields of a new sample's entry but its `subject` (a pseudonym known only in the transaction).
    func newSampleFields(commitment: [UInt8], attributionDigest: String?) -> JSONObject {
        var fields = entryFields(commitment: commitment, attributionDigest: attributionDigest)
        fields["size"] = .integer(Int64(size))
        fields["consent"] = consent.map(JSONValue.string) ?? .null
        return fields
    }

    /// The logged fields of this sample's entry, given what only the commit knows.
    func entryFields(commitment: [UInt8], attributionDigest: String?) -> JSONObject {
        JSONObject([
            ("source", .string(source)), ("license_declared", .string(licenseDeclared)),
            ("license_concluded", .string(licenseConcluded)), ("license_list", .string(SPDXLicenseList.version)),
            ("attribution", attributionDigest.map(JSONValue.string) ?? .null),
            ("collected_at", collectedAt.map(JSONValue.string) ?? .null),
            ("opt_out", .object(optOut)), ("media_type", .string(mediaType)),
            ("commitment", .string("sha256:" + Hex.encode(commitment))),
        ]).merging(descriptors)
    }

    /// Checks `language`, `size_value` and `size_unit`, and derives `domain` from `source_uri` (given
    /// only for samples without a data subject).
    private static func describe(
        _ fields: JSONObject, sourceURI: String?, fail: (String, String) -> RecordsError
    ) throws -> JSONObject {
        var descriptors = JSONObject()
        if let value = fields["language"], value != .null {
            guard let text = value.stringValue, let tag = LanguageTag.canonical(text) else {
                throw fail("language", "expected a BCP 47 language tag like en, de-CH or zh-Hant")
            }
            descriptors["language"] = .string(tag)
        }
        let sizeValue = fields["size_value"].flatMap { $0 == .null ? nil : $0 }
        let sizeUnit = fields["size_unit"].flatMap { $0 == .null ? nil : $0 }
        if let sizeValue {
            let number = sizeValue.integerValue ?? sizeValue.stringValue.flatMap { Int64($0) }
            guard let number, number >= 0 else { throw fail("size_value", "expected a non-negative integer") }
            guard let unit = sizeUnit?.stringValue else {
                throw fail(
                    "size_unit", "missing: size_value needs a unit (\(SampleFields.sizeUnits.joined(separator: ", ")))")
            }
            descriptors["size_value"] = .integer(number)
            descriptors["size_unit"] = .string(unit)
        }
        if let sizeUnit {
            guard let unit = sizeUnit.stringValue, SampleFields.sizeUnits.contains(unit) else {
                throw fail("size_unit", "expected one of \(SampleFields.sizeUnits.joined(separator: ", "))")
            }
            guard sizeValue != nil else {
                throw fail("size_value", "missing: size_unit \"\(unit)\" needs a size_value")
            }
        }
        if let sourceURI, URLComponents(string: sourceURI)?.host?.isEmpty == false {
            guard let list = PublicSuffixList.installed else {
                throw fail(
                    "source_uri",
                    "cannot find its registrable domain: the Public Suffix List is not at \(PublicSuffixList.defaultPath) (apt-get install publicsuffix, or set ASSENT_PUBLIC_SUFFIX_LIST)"
                )
            }
            if let domain = list.registrableDomain(ofURI: sourceURI) { descriptors["domain"] = .string(domain) }
        }
        return descriptors
    }

    /// An upper bound of the size of this sample's largest entry, cheap to compute: the canonical
    /// metadata already holds the declared licence, media type, opt-out and collection time escaped; the
    /// other free-text fields count six bytes per UTF-8 byte (the longest JSON escape), and 1 KiB covers
    /// the field names, the fixed-size digests and numbers, and the log's envelope.
    func entrySizeBound(metadataSize: Int) -> Int {
        metadataSize + 6 * (licenseConcluded.utf8.count + source.utf8.count + (consent?.utf8.count ?? 0)) + 1_024
            + EntryFormat.largestEnvelope
    }

    /// The entry fields at their largest (a `sample` entry with a subject, consent and every digest), to
    /// check the 64 KiB limit during validation rather than at commit.
    private var largestEntryFields: JSONObject {
        var fields = entryFields(
            commitment: digest, attributionDigest: attribution.map { _ in KeyedDigest.placeholder })
        fields["size"] = .integer(Int64.max)
        fields["subject"] = .string("subj-" + String(repeating: "0", count: 24))
        fields["consent"] = consent.map(JSONValue.string) ?? .null
        return fields
    }

    /// Parses `opt_out`: a status string, a JSON object `{"status", "signals": [...]}`, or (from CSV) its JSON text.
    static func parseOptOut(_ value: JSONValue?, fail: (String) -> RecordsError) throws -> JSONObject {
        guard var value, value != .null else {
            return JSONObject([("status", .string("unknown")), ("signals", .array([]))])
        }
        if let text = value.stringValue, text.hasPrefix("{") {
            guard let parsed = try? JSONParser.parse(text) else { throw fail("not valid JSON") }
            value = parsed
        }
        if let status = value.stringValue {
            guard SampleFields.optOutStatuses.contains(status) else {
                throw fail("status \"\(status)\" is not one of \(SampleFields.optOutStatuses.joined(separator: ", "))")
            }
            return JSONObject([("status", .string(status)), ("signals", .array([]))])
        }
        guard let object = value.objectValue else {
            throw fail("expected a status string or an object with status and signals")
        }
        for key in object.keys where !["status", "signals"].contains(key) { throw fail("unknown key \"\(key)\"") }
        var signals: [JSONValue] = []
        var statuses: [String] = []
        for (offset, signal) in (object["signals"]?.arrayValue ?? []).enumerated() {
            guard let fields = signal.objectValue, let mechanism = fields["mechanism"]?.stringValue,
                let signalValue = fields["value"]?.stringValue
            else { throw fail("signals[\(offset)] needs mechanism and value strings") }
            guard SampleFields.optOutMechanisms.contains(mechanism) else {
                throw fail(
                    "signals[\(offset)]: unknown mechanism \"\(mechanism)\" (known: \(SampleFields.optOutMechanisms.joined(separator: ", ")))"
                )
            }
            for key in fields.keys where !["mechanism", "value", "observed_at"].contains(key) {
                throw fail("signals[\(offset)]: unknown key \"\(key)\"")
            }
            if let observed = fields["observed_at"], observed.stringValue.flatMap(UTCTime.parse) == nil {
                throw fail("signals[\(offset)].observed_at: expected a UTC time like 2024-05-01T12:00:00Z")
            }
            let status = SampleFields.status(ofSignalValue: signalValue)
            statuses.append(status)
            var stored = fields
            stored["status"] = .string(status)
            signals.append(.object(stored))
        }
        let folded = SampleFields.fold(statuses)
        if let given = object["status"] {
            guard let status = given.stringValue, SampleFields.optOutStatuses.contains(status) else {
                throw fail("status must be one of \(SampleFields.optOutStatuses.joined(separator: ", "))")
            }
            if !signals.isEmpty && status != folded {
                throw fail("status \"\(status)\" disagrees with its signals, which fold to \"\(folded)\"")
            }
            return JSONObject([("status", .string(status)), ("signals", .array(signals))])
        }
        return JSONObject([("status", .string(folded)), ("signals", .array(signals))])
    }
}

/// Parsed licence expressions by text: a manifest repeats a handful of licences many times.
final class LicenseCache {
    private var parsed: [String: LicenseExpression] = [:]
    private var derived: [LicenseExpression: (canonical: String, concluded: String, deprecated: [String])] = [:]

    func parse(_ text: String) throws(LicenseExpressionError) -> LicenseExpression {
        if let cached = parsed[text] { return cached }
        let expression = try LicenseExpressionParser.parse(text)
        if parsed.count < 10_000 { parsed[text] = expression }
        return expression
    }

    private func forms(_ expression: LicenseExpression) -> (canonical: String, concluded: String, deprecated: [String])
    {
        if let cached = derived[expression] { return cached }
        let forms = (expression.canonical, expression.replacingDeprecated.canonical, expression.deprecatedIdentifiers)
        if derived.count < 10_000 { derived[expression] = forms }
        return forms
    }

    func canonical(_ expression: LicenseExpression) -> String { forms(expression).canonical }
    func concluded(_ expression: LicenseExpression) -> String { forms(expression).concluded }
    func deprecated(_ expression: LicenseExpression) -> [String] { forms(expression).deprecated }
}
