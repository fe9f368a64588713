/// A manifest that phase 1 of an ingest validated, waiting for ``Ingestor/commit(_:progress:)`` or
/// ``Ingestor/commitTogether(_:)``: its report so far and its validated samples in a private spill.
/// Nothing of it is in the ledger yet; dropping it drops the spill.
public final class PreparedIngest {
    /// The report of phase 1: items read, skipped lines, deprecated licences, admission forecast.
    public let report: IngestReport
    let spool: IngestSpool
    let spill: ValidatedSpill
    let options: IngestOptions
    /// The samples' seals, when phase 1 sealed them (samples kept in memory).
    var seals: [SampleSeal?]?

    init(report: IngestReport, spool: IngestSpool, spill: ValidatedSpill, options: IngestOptions) {
        self.report = report
        self.spool = spool
        self.spill = spill
        self.options = options
    }

    /// Samples waiting to be committed.
    public var pendingSamples: Int { report.items - report.skipped.count }

    /// Whether it commits in one chunk, and so may be committed together with others.
    public var fitsOneChunk: Bool { pendingSamples <= options.chunkSize }
}
