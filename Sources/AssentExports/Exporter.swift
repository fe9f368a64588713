public import AssentEngine
public import AssentLog
public import AssentRecords

/// Computes the exports of a ledger; each returns its files without writing them, so a failure
/// leaves nothing behind.
public struct Exporter {
    /// The engine (and through it the records) the exports read.
    public let engine: Engine

    /// An exporter over `engine`'s ledger.
    public init(engine: Engine) { self.engine = engine }

    /// The records store.
    public var store: RecordStore { engine.store }

    /// The AI Act training-content summary of `model`: `summary.md`, `summary.html`, `summary.json`
    /// and `domains.csv`.
    /// - Throws: for an unknown model, or ``ExportError`` for sources without a category.
    public func aiActSummary(
        model id: String, provider: ProviderFile, isSME: Bool = false, largeDatasetPercent: Int = 3
    ) throws -> ExportFiles {
        try store.ledger.reading {
            let model = try engine.model(id)
            let snapshot = try SnapshotStore(store: store).load(model.snapshot)
            let content = try TrainingContent.read(snapshot, store: store)
            let (version, changes) = try history(of: model)
            return try AIActSummary(
                model: model.id, content: content, provider: provider, isSME: isSME,
                largeDatasetPercent: largeDatasetPercent, version: version, changes: changes
            ).files()
        }
    }

    /// The GDPR Art. 30(1) record of processing activities at the latest checkpoint: `art30.md`
    /// and `art30.json`.
    public func gdprArt30(controller: ControllerFile?) throws -> ExportFiles {
        ProcessingRecord(facts: try ProcessingFacts.read(store: store), controller: controller).files()
    }

    /// The SPDX 3.0.1 JSON-LD document of `model` (AI and Dataset profiles).
    public func spdx(model id: String, license: String) throws -> JSONValue {
        SPDXDocument(facts: try modelFacts(id), modelLicense: license).json
    }

    /// The CycloneDX `specVersion` ML-BOM of `model`.
    public func cycloneDX(model id: String, specVersion: String) throws -> JSONValue {
        guard CycloneDXDocument.versions.contains(specVersion) else {
            throw ExportError(
                "--spec: \(specVersion) is not one of \(CycloneDXDocument.versions.joined(separator: ", "))")
        }
        return CycloneDXDocument(facts: try modelFacts(id), specVersion: specVersion).json
    }

    /// The Croissant 1.1 (with RAI) description of snapshot `id`.
    /// - Throws: for an unknown snapshot, or ``ExportError`` for sources without a category.
    public func croissant(snapshot id: String) throws -> JSONValue {
        try store.ledger.reading {
            let snapshots = SnapshotStore(store: store)
            let snapshot = try snapshots.load(id)
            let content = try TrainingContent.read(snapshot, store: store)
            try content.requireClassifiedSources()
            var members: [UInt8] = []
            for member in try snapshots.members(snapshot) { members += member.leaf + [0x0A] }
            return CroissantDocument(
                content: content, origin: store.ledger.origin,
                snapshotAt: try TrainingContent.entryTime(store.ledger, seq: snapshot.seq), members: members
            ).json
        }
    }

    /// The place of `model` in its chain of reproductions, from 1.
    func version(of model: ModelRecord) throws -> Int {
        var version = 1
        var current = model
        while let previous = current.supersedes {
            current = try engine.model(previous)
            version += 1
        }
        return version
    }

    /// The summary version of `model` (its place in the chain of reproductions) and, for a
    /// reproduction, what changed from its predecessor.
    func history(of model: ModelRecord) throws -> (version: Int, changes: String?) {
        let version = try self.version(of: model)
        guard let previous = model.supersedes.map({ try? engine.model($0) }) ?? nil else { return (version, nil) }
        let snapshots = SnapshotStore(store: store)
        let (removed, added) = try snapshots.diff(
            try snapshots.load(previous.snapshot), try snapshots.load(model.snapshot))
        let causes = previous.staleCauses.compactMap { cause -> String? in
            guard let kind = cause["kind"]?.stringValue else { return nil }
            return cause["revocation"]?.stringValue.map { "\(kind) \($0)" } ?? kind
        }
        let reason = causes.isEmpty ? "" : " after \(causes.joined(separator: ", "))"
        return (
            version,
            "Reproduces \(previous.id) (version \(version - 1))\(reason): snapshot \(model.snapshot) replaces \(previous.snapshot), \(removed.count) samples removed, \(added.count) added."
        )
    }
}
