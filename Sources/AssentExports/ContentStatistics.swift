internal import Foundation
internal import AssentRecords

/// The numbers the AI Act summary reports, computed from a snapshot's ``TrainingContent``.
public struct ContentStatistics: Sendable {
    /// Per modality: samples, bytes, and the size in the template's unit.
    public struct ModalitySize: Sendable {
        /// Samples of this modality.
        public var samples = 0
        /// Their content bytes.
        public var bytes = 0
        /// The size in the template's unit (tokens, images, hours×3600 as seconds) where the samples
        /// gave one (`size_value`), counting one image per image sample without one.
        public var measured: Int64 = 0
        /// Samples whose size in the unit had to be estimated (text: bytes ÷ 4) or is unknown (audio, video).
        public var unmeasured = 0
    }

    /// Per source: its samples, bytes and modalities.
    public struct SourceUse: Sendable {
        /// Samples from it.
        public var samples = 0
        /// Their bytes.
        public var bytes = 0
        /// Bytes per modality.
        public var bytesByModality: [Modality: Int] = [:]
    }

    /// Sizes by modality.
    public private(set) var modalities: [Modality: ModalitySize] = [:]
    /// Use of each source dataset, by name.
    public private(set) var sources: [String: SourceUse] = [:]
    /// Samples per language tag.
    public private(set) var languages: [String: Int] = [:]
    /// Samples without a language.
    public private(set) var samplesWithoutLanguage = 0
    /// The latest collection time.
    public private(set) var latestCollection: String?
    /// The first and last collection time of crawled samples.
    public private(set) var crawlPeriod: (first: String, last: String)?
    /// Crawled bytes per registrable domain, overall and per modality.
    public private(set) var domains: [String: (bytes: Int, byModality: [Modality: Int])] = [:]
    /// Crawled samples without a domain (no source URI, or ingested before domains were logged).
    public private(set) var crawledWithoutDomain = 0
    /// Samples with a data subject.
    public private(set) var personalSamples = 0

    /// Computes the statistics of `content`; sources are looked up in `content.sources`.
    public init(_ content: TrainingContent) {
        for sample in content.samples {
            let modality = sample.modality
            var size = modalities[modality] ?? ModalitySize()
            size.samples += 1
            size.bytes += sample.bytes
            switch (modality, sample.sizeUnit) {
            case (.text, "tokens"), (.image, "images"), (.audio, "seconds"), (.video, "seconds"), (.other, _):
                size.measured += sample.sizeValue ?? Int64(sample.bytes)
            case (.image, _): size.measured += 1
            default: size.unmeasured += 1
            }
            modalities[modality] = size
            if let language = sample.language {
                languages[language, default: 0] += 1
            } else {
                samplesWithoutLanguage += 1
            }
            if latestCollection.map({ sample.collectedAt > $0 }) ?? true { latestCollection = sample.collectedAt }
            if sample.hasSubject { personalSamples += 1 }
            for source in Set(sample.sources) {
                var use = sources[source] ?? SourceUse()
                use.samples += 1
                use.bytes += sample.bytes
                use.bytesByModality[modality, default: 0] += sample.bytes
                sources[source] = use
            }
            guard sample.sources.contains(where: { content.sources[$0]?.category == "crawled" }) else { continue }
            let period = crawlPeriod ?? (sample.collectedAt, sample.collectedAt)
            crawlPeriod = (min(period.first, sample.collectedAt), max(period.last, sample.collectedAt))
            guard let domain = sample.domain else {
                crawledWithoutDomain += 1
                continue
            }
            var entry = domains[domain] ?? (0, [:])
            entry.bytes += sample.bytes
            entry.byModality[modality, default: 0] += sample.bytes
            domains[domain] = entry
        }
    }

    /// The modalities present, in the template's order.
    public var presentModalities: [Modality] { modalities.keys.sorted() }

    /// The modalities of the samples from sources of `category`.
    public func modalities(ofCategory category: String, in content: TrainingContent) -> [Modality] {
        let names = content.sources.values.filter { $0.category == category }.map(\.name)
        return Set(names.flatMap { sources[$0]?.bytesByModality.keys.map { $0 } ?? [] }).sorted()
    }

