internal import AssentLog

/// The GDPR Art. 30(1) record of processing activities: items (a)–(g) for the ingest of training
/// data and for each training policy, from the log's consent records and the controller file.
public struct ProcessingRecord {
    /// The items of Art. 30(1), verbatim.
    public static let labels: [(item: String, text: String)] = [
        (
            "a",
            "the name and contact details of the controller and, where applicable, the joint controller, the controller's representative and the data protection officer;"
        ),
        ("b", "the purposes of the processing;"),
        ("c", "a description of the categories of data subjects and of the categories of personal data;"),
        (
            "d",
            "the categories of recipients to whom the personal data have been or will be disclosed including recipients in third countries or international organisations;"
        ),
        (
            "e",
            "where applicable, transfers of personal data to a third country or an international organisation, including the identification of that third country or international organisation and, in the case of transfers referred to in the second subparagraph of Article 49(1), the documentation of suitable safeguards;"
        ),
        ("f", "where possible, the envisaged time limits for erasure of the different categories of data;"),
        (
            "g",
            "where possible, a general description of the technical and organisational security measures referred to in Article 32(1)."
        ),
    ]

    /// The facts counted from the log.
    public let facts: ProcessingFacts
    /// The controller file, if one was given.
    public let controller: ControllerFile?

    /// `art30.md` and `art30.json`; a warning for each item left to the controller file that it did not fill.
    public func files() -> ExportFiles {
        var warnings: [String] = []
        func configured(_ values: [String], _ field: String) -> String {
            if !values.isEmpty { return values.joined(separator: "; ") }
            warnings.append("controller field \(field) not provided (add it to the controller file)")
            return "Not provided"
        }
        let common = (
            a: controllerDetails(&warnings),
            d: configured(controller?.recipients ?? [], "recipients"),
            e: controller.map { $0.transfers.isEmpty ? "None" : $0.transfers.joined(separator: "; ") }
                ?? configured([], "transfers"),
            g: configured(controller?.securityMeasures ?? [], "security_measures")
        )
        var sections = [
            section(number: "1", title: "Ingest of training data", b: ingestPurposes, c: categories(), common: common)
        ]
        for (offset, policy) in facts.policies.enumerated() {
            sections.append(
                section(
                    number: "\(offset + 2)", title: "Training under policy \(policy.name)", b: purposes(of: policy),
                    c: categories(in: policy), common: common))
        }
        let document = SummaryDocument(
            title: "Record of processing activities (GDPR Art. 30(1))",
            header: [
                ("Controller:", controller?.name ?? "Not provided"),
                ("Computed at checkpoint:", "\(facts.checkpoint.size) entries, \(facts.checkpoint.time)"),
                ("Checkpoint:", facts.checkpoint.note.split(separator: "\n").prefix(3).joined(separator: " / ")),
            ],
            sections: sections)
        var files = ExportFiles()
        files.warnings = Array(Set(warnings)).sorted()
        files.add("art30.md", Array(document.markdown.utf8))
        files.add("art30.json", json: .object(document.json.merging(JSONObject([("facts", .object(factsJSON))]))))
        return files
    }

    private func section(
        number: String, title: String, b: String, c: String, common: (a: String, d: String, e: String, g: String)
    ) -> SummaryDocument.Section {
        let values = ["a": common.a, "b": b, "c": c, "d": common.d, "e": common.e, "f": erasureLimits, "g": common.g]
        return SummaryDocument.Section(
            number: number, title: title,
            items: Self.labels.map { .field(label: "(\($0.item)) \($0.text)", value: values[$0.item]!) })
    }

    private func controllerDetails(_ warnings: inout [String]) -> String {
        guard let controller else {
            warnings.append("no controller file: (a), (d), (e) and (g) are \"Not provided\" (give --controller FILE)")
            return "Not provided"
        }
        var parts = ["Controller: \(controller.name), \(controller.contact)"]
        if !controller.jointControllers.isEmpty {
            parts.append("Joint controllers: " + controller.jointControllers.joined(separator: "; "))
        }
        parts.append("Representative: \(controller.representative ?? "N/A")")
        parts.append("Data protection officer: \(controller.dpo ?? "N/A")")
        return parts.joined(separator: ". ")
    }

