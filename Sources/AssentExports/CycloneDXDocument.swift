public import AssentLog
internal import AssentCrypto
internal import AssentEngine
internal import AssentRecords

/// A CycloneDX 1.6 or 1.7 ML-BOM for a model: the BOM's subject is a `machine-learning-model`
/// component whose model card's datasets reference a `data` component for its snapshot.
public struct CycloneDXDocument {
    /// The specification versions this writes.
    public static let versions = ["1.6", "1.7"]

    /// The model's facts.
    public let facts: ModelFacts
    /// `1.6` or `1.7`.
    public let specVersion: String

    /// The BOM, with keys in canonical order.
    public var json: JSONValue {
        let custodian: JSONValue = .object(
            JSONObject([("organization", .object(JSONObject([("name", .string(operatorName))])))]))
        let dataset = JSONObject([
            ("type", "data"), ("bom-ref", "dataset"), ("name", .string(facts.model.snapshot)),
            ("version", .string(facts.model.snapshot)),
            ("hashes", [hash(Hex.encode(facts.content.snapshot.root))]),
            ("licenses", [.object(JSONObject([("expression", .string(facts.concludedLicense))]))]),
            (
                "data",
                [
                    .object(
                        JSONObject([
                            ("type", "dataset"), ("name", .string(facts.model.snapshot)),
                            (
                                "classification",
                                .string(facts.hasPersonalData ? "personal data under consent" : "no personal data")
                            ),
                            ("sensitiveData", .array(sensitiveData.map(JSONValue.string))),
                            ("description", .string(datasetDescription)),
                            (
                                "governance",
                                .object(JSONObject([("custodians", [custodian]), ("owners", [custodian])]))
                            ),
                        ]))
                ]
            ),
            ("properties", .array(datasetProperties)),
        ])
        var parameters = JSONObject([("datasets", [.object(JSONObject([("ref", "dataset")]))])])
        if ["logistic", "naive-bayes"].contains(facts.model.trainer) {
            parameters["approach"] = .object(JSONObject([("type", "supervised")]))
            parameters["task"] = "classification"
        }
        parameters["architectureFamily"] = .string(facts.model.trainer)
        let model = JSONObject([
            ("type", "machine-learning-model"), ("bom-ref", "model"), ("name", .string(facts.model.id)),
            ("version", .string(String(facts.version))),
            ("hashes", .array(([facts.model.id] + facts.shardDigests).map(hash))),
            (
                "modelCard",
                .object(
                    JSONObject([
                        ("modelParameters", .object(parameters)),
                        (
                            "quantitativeAnalysis",
                            .object(JSONObject([("performanceMetrics", .array(performanceMetrics))]))
                        ),
                        (
                            "considerations",
                            .object(JSONObject([("useCases", [.string(facts.content.snapshot.policy.purpose)])]))
                        ),
                    ]))
            ),
            ("properties", .array(modelProperties)),
        ])
        return .object(
            JSONObject([
                ("bomFormat", "CycloneDX"), ("specVersion", .string(specVersion)),
                ("serialNumber", .string(serialNumber)),
                ("version", .integer(1)),
                (
                    "metadata",
                    .object(
                        JSONObject([
                            ("timestamp", .string(facts.content.checkpoint.time)),
                            (
                                "tools",
                                .object(
                                    JSONObject([
                                        (
                                            "components",
                                            [.object(JSONObject([("type", "application"), ("name", "assent")]))]
                                        )
                                    ]))
                            ),
                            ("component", .object(model)),
                        ]))
                ),
                ("components", [.object(dataset)]),
                ("dependencies", [.object(JSONObject([("ref", "model"), ("dependsOn", ["dataset"])]))]),
            ]))
    }

    private var operatorName: String { "Operator of ledger \(facts.origin)" }

    /// A UUID (version 5 layout) derived from the model and the specification version, so the same
    /// ledger state gives the same serial number.
    private var serialNumber: String {
        var bytes = Array(SHA256.hash("assent cyclonedx \(specVersion) \(facts.model.id)").prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Hex.encode(bytes)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(
                hex[
                    hex.index(
                        hex.startIndex, offsetBy: range.lowerBound)..<hex.index(
                            hex.startIndex, offsetBy: range.upperBound)])
        }
        return "urn:uuid:" + parts.joined(separator: "-")
    }

    private var sensitiveData: [String] {
        let personal = facts.content.samples.filter(\.hasSubject).count
        return personal == 0
            ? []
            : [
                "\(personal) samples are personal data of data subjects who consented to \(facts.content.snapshot.policy.purpose)"
            ]
    }

    private var datasetDescription: String {
        "Snapshot \(facts.model.snapshot) of \(facts.content.samples.count) samples from "
            + facts.sources.map { "\($0.name) (\($0.category))" }.joined(separator: ", ")
            + ", cut under policy \(facts.content.snapshot.policy.name) at \(facts.snapshotAt); its Merkle root is the hash."
    }

    /// Metrics in basis points (`…_bp`) as fractions; counts as they are.
    private var performanceMetrics: [JSONValue] {
        facts.metrics.map { key, value in
            let number = value.integerValue ?? 0
            let (type, text) =
                key.hasSuffix("_bp") ? (String(key.dropLast(3)), fraction(number)) : (key, String(number))
            return .object(JSONObject([("type", .string(type)), ("value", .string(text)), ("slice", "training set")]))
        }
    }

    private func fraction(_ basisPoints: Int64) -> String {
        let remainder = String(basisPoints % 10_000)
        return "\(basisPoints / 10_000)." + String(repeating: "0", count: 4 - remainder.count) + remainder
    }

    private var modelProperties: [JSONValue] {
        var pairs = [
            ("assent:trainer", facts.model.trainer), ("assent:config", facts.model.configDigest),
            ("assent:seed", String(facts.model.seed)), ("assent:deterministic", String(facts.model.isDeterministic)),
            ("assent:trained_at", facts.trainedAt),
        ]
        if let previous = facts.model.supersedes { pairs.append(("assent:supersedes", previous)) }
        return pairs.map(property)
    }

    private var datasetProperties: [JSONValue] {
        [
            ("assent:policy", facts.content.snapshot.policy.name),
            ("assent:purpose", facts.content.snapshot.policy.purpose),
            ("assent:samples", String(facts.content.samples.count)), ("assent:bytes", String(facts.datasetBytes)),
            ("assent:shards", String(facts.content.snapshot.shardCounts.count)),
            ("assent:checkpoint_size", String(facts.content.checkpoint.size)),
        ].map(property)
    }

    private func property(_ pair: (String, String)) -> JSONValue {
        .object(JSONObject([("name", .string(pair.0)), ("value", .string(pair.1))]))
    }

    private func hash(_ digest: String) -> JSONValue {
        .object(JSONObject([("alg", "SHA-256"), ("content", .string(ModelFacts.hex(digest)))]))
    }
}
