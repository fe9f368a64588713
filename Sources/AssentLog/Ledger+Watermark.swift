internal import Foundation

/// The rollback guard: the largest checkpoint this ledger folder ever saw signed, kept in
/// `checkpoint.latest` outside the database.
///
/// Deleting the last entries of the log together with their checkpoints needs no key, and what is left
/// still verifies; the ledger would then sign statuses for a state it already moved past. Every write
/// transaction, after it commits, records its checkpoint here (only ever a larger one), and every open
/// refuses a database whose log is shorter than the recorded checkpoint, or holds a different checkpoint
/// at that size. This guards one folder against its own database; against an operator who rolls back
/// both, only witnesses that cosign the checkpoints help (the server's witness client).
extension Ledger {
    /// Refuses a database rolled back below the recorded checkpoint.
    /// - Throws: ``LedgerError`` `verificationFailed` naming both sizes.
    func checkWatermark() throws {
        guard let text = try? String(contentsOf: paths.checkpointWatermark, encoding: .utf8) else { return }
        guard let recorded = Self.size(ofNote: text) else {
            throw LedgerError(.verificationFailed, "\(paths.checkpointWatermark.path) is not a signed checkpoint")
        }
        let latest = try latestCheckpoint()
        guard latest.size >= recorded else {
            throw LedgerError(
                .verificationFailed,
                "the log was rolled back: it ends at size \(latest.size), but this folder saw checkpoint \(recorded) signed (\(paths.checkpointWatermark.lastPathComponent)); restore the database from a backup"
            )
        }
        guard (try? checkpointNote(size: recorded)) == text else {
            throw LedgerError(
                .verificationFailed,
                "checkpoint at size \(recorded) differs from the one this folder saw signed (\(paths.checkpointWatermark.lastPathComponent)): the log was rewritten"
            )
        }
    }

    /// Records `note` (the checkpoint a write just committed) unless a larger one is already recorded.
    func recordWatermark(_ note: String) {
        let size = Self.size(ofNote: note) ?? 0
        if let text = try? String(contentsOf: paths.checkpointWatermark, encoding: .utf8),
            let recorded = Self.size(ofNote: text), recorded >= size
        {
            return
        }
        try? Data(note.utf8).write(to: paths.checkpointWatermark, options: .atomic)
    }

    /// The tree size a checkpoint note states (its second line).
    static func size(ofNote text: String) -> UInt64? {
        let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        return lines.count > 1 ? UInt64(lines[1]) : nil
    }
}
