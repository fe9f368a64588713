public import AssentLog
internal import AssentEngine
internal import AssentRecords

/// An SPDX 3.0.1 JSON-LD document for a model: the model as `ai_AIPackage`, its snapshot as
/// `dataset_DatasetPackage`, `trainedOn` between them, exactly one concluded and one declared
/// licence per package, and the model's shard outputs as `software_File`s with their hashes.
public struct SPDXDocument {
    /// The model's facts.
    public let facts: ModelFacts
    /// The model's own licence (an SPDX expression), NOASSERTION when not given.
    public let modelLicense: String

    /// The document's namespace: the ledger's origin and the model's digest.
    var namespace: String { "https://\(facts.origin)/spdx/\(ModelFacts.hex(facts.model.id))" }

    /// The document, with keys in canonical order.
    public var json: JSONValue {
        let operatorID = "\(namespace)/agent/operator"
        let modelID = "\(namespace)/model"
        let datasetID = "\(namespace)/dataset/\(facts.model.snapshot)"
        var graph: [JSONObject] = [
            JSONObject([
                ("type", "CreationInfo"), ("@id", "_:creationinfo"), ("specVersion", "3.0.1"),
                ("created", .string(facts.content.checkpoint.time)), ("createdBy", [.string(operatorID)]),
                ("createdUsing", [.string("\(namespace)/tool/assent")]),
                ("comment", .string("Computed from the ledger at checkpoint size \(facts.content.checkpoint.size).")),
            ]),
            element("Organization", operatorID, [("name", .string("Operator of ledger \(facts.origin)"))]),
            element("Tool", "\(namespace)/tool/assent", [("name", "assent")]),
            modelPackage(modelID, supplier: operatorID),
            datasetPackage(datasetID, originator: operatorID),
        ]
        var relationships: [JSONObject] = [relationship("trainedOn", from: modelID, to: [datasetID])]
        let files = facts.shardDigests.enumerated().map { shard, digest in
            element(
                "software_File", "\(modelID)/shard/\(shard)",
                [
                    ("name", .string("shard-\(shard)")), ("software_primaryPurpose", "model"),
                    ("verifiedUsing", [hash(digest)]),
                ])
        }
        graph += files
        if !files.isEmpty {
            relationships.append(
                relationship("contains", from: modelID, to: files.compactMap { $0["spdxId"]?.stringValue }))
        }
        for (package, concluded, declared) in [
            (modelID, modelLicense, modelLicense), (datasetID, facts.concludedLicense, facts.declaredLicense),
        ] {
            for (kind, expression) in [("Concluded", concluded), ("Declared", declared)] {
                let licenseID = "\(package)/license/\(kind.lowercased())"
                graph.append(
                    element(
                        "simplelicensing_LicenseExpression", licenseID,
                        [("simplelicensing_licenseExpression", .string(expression))]))
                relationships.append(relationship("has\(kind)License", from: package, to: [licenseID]))
            }
        }
        graph += relationships
        let elements = graph.compactMap { $0["spdxId"]?.stringValue }
        graph.append(
            element(
                "SpdxDocument", "\(namespace)/document",
                [
                    ("name", .string("SPDX 3.0.1 AI BOM of \(facts.model.id)")),
                    ("profileConformance", ["core", "software", "simpleLicensing", "ai", "dataset"]),
                    ("element", .array(elements.map(JSONValue.string))), ("rootElement", [.string(modelID)]),
                ]))
        return .object(
            JSONObject([
                ("@context", "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"),
                ("@graph", .array(graph.map(JSONValue.object))),
            ]))
    }

