import ArgumentParser
import AssentEngine
import AssentLog
import AssentOperations
import AssentRecords
import Foundation

/// `assent revoke`: withdraws consent for samples, as easily as it was given.
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke samples by consent, subject, sample id or source; logged, never deleted.",
        discussion: """
            One target per call. Idempotent: samples already revoked are reported, not revoked again, and \
            nothing is logged when nothing is new. A target that does not exist is an error (exit 1) and \
            nothing is logged.

            Examples:
              assent revoke --consent cons-1a2b3c --reason withdrawn
              assent revoke --subject alice@example.org
              assent revoke --sample sha256:3f… --sample 9c…   (or --samples-file ids.txt, one per line)
              assent revoke --source crawl-2024 --reason license-revoked --effective 2026-12-01T00:00:00Z
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Revoke every sample relying on this consent, and withdraw the consent.")
    var consent: String?
    @Option(help: "Revoke every sample of this subject (real id, or its pseudonym subj-…).")
    var subject: String?
    @Option(name: .customLong("sample"), help: "Revoke this sample (sha256:<hex> or <hex>); repeatable.")
    var samples: [String] = []
    @Option(
        name: .customLong("samples-file"),
        help: ArgumentHelp("Revoke the samples listed in this file, one per line.", valueName: "file"))
    var samplesFile: String?
    @Option(help: "Revoke every sample recorded from this source (dataset name).")
    var source: String?
    @Option(
        help:
            "withdrawn (by the subject), revoked (by the controller), invalidated, license-revoked or opt-out-observed."
    )
    var reason = "withdrawn"
    @Option(help: "When the revocation takes effect, UTC (default: now).")
    var effective: String?
    @Flag(help: "Also reproduce every model the revocation made stale.")
    var reproduce = false
    @OptionGroup var runner: RunnerOptions

    func validate() throws {
        let given = [consent != nil, subject != nil, !samples.isEmpty || samplesFile != nil, source != nil].filter {
            $0
        }.count
        guard given == 1 else {
            throw ValidationError("give exactly one target: --consent, --subject, --sample/--samples-file or --source")
        }
        if runner.isGiven && !reproduce { throw ValidationError("--runner and --ray-address go with --reproduce") }
    }

    func run() throws {
        try reportingErrors {
            let operations = try Operations(ledger: try global.openLedger())
            let target: RevocationTarget
            if let consent {
                target = .consent(consent)
            } else if let subject {
                target = .subject(subject)
            } else if let source {
                target = .source(source)
            } else {
                var ids = samples
                if let samplesFile {
                    let text = try readTextFile(samplesFile, what: "samples file")
                    ids += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                        .filter { !$0.isEmpty }
                }
                target = .samples(ids)
            }
            operations.engine.shardRunner = runner.shardRunner
            let outcome = try operations.revoke(target, reason: reason, effective: effective, reproduce: reproduce)
            let result = outcome.result
            reportSweep(outcome.sweep)
            if global.json {
                Console.json(outcome.json)
                return
            }
            if let id = result.id {
                Console.line("revoked: \(id) (entries \(result.entries.map(String.init).joined(separator: ", ")))")
                Console.line("affected samples: \(result.affected.count)")
                for commitment in result.affected.prefix(20) { Console.line("  sha256:\(Hex.encode(commitment))") }
                if result.affected.count > 20 {
                    Console.line("  … and \(result.affected.count - 20) more (use --json for all)")
                }
            } else {
                Console.line(
                    "nothing new to revoke: the target's \(result.alreadyRevoked) samples were already revoked")
            }
            if result.alreadyRevoked > 0 && result.id != nil {
                Console.line("already revoked before: \(result.alreadyRevoked)")
            }
            for model in outcome.staleModels { Console.line("stale model: \(model)") }
            for reproduction in outcome.reproduced {
                TrainCommand.report(reproduction, engine: operations.engine, json: false)
            }
        }
    }
}
