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

/// Decides each sample against a policy and builds the snapshot's leaves, tree and shards.
///
/// It remembers what depends only on a licence string, a consent or a subject, so one evaluator serves
/// one set of inputs.
public struct SnapshotEvaluator {
    /// The policy applied.
    public let policy: Policy
    /// H, R, T, T' and K.
    public let parameters: SnapshotParameters
    /// Licence string → the canonical branch the policy elects, or nil when it allows none.
    private var elections: [String: String?] = [:]
    /// Consent id → why it excludes its samples, or nil when it admits them.
    private var consentVerdicts: [String: SnapshotDecision?] = [:]
    /// Subject pseudonym → shard.
    private var subjectShards: [String: Int] = [:]

    /// An evaluator for one policy and parameter set.
    public init(policy: Policy, parameters: SnapshotParameters) {
        self.policy = policy
        self.parameters = parameters
    }

    /// The decision for one sample.
    mutating func decide(_ sample: SnapshotInputs.Sample, inputs: SnapshotInputs) -> SnapshotDecision {
        var elected: [String] = []
        for source in sample.sources {
            guard let branch = election(for: source.license) else {
                return .excluded(reason: "licence \(source.license) is not allowed by policy \(policy.name)")
            }
            if !elected.contains(branch) { elected.append(branch) }
        }
        guard !elected.isEmpty else {
            return .excluded(reason: "no source recorded below height \(parameters.baseHeight)")
        }
        let optOut = SampleFields.fold(sample.sources.map(\.optOut))
        if optOut == "reserved" && policy.optOutReserved == "exclude" {
            return .excluded(reason: "opt-out reserved (TDM/AI reservation)")
        }
        if optOut == "unknown" && policy.optOutUnknown == "exclude" {
            return .excluded(reason: "opt-out status unknown")
        }
        if let consentID = sample.consent {
            if consentVerdicts[consentID] == nil {
                consentVerdicts[consentID] = .some(verdict(consentID, inputs: inputs))
            }
            if case .some(.some(let exclusion)) = consentVerdicts[consentID] { return exclusion }
        } else if sample.subject != nil && policy.personalData == "require-consent" {
            return .excluded(reason: "personal data without a consent")
        }
        if let revoked = inputs.revokedSamples[sample.commitment], revoked <= parameters.evaluatedAt {
            return .excluded(reason: "revoked, effective \(revoked)")
        }
        return .included(license: elected.count == 1 ? elected[0] : elected.joined(separator: " AND "))
    }

    /// The canonical branch the policy elects for a licence string, or nil.
    private mutating func election(for license: String) -> String? {
        if let known = elections[license] { return known }
        let expression = try? LicenseExpressionParser.parse(license)
        let branch = expression.flatMap { policy.elect($0) }?.canonical
        elections[license] = .some(branch)
        return branch
    }

    /// Why a consent excludes its samples under these parameters, or nil when it admits them.
    private func verdict(_ consentID: String, inputs: SnapshotInputs) -> SnapshotDecision? {
        guard let consent = inputs.consents[consentID] else {
            return .excluded(reason: "consent \(consentID) is not in the log")
        }
        if consent.grantedAt > parameters.asOf {
            return .excluded(reason: "consent \(consentID) was granted after \(parameters.asOf)")
        }
        if !consent.purposes.contains(policy.purpose) {
            return .excluded(reason: "consent \(consentID) does not cover purpose \(policy.purpose)")
        }
        if case .some(.some(let expiry)) = consent.expiry(below: parameters.baseHeight), expiry <= parameters.asOf {
            return .excluded(reason: "consent \(consentID) expired at \(expiry), before the as-of time")
        }
        if case .some(.some(let expiry)) = consent.expiry(below: parameters.revocationHeight),
            expiry <= parameters.evaluatedAt
        {
            return .excluded(reason: "consent \(consentID) expired at \(expiry)")
        }
        if let withdrawn = inputs.withdrawnConsents[consentID], withdrawn <= parameters.evaluatedAt {
            return .excluded(reason: "consent \(consentID) was withdrawn, effective \(withdrawn)")
        }
        return nil
    }

    /// The snapshot's members: every included sample's leaf, in commitment order.
    mutating func members(of inputs: SnapshotInputs) -> [SnapshotMember] {
        var members: [SnapshotMember] = []
        members.reserveCapacity(inputs.samples.count)
        for sample in inputs.samples {
            guard case .included(let license) = decide(sample, inputs: inputs) else { continue }
            members.append(
                SnapshotMember(
                    commitment: sample.commitment, consent: sample.consent, license: license,
                    shard: shard(of: sample)))
        }
        return members
    }

    /// A sample's shard, remembered per subject.
    private mutating func shard(of sample: SnapshotInputs.Sample) -> Int {
        guard let subject = sample.subject else {
            return Self.shard(subject: nil, commitment: sample.commitment, of: parameters.shards)
        }
        if let known = subjectShards[subject] { return known }
        let shard = Self.shard(subject: subject, commitment: sample.commitment, of: parameters.shards)
        subjectShards[subject] = shard
        return shard
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
        bytes += Self.consentKey
        if let consent { CanonicalJSON.writeString(consent, to: &bytes) } else { bytes += Self.null }
        bytes += Self.licenseKey
        CanonicalJSON.writeString(license, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    private static let leafPrefix = Array(#"{"commitment":"sha256:"#.utf8)
    private static let consentKey = Array(#"","consent":"#.utf8)
    private static let licenseKey = Array(#","license":"#.utf8)
    private static let null = Array("null".utf8)
}
