import AssentCrypto
import AssentEngine
import AssentLog
import Foundation

/// The logistic trainer alone on the digits split, in process: the same work scikit-learn's `fit` times
/// (no process start, ledger, snapshot or logging), with held-out accuracy, for several seeds.
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
    let train = try load("digits-train.jsonl")
    let test = try load("digits-test.jsonl")
    let trainer = LogisticTrainer()
    print("fit benchmark: logistic, \(train.count) training and \(test.count) held-out digits, default config")
    for seed: UInt64 in 1...5 {
        let clock = ContinuousClock()
        let started = clock.now
        let weights = trainer.train(train, config: config, seed: seed)
        let elapsed = clock.now - started
        let predicted = trainer.classify(test, shards: [weights], config: config)
        let correct = zip(predicted, test).filter { $0.0 == $0.1.label }.count
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "seed \(seed): fit \(String(format: "%.3f", seconds)) s, held-out accuracy \(String(format: "%.2f", 100 * Double(correct) / Double(test.count)))%"
        )
    }
}
