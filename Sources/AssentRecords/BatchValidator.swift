internal import AssentLog

/// Parses and validates batches of manifest items on all cores.
///
/// Validation of a line depends only on the line and the defaults, so the items of a batch are split
/// into contiguous parts, validated side by side and returned in manifest order: the first error is
/// still the first line's. Items that name a sample file are left for the caller, which reads each file
/// once into the ingest spool.
final class BatchValidator {
    /// What validation made of one item.
    enum Outcome {
        /// Every field checked and the content hashed.
        case validated(ValidatedSample)
        /// The item's error, thrown when the caller reaches its line.
        case failed(line: Int, any Error)
        /// The item names a sample file (`path`): the caller validates it.
        case needsFile(RawManifestItem)

        /// The validated sample, if validation is done.
        var validatedSample: ValidatedSample? {
            if case .validated(let sample) = self { return sample }
            return nil
        }

        /// The item's 1-based line.
        var line: Int {
            switch self {
            case .validated(let sample): sample.line
            case .failed(let line, _): line
            case .needsFile(let item): item.line
            }
        }
    }

    private let defaults: IngestDefaults
    /// One licence cache per part, each used by one thread at a time.
    private let caches: [LicenseCache]

    /// A validator filling missing fields from `defaults`.
    init(defaults: IngestDefaults) {
        self.defaults = defaults
        caches = (0..<Parallel.width).map { _ in LicenseCache() }
    }

    /// The outcome of every item of `batch`, in order.
    func validate(_ batch: [ManifestReader.Pending]) -> [Outcome] {
        let parts = min(caches.count, max(1, batch.count / 256))
        if parts == 1 { return batch.map { Self.outcome($0.parse(), defaults: defaults, licenses: caches[0]) } }
        let ranges = Parallel.ranges(batch.count, parts: parts)
        let shared = UnsharedValue((batch, caches, defaults))
        let results = Parallel.map(parts: parts) { part in
            let (batch, caches, defaults) = shared.value
            return UnsharedValue(
                batch[ranges[part]].map { Self.outcome($0.parse(), defaults: defaults, licenses: caches[part]) })
        }
        return results.flatMap(\.value)
    }

    private static func outcome(_ item: RawManifestItem, defaults: IngestDefaults, licenses: LicenseCache) -> Outcome {
        if item.failure == nil && item.fields["path"] != nil { return .needsFile(item) }
        do {
            return .validated(
                try ValidatedSample.validate(
                    item, defaults: defaults,
                    resolvePath: { _, line in
                        throw RecordsError(.invalidInput, "line \(line): field path: not read during validation")
                    }, licenses: licenses))
        } catch {
            return .failed(line: item.line, error)
        }
    }
}
