internal import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentStorage

/// How an ingest run behaves.
public struct IngestOptions: Sendable {
    /// Skip and report invalid lines instead of failing the run.
    public var skipInvalid = false
    /// Let `path` values be absolute or climb out of the manifest's folder with `..`. Even then, nothing
    /// in the ledger folder, on `/proc`, `/sys` or `/dev`, and nothing but regular files is ingested.
    public var allowOutside = false
    /// Whether `path` values may name files on this machine at all. A manifest sent over the network
    /// comes from another machine, so the server turns this off: its lines must carry their content.
    public var readsFiles = true
    /// The largest sample file accepted, in bytes.
    public var maximumSampleSize = 256 << 20
    /// Samples per write transaction; other writers wait at most one chunk.
    public var chunkSize = 10_000
    /// Content larger than this is kept in a content-addressed file beside the database.
    public var inlineLimit = 1 << 20

    /// The defaults.
    public init() {}
}

/// What an ingest run did.
public struct IngestReport: Sendable {
    /// Manifest items read (not counting blank lines).
    public var items = 0
    /// New samples logged.
    public var added = 0
    /// Further sources logged for samples already known.
    public var addedSources = 0
    /// Items already recorded with the same metadata.
    public var unchanged = 0
    /// Items skipped with `--skip-invalid`: line and reason.
    public var skipped: [(line: Int, message: String)] = []
    /// Deprecated licence identifiers seen, with counts.
    public var deprecated: [String: Int] = [:]
    /// Write transactions committed.
    public var chunks = 0
    /// Samples tied to their subject's one current consent, and samples the standard policy will not admit.
    var admission = AdmissionForecast()
    /// Samples tied to their subject's one current consent.
    public var tiedToConsent: Int { admission.tied }
    /// Samples no snapshot under the standard policy will admit.
    public var notAdmitted: Int { admission.notAdmitted }
    /// Why they will not be admitted, with counts, most frequent first.
    public var notAdmittedReasons: [(reason: String, count: Int)] {
        admission.reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map {
            ($0.key, $0.value)
        }
    }
    /// The first few lines that will not be admitted, with their reason.
    public var notAdmittedLines: [(line: Int, reason: String)] { admission.firstLines }

    /// The report as JSON.
    public var json: JSONObject {
        JSONObject([
            ("items", .integer(Int64(items))), ("added", .integer(Int64(added))),
            ("added_sources", .integer(Int64(addedSources))),
            ("unchanged", .integer(Int64(unchanged))), ("chunks", .integer(Int64(chunks))),
            (
                "skipped",
                .array(
                    skipped.map {
                        .object(JSONObject([("line", .integer(Int64($0.line))), ("error", .string($0.message))]))
                    })
            ),
            ("deprecated_licenses", .object(JSONObject(deprecated.map { ($0.key, .integer(Int64($0.value))) }))),
            ("not_admitted", .object(admission.json)),
        ])
    }
}

/// Ingests samples from a manifest: validates everything first, then commits in bounded chunks.
public final class Ingestor {
    let store: RecordStore
    private var consents: [String: ConsentRecord?] = [:]
    private var withdrawnConsents: [String: Bool] = [:]
    /// What the ledger holds for the batch at hand, read once per transaction (see ``LedgerLookups``).
    var lookups = LedgerLookups()
    /// Subject → its consents current for the standard policy's purpose, for tying samples to them.
    var currentConsentCache: [String: [String]] = [:]
    /// Concluded licence expression → whether the standard policy can elect a licence from it.
    var electableLicenses: [String: Bool] = [:]
    private let licenses = LicenseCache()

    /// An ingestor writing to `store`.
    public init(store: RecordStore) { self.store = store }

    /// Ingests `source`.
    ///
    /// The manifest is read once (a folder is listed once), so a pipe such as `/dev/stdin` works and a
    /// manifest edited during the run changes nothing. Phase 1 parses and validates batches of lines on
    /// all cores (see ``BatchValidator``), checks each sample against the ledger and the lines before it
    /// without writing, reads each sample file once (see ``SampleFileOpener``) into the spool while
    /// hashing it, and keeps every validated sample in a private spill (``ValidatedSpill``); any error
    /// (unless `skipInvalid`) fails the run with the ledger unchanged. Phase 2 commits chunks of
    /// `chunkSize` samples from the spill, repeating the ledger checks inside each write transaction
    /// (another writer may have erased, withdrawn or ingested something since). A run killed in phase 2
    /// leaves whole chunks; running it again adds only what is missing.
    /// - Parameter progress: called now and then with (phase, items done, items in all where known):
    ///   "validating" while phase 1 reads, "validated" once when it is done, "committing" in phase 2.
    /// - Throws: ``RecordsError`` naming the line and field, ``LedgerError`` or ``StorageError``.
    public func ingest(
        _ source: ManifestSource, defaults: IngestDefaults = IngestDefaults(), options: IngestOptions = IngestOptions(),
        progress: ((String, Int, Int?) -> Void)? = nil
    ) throws -> IngestReport {
        try commit(try prepare(source, defaults: defaults, options: options, progress: progress), progress: progress)
    }

