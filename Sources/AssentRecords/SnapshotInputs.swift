internal import AssentLog
internal import AssentStorage

/// Everything a snapshot depends on, as of log heights H (samples, consents) and R (revocations):
/// read from the index tables, or recomputed from the log alone. Samples are in commitment order.
public struct SnapshotInputs: Sendable {
    /// One source's licence (concluded) and opt-out status, as numbers in ``texts``.
    struct Source: Sendable, Equatable {
        let license: Int32
        let optOut: Int32
    }

    /// A sample logged below H. Its subject pseudonym and consent are numbers in ``texts`` (-1 for
    /// none); `first` is its first source in log order (licence -1 when it has none) and, when it has
    /// several, `more` numbers the list of all of them in ``moreSources``. Plain values, so a million
    /// samples sort and decide without reference counting.
    struct Sample: Sendable {
        let commitment: CommitmentKey
        let subject: Int32
        let consent: Int32
        var first = Source(license: -1, optOut: -1)
        var more: Int32 = -1

        init(commitment: CommitmentKey, subject: Int32, consent: Int32) {
            self.commitment = commitment
            self.subject = subject
            self.consent = consent
        }
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

    /// The licences, opt-out statuses, pseudonyms and consent ids that samples and sources number.
    var texts = TextTable()
    /// Samples logged below H, sorted by commitment bytes.
    var samples: [Sample] = []
    /// Every source, in log order, of each sample that has more than one.
    var moreSources: [[Source]] = []
    /// Consents granted below R, by id.
    var consents: [String: Consent] = [:]
    /// Sample revocations logged below R: commitment → earliest effective time.
    var revokedSamples: [CommitmentKey: String] = [:]
    /// Consent withdrawals logged below R: consent → earliest effective time.
    var withdrawnConsents: [String: String] = [:]

    /// Every source of `sample`, in log order.
    func sources(of sample: Sample) -> [Source] {
        if sample.more >= 0 { return moreSources[Int(sample.more)] }
        return sample.first.license >= 0 ? [sample.first] : []
    }

    /// Adds `source` after the sources the sample at `position` already has.
    mutating func append(_ source: Source, toSampleAt position: Int) {
        let sample = samples[position]
        if sample.first.license < 0 {
            samples[position].first = source
        } else if sample.more < 0 {
            samples[position].more = Int32(moreSources.count)
            moreSources.append([sample.first, source])
        } else {
            moreSources[Int(sample.more)].append(source)
        }
    }

    /// The number of text column `column` of the current row, or -1 for NULL.
    mutating func text(_ statement: Statement, _ column: Int32) -> Int32 {
        statement.isNull(column) ? -1 : statement.withText(column) { texts.index(of: $0) }
    }

    /// The commitment in blob column `column` of the current row.
    /// - Throws: ``RecordsError`` `conflict` unless it has 32 bytes.
    static func commitment(_ statement: Statement, _ column: Int32) throws -> CommitmentKey {
        try statement.withBlob(column) { bytes in
            guard bytes.count == 32 else {
                throw RecordsError(
                    .conflict, "an index row holds a commitment of \(bytes.count) bytes; run assent log verify")
            }
            return CommitmentKey(bytes)
        }
    }

    /// Reads the inputs from the index tables that mirror the log.
    static func fromIndex(_ store: RecordStore, baseHeight: UInt64, revocationHeight: UInt64) throws -> SnapshotInputs {
        var inputs = SnapshotInputs()
        let database = store.database
        // Both tables are read in log order (sequential, no index lookups), merged by sample, then
        // sorted once by commitment.
        var seqs: [Int64] = []
        try database.withStatement("SELECT seq, commitment, subject, consent FROM samples WHERE seq < ? ORDER BY seq") {
            statement in
            try statement.bind([.integer(Int64(baseHeight))])
            while try statement.step() {
                seqs.append(statement.integer(0))
                inputs.samples.append(
                    Sample(
                        commitment: try commitment(statement, 1), subject: inputs.text(statement, 2),
                        consent: inputs.text(statement, 3)))
            }
        }
        // Sources come in primary-key order (sample, source), which needs no sort; the few samples with
        // more than one source get theirs put back in log order afterwards.
        var position = 0
        var firstSourceSeq = [Int64](repeating: 0, count: seqs.count)
        var reordered: [Int: [(seq: Int64, source: Source)]] = [:]
        try database.withStatement(
            "SELECT sample, license, opt_out, seq FROM sample_sources WHERE seq < ? ORDER BY sample, source"
        ) { statement in
            try statement.bind([.integer(Int64(baseHeight))])
            while try statement.step() {
                let sample = statement.integer(0)
                while position < seqs.count && seqs[position] < sample { position += 1 }
                guard position < seqs.count, seqs[position] == sample else { continue }
                let source = Source(license: inputs.text(statement, 1), optOut: inputs.text(statement, 2))
                let seq = statement.integer(3)
                if inputs.samples[position].first.license < 0 {
                    inputs.samples[position].first = source
                    firstSourceSeq[position] = seq
                } else {
                    reordered[position, default: [(firstSourceSeq[position], inputs.samples[position].first)]]
                        .append((seq, source))
                }
            }
        }
        for position in reordered.keys.sorted() {
            let sources = reordered[position]!.sorted { $0.seq < $1.seq }.map(\.source)
            inputs.samples[position].first = sources[0]
            inputs.samples[position].more = Int32(inputs.moreSources.count)
            inputs.moreSources.append(sources)
        }
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
            while try statement.step() {
                noteRevocation(try Self.commitment(statement, 0), effective: statement.text(1))
            }
        }
        try database.withStatement("SELECT consent, effective_at FROM consent_withdrawals WHERE seq < ?") { statement in
            try statement.bind([.integer(Int64(revocationHeight))])
            while try statement.step() { noteWithdrawal(statement.text(0), effective: statement.text(1)) }
        }
    }

    /// Sorts the samples by their commitment bytes.
    mutating func sortByCommitment() {
        samples = CommitmentSort.sorted(samples) { $0.commitment }
    }

    mutating func noteRevocation(_ commitment: CommitmentKey, effective: String) {
        if let earlier = revokedSamples[commitment], earlier <= effective { return }
        revokedSamples[commitment] = effective
    }

    mutating func noteWithdrawal(_ consent: String, effective: String) {
        if let earlier = withdrawnConsents[consent], earlier <= effective { return }
        withdrawnConsents[consent] = effective
    }
}
