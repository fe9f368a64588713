/// What the ledger holds for one batch of samples, read in as few queries as possible and valid only
/// inside the transaction that read it: which digests are already samples with which sources, the
/// subjects' pseudonyms, and whether anything was ever erased.
struct LedgerLookups {
    private var prefetched: Set<[UInt8]> = []
    private var existing: [[UInt8]: ExistingSample] = [:]
    private var prefetchedSamples: Set<UInt64> = []
    private var sources: [UInt64: [String: (metadata: [UInt8], seq: UInt64)]] = [:]
    private var prefetchedSubjects: Set<String> = []
    private var pseudonyms: [String: String] = [:]
    private var tombstones: Bool?

    /// Reads what the ledger holds for the content and subjects of `samples`, forgetting what an
    /// earlier transaction read.
    mutating func prefetch(_ samples: [ValidatedSample], from store: RecordStore) throws {
        let digests = samples.map(\.digest)
        existing = try store.existingSamples(digests: digests)
        prefetched = Set(digests)
        prefetchedSamples = Set(existing.values.map(\.seq))
        sources = try store.sourceRecords(samples: prefetchedSamples.sorted())
        prefetchedSubjects = Set(samples.compactMap(\.subject))
        pseudonyms = try store.pseudonyms(ofSubjects: prefetchedSubjects.sorted())
        tombstones = nil
    }

    /// The sample the ledger holds with this content digest, if any.
    func existingSample(digest: [UInt8], store: RecordStore) throws -> ExistingSample? {
        prefetched.contains(digest) ? existing[digest] : try store.existingSample(digest: digest)
    }

    /// The pseudonym of `subject`, if the vault knows the subject.
    mutating func pseudonym(ofSubject subject: String, store: RecordStore) throws -> String? {
        if prefetchedSubjects.contains(subject) { return pseudonyms[subject] }
        let found = try store.pseudonym(ofSubject: subject)
        prefetchedSubjects.insert(subject)
        pseudonyms[subject] = found
        return found
    }

    /// The metadata digest and entry recorded for (sample entry, source), if any.
    func sourceMetadata(sample: UInt64, source: String, store: RecordStore) throws -> (
        metadata: [UInt8], seq: UInt64
    )? {
        prefetchedSamples.contains(sample)
            ? sources[sample]?[source] : try store.sourceMetadata(sample: sample, source: source)
    }

    /// Forgets what was read for `digest` (the transaction has just added it or a source of it), so it
    /// is read again.
    mutating func forget(_ digest: [UInt8]) {
        if let sample = existing[digest] { prefetchedSamples.remove(sample.seq) }
        prefetched.remove(digest)
        existing[digest] = nil
    }

    /// Remembers the pseudonym the transaction has just created for `subject`.
    mutating func remember(pseudonym: String, ofSubject subject: String) {
        prefetchedSubjects.insert(subject)
        pseudonyms[subject] = pseudonym
    }

    /// Whether anything was ever erased, read once per transaction.
    mutating func hasTombstones(_ store: RecordStore) throws -> Bool {
        if let tombstones { return tombstones }
        let found = try store.hasTombstones()
        tombstones = found
        return found
    }
}