    /// Phase 1 of ``ingest(_:defaults:options:progress:)`` alone: reads and validates `source` against
    /// the ledger without writing anything.
    /// - Throws: ``RecordsError`` naming the line and field, ``LedgerError`` or ``StorageError``.
    public func prepare(
        _ source: ManifestSource, defaults: IngestDefaults = IngestDefaults(), options: IngestOptions = IngestOptions(),
        progress: ((String, Int, Int?) -> Void)? = nil
    ) throws -> PreparedIngest {
        var report = IngestReport()
        var plan = IngestPlan()
        // A manifest in memory names no folder and reads no files.
        let opener: SampleFileOpener? =
            if case .memory = source { nil } else {
                try SampleFileOpener(
                    baseFolder: try source.resolvedBaseFolder(), ledgerFolder: store.ledger.paths.folder,
                    allowOutside: options.allowOutside, maximumSize: options.maximumSampleSize,
                    readsFiles: options.readsFiles)
            }
        let reader: ManifestReader
        switch (source, opener) {
        case (.jsonl(let url), _): reader = try ManifestReader(lines: url, isCSV: false, name: url.path)
        case (.csv(let url), _): reader = try ManifestReader(lines: url, isCSV: true, name: url.path)
        case (.folder, let opener?): reader = ManifestReader(files: try opener.listFiles())
        case (.folder, nil): preconditionFailure("a folder always has an opener")
        case (.memory(let name, let bytes), _): reader = ManifestReader(jsonl: bytes, name: name)
        }
        // A manifest in memory reads no files, so its validated samples may stay in memory as well.
        let spool = IngestSpool(ledger: store.ledger.paths, inMemory: opener == nil)
        let spill = try ValidatedSpill(spool: spool)
        let validator = BatchValidator(defaults: defaults)
        let now = UTCTime.now()
        // While one batch is checked against the ledger here, the next is parsed and validated on the
        // other cores; an error reading it waits until this batch's lines have been reported.
        func validateNext() -> Result<Background<[BatchValidator.Outcome]>?, any Error> {
            Result {
                let batch = UnsharedValue(try reader.nextBatch(count: 2_048, byteLimit: 8 << 20))
                if batch.value.isEmpty { return nil }
                // A request's few lines are validated at once: a thread hop would cost more than they do.
                if batch.value.count < 64 { return Background(finished: validator.validate(batch.value)) }
                return Background { validator.validate(batch.value) }
            }
        }
        var pending = validateNext()
        while let current = try pending.get() {
            let outcomes = current.value
            pending = validateNext()
            withdrawnConsents = [:]
            try store.database.readTransaction {
                try lookups.prefetch(outcomes.compactMap(\.validatedSample), from: store)
                for outcome in outcomes {
                    report.items += 1
                    do {
                        try admit(
                            try validated(outcome, defaults: defaults, opener: opener, spool: spool), now: now,
                            plan: &plan, report: &report, spill: spill)
                    } catch let error as RecordsError where options.skipInvalid {
                        report.skipped.append((outcome.line, error.message))
                    }
                }
            }
            progress?("validating", report.items, nil)
        }
        try spill.finishWriting()
        progress?("validated", report.items, report.items)
        let prepared = PreparedIngest(report: report, spool: spool, spill: spill, options: options)
        // Samples in memory are sealed now, so that the commit (a server's writer) does not have to.
        if let samples = spill.samplesInMemory {
            prepared.seals = try SampleSeal.seal(samples, inlineLimit: options.inlineLimit)
        }
        return prepared
    }

    /// Phase 1 for several manifests, each on its own (its own report, or the error that failed it),
    /// in one read transaction: what a server does with the requests that arrived together.
    public func prepareEach(
        _ manifests: [(source: ManifestSource, defaults: IngestDefaults, options: IngestOptions)]
    ) -> [Result<PreparedIngest, any Error>] {
        let prepareAll = {
            manifests.map { manifest in
                Result { try self.prepare(manifest.source, defaults: manifest.defaults, options: manifest.options) }
            }
        }
        // Each manifest's own read transactions nest in this one.
        return (try? store.database.readTransaction(prepareAll)) ?? prepareAll()
    }