    /// The template's size bin for a modality's size, in its unit (tokens, images, seconds).
    public static func sizeBin(_ modality: Modality, _ size: Int64) -> String? {
        switch modality {
        case .text:
            size < 1_000_000_000
                ? "Less than 1 billion tokens"
                : size <= 10_000_000_000_000 ? "1 billion to 10 trillion tokens" : "More than 10 trillion tokens"
        case .image:
            size < 1_000_000
                ? "Less than 1 million images"
                : size <= 1_000_000_000 ? "1 million to 1 billion images" : "More than 1 billion images"
        case .audio, .video:
            size < 10_000 * 3600
                ? "Less than 10 000 hours"
                : size <= 1_000_000 * 3600 ? "10 000 to 1 million hours" : "More than 1 million hours"
        case .other: nil
        }
    }

    /// Every bin the template offers for a modality.
    public static func sizeBins(_ modality: Modality) -> [String] {
        switch modality {
        case .text: ["Less than 1 billion tokens", "1 billion to 10 trillion tokens", "More than 10 trillion tokens"]
        case .image: ["Less than 1 million images", "1 million to 1 billion images", "More than 1 billion images"]
        case .audio, .video: ["Less than 10 000 hours", "10 000 to 1 million hours", "More than 1 million hours"]
        case .other: []
        }
    }

    /// A modality's estimated size in its unit: measured plus, for text, bytes ÷ 4 of the samples
    /// without a token count.
    public func estimatedSize(_ modality: Modality, content: TrainingContent) -> Int64 {
        guard let size = modalities[modality] else { return 0 }
        guard modality == .text, size.unmeasured > 0 else { return size.measured }
        let unmeasuredBytes = content.samples.filter { $0.modality == .text && $0.sizeUnit != "tokens" }.reduce(0) {
            $0 + $1.bytes
        }
        return size.measured + Int64(unmeasuredBytes / 4)
    }

    /// The crawled domains ranked for section 2.3: sorted by bytes (then name), each with its share of
    /// the crawled bytes and whether it is in the top list: per modality, the top 10 % of domains by
    /// size (rounded up), or for an SME the lower of the top 5 % and 1,000; the lists' union.
    public func rankedDomains(sme: Bool) -> [(domain: String, bytes: Int, share: String, top: Bool)] {
        let total = domains.values.reduce(0) { $0 + $1.bytes }
        var top: Set<String> = []
        for modality in Modality.allCases {
            let ranked = domains.compactMap { domain, entry in entry.byModality[modality].map { (domain, $0) } }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            guard !ranked.isEmpty else { continue }
            let count = sme ? min((ranked.count * 5 + 99) / 100, 1_000) : (ranked.count * 10 + 99) / 100
            top.formUnion(ranked.prefix(count).map(\.0))
        }
        return domains.map { ($0.key, $0.value.bytes) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .map { ($0.0, $0.1, Self.share($0.1, of: total), top.contains($0.0)) }
    }

    /// `part ÷ whole` with six decimals, computed in integers so every machine prints the same digits.
    public static func share(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "0.000000" }
        let millionths = (Int64(part) * 1_000_000 + Int64(whole) / 2) / Int64(whole)
        let fraction = String(millionths % 1_000_000)
        return "\(millionths / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// The public sources whose bytes are at least `threshold` percent of the public data of some
    /// modality, sorted by name, with the share per modality that qualified them.
    public func largePublicDatasets(_ content: TrainingContent, thresholdPercent: Int) -> [(
        name: String, uri: String?, shares: [(Modality, String)]
    )] {
        let publicNames = content.sources.values.filter { $0.category == "public" }.map(\.name)
        var totals: [Modality: Int] = [:]
        for name in publicNames {
            for (modality, bytes) in sources[name]?.bytesByModality ?? [:] { totals[modality, default: 0] += bytes }
        }
        return publicNames.sorted().compactMap { name in
            let use = sources[name]?.bytesByModality ?? [:]
            let shares = use.keys.sorted().filter { modality in
                use[modality]! * 100 >= thresholdPercent * (totals[modality] ?? 0) && use[modality]! > 0
            }.map { ($0, Self.share(use[$0]!, of: totals[$0]!)) }
            return shares.isEmpty ? nil : (name, content.sources[name]?.uri, shares)
        }
    }
}
