internal import Foundation
internal import AssentCrypto
internal import AssentLog

/// A licence and consent policy for one purpose: which samples a snapshot admits.
///
/// Its digest covers everything it depends on, including the resolved licence-class table, so two
/// snapshots with the same digest were cut under exactly the same rules.
public struct Policy: Sendable, Equatable {
    /// A short name.
    public let name: String
    /// The purpose consents must cover (one of ``ConsentRegistry/purposes``).
    public let purpose: String
    /// Licence ids always allowed (canonical SPDX ids or `LicenseRef-` ids).
    public let allow: [String]
    /// Licence ids never allowed, whatever their class.
    public let deny: [String]
    /// Use classes allowed.
    public let allowedClasses: [String]
    /// `allow` or `deny` for licences without a class (NONE, NOASSERTION, unclassified ids).
    public let unknownLicense: String
    /// `exclude` or `include` for samples whose opt-out status is `reserved`.
    public let optOutReserved: String
    /// `exclude` or `include` for samples whose opt-out status is `unknown`.
    public let optOutUnknown: String
    /// `require-consent` or `allow-without-consent` for samples with a data subject.
    public let personalData: String
    /// Class overrides from the policy file, on top of the built-in table.
    public let classes: [String: String]

    /// The policy that ships: commercial-class licences, unknown licences and reserved opt-outs
    /// excluded, a valid consent required for personal data.
    public static let standard = Policy(
        name: "default-ai-training", purpose: "ai-training", allow: [], deny: [], allowedClasses: ["commercial"],
        unknownLicense: "deny", optOutReserved: "exclude", optOutUnknown: "include", personalData: "require-consent",
        classes: [:])

    /// The class of a licence id under this policy, or nil.
    public func licenseClass(of id: String) -> String? { classes[id] ?? LicenseClasses.builtInClass(of: id) }

    /// Whether `expression` is allowed as a whole.
    public func allows(_ expression: LicenseExpression) -> Bool {
        switch expression {
        case .license(let id, _): return allows(id: id)
        case .reference(let reference):
            let id = reference.split(separator: ":").last.map(String.init) ?? reference
            return allows(id: id)
        case .none, .noAssertion: return unknownLicense == "allow"
        case .with(let base, _): return allows(base)
        case .and(let items): return items.allSatisfy(allows)
        case .or(let items): return items.contains(where: allows)
        }
    }

    private func allows(id: String) -> Bool {
        if deny.contains(id) { return false }
        if allow.contains(id) { return true }
        guard let useClass = licenseClass(of: id) else { return unknownLicense == "allow" }
        return allowedClasses.contains(useClass)
    }

    /// The branch a sample is used under: the first allowed operand of a top-level OR, else the
    /// whole expression if allowed; nil when nothing is allowed.
    public func elect(_ expression: LicenseExpression) -> LicenseExpression? {
        expression.branches.first(where: allows)
    }

    /// The resolved policy as canonical JSON: the file's fields plus the full licence-class table.
    public var canonicalJSON: [UInt8] {
        var resolved = LicenseClasses.table
        for (id, useClass) in classes { resolved[id] = useClass }
        let object = JSONObject([
            ("policy", .string("assent.policy/v1")), ("name", .string(name)), ("purpose", .string(purpose)),
            ("allow", .array(allow.sorted().map(JSONValue.string))),
            ("deny", .array(deny.sorted().map(JSONValue.string))),
            ("allowed_classes", .array(allowedClasses.map(JSONValue.string))),
            ("unknown_license", .string(unknownLicense)),
            (
                "opt_out",
                .object(JSONObject([("reserved", .string(optOutReserved)), ("unknown", .string(optOutUnknown))]))
            ),
            ("personal_data", .string(personalData)),
            ("classes", .object(JSONObject(resolved.map { ($0.key, .string($0.value)) }))),
            ("class_families", .string("CC-BY-NC*: non-commercial; CC-BY*, GPL-*, LGPL-*, AGPL-*, GFDL-*: commercial")),
        ])
        return CanonicalJSON.encode(.object(object))
    }

    /// `sha256:<hex>` of ``canonicalJSON``.
    public var digest: String { "sha256:" + Hex.encode(SHA256.hash(canonicalJSON)) }
}

