internal import Foundation
internal import AssentLog
internal import AssentRecords

extension AIActSummary {
    static let modalityOptions = ["Text", "Image", "Audio", "Video", "Other"]
    static let yesNo = ["Yes", "No"]

    /// The template, filled in.
    mutating func document() -> SummaryDocument {
        let time = content.checkpoint.time
        let day = "\(time.dropFirst(8).prefix(2))/\(time.dropFirst(5).prefix(2))/\(time.prefix(4))"
        var header: [(String, String)] = [("Version of the Summary:", String(version)), ("Last update:", day)]
        if let changes { header.append(("Changes in this version:", changes)) }
        return SummaryDocument(
            title: "Public Summary of Training Content for general-purpose AI models (Article 53(1)(d) AI Act)",
            header: header, sections: [generalInformation(), dataSources(), dataProcessing()])
    }

    private func labels(_ modalities: [Modality]) -> [String] { modalities.map(\.label) }

    private func answer(_ yes: Bool) -> [String] { [yes ? "Yes" : "No"] }

    private func sourceNames(_ category: String) -> [String] {
        content.sources.values.filter { $0.category == category && statistics.sources[$0.name] != nil }.map(\.name)
            .sorted()
    }

    private mutating func generalInformation() -> SummaryDocument.Section {
        var items: [SummaryDocument.Item] = [
            .heading("1.1 Provider identification"),
            .field(label: "Provider name and contact details:", value: "\(provider.name), \(provider.contact)"),
            .field(
                label: "Authorised representative name and contact details:", value: provider.authorisedRepresentative),
            .heading("1.2 Model identification"),
            .field(label: "Versioned model name(s):", value: provider.modelName.map { "\($0) (\(model))" } ?? model),
            .field(
                label: "Model dependencies:",
                value: provider.modelDependencies.isEmpty ? "None" : provider.modelDependencies.joined(separator: "; ")),
            .field(label: "Date of placement of the model on the Union market:", value: provider.placementDate),
            .heading("1.3 Modalities, overall training data size and other characteristics"),
        ]
        let present = statistics.presentModalities
        items.append(.choice(label: "Modality:", options: Self.modalityOptions, selected: labels(present)))
        var rows: [[String]] = []
        for modality in present {
            let size = statistics.modalities[modality]!
            let estimate = statistics.estimatedSize(modality, content: content)
            var sizeText = ContentStatistics.sizeBin(modality, estimate) ?? "\(estimate) bytes"
            switch modality {
            case .text where size.unmeasured > 0:
                sizeText +=
                    " (\(estimate) tokens; \(size.unmeasured) of \(size.samples) samples estimated at 4 bytes per token)"
            case .text: sizeText += " (\(estimate) tokens)"
            case .image: sizeText += " (\(estimate) images)"
            case .audio, .video:
                sizeText +=
                    " (\(estimate / 3600) hours\(size.unmeasured > 0 ? "; \(size.unmeasured) samples without a duration" : ""))"
            case .other: sizeText = "Approximately \(size.bytes) bytes in \(size.samples) samples"
            }
            let types = Set(content.samples.filter { $0.modality == modality }.map(\.mediaType)).sorted()
            let names = statistics.sources.filter { $0.value.bytesByModality[modality] != nil }.keys.sorted()
            rows.append([
                modality.label, sizeText,
                "\(types.joined(separator: ", ")) from \(names.joined(separator: ", "))",
            ])
        }
        items.append(.table(headers: ["Modality", "Training data size", "Types of content"], rows: rows))
        let latest = statistics.latestCollection.map(Self.monthAndYear) ?? "None"
        items.append(
            .field(label: "Latest date of data acquisition/collection for model training:", value: latest))
        let languages = statistics.languages.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var linguistic =
            languages.isEmpty
            ? "No sample records a language."
            : "Languages (BCP 47) by number of samples: "
                + languages.map { "\($0.key) (\($0.value))" }.joined(separator: ", ") + "."
        if !languages.isEmpty && statistics.samplesWithoutLanguage > 0 {
            linguistic += " \(statistics.samplesWithoutLanguage) samples record no language."
        }
        items.append(
            .field(
                label: "Description of the linguistic characteristics of the overall training data:", value: linguistic)
        )
        items.append(
            .field(label: "Other relevant characteristics of the overall training data:", value: narrative("1.3")))
        if let comment = provider.narratives["1.3.comments"] {
            items.append(.field(label: "Additional comments (optional):", value: comment))
        }
        return SummaryDocument.Section(number: "1", title: "General information", items: items)
    }

