public import AssentLog
internal import AssentCrypto
internal import AssentRecords

/// A Croissant 1.1 description of a snapshot, with the Responsible AI vocabulary: the dataset,
/// its member list (the bytes `assent snapshot members` prints) as the distribution, and a record
/// set of the members' commitment, consent and licence.
public struct CroissantDocument {
    /// The context mlcroissant writes (`make_context()`), so that it recognises the document.
    static let context = JSONObject([
        ("@language", "en"), ("@vocab", "https://schema.org/"), ("citeAs", "cr:citeAs"), ("column", "cr:column"),
        ("conformsTo", "dct:conformsTo"), ("cr", "http://mlcommons.org/croissant/"),
        ("data", .object(JSONObject([("@id", "cr:data"), ("@type", "@json")]))),
        ("dataType", .object(JSONObject([("@id", "cr:dataType"), ("@type", "@vocab")]))),
        ("dct", "http://purl.org/dc/terms/"), ("equivalentProperty", "cr:equivalentProperty"),
        ("examples", .object(JSONObject([("@id", "cr:examples"), ("@type", "@json")]))), ("extract", "cr:extract"),
        ("field", "cr:field"), ("fileObject", "cr:fileObject"), ("fileProperty", "cr:fileProperty"),
        ("fileSet", "cr:fileSet"),
        ("format", "cr:format"), ("includes", "cr:includes"), ("isLiveDataset", "cr:isLiveDataset"),
        ("jsonPath", "cr:jsonPath"),
        ("key", "cr:key"), ("md5", "cr:md5"), ("parentField", "cr:parentField"), ("path", "cr:path"),
        ("rai", "http://mlcommons.org/croissant/RAI/"), ("recordSet", "cr:recordSet"), ("references", "cr:references"),
        ("regex", "cr:regex"), ("repeated", "cr:repeated"), ("replace", "cr:replace"),
        ("samplingRate", "cr:samplingRate"),
        ("sc", "https://schema.org/"), ("separator", "cr:separator"), ("source", "cr:source"),
        ("subField", "cr:subField"),
        ("transform", "cr:transform"),
    ])

    /// What the snapshot was made of.
    public let content: TrainingContent
    /// The ledger's origin.
    public let origin: String
    /// When the snapshot was cut.
    public let snapshotAt: String
    /// The member list's bytes (one leaf per line), whose digest the distribution carries.
    public let members: [UInt8]

    /// The document, with keys in canonical order.
    public var json: JSONValue {
        let snapshot = content.snapshot
        let collected = content.samples.map(\.collectedAt).sorted()
        let fields = ["commitment", "consent", "license"].map { name -> JSONValue in
            .object(
                JSONObject([
                    ("@type", "cr:Field"), ("@id", .string("members/\(name)")), ("name", .string(name)),
                    ("dataType", "sc:Text"),
                    (
                        "source",
                        .object(
                            JSONObject([
                                ("fileObject", .object(JSONObject([("@id", "members.jsonl")]))),
                                ("extract", .object(JSONObject([("jsonPath", .string("$.\(name)"))]))),
                            ]))
                    ),
                ]))
        }
        return .object(
            JSONObject([
                ("@context", .object(Self.context)), ("@type", "sc:Dataset"),
                ("conformsTo", ["http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0"]),
                ("name", .string(snapshot.id)), ("description", .string(description)),
                ("url", .string("https://\(origin)/v1/snapshots/\(snapshot.id)")),
                (
                    "creator",
                    .object(
                        JSONObject([("@type", "sc:Organization"), ("name", .string("Operator of ledger \(origin)"))]))
                ),
                ("datePublished", .string(snapshotAt)), ("dateCreated", .string(snapshotAt)), ("version", "1.0.0"),
                (
                    "citeAs",
                    .string(
                        "@misc{\(snapshot.id), title={Snapshot \(snapshot.id) of the Assent ledger \(origin)}, "
                            + "howpublished={https://\(origin)/v1/snapshots/\(snapshot.id)}, year={\(snapshotAt.prefix(4))}}"
                    )
                ),
                ("license", .array(licenses)), ("keywords", ["training data", "consent", "provenance"]),
                ("inLanguage", .array(Set(content.samples.compactMap(\.language)).sorted().map(JSONValue.string))),
                (
                    "distribution",
                    [
                        .object(
                            JSONObject([
                                ("@type", "cr:FileObject"), ("@id", "members.jsonl"), ("name", "members.jsonl"),
                                (
                                    "description",
                                    .string(
                                        "The snapshot's leaves in leaf order: assent snapshot members \(snapshot.id)")
                                ),
                                ("contentUrl", "members.jsonl"), ("encodingFormat", "application/jsonlines"),
                                ("sha256", .string(Hex.encode(SHA256.hash(members)))),
                            ]))
                    ]
                ),
                (
                    "recordSet",
                    [
                        .object(
                            JSONObject([
                                ("@type", "cr:RecordSet"), ("@id", "members"), ("name", "members"),
                                (
                                    "description",
                                    "One record per sample: its commitment, consent id (null without one) and concluded licence."
                                ),
                                ("key", .object(JSONObject([("@id", "members/commitment")]))),
                                ("field", .array(fields)),
                            ]))
                    ]
                ),
                ("rai:dataCollection", .string(collection)),
                ("rai:dataCollectionType", .array(collectionTypes.map(JSONValue.string))),
                (
                    "rai:dataCollectionTimeframe",
                    collected.isEmpty ? [] : [.string(collected.first!), .string(collected.last!)]
                ),
                ("rai:personalSensitiveInformation", [.string(personalInformation)]),
                ("rai:dataUseCases", [.string("Training (\(snapshot.policy.purpose))")]),
                ("rai:dataPreprocessingProtocol", [.string(preprocessing)]),
                (
                    "rai:dataReleaseMaintenancePlan",
                    [
                        "A snapshot never changes. A withdrawal or expiry of consent makes later snapshots leave the subject's samples out and marks the models trained on this one stale; they are reproduced on a new snapshot."
                    ]
                ),
                ("http://www.w3.org/ns/prov#wasDerivedFrom", .array(sourceNames.map(JSONValue.string))),
            ]))
    }

