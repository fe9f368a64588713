internal import AssentLog
internal import AssentStorage

/// Everything a snapshot depends on, as of log heights H (samples, consents) and R (revocations):
/// read from the index tables, or recomputed from the log alone. Samples are in commitment order.
public struct SnapshotInputs: Sendable {
    /// One source's licence (concluded) and opt-out status.
    public struct Source: Sendable, Equatable {
        let license: String
        let optOut: String
    }

    /// A sample logged below H, with its sources logged below H.
    public struct Sample: Sendable, Equatable {
        let commitment: [UInt8]
        let subject: String?
        let consent: String?
        var sources: [Source]
    }

    /// A consent granted below R, with its expiry after each renewal.
    public struct Consent: Sendable, Equatable {
        let subject: String
        let purposes: [String]
        let grantedAt: String
        let grantSeq: UInt64
        /// (log index, expiry) of the grant and every renewal, in log order.
        var expiries: [(seq: UInt64, expiresAt: String?)]

        /// The expiry as known from entries below `height`.
        func expiry(below height: UInt64) -> String?? {
            guard let last = expiries.last(where: { $0.seq < height }) else { return nil }
            return .some(last.expiresAt)
        }

        /// Consents are equal when every field and every expiry (with its log index) is.
        public static func == (lhs: Consent, rhs: Consent) -> Bool {
            lhs.subject == rhs.subject && lhs.purposes == rhs.purposes && lhs.grantedAt == rhs.grantedAt
                && lhs.grantSeq == rhs.grantSeq
                && lhs.expiries.map(\.seq) == rhs.expiries.map(\.seq)
                && lhs.expiries.map(\.expiresAt) == rhs.expiries.map(\.expiresAt)
        }
    }

    /// Samples logged below H, sorted by commitment bytes.
    var samples: [Sample] = []
    /// Consents granted below R, by id.
    var consents: [String: Consent] = [:]
    /// Sample revocations logged below R: commitment → earliest effective time.
    var revokedSamples: [[UInt8]: String] = [:]
    /// Consent withdrawals logged below R: consent → earliest effective time.
    var withdrawnConsents: [String: String] = [:]

    /// Reads the inputs from the index tables that mirror the log.
    static func fromIndex(_ store: RecordStore, baseHeight: UInt64, revocationHeight: UInt64) throws -> SnapshotInputs {
        var inputs = SnapshotInputs()
        let database = store.database
        // Both tables are read in log order (sequential, no index lookups), merged by sample, then
        // sorted once by commitment with a fixed-size key.
        var bySeq: [(seq: Int64, sample: Sample)] = []
        try database.withStatement("SELECT seq, commitment, subject, consent FROM samples WHERE seq < ? ORDER BY seq") {
            statement in
            try statement.bind([.integer(Int64(baseHeight))])
            while try statement.step() {
                bySeq.append(
                    (
                        statement.integer(0),
                        Sample(
                            commitment: statement.blob(1), subject: statement.isNull(2) ? nil : statement.text(2),
                            consent: statement.isNull(3) ? nil : statement.text(3), sources: [])
                    ))
            }
        }
        // Sources come in primary-key order (sample, source), which needs no sort; the few samples with
        // more than one source get theirs put back in log order afterwards.
        var position = 0
        var interned: [String: String] = [:]
        var firstSourceSeq = [Int64](repeating: 0, count: bySeq.count)
        var reordered: [Int: [(seq: Int64, source: Source)]] = [:]
        try database.withStatement(
            "SELECT sample, license, opt_out, seq FROM sample_sources WHERE seq < ? ORDER BY sample, source"
        ) { statement in
            try statement.bind([.integer(Int64(baseHeight))])
            while try statement.step() {
                let sample = statement.integer(0)
                while position < bySeq.count && bySeq[position].seq < sample { position += 1 }
                guard position < bySeq.count, bySeq[position].seq == sample else { continue }
                let license = statement.text(1)
                let known = interned[license] ?? license
                interned[license] = known
                let source = Source(license: known, optOut: statement.text(2))
                let seq = statement.integer(3)
                if bySeq[position].sample.sources.isEmpty {
                    bySeq[position].sample.sources.append(source)
                    firstSourceSeq[position] = seq
                } else {
                    reordered[position, default: [(firstSourceSeq[position], bySeq[position].sample.sources[0])]]
                        .append((seq, source))
                }
            }
        }
        for (position, sources) in reordered {
            bySeq[position].sample.sources = sources.sorted { $0.seq < $1.seq }.map(\.source)
        }
        inputs.samples = bySeq.map(\.sample)
        inputs.sortByCommitment()
        try inputs.readConsentsAndRevocations(database, below: revocationHeight)
        return inputs
    }

    /// Reads every consent with its renewals, and every sample revocation and consent withdrawal,
    /// logged below `revocationHeight`.
    mutating func readConsentsAndRevocations(_ database: Database, below revocationHeight: UInt64) throws {
        try database.withStatement(
            "SELECT consent, subject, seq, purposes, granted_at, expires_at FROM consents WHERE seq < ?"
        ) { statement in
            try statement.bind([.integer(Int64(revocationHeight))])
            while try statement.step() {
                let seq = UInt64(statement.integer(2))
                consents[statement.text(0)] = Consent(
                    subject: statement.text(1), purposes: statement.text(3).split(separator: " ").map(String.init),
                    grantedAt: statement.text(4), grantSeq: seq,
                    expiries: [(seq, statement.isNull(5) ? nil : statement.text(5))])
            }
        }
        try database.withStatement("SELECT consent, seq, expires_at FROM consent_renewals WHERE seq < ? ORDER BY seq") {
            statement in
            try statement.bind([.integer(Int64(revocationHeight))])
            while try statement.step() {
                consents[statement.text(0)]?.expiries.append(
                    (UInt64(statement.integer(1)), statement.isNull(2) ? nil : statement.text(2)))
            }
        }
        try database.withStatement("SELECT commitment, effective_at FROM sample_revocations WHERE seq < ?") {
            statement in
            try statement.bind([.integer(Int64(revocationHeight))])
            while try statement.step() { noteRevocation(statement.blob(0), effective: statement.text(1)) }
        }
        try database.withStatement("SELECT consent, effective_at FROM consent_withdrawals WHERE seq < ?") { statement in
            try statement.bind([.integer(Int64(revocationHeight))])
            while try statement.step() { noteWithdrawal(statement.text(0), effective: statement.text(1)) }
        }
    }

    /// Sorts the samples by their commitment bytes, comparing four big-endian words at a time.
    mutating func sortByCommitment() {
        func key(_ bytes: [UInt8]) -> (UInt64, UInt64, UInt64, UInt64) {
            func word(_ offset: Int) -> UInt64 { bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
            return (word(0), word(8), word(16), word(24))
        }
        let keys = samples.map { key($0.commitment) }
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        samples = order.map { samples[$0] }
    }

    mutating func noteRevocation(_ commitment: [UInt8], effective: String) {
        if let earlier = revokedSamples[commitment], earlier <= effective { return }
        revokedSamples[commitment] = effective
    }

    mutating func noteWithdrawal(_ consent: String, effective: String) {
        if let earlier = withdrawnConsents[consent], earlier <= effective { return }
        withdrawnConsents[consent] = effective
    }
}