    private mutating func dataSources() -> SummaryDocument.Section {
        var items: [SummaryDocument.Item] = []
        let publicUsed = !sourceNames("public").isEmpty
        items += [
            .heading("2.1 Publicly available datasets"),
            .choice(
                label: "Have you used publicly available datasets to train the model?", options: Self.yesNo,
                selected: answer(publicUsed)),
        ]
        if publicUsed {
            let large = statistics.largePublicDatasets(content, thresholdPercent: largeDatasetPercent)
            items.append(
                .choice(
                    label: "If yes, specify the modality(ies) of the content covered by the datasets concerned:",
                    options: Self.modalityOptions,
                    selected: labels(statistics.modalities(ofCategory: "public", in: content))))
            let list = large.map { item in
                let shares = item.shares.map { "\($0.1) of public \($0.0.rawValue)" }.joined(separator: ", ")
                return "\(item.name)\(item.uri.map { " (\($0))" } ?? "") — \(shares)"
            }
            items.append(
                .field(
                    label: "List of large publicly available datasets:",
                    value: list.isEmpty ? "None" : list.joined(separator: "\n")))
            let others = Set(sourceNames("public")).subtracting(large.map(\.name)).sorted()
            items.append(
                .field(
                    label: "General description of other publicly available datasets not listed above:",
                    value: others.isEmpty
                        ? "None" : "\(others.joined(separator: ", ")). \(narrative("2.1", required: false))"))
        }
        let licensed = !sourceNames("licensed").isEmpty
        items += [
            .heading("2.2 Private non-publicly available datasets obtained from third parties"),
            .heading("2.2.1 Datasets commercially licensed by rightsholders or their representatives"),
            .choice(
                label:
                    "Have you concluded transactional commercial licensing agreement(s) with rightsholder(s) or with their representatives?",
                options: Self.yesNo, selected: answer(licensed)),
        ]
        if licensed {
            items.append(
                .choice(
                    label: "If yes, specify the modality(ies) of the content covered by the datasets concerned:",
                    options: Self.modalityOptions,
                    selected: labels(statistics.modalities(ofCategory: "licensed", in: content))))
        }
        let privateNames = sourceNames("private")
        items += [
            .heading("2.2.2 Private datasets obtained from other third parties"),
            .choice(
                label:
                    "Have you obtained private datasets from third parties that are not licensed as described in Section 2.2.1, such as data obtained from providers of private databases, or data intermediaries?",
                options: Self.yesNo, selected: answer(!privateNames.isEmpty)),
        ]
        if !privateNames.isEmpty {
            items += [
                .choice(
                    label: "If yes, specify the modality(ies) of the content covered by the datasets concerned",
                    options: Self.modalityOptions,
                    selected: labels(statistics.modalities(ofCategory: "private", in: content))),
                .field(
                    label: "If publicly known, list private datasets obtained from other third parties:",
                    value: privateNames.joined(separator: ", ")),
                .field(
                    label: "General description of non-publicly known private datasets obtained from third parties",
                    value: narrative("2.2.2", "2.2")),
            ]
        }
        items += crawledData()
        let user = !sourceNames("user").isEmpty
        items += [
            .heading("2.4 User data"),
            .choice(
                label:
                    "Was data from user interactions with the AI model (e.g. user input and prompts) used to train the model?",
                options: Self.yesNo, selected: answer(user && provider.trainsOnModelInteractions)),
            .choice(
                label:
                    "Was data collected from user interactions with the provider's other services or products used to train the model?",
                options: Self.yesNo, selected: answer(user && !provider.trainsOnModelInteractions)),
        ]
        if user {
            items += [
                .field(
                    label:
                        "If yes, provide a general description of the provider's services or products that were used to collect the user data:",
                    value: narrative("2.4")),
                .choice(
                    label: "Type of modality covered:", options: Self.modalityOptions,
                    selected: labels(statistics.modalities(ofCategory: "user", in: content))),
            ]
        }
        let synthetic = sourceNames("synthetic")
        items += [
            .heading("2.5 Synthetic data"),
            .choice(
                label: "Was synthetic AI-generated data created by the provider or on their behalf to train the model?",
                options: Self.yesNo, selected: answer(!synthetic.isEmpty)),
        ]
        if !synthetic.isEmpty {
            let generators = Set(synthetic.compactMap { content.sources[$0]?.generator }).sorted()
            items += [
                .choice(
                    label: "If yes, modality of the synthetic data:", options: Self.modalityOptions,
                    selected: labels(statistics.modalities(ofCategory: "synthetic", in: content))),
                .field(
                    label:
                        "If yes, specify the general-purpose AI model(s) used to generate the synthetic data if available on the market:",
                    value: generators.isEmpty
                        ? "Not recorded (assent source set NAME --generator MODEL)" : generators.joined(separator: ", ")
                ),
                .field(
                    label:
                        "Information about other AI models, including provider's own AI model(s) not available on the market, used to generate synthetic data to train the model to which this Summary applies:",
                    value: narrative("2.5", required: false)),
            ]
        }
        let other = !sourceNames("other").isEmpty
        items += [
            .heading("2.6 Other sources of data"),
            .choice(
                label:
                    "Have data sources other than those described in Sections 2.1 to 2.5 been used to train the model?",
                options: Self.yesNo, selected: answer(other)),
        ]
        if other {
            items.append(
                .field(
                    label: "If yes, provide a narrative description of these data sources and the data:",
                    value: narrative("2.6")))
        }
        return SummaryDocument.Section(number: "2", title: "List of data sources", items: items)
    }

