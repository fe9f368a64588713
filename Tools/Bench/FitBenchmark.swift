import AssentCrypto
import AssentEngine
import AssentLog
import Foundation

/// The logistic trainer alone on the digits split, in process: the same work scikit-learn's `fit` times
/// (no process start, ledger, snapshot or logging), with held-out accuracy, for ten seeds; each seed
/// visits the training samples in a different order (the trainer is full-batch, so only the rounding
/// of its fixed-order sums could differ). `--json` prints one JSON line per seed instead.
func benchmarkFit() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let config = TrainerConfig()
    func load(_ name: String) throws -> [TrainingSample] {
        let text = try String(
            contentsOf: root.appendingPathComponent("Tools/datasets/digits/\(name)"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try TrainingSample(commitment: SHA256.hash(Array(line.utf8)), content: Array(line.utf8), config: config)
        }
    }
    let asJSON = CommandLine.arguments.contains("--json")
    let train = try load("digits-train.jsonl")
    let test = try load("digits-test.jsonl")
    let trainer = LogisticTrainer()
    if !asJSON {
        print("fit benchmark: logistic, \(train.count) training and \(test.count) held-out digits, default config")
    }
    for seed: UInt64 in 1...10 {
        let ordered = train.sorted {
            SHA256.hash(Array("\(seed)".utf8) + $0.commitment).lexicographicallyPrecedes(
                SHA256.hash(Array("\(seed)".utf8) + $1.commitment))
        }
        let clock = ContinuousClock()
        let started = clock.now
        let (weights, iterations) = trainer.fit(ordered, config: config)
        let elapsed = clock.now - started
        let predicted = trainer.classify(test, shards: [weights], config: config)
        let correct = zip(predicted, test).filter { $0.0 == $0.1.label }.count
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let accuracy = 100 * Double(correct) / Double(test.count)
        if asJSON {
            print(#"{"seed":\#(seed),"fit_seconds":\#(seconds),"accuracy":\#(accuracy),"iterations":\#(iterations)}"#)
        } else {
            print(
                "seed \(seed): fit \(String(format: "%.4f", seconds)) s, \(iterations) L-BFGS iterations, held-out accuracy \(String(format: "%.2f", accuracy))%"
            )
        }
    }
}