    /// Phase 2 of ``ingest(_:defaults:options:progress:)``: commits what `prepared` validated, in chunks.
    /// - Throws: ``RecordsError`` when the ledger changed since in a way that contradicts a sample.
    public func commit(_ prepared: PreparedIngest, progress: ((String, Int, Int?) -> Void)? = nil) throws
        -> IngestReport
    {
        var report = prepared.report
        let options = prepared.options
        let toCommit = report.items - report.skipped.count
        var done = 0
        // While one chunk is committed, the next is read from the spill and sealed on the other cores.
        let samples = prepared.spill.makeReader()
        let inlineLimit = options.inlineLimit
        func prepareNext() -> Background<Result<([ValidatedSample], [SampleSeal?]), any Error>> {
            Background {
                Result {
                    let chunk = try samples.next(options.chunkSize)
                    return (chunk, try SampleSeal.seal(chunk, inlineLimit: inlineLimit))
                }
            }
        }
        var next = prepareNext()
        while case let (chunk, seals) = try next.value.get(), !chunk.isEmpty {
            next = prepareNext()
            try store.ledger.write { writer in
                try commit(chunk, seals: seals, options: options, report: &report, writer: writer)
            }
            done += chunk.count
            progress?("committing", done, toCommit)
        }
        return report
    }

    /// Commits several small prepared manifests in one write transaction (one fsync, one checkpoint),
    /// each keeping its own report: what a server does with many small requests at once. Each must fit
    /// in one chunk. If any sample fails its in-transaction check, nothing is written and the error is
    /// thrown; the caller then commits them one by one so that only the failing one fails.
    public func commitTogether(_ batch: [PreparedIngest]) throws -> [IngestReport] {
        guard batch.allSatisfy(\.fitsOneChunk) else {
            throw RecordsError(.invalidInput, "a manifest of more than one chunk cannot be committed with others")
        }
        var reports = batch.map(\.report)
        let chunks = try batch.map { prepared in
            let chunk = try prepared.spill.makeReader().next(prepared.options.chunkSize)
            return (chunk, try prepared.seals ?? SampleSeal.seal(chunk, inlineLimit: prepared.options.inlineLimit))
        }
        try store.ledger.write { writer in
            try lookups.prefetch(chunks.flatMap(\.0), from: store)
            for (index, (chunk, seals)) in chunks.enumerated() where !chunk.isEmpty {
                try commit(
                    chunk, seals: seals, options: batch[index].options, report: &reports[index], writer: writer,
                    prefetch: false)
            }
        }
        return reports
    }

    /// The validated sample of `outcome`, validating here an item that names a sample file (read once,
    /// into the spool, while it is hashed).
    private func validated(
        _ outcome: BatchValidator.Outcome, defaults: IngestDefaults, opener: SampleFileOpener?, spool: IngestSpool
    ) throws -> ValidatedSample {
        switch outcome {
        case .validated(let sample): return sample
        case .failed(_, let error): throw error
        case .needsFile(let item):
            return try ValidatedSample.validate(
                item, defaults: defaults,
                resolvePath: { path, _ in
                    guard let opener else { throw SampleFileOpener.filesNotRead }
                    let file = try opener.openFile(path)
                    defer { close(file.descriptor) }
                    let extent = try spool.append(file.descriptor, size: file.size, name: path)
                    return (.spooled(spool, extent), extent.digest, extent.length)
                }, licenses: licenses)
        }
    }

    /// Phase 1's checks of one validated sample against the ledger and the lines before it; a sample that
    /// passes is tied to its subject's consent where it can be and spilled for phase 2.
    private func admit(
        _ validated: ValidatedSample, now: String, plan: inout IngestPlan, report: inout IngestReport,
        spill: ValidatedSpill
    ) throws {
        var admission = report.admission
        var sample = validated
        if let tied = try forecast(sample, now: now, into: &admission) { sample.consent = tied }
        let subject = try effectiveSubject(of: sample)
        try plan.admit(sample, subject: subject)
        try checkAgainstLedger(sample, subject: subject)
        try spill.append(sample)
        for id in sample.deprecatedLicenses { report.deprecated[id, default: 0] += 1 }
        report.admission = admission
    }

    /// The subject pseudonym a sample belongs to: its consent's subject, or its own subject's if known.
    /// Returns `.new(realID)` for a subject the vault does not know yet.
    private func effectiveSubject(of sample: ValidatedSample) throws -> SubjectRef {
        var fromConsent: String? = nil
        if let consentID = sample.consent {
            guard let consent = try consent(consentID) else {
                throw RecordsError(
                    .invalidInput,
                    "line \(sample.line): field consent: no consent \(consentID) exists (grant it first with assent consent grant)"
                )
            }
            if try isWithdrawn(consentID) {
                throw RecordsError(
                    .invalidInput,
                    "line \(sample.line): field consent: consent \(consentID) was withdrawn; a new consent is needed")
            }
            fromConsent = consent.subject
        }
        guard let subject = sample.subject else { return fromConsent.map(SubjectRef.known) ?? .none }
        let pseudonym = try self.pseudonym(subject)
        if let fromConsent, pseudonym != fromConsent {
            throw RecordsError(
                .invalidInput,
                "line \(sample.line): field subject: consent \(sample.consent!) belongs to another subject")
        }
        return pseudonym.map(SubjectRef.known) ?? .new(subject)
    }

