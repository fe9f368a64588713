internal import Foundation
internal import AssentLog
public import AssentRecords

/// What the log says about the ledger's processing of personal data, counted in one pass over its
/// entries up to a checkpoint. Subjects appear only as counts: the log holds pseudonyms and this
/// keeps not even those.
public struct ProcessingFacts: Sendable {
    /// One training policy: the snapshots cut under it and the models trained on them.
    public struct Policy: Sendable {
        /// The policy's name.
        public let name: String
        /// The purposes its snapshots were cut for.
        public var purposes: Set<String> = []
        /// How many snapshots it cut.
        public var snapshots = 0
        /// How many models were trained on them.
        public var models = 0
        /// Its latest snapshot's id and member count.
        public var latest: (id: String, count: Int)?
        /// How many distinct data subjects have samples in its latest snapshot.
        public var subjectsInLatest = 0
    }

    /// The checkpoint the facts hold at, and the time of its last entry.
    public let checkpoint: (size: UInt64, note: String, time: String)
    /// DPV purposes over every consent record.
    public let purposes: [String: Int]
    /// Legal bases over every consent record.
    public let legalBases: [String: Int]
    /// Consent records, renewals and withdrawal entries.
    public let consents: Int, renewals: Int, revocations: Int
    /// Consents without an expiry, and the earliest and latest expiry of the others (YYYY-MM-DD).
    public let consentsWithoutExpiry: Int, expiryRange: (first: String, last: String)?
    /// Distinct pseudonymous data subjects with a consent record.
    public let subjects: Int
    /// Samples, and those that carry personal data under a consent.
    public let samples: Int, personalSamples: Int
    /// Media types and sources of the personal samples, with counts.
    public let personalMediaTypes: [String: Int], personalSources: [String: Int]
    /// Erasure entries and the samples they erased.
    public let erasures: Int, erasedSamples: Int
    /// The training policies, by name.
    public let policies: [Policy]

    /// Counts the facts from `store`'s log at its latest checkpoint.
    public static func read(store: RecordStore) throws -> ProcessingFacts {
        try store.ledger.reading {
            let checkpoint = try store.ledger.latestCheckpoint()
            var counter = Counter()
            try store.ledger.forEachEntry(to: checkpoint.size) { _, type, bytes in
                guard let entry = try JSONParser.parse(bytes).objectValue else { return }
                counter.count(type: type, entry: entry)
            }
            var policies = counter.policies
            let snapshots = SnapshotStore(store: store)
            for (name, policy) in policies {
                guard let latest = policy.latest else { continue }
                let members = try snapshots.members(try snapshots.load(latest.id), sorted: false)
                let subjects = Set(members.compactMap { counter.subjectOf["sha256:" + Hex.encode($0.commitment)] })
                policies[name]?.subjectsInLatest = subjects.count
            }
            let expiries = counter.expiries.sorted()
            return ProcessingFacts(
                checkpoint: (
                    checkpoint.size, checkpoint.note,
                    try TrainingContent.entryTime(store.ledger, seq: checkpoint.size - 1)
                ),
                purposes: counter.purposes, legalBases: counter.legalBases, consents: counter.consents,
                renewals: counter.renewals, revocations: counter.revocations,
                consentsWithoutExpiry: counter.consents - counter.expiries.count,
                expiryRange: expiries.first.map { ($0, expiries.last!) }, subjects: counter.subjects.count,
                samples: counter.samples, personalSamples: counter.subjectOf.count,
                personalMediaTypes: counter.personalMediaTypes, personalSources: counter.personalSources,
                erasures: counter.erasures, erasedSamples: counter.erasedSamples,
                policies: policies.values.sorted { $0.name < $1.name })
        }
    }

    /// The tallies of one pass over the log.
    private struct Counter {
        var purposes: [String: Int] = [:], legalBases: [String: Int] = [:]
        var consents = 0, renewals = 0, revocations = 0, samples = 0, erasures = 0, erasedSamples = 0
        var expiries: [String] = []
        var subjects: Set<String> = []
        var subjectOf: [String: String] = [:]
        var personalMediaTypes: [String: Int] = [:], personalSources: [String: Int] = [:]
        var policies: [String: Policy] = [:]
        var policyOfSnapshot: [String: String] = [:]

        mutating func count(type: String, entry: JSONObject) {
            func text(_ key: String) -> String? { entry[key]?.stringValue }
            switch type {
            case "consent.grant":
                consents += 1
                for purpose in entry["purposes"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                    purposes[purpose, default: 0] += 1
                }
                legalBases[text("legal_basis") ?? "unspecified", default: 0] += 1
                if let expiry = text("expires_at") { expiries.append(String(expiry.prefix(10))) }
                if let subject = text("subject") { subjects.insert(subject) }
            case "consent.renew": renewals += 1
            case "revocation": revocations += 1
            case "erasure":
                erasures += 1
                erasedSamples += entry["samples"]?.arrayValue?.count ?? 0
            case "sample":
                samples += 1
                guard let subject = text("subject"), let commitment = text("commitment") else { return }
                subjectOf[commitment] = subject
                personalMediaTypes[text("media_type") ?? "application/octet-stream", default: 0] += 1
                personalSources[text("source") ?? "", default: 0] += 1
            case "snapshot":
                guard let id = text("snapshot") else { return }
                let name = text("policy_name") ?? text("policy") ?? "unnamed"
                policyOfSnapshot[id] = name
                var policy = policies[name] ?? Policy(name: name)
                policy.snapshots += 1
                if let purpose = text("purpose") { policy.purposes.insert(purpose) }
                policy.latest = (id, Int(entry["count"]?.integerValue ?? 0))
                policies[name] = policy
            case "model":
                if let snapshot = text("snapshot"), let name = policyOfSnapshot[snapshot] {
                    policies[name]?.models += 1
                }
            default: break
            }
        }
    }
}
