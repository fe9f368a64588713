internal import AssentCrypto
internal import AssentLog

/// The parameters that make a snapshot a pure function of the log.
public struct SnapshotParameters: Sendable, Equatable {
    /// H: samples and consents logged below this height.
    public let baseHeight: UInt64
    /// R ≥ H: revocations logged below this height count.
    public let revocationHeight: UInt64
    /// T: the policy admits samples as of this time.
    public let asOf: String
    /// T' ≥ T: consents expired and revocations in effect by this time exclude samples.
    public let evaluatedAt: String
    /// K: the number of shards.
    public let shards: Int

    /// Creates parameters.
    public init(baseHeight: UInt64, revocationHeight: UInt64, asOf: String, evaluatedAt: String, shards: Int) {
        self.baseHeight = baseHeight
        self.revocationHeight = revocationHeight
        self.asOf = asOf
        self.evaluatedAt = evaluatedAt
        self.shards = shards
    }
}

/// Why a sample is in or out of a snapshot.
public enum SnapshotDecision: Sendable, Equatable {
    /// In, used under this licence (the elected branch of each source).
    case included(license: String)
    /// Out, for this reason.
    case excluded(reason: String)
}

/// Decides each sample against a policy and builds the snapshot's member records.
///
/// It remembers what depends only on a licence, a consent or a subject (by their numbers in the
/// inputs' texts), so one evaluator serves one set of inputs.
public struct SnapshotEvaluator {
    /// The policy applied.
    public let policy: Policy
    /// H, R, T, T' and K.
    public let parameters: SnapshotParameters
    /// Licence number → number of the canonical branch the policy elects (in ``branches``), -1 when it
    /// allows none, -2 not yet decided.
    private var elections: [Int32] = []
    /// The elected branches, and their AND-joins for samples with several sources.
    private var branches = TextTable()
    /// Consent number → nil not yet decided, `.some(nil)` admits, `.some(reason)` excludes.
    private var consentVerdicts: [String??] = []
    /// Subject number → shard, -1 not yet computed.
    private var subjectShards: [Int32] = []
    /// (consent number, branch number) → pair number in the member table.
    private var pairNumbers: [UInt64: UInt32] = [:]

    /// Why a sample is out: cheap to make, worded by ``reason(_:inputs:)``.
    enum Exclusion {
        case license(Int32)
        case noSource
        case optOutReserved
        case optOutUnknown
        case consent(String)
        case personalWithoutConsent
        case revoked(String)
    }

    /// A sample's fate: in under an elected branch (its number), or out.
    enum Verdict {
        case included(branch: Int32)
        case excluded(Exclusion)
    }

    /// An evaluator for one policy and parameter set.
    public init(policy: Policy, parameters: SnapshotParameters) {
        self.policy = policy
        self.parameters = parameters
    }

    /// The verdict for one sample.
    mutating func verdict(_ sample: SnapshotInputs.Sample, inputs: SnapshotInputs) -> Verdict {
        let known = inputs.texts.strings.count
        if elections.count < known {
            elections += repeatElement(-2, count: known - elections.count)
            consentVerdicts += repeatElement(nil, count: known - consentVerdicts.count)
            subjectShards += repeatElement(-1, count: known - subjectShards.count)
        }
        let branch: Int32
        let optOut: String
        if sample.more < 0 {
            guard sample.first.license >= 0 else { return .excluded(.noSource) }
            branch = election(sample.first.license, inputs: inputs)
            guard branch >= 0 else { return .excluded(.license(sample.first.license)) }
            optOut = inputs.texts[sample.first.optOut]
        } else {
            let sources = inputs.moreSources[Int(sample.more)]
            var elected: [Int32] = []
            for source in sources {
                let branch = election(source.license, inputs: inputs)
                guard branch >= 0 else { return .excluded(.license(source.license)) }
                if !elected.contains(branch) { elected.append(branch) }
            }
            branch =
                elected.count == 1
                ? elected[0] : branches.index(of: elected.map { branches[$0] }.joined(separator: " AND "))
            optOut = SampleFields.fold(sources.map { inputs.texts[$0.optOut] })
        }
        if optOut == "reserved" && policy.optOutReserved == "exclude" { return .excluded(.optOutReserved) }
        if optOut == "unknown" && policy.optOutUnknown == "exclude" { return .excluded(.optOutUnknown) }
        if sample.consent >= 0 {
            let number = Int(sample.consent)
            if consentVerdicts[number] == nil {
                consentVerdicts[number] = .some(consentExclusion(inputs.texts[sample.consent], inputs: inputs))
            }
            if case .some(.some(let reason)) = consentVerdicts[number] { return .excluded(.consent(reason)) }
        } else if sample.subject >= 0 && policy.personalData == "require-consent" {
            return .excluded(.personalWithoutConsent)
        }
        if !inputs.revokedSamples.isEmpty, let revoked = inputs.revokedSamples[sample.commitment],
            revoked <= parameters.evaluatedAt
        {
            return .excluded(.revoked(revoked))
        }
        return .included(branch: branch)
    }

    /// The decision for one sample, in words.
    mutating func decide(_ sample: SnapshotInputs.Sample, inputs: SnapshotInputs) -> SnapshotDecision {
        switch verdict(sample, inputs: inputs) {
        case .included(let branch): return .included(license: branches[branch])
        case .excluded(let exclusion): return .excluded(reason: reason(exclusion, inputs: inputs))
        }
    }