    private var sourceNames: [String] { Set(content.samples.flatMap(\.sources)).sorted() }

    private var description: String {
        "Snapshot \(content.snapshot.id) of \(content.samples.count) training samples in \(content.snapshot.shardCounts.count) shards "
            + "with Merkle root \(Hex.encode(content.snapshot.root)), cut under policy \(content.snapshot.policy.name) "
            + "from the ledger \(origin) at log size \(content.snapshot.parameters.baseHeight)."
    }

    /// Each distinct concluded licence: an SPDX licence-list URL for a plain identifier, a named
    /// creative work for an expression or a licence reference.
    private var licenses: [JSONValue] {
        Set(content.samples.flatMap(\.licenses)).sorted().map { expression in
            let isPlainID =
                !expression.contains(" ") && !expression.hasPrefix("LicenseRef-") && !expression.contains(":")
                && expression != "NOASSERTION" && expression != "NONE"
            return isPlainID
                ? .string("https://spdx.org/licenses/\(expression).html")
                : .object(JSONObject([("@type", "sc:CreativeWork"), ("name", .string(expression))]))
        }
    }

    private var collection: String {
        "Every sample was ingested into an append-only, signed ledger with its licence, source, collection time and "
            + "consent; sources: "
            + sourceNames.map { "\($0) (\(content.sources[$0]?.category ?? "unclassified"))" }.joined(separator: ", ")
            + "."
    }

    private var collectionTypes: [String] {
        let labels = [
            "crawled": "Web Scraping", "user": "User-generated content data", "synthetic": "Synthetic data generation",
            "public": "Publicly available datasets", "licensed": "Licensed datasets",
            "private": "Private datasets from third parties",
            "other": "Others",
        ]
        return Set(sourceNames.compactMap { content.sources[$0].flatMap { labels[$0.category] } }).sorted()
    }

    private var personalInformation: String {
        let personal = content.samples.filter(\.hasSubject).count
        return personal == 0
            ? "No sample is recorded as personal data."
            : "\(personal) of \(content.samples.count) samples are personal data of data subjects whose recorded consent covers \(content.snapshot.policy.purpose); each can withdraw it, which leaves their samples out of later snapshots."
    }

    private var preprocessing: String {
        let policy = content.snapshot.policy
        var text = "Policy \(policy.name) admitted only samples whose licence and consent allow \(policy.purpose)"
        if policy.optOutReserved == "exclude" {
            let excluded = content.optOutExclusions.values.reduce(0, +)
            text += " and excluded samples whose opt-out signals reserve rights (\(excluded) samples)"
        }
        return text + "."
    }
}