    private func modelPackage(_ id: String, supplier: String) -> JSONObject {
        let config = facts.model.config.json.members
        return element(
            "ai_AIPackage", id,
            [
                ("name", .string(facts.model.id)), ("software_packageVersion", .string(String(facts.version))),
                ("software_downloadLocation", .string(downloadLocation("models", facts.model.id))),
                ("software_primaryPurpose", "model"), ("releaseTime", .string(facts.trainedAt)),
                ("suppliedBy", .string(supplier)),
                ("verifiedUsing", [hash(facts.model.id)]), ("ai_typeOfModel", [.string(facts.model.trainer)]),
                (
                    "ai_hyperparameter",
                    .array(
                        config.map { dictionaryEntry($0.key, $0.value) } + [
                            dictionaryEntry("seed", .integer(Int64(facts.model.seed)))
                        ])
                ),
                ("ai_metric", .array(facts.metrics.map { dictionaryEntry($0.key, $0.value) })),
                ("ai_useSensitivePersonalInformation", .string(facts.hasPersonalData ? "yes" : "no")),
                (
                    "ai_informationAboutTraining",
                    .string(
                        "Trained by the ledger-backed engine (trainer \(facts.model.trainer), config \(facts.model.configDigest)) "
                            + "on snapshot \(facts.model.snapshot) with Merkle root \(Hex.encode(facts.content.snapshot.root)) "
                            + "in \(facts.content.snapshot.shardCounts.count) shards; deterministic: \(facts.model.isDeterministic)."
                            + (facts.model.supersedes.map { " Reproduces \($0) without withdrawn data." } ?? "")
                    )
                ),
            ])
    }

    private func datasetPackage(_ id: String, originator: String) -> JSONObject {
        let types = facts.modalities.map { modality -> JSONValue in
            .string(modality == .other ? "other" : modality.rawValue)
        }
        let sources = facts.sources.map { "\($0.name) (\($0.category))" }.joined(separator: ", ")
        let policy = facts.content.snapshot.policy
        return element(
            "dataset_DatasetPackage", id,
            [
                ("name", .string(facts.model.snapshot)), ("software_packageVersion", .string(facts.model.snapshot)),
                ("software_downloadLocation", .string(downloadLocation("snapshots", facts.model.snapshot))),
                ("software_primaryPurpose", "data"), ("builtTime", .string(facts.snapshotAt)),
                ("releaseTime", .string(facts.snapshotAt)),
                ("originatedBy", [.string(originator)]),
                ("dataset_datasetType", .array(types.isEmpty ? ["noAssertion"] : types)),
                ("dataset_datasetSize", .integer(Int64(facts.datasetBytes))),
                (
                    "verifiedUsing",
                    [hash(Hex.encode(facts.content.snapshot.root), comment: "the snapshot's Merkle root")]
                ),
                (
                    "dataset_dataCollectionProcess",
                    .string(
                        "\(facts.content.samples.count) samples from \(sources), each recorded on the ledger with its licence, source and consent; "
                            + "cut under policy \(policy.name), which admits only samples whose licence and consent allow \(policy.purpose)."
                    )
                ),
                ("dataset_hasSensitivePersonalInformation", .string(facts.hasPersonalData ? "yes" : "no")),
                ("dataset_intendedUse", .string(policy.purpose)),
            ])
    }

    /// Where the ledger's server publishes an object (`/v1/models/…`, `/v1/snapshots/…`).
    private func downloadLocation(_ kind: String, _ id: String) -> String { "https://\(facts.origin)/v1/\(kind)/\(id)" }

    private func element(_ type: String, _ id: String, _ members: [(String, JSONValue)]) -> JSONObject {
        JSONObject([("type", .string(type)), ("spdxId", .string(id)), ("creationInfo", "_:creationinfo")] + members)
    }

    private func relationship(_ type: String, from: String, to: [String]) -> JSONObject {
        let target = to.count == 1 ? to[0].split(separator: "/").suffix(2).joined(separator: "-") : "all"
        return element(
            "Relationship", "\(from)/relationship/\(type)/\(target)",
            [("from", .string(from)), ("to", .array(to.map(JSONValue.string))), ("relationshipType", .string(type))])
    }

    private func hash(_ digest: String, comment: String? = nil) -> JSONValue {
        .object(
            JSONObject(
                [("type", "Hash"), ("algorithm", "sha256"), ("hashValue", .string(ModelFacts.hex(digest)))]
                    + (comment.map { [("comment", .string($0))] } ?? [])))
    }

    private func dictionaryEntry(_ key: String, _ value: JSONValue) -> JSONValue {
        let text: String
        switch value {
        case .string(let string): text = string
        default: text = String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
        return .object(JSONObject([("type", "DictionaryEntry"), ("key", .string(key)), ("value", .string(text))]))
    }
}