    private mutating func crawledData() -> [SummaryDocument.Item] {
        let crawled = sourceNames("crawled")
        var items: [SummaryDocument.Item] = [
            .heading("2.3 Data crawled and scraped from online sources"),
            .choice(
                label: "Were crawlers used by the provider or on behalf of?", options: Self.yesNo,
                selected: answer(!crawled.isEmpty)),
        ]
        guard !crawled.isEmpty else { return items }
        let crawlers = Set(crawled.compactMap { content.sources[$0]?.crawler }).sorted()
        let period =
            statistics.crawlPeriod.map { "From \(Self.monthAndYear($0.first)) to \(Self.monthAndYear($0.last))" }
            ?? "Unknown"
        let ranked = statistics.rankedDomains(sme: isSME)
        let top = ranked.filter(\.top)
        var domainText =
            top.isEmpty
            ? "No crawled sample records a source URI."
            : top.map { "\($0.domain) (\($0.share))" }.joined(separator: ", ")
                + ". The full list of \(ranked.count) domains with their sizes is in domains.csv."
        if statistics.crawledWithoutDomain > 0 {
            domainText += " \(statistics.crawledWithoutDomain) crawled samples record no domain."
        }
        items += [
            .field(
                label: "If yes, specify crawler name(s)/identifier(s):",
                value: crawlers.isEmpty
                    ? "Not recorded (assent source set NAME --crawler ID)" : crawlers.joined(separator: ", ")),
            .field(label: "Purposes of the crawler(s):", value: narrative("2.3.purposes", "2.3")),
            .field(label: "General description of crawler behaviour:", value: narrative("2.3.behaviour", "2.3")),
            .field(label: "Period of data collection:", value: period),
            .field(
                label: "Comprehensive description of the type of content and online sources crawled:",
                value:
                    "\(crawled.joined(separator: ", ")): \(statistics.domains.count) registrable domains. \(narrative("2.3.content", required: false))"
            ),
            .choice(
                label: "Type of modality covered:", options: Self.modalityOptions,
                selected: labels(statistics.modalities(ofCategory: "crawled", in: content))),
            .field(label: "Summary of the most relevant domain names crawled:", value: domainText),
        ]
        return items
    }

    private mutating func dataProcessing() -> SummaryDocument.Section {
        let policy = content.snapshot.policy
        let honoured = content.optOutExclusions.sorted { $0.key < $1.key }
        var measures = narrative("3.1")
        if policy.optOutReserved == "exclude" {
            measures +=
                "\nThe ledger's snapshot policy \(policy.name) excludes every sample whose opt-out signals reserve rights (IETF AIPREF fold: any reservation wins)."
            measures +=
                honoured.isEmpty
                ? " No sample in the ledger before this snapshot carried a reservation."
                : " Samples excluded, by the protocol that reserved rights: "
                    + honoured.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "."
        } else {
            measures +=
                "\nThe snapshot policy \(policy.name) does not exclude samples whose opt-out signals reserve rights."
        }
        let checkpointLines = content.checkpoint.note.split(separator: "\n", omittingEmptySubsequences: false).prefix(3)
        let provenance = """
            Snapshot \(content.snapshot.id) of \(content.snapshot.count) samples in \(content.snapshot.parameters.shards) shards, \
            Merkle root \(Hex.encode(content.snapshot.root)), under policy \(policy.name); computed at the checkpoint \
            "\(checkpointLines.joined(separator: " / "))". Verify: assent prove \(model) --out-dir proof/ and \
            assent verify proof/ --model MODEL_DIR --trust trust.json check the model's provenance against the signed log.
            """
        return SummaryDocument.Section(
            number: "3", title: "Data processing aspects",
            items: [
                .heading("3.1 Respect of reservation of rights from text and data mining exception or limitation"),
                .choice(
                    label:
                        "Are you a Signatory to the Code of Practice for general-purpose AI models that includes commitments to respect reservations of rights from the TDM exception or limitation?",
                    options: Self.yesNo, selected: answer(provider.codeOfPracticeSignatory)),
                .field(
                    label:
                        "Describe the measures implemented before model training to respect reservations of rights from the TDM exception or limitation before and during data collection, including the opt-out protocols and solutions honoured by the provider or, as applicable, by third parties from which datasets have been obtained:",
                    value: measures),
                .heading("3.2 Removal of illegal content"),
                .field(label: "General description of measures taken:", value: narrative("3.2")),
                .heading("3.3 Other information (optional)"),
                .field(
                    label: "Other relevant information about data processing (optional):",
                    value: provider.narratives["3.3"].map { $0 + "\n" + provenance } ?? provenance),
            ])
    }

    /// A UTC time as the template writes dates: MM/YYYY.
    static func monthAndYear(_ time: String) -> String { "\(time.dropFirst(5).prefix(2))/\(time.prefix(4))" }
}
