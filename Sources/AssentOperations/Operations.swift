public import AssentEngine
public import AssentLog
public import AssentRecords

/// The user-level operations of a ledger, one place for every front end (the CLI, the server): each
/// takes parsed input, does the whole job (a write, the sweep after it, the stale marking inside a
/// revocation's transaction, the reproduction asked for) and returns a result that the front end only
/// renders. No front end writes to the ledger any other way.
public final class Operations {
    /// The records layer the operations write through.
    public let store: RecordStore
    /// The engine that trains, marks stale and reproduces.
    public let engine: Engine

    /// The operations on `ledger`.
    /// - Throws: ``LedgerError`` or ``StorageError`` when the ledger's tables cannot be prepared.
    public init(ledger: Ledger) throws {
        store = try RecordStore(ledger: ledger)
        engine = try Engine(store: store)
    }

    /// The ledger the operations act on.
    public var ledger: Ledger { store.ledger }

    /// What every write runs after it committed: marks stale the models whose consents expired or
    /// whose revocations took effect since, then pushes the new checkpoint to the ledger's witnesses.
    /// A failure is returned, not thrown, because the write it follows has already committed; `assent
    /// sweep` and `assent witness push` run them again.
    public func sweep() -> SweepOutcome {
        let witnesses = publishToWitnesses()
        do { return SweepOutcome(staleModels: try engine.sweep(), failure: nil, witnesses: witnesses) } catch {
            return SweepOutcome(staleModels: [], failure: "\(error)", witnesses: witnesses)
        }
    }
}

/// What the sweep after a write did.
public struct SweepOutcome: Sendable, Equatable {
    /// The models it marked stale.
    public let staleModels: [String]
    /// Why it failed, when it did (the write before it stands).
    public let failure: String?
    /// What each witness made of the new checkpoint.
    public let witnesses: [WitnessOutcome]

    /// `{"stale_models": […], "failure": …}`.
    public var json: JSONObject {
        JSONObject([
            ("stale_models", .array(staleModels.map(JSONValue.string))),
            ("failure", failure.map(JSONValue.string) ?? .null),
        ])
    }
}