    private var ingestPurposes: String {
        let listed = facts.purposes.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) consents)" }
        let bases = facts.legalBases.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        guard !listed.isEmpty else {
            return "Collection and recording of training samples with their licence and source; no consent records."
        }
        return "Collection and recording of training samples for the purposes their data subjects consented to: "
            + listed.joined(separator: ", ") + ". Legal basis: " + bases.joined(separator: ", ") + "."
    }

    private func purposes(of policy: ProcessingFacts.Policy) -> String {
        "Training AI models on snapshots cut for \(policy.purposes.sorted().joined(separator: ", ")) "
            + "(\(policy.snapshots) snapshots, \(policy.models) models); only samples whose consent covers the purpose are included."
    }

    private func categories() -> String {
        let named = namedCategories
        let types = facts.personalMediaTypes.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        let sources = facts.personalSources.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
        return named
            + "\(facts.subjects) pseudonymous data subjects with \(facts.consents) consent records; \(facts.personalSamples) of \(facts.samples) samples carry personal data"
            + (types.isEmpty
                ? "." : ", as " + types.joined(separator: ", ") + " from " + sources.joined(separator: ", ") + ".")
    }

    private func categories(in policy: ProcessingFacts.Policy) -> String {
        namedCategories
            + "The samples of \(policy.subjectsInLatest) pseudonymous data subjects in its latest snapshot "
            + "\(policy.latest?.id ?? "none") of \(policy.latest?.count ?? 0) samples."
    }

    private var namedCategories: String {
        var parts: [String] = []
        if let subjects = controller?.dataSubjectCategories, !subjects.isEmpty {
            parts.append("Data subjects: " + subjects.joined(separator: "; ") + ". ")
        }
        if let data = controller?.personalDataCategories, !data.isEmpty {
            parts.append("Personal data: " + data.joined(separator: "; ") + ". ")
        }
        return parts.joined()
    }

    private var erasureLimits: String {
        var text = "Consent expiry: "
        if let range = facts.expiryRange {
            text +=
                "\(facts.consents - facts.consentsWithoutExpiry) consents expire between \(range.first) and \(range.last)"
            text += facts.consentsWithoutExpiry > 0 ? "; \(facts.consentsWithoutExpiry) have no expiry. " : ". "
        } else {
            text += "no consent record sets an expiry. "
        }
        return text
            + "A withdrawn or expired consent excludes the subject's samples from every later snapshot and marks the models "
            + "trained on them stale in the same transaction; assent erase deletes their content from the vault "
            + "(\(facts.revocations) withdrawals and \(facts.erasures) erasures of \(facts.erasedSamples) samples so far)."
    }

    private var factsJSON: JSONObject {
        func counts(_ values: [String: Int]) -> JSONValue {
            .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))
        }
        return JSONObject([
            ("checkpoint_size", .integer(Int64(facts.checkpoint.size))),
            ("checkpoint_time", .string(facts.checkpoint.time)),
            ("checkpoint", .string(facts.checkpoint.note)), ("consents", .integer(Int64(facts.consents))),
            ("renewals", .integer(Int64(facts.renewals))), ("revocations", .integer(Int64(facts.revocations))),
            ("erasures", .integer(Int64(facts.erasures))), ("subjects", .integer(Int64(facts.subjects))),
            ("samples", .integer(Int64(facts.samples))), ("personal_samples", .integer(Int64(facts.personalSamples))),
            ("purposes", counts(facts.purposes)), ("legal_bases", counts(facts.legalBases)),
            (
                "policies",
                .array(
                    facts.policies.map { policy in
                        .object(
                            JSONObject([
                                ("name", .string(policy.name)),
                                ("purposes", .array(policy.purposes.sorted().map(JSONValue.string))),
                                ("snapshots", .integer(Int64(policy.snapshots))),
                                ("models", .integer(Int64(policy.models))),
                                ("latest_snapshot", policy.latest.map { .string($0.id) } ?? .null),
                                ("subjects_in_latest", .integer(Int64(policy.subjectsInLatest))),
                            ]))
                    })
            ),
        ])
    }
}