    private func consent(_ id: String) throws -> ConsentRecord? {
        if let cached = consents[id] { return cached }
        let found = try ConsentRegistry(store: store).lookup(id)
        consents[id] = found
        return found
    }

    /// Whether the consent was withdrawn, remembered for one write transaction (or one phase 1 batch).
    private func isWithdrawn(_ consent: String) throws -> Bool {
        if let known = withdrawnConsents[consent] { return known }
        let withdrawn = try RevocationRegistry(store: store).isWithdrawn(consent: consent)
        withdrawnConsents[consent] = withdrawn
        return withdrawn
    }

    private func pseudonym(_ subject: String) throws -> String? {
        try lookups.pseudonym(ofSubject: subject, store: store)
    }

    /// Refuses a sample that contradicts what the ledger already holds for the same content.
    /// - Returns: the sample the ledger already holds with the same content, if any, and what it
    ///   recorded for this sample's source.
    @discardableResult
    private func checkAgainstLedger(_ sample: ValidatedSample, subject: SubjectRef) throws -> (
        existing: ExistingSample, recorded: (metadata: [UInt8], seq: UInt64)?
    )? {
        if try lookups.hasTombstones(store), let erasedAt = try store.tombstone(digest: sample.digest) {
            let newConsent = try sample.consent.flatMap { try consent($0) }.map { $0.seq > erasedAt } ?? false
            guard newConsent else {
                throw RecordsError(
                    .conflict,
                    "line \(sample.line): this content was erased (entry \(erasedAt)) after a revocation; it needs a consent granted after that"
                )
            }
        }
        guard let existing = try lookups.existingSample(digest: sample.digest, store: store) else { return nil }
        guard subject.matches(existing.subject), sample.consent == existing.consent else {
            throw RecordsError(
                .conflict,
                "line \(sample.line): the same content is already sample sha256:\(Hex.encode(existing.commitment)) (entry \(existing.seq)) with a different subject or consent"
            )
        }
        guard let recorded = try lookups.sourceMetadata(sample: existing.seq, source: sample.source, store: store)
        else { return (existing, nil) }
        guard recorded.metadata == sample.metadataDigest else {
            throw RecordsError(
                .conflict,
                "line \(sample.line): the same content from source \"\(sample.source)\" is already recorded by entry \(recorded.seq) with different metadata (\(try store.describeDifference(sample, entry: recorded.seq)))"
            )
        }
        return (existing, recorded)
    }

    /// Commits `samples` in one write transaction, with the nonces, commitments and keyed attribution
    /// digests of `seals` (nil where the commit seals the sample itself); the ledger checks run again
    /// inside the transaction.
    private func commit(
        _ samples: [ValidatedSample], seals: [SampleSeal?], options: IngestOptions, report: inout IngestReport,
        writer: LogWriter, prefetch: Bool = true
    ) throws {
        var added = 0
        var addedSources = 0
        var unchanged = 0
        withdrawnConsents = [:]
        do {
            if prefetch { try lookups.prefetch(samples, from: store) }
            for (sample, seal) in zip(samples, seals) {
                let subject = try effectiveSubject(of: sample)
                let known = try checkAgainstLedger(sample, subject: subject)
                var pseudonym = subject.pseudonym
                if case .new(let real) = subject {
                    pseudonym = try store.createPseudonym(ofSubject: real, in: writer)
                    lookups.remember(pseudonym: pseudonym!, ofSubject: real)
                }
                switch try store.record(
                    sample, existing: known?.existing, recorded: known?.recorded, seal: seal, writer: writer,
                    inlineLimit: options.inlineLimit, consent: sample.consent.flatMap { try? consent($0) },
                    knownPseudonym: pseudonym)
                {
                case .added:
                    added += 1
                    lookups.forget(sample.digest)  // a later line with the same content must see this one
                case .addedSource:
                    addedSources += 1
                    lookups.forget(sample.digest)
                case .unchanged: unchanged += 1
                }
            }
        }
        report.added += added
        report.addedSources += addedSources
        report.unchanged += unchanged
        if added + addedSources > 0 { report.chunks += 1 }
    }
}

/// Whose sample it is, as far as validation can tell before anything is written.
enum SubjectRef: Equatable {
    case none
    case known(String)
    case new(String)

    /// The subject's pseudonym, if the vault knows the subject.
    var pseudonym: String? {
        if case .known(let pseudonym) = self { return pseudonym }
        return nil
    }

    func matches(_ pseudonym: String?) -> Bool {
        switch self {
        case .none: pseudonym == nil
        case .known(let known): known == pseudonym
        case .new: false
        }
    }
}
