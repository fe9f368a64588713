internal import AssentCrypto

/// A built-in trainer: trains one shard's model from that shard's samples and the config alone, and
/// predicts by aggregating every shard's model in shard order.
public protocol Trainer: Sendable {
    /// The trainer's name (`logistic`, `naive-bayes`).
    var name: String { get }
    /// The numeric version: bumped whenever the same inputs would give other bytes.
    var numericVersion: Int { get }
    /// The shard's model file bytes (little-endian IEEE or integer words; no timestamps or ids).
    func train(_ samples: [TrainingSample], config: TrainerConfig, seed: UInt64) -> [UInt8]
    /// Class probabilities (or scores) for one input, from every shard's model file.
    func predict(_ sample: TrainingSample, shards: [[UInt8]], config: TrainerConfig) -> [Double]
    /// The predicted label index of each input, decoding the shard files once.
    func classify(_ samples: [TrainingSample], shards: [[UInt8]], config: TrainerConfig) -> [Int]
}

extension Trainer {
    /// Index of the largest score (the first on ties).
    static func argmax(_ scores: [Double]) -> Int {
        var best = 0
        for index in scores.indices where scores[index] > scores[best] { best = index }
        return best
    }
}

/// The built-in trainers by name.
public enum Trainers {
    /// Returns the trainer called `name`.
    /// - Throws: ``EngineError`` for an unknown name.
    public static func named(_ name: String) throws -> any Trainer {
        switch name {
        case "logistic": return LogisticTrainer()
        case "naive-bayes": return NaiveBayesTrainer()
        default:
            throw EngineError(.invalidInput, "unknown trainer \"\(name)\" (built in: logistic, naive-bayes; or exec)")
        }
    }
}

/// Little-endian encoding of the numbers in model files.
enum ModelBytes {
    static func append(_ value: Double, to bytes: inout [UInt8]) { append(value.bitPattern, to: &bytes) }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func word(_ bytes: [UInt8], at index: Int) -> UInt64 {
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(bytes[index * 8 + offset]) << UInt64(8 * offset) }
        return value
    }

    static func double(_ bytes: [UInt8], at index: Int) -> Double { Double(bitPattern: word(bytes, at: index)) }
}

/// Multinomial naive Bayes with integer counts: removing a sample is an exact subtraction, so the
/// result equals retraining from scratch, bit for bit.
public struct NaiveBayesTrainer: Trainer {
    /// `naive-bayes`.
    public let name = "naive-bayes"
    /// 1.
    public let numericVersion = 1

    /// A naive Bayes trainer.
    public init() {}

    /// Counts: per label, the sample count then the per-feature totals, as little-endian u64.
    public func train(_ samples: [TrainingSample], config: TrainerConfig, seed: UInt64) -> [UInt8] {
        var counts = [UInt64](repeating: 0, count: config.labels.count * (config.dimension + 1))
        add(samples, to: &counts, config: config, sign: 1)
        return encode(counts)
    }

    /// Subtracts `removed` from a shard's counts.
    public func subtract(_ removed: [TrainingSample], from shard: [UInt8], config: TrainerConfig) -> [UInt8] {
        var counts = (0..<(shard.count / 8)).map { ModelBytes.word(shard, at: $0) }
        add(removed, to: &counts, config: config, sign: -1)
        return encode(counts)
    }

    private func add(_ samples: [TrainingSample], to counts: inout [UInt64], config: TrainerConfig, sign: Int) {
        let width = config.dimension + 1
        for sample in samples {
            let row = sample.label * width
            counts[row] = sign > 0 ? counts[row] + 1 : counts[row] - 1
            for (position, feature) in sample.indices.enumerated() {
                let value = UInt64(sample.values[position])
                counts[row + 1 + Int(feature)] =
                    sign > 0 ? counts[row + 1 + Int(feature)] + value : counts[row + 1 + Int(feature)] - value
            }
        }
    }

    private func encode(_ counts: [UInt64]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 8)
        for count in counts { ModelBytes.append(count, to: &bytes) }
        return bytes
    }

    /// Log-posterior scores from the counts of all shards added together (exactly the unsharded model).
    public func predict(_ sample: TrainingSample, shards: [[UInt8]], config: TrainerConfig) -> [Double] {
        predict(sample, counts: total(shards, config: config), config: config)
    }

    /// Predicted labels, adding the shard counts once.
    public func classify(_ samples: [TrainingSample], shards: [[UInt8]], config: TrainerConfig) -> [Int] {
        let counts = total(shards, config: config)
        return samples.map { Self.argmax(predict($0, counts: counts, config: config)) }
    }

    private func total(_ shards: [[UInt8]], config: TrainerConfig) -> [UInt64] {
        var counts = [UInt64](repeating: 0, count: config.labels.count * (config.dimension + 1))
        for shard in shards {
            for index in counts.indices { counts[index] += ModelBytes.word(shard, at: index) }
        }
        return counts
    }

    private func predict(_ sample: TrainingSample, counts: [UInt64], config: TrainerConfig) -> [Double] {
        let width = config.dimension + 1
        let alpha = Double(config.smoothingMicros) / 1_000_000
        let total = (0..<config.labels.count).reduce(UInt64(0)) { $0 + counts[$1 * width] }
        return (0..<config.labels.count).map { k in
            let row = k * width
            var featureTotal: UInt64 = 0
            for j in 1..<width { featureTotal += counts[row + j] }
            var score = PortableMath.log(
                (Double(counts[row]) + alpha) / (Double(total) + alpha * Double(config.labels.count)))
            let denominator = Double(featureTotal) + alpha * Double(config.dimension)
            for (position, feature) in sample.indices.enumerated() {
                score +=
                    Double(sample.values[position])
                    * PortableMath.log((Double(counts[row + 1 + Int(feature)]) + alpha) / denominator)
            }
            return score
        }
    }
}