extension Policy {
    /// Reads a policy file (see `Schemas/policy.schema.json`); fields left out take the standard values.
    /// - Throws: ``RecordsError`` naming the field.
    public init(json bytes: [UInt8]) throws {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw RecordsError(.invalidInput, "policy: not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw RecordsError(.invalidInput, "policy: expected a JSON object")
        }
        let known = [
            "policy", "name", "purpose", "allow", "deny", "allowed_classes", "unknown_license", "opt_out",
            "personal_data", "classes", "class_families",
        ]
        for key in object.keys where !known.contains(key) {
            throw RecordsError(
                .invalidInput, "policy: unknown field \"\(key)\" (known: \(known.joined(separator: ", ")))")
        }
        let standard = Policy.standard
        func string(_ field: String, _ fallback: String, _ allowed: [String]? = nil) throws -> String {
            guard let raw = object[field] else { return fallback }
            guard let text = raw.stringValue else {
                throw RecordsError(.invalidInput, "policy: field \(field): expected a string")
            }
            if let allowed, !allowed.contains(text) {
                throw RecordsError(
                    .invalidInput,
                    "policy: field \(field): \"\(text)\" is not one of \(allowed.joined(separator: ", "))")
            }
            return text
        }
        func ids(_ field: String) throws -> [String] {
            guard let raw = object[field] else { return [] }
            guard let items = raw.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw RecordsError(.invalidInput, "policy: field \(field): expected an array of licence ids")
            }
            return try items.map { try Self.canonicalID($0.stringValue!, field: field) }
        }
        if let version = object["policy"], version != .string("assent.policy/v1") {
            throw RecordsError(.invalidInput, "policy: field policy: expected \"assent.policy/v1\"")
        }
        var classes: [String: String] = [:]
        if let raw = object["classes"] {
            guard let table = raw.objectValue else {
                throw RecordsError(.invalidInput, "policy: field classes: expected an object")
            }
            for member in table.members {
                guard let useClass = member.value.stringValue, LicenseClasses.all.contains(useClass) else {
                    throw RecordsError(
                        .invalidInput,
                        "policy: field classes.\(member.key): expected one of \(LicenseClasses.all.joined(separator: ", "))"
                    )
                }
                classes[try Self.canonicalID(member.key, field: "classes")] = useClass
            }
        }
        var allowedClasses = standard.allowedClasses
        if let raw = object["allowed_classes"] {
            guard let items = raw.arrayValue?.compactMap(\.stringValue), items.count == raw.arrayValue?.count,
                items.allSatisfy(LicenseClasses.all.contains)
            else {
                throw RecordsError(
                    .invalidInput,
                    "policy: field allowed_classes: expected some of \(LicenseClasses.all.joined(separator: ", "))")
            }
            allowedClasses = LicenseClasses.all.filter(items.contains)
        }
        let optOut = object["opt_out"]?.objectValue ?? JSONObject()
        if object["opt_out"] != nil && object["opt_out"]?.objectValue == nil {
            throw RecordsError(.invalidInput, "policy: field opt_out: expected an object with reserved and unknown")
        }
        for key in optOut.keys where !["reserved", "unknown"].contains(key) {
            throw RecordsError(.invalidInput, "policy: field opt_out.\(key): unknown (reserved, unknown)")
        }
        func rule(_ key: String, _ fallback: String) throws -> String {
            guard let raw = optOut[key] else { return fallback }
            guard let text = raw.stringValue, ["exclude", "include"].contains(text) else {
                throw RecordsError(.invalidInput, "policy: field opt_out.\(key): expected exclude or include")
            }
            return text
        }
        self.init(
            name: try string("name", standard.name),
            purpose: try string("purpose", standard.purpose, ConsentRegistry.purposes),
            allow: try ids("allow"), deny: try ids("deny"), allowedClasses: allowedClasses,
            unknownLicense: try string("unknown_license", standard.unknownLicense, ["allow", "deny"]),
            optOutReserved: try rule("reserved", standard.optOutReserved),
            optOutUnknown: try rule("unknown", standard.optOutUnknown),
            personalData: try string(
                "personal_data", standard.personalData, ["require-consent", "allow-without-consent"]),
            classes: classes)
    }

    private static func canonicalID(_ text: String, field: String) throws -> String {
        if LicenseExpressionParser.isReference(text, prefix: "LicenseRef-") { return text }
        guard let entry = SPDXLicenseList.license(text) else {
            throw RecordsError(
                .invalidInput, "policy: field \(field): \"\(text)\" is neither an SPDX licence id nor a LicenseRef-")
        }
        return entry.id
    }
}