    /// Why `exclusion` keeps a sample out, in words.
    func reason(_ exclusion: Exclusion, inputs: SnapshotInputs) -> String {
        switch exclusion {
        case .license(let license): "licence \(inputs.texts[license]) is not allowed by policy \(policy.name)"
        case .noSource: "no source recorded below height \(parameters.baseHeight)"
        case .optOutReserved: "opt-out reserved (TDM/AI reservation)"
        case .optOutUnknown: "opt-out status unknown"
        case .consent(let reason): reason
        case .personalWithoutConsent: "personal data without a consent"
        case .revoked(let effective): "revoked, effective \(effective)"
        }
    }

    /// The number of the canonical branch the policy elects for licence number `license`, or -1.
    private mutating func election(_ license: Int32, inputs: SnapshotInputs) -> Int32 {
        let known = elections[Int(license)]
        if known != -2 { return known }
        let expression = try? LicenseExpressionParser.parse(inputs.texts[license])
        let branch = expression.flatMap { policy.elect($0) }.map { branches.index(of: $0.canonical) } ?? -1
        elections[Int(license)] = branch
        return branch
    }

    /// Why a consent excludes its samples under these parameters, or nil when it admits them.
    private func consentExclusion(_ consentID: String, inputs: SnapshotInputs) -> String? {
        guard let consent = inputs.consents[consentID] else {
            return "consent \(consentID) is not in the log"
        }
        if consent.grantedAt > parameters.asOf {
            return "consent \(consentID) was granted after \(parameters.asOf)"
        }
        if !consent.purposes.contains(policy.purpose) {
            return "consent \(consentID) does not cover purpose \(policy.purpose)"
        }
        if case .some(.some(let expiry)) = consent.expiry(below: parameters.baseHeight), expiry <= parameters.asOf {
            return "consent \(consentID) expired at \(expiry), before the as-of time"
        }
        if case .some(.some(let expiry)) = consent.expiry(below: parameters.revocationHeight),
            expiry <= parameters.evaluatedAt
        {
            return "consent \(consentID) expired at \(expiry)"
        }
        if let withdrawn = inputs.withdrawnConsents[consentID], withdrawn <= parameters.evaluatedAt {
            return "consent \(consentID) was withdrawn, effective \(withdrawn)"
        }
        return nil
    }

    /// Every included sample's record, in the inputs' (commitment) order, with its pair numbered in
    /// `table`. Shards are computed on every core afterwards.
    mutating func members(of inputs: SnapshotInputs, table: inout MemberTable) -> [MemberRecord] {
        var records: [MemberRecord] = []
        records.reserveCapacity(inputs.samples.count)
        for sample in inputs.samples {
            guard case .included(let branch) = verdict(sample, inputs: inputs) else { continue }
            let key = UInt64(UInt32(bitPattern: sample.consent)) << 32 | UInt64(UInt32(bitPattern: branch))
            let pair: UInt32
            if let known = pairNumbers[key] {
                pair = known
            } else {
                pair = table.pair(
                    consent: sample.consent >= 0 ? inputs.texts[sample.consent] : nil, license: branches[branch])
                pairNumbers[key] = pair
            }
            var shard = MemberRecord.shardNotComputed
            if sample.subject >= 0 {
                if subjectShards[Int(sample.subject)] < 0 {
                    subjectShards[Int(sample.subject)] = Int32(
                        Self.shard(subject: inputs.texts[sample.subject], commitment: [], of: parameters.shards))
                }
                shard = UInt32(subjectShards[Int(sample.subject)])
            }
            records.append(MemberRecord(commitment: sample.commitment, pair: pair, shard: shard))
        }
        MemberRecord.assignShards(&records, of: parameters.shards)
        return records
    }

    /// A sample's shard: the first 8 bytes of SHA-256 of its key, big-endian, modulo K; the key is the
    /// UTF-8 subject pseudonym when there is one, else the commitment's 32 bytes.
    public static func shard(subject: String?, commitment: [UInt8], of shards: Int) -> Int {
        let digest = subject.map { SHA256.hash(Array($0.utf8)) } ?? SHA256.hash(commitment)
        let prefix = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(prefix % UInt64(shards))
    }
}

/// One member of a snapshot.
public struct SnapshotMember: Sendable, Equatable {
    /// The sample's commitment.
    public let commitment: [UInt8]
    /// The consent it relies on, if any.
    public let consent: String?
    /// The elected licence.
    public let license: String
    /// Its shard.
    public let shard: Int

    /// The leaf bytes: canonical JSON `{"commitment":"sha256:<hex>","consent":…,"license":…}`.
    public var leaf: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + license.utf8.count)
        appendLeaf(to: &bytes)
        return bytes
    }

    /// Appends the leaf bytes to `bytes`, so a loop can reuse one buffer.
    func appendLeaf(to bytes: inout [UInt8]) {
        // The canonical JSON of {"commitment","consent","license"}, written directly (keys already in order).
        bytes += Self.leafPrefix
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * commitment.count) { hex in
            func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
            for (index, byte) in commitment.enumerated() {
                hex[2 * index] = digit(byte >> 4)
                hex[2 * index + 1] = digit(byte & 15)
            }
            bytes.append(contentsOf: hex)
        }
        Self.appendLeafEnding(consent: consent, license: license, to: &bytes)
    }

    /// Appends what follows the commitment's hex in a leaf: `","consent":…,"license":…}`.
    static func appendLeafEnding(consent: String?, license: String, to bytes: inout [UInt8]) {
        bytes += consentKey
        if let consent { CanonicalJSON.writeString(consent, to: &bytes) } else { bytes += null }
        bytes += licenseKey
        CanonicalJSON.writeString(license, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// A leaf's bytes up to the commitment's hex.
    static let leafPrefix = Array(#"{"commitment":"sha256:"#.utf8)
    private static let consentKey = Array(#"","consent":"#.utf8)
    private static let licenseKey = Array(#","license":"#.utf8)
    private static let null = Array("null".utf8)
}
