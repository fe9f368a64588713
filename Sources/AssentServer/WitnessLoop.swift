internal import AssentOperations
internal import Logging
internal import Prometheus

/// Every few seconds, pushes the ledger's latest checkpoint to its witnesses (what every write does,
/// here also for checkpoints that other processes committed), logging what did not cosign; a fork
/// alarm is logged as critical on every round and counted in the metrics.
struct WitnessLoop {
    let worker: LedgerWorker
    let metrics: ServerMetrics
    let logger: Logger
    /// The pause between rounds.
    var interval = Duration.seconds(2)

    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard let outcomes = try? await worker.run({ $0.publishToWitnesses() }) else { continue }
            for outcome in outcomes where outcome.status != .cosigned {
                if outcome.status == .fork {
                    metrics.forkAlarms.increment()
                    logger.critical(
                        "witness holds evidence of a FORK of this log",
                        metadata: ["witness": "\(outcome.witness)", "detail": "\(outcome.detail)"])
                } else {
                    logger.warning(
                        "witness did not cosign",
                        metadata: ["witness": "\(outcome.witness)", "detail": "\(outcome.detail)"])
                }
            }
        }
    }
}
