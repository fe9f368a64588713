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

/// Multinomial logistic regression by SGD, deterministic: samples are visited in an order keyed by
/// SHA-256(seed, epoch, commitment), every sum runs in a fixed order, and `exp` is ``PortableMath``'s.
public struct LogisticTrainer: Trainer {
    /// `logistic`.
    public let name = "logistic"
    /// 1.
    public let numericVersion = 1

    /// A logistic trainer.
    public init() {}

    /// Trains one shard: weights `labels × (dimension + 1)` (the last column is the bias), row-major f64.
    public func train(_ samples: [TrainingSample], config: TrainerConfig, seed: UInt64) -> [UInt8] {
        let classes = config.labels.count
        let width = config.dimension + 1
        var weights = [Double](repeating: 0, count: classes * width)
        let scale = 1.0 / Double(config.featureScale)
        let rate = Double(config.learningRateMicros) / 1_000_000
        let decay = Double(config.decayMicros) / 1_000_000
        let l2 = Double(config.l2Micros) / 1_000_000
        var probabilities = [Double](repeating: 0, count: classes)
        var scaled: [Double] = []
        for epoch in 0..<config.epochs {
            let step = rate / (1 + decay * Double(epoch))
            let shrink = 1 - step * l2
            for sample in Self.order(samples, seed: seed, epoch: epoch) {
                scaled.removeAll(keepingCapacity: true)
                for value in sample.values { scaled.append(Double(value) * scale) }
                // Pointer loops without bounds checks; every sum keeps its order, so the bytes do not change.
                weights.withUnsafeMutableBufferPointer { weights in
                    probabilities.withUnsafeMutableBufferPointer { probabilities in
                        Self.softmax(
                            indices: sample.indices, scaled: scaled, weights: UnsafeBufferPointer(weights),
                            width: width,
                            into: probabilities)
                        for index in 0..<weights.count { weights[index] *= shrink }
                        for k in 0..<classes {
                            let gradient = probabilities[k] - (k == sample.label ? 1 : 0)
                            let row = k * width
                            let factor = step * gradient
                            for position in 0..<scaled.count {
                                weights[row + Int(sample.indices[position])] -= factor * scaled[position]
                            }
                            weights[row + width - 1] -= factor
                        }
                    }
                }
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(weights.count * 8)
        for weight in weights { ModelBytes.append(weight, to: &bytes) }
        return bytes
    }

    /// The visiting order for one epoch: by SHA-256(seed ‖ epoch ‖ commitment), never by input order.
    static func order(_ samples: [TrainingSample], seed: UInt64, epoch: Int) -> [TrainingSample] {
        var prefix: [UInt8] = []
        ModelBytes.append(seed, to: &prefix)
        ModelBytes.append(UInt64(epoch), to: &prefix)
        let hasher = SHA256Hasher()
        let keyed = samples.map { sample -> (UInt64, TrainingSample) in
            hasher.update(prefix)
            hasher.update(sample.commitment)
            return (hasher.finalize().prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, sample)
        }
        return keyed.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.commitment.lexicographicallyPrecedes($1.1.commitment) }
            .map(\.1)
    }

    /// Softmax class probabilities of one shard's weights.
    func scores(_ sample: TrainingSample, weights: [Double], width: Int, scale: Double, into output: inout [Double]) {
        let scaled = sample.values.map { Double($0) * scale }
        weights.withUnsafeBufferPointer { weights in
            output.withUnsafeMutableBufferPointer { output in
                Self.softmax(indices: sample.indices, scaled: scaled, weights: weights, width: width, into: output)
            }
        }
    }

    /// Softmax over the classes' scores: bias plus the weighted features, each sum in feature order.
    private static func softmax(
        indices: [Int32], scaled: [Double], weights: UnsafeBufferPointer<Double>, width: Int,
        into output: UnsafeMutableBufferPointer<Double>
    ) {
        var maximum = -Double.infinity
        for k in 0..<output.count {
            let row = k * width
            var score = weights[row + width - 1]
            for position in 0..<scaled.count { score += weights[row + Int(indices[position])] * scaled[position] }
            output[k] = score
            if score > maximum { maximum = score }
        }
        var total = 0.0
        for k in 0..<output.count {
            output[k] = PortableMath.exp(output[k] - maximum)
            total += output[k]
        }
        for k in 0..<output.count { output[k] /= total }
    }

    /// The mean of the shards' softmax probabilities, summed in shard order.
    public func predict(_ sample: TrainingSample, shards: [[UInt8]], config: TrainerConfig) -> [Double] {
        predict(sample, weights: decode(shards, config: config), config: config)
    }

    private func decode(_ shards: [[UInt8]], config: TrainerConfig) -> [[Double]] {
        let count = config.labels.count * (config.dimension + 1)
        return shards.map { shard in (0..<count).map { ModelBytes.double(shard, at: $0) } }
    }

    private func predict(_ sample: TrainingSample, weights: [[Double]], config: TrainerConfig) -> [Double] {
        let classes = config.labels.count
        let width = config.dimension + 1
        let scale = 1.0 / Double(config.featureScale)
        var mean = [Double](repeating: 0, count: classes)
        var probabilities = [Double](repeating: 0, count: classes)
        for shard in weights {
            scores(sample, weights: shard, width: width, scale: scale, into: &probabilities)
            for k in 0..<classes { mean[k] += probabilities[k] }
        }
        return mean.map { $0 / Double(max(weights.count, 1)) }
    }

    /// Predicted labels, decoding the weights once.
    public func classify(_ samples: [TrainingSample], shards: [[UInt8]], config: TrainerConfig) -> [Int] {
        let weights = decode(shards, config: config)
        return samples.map { Self.argmax(predict($0, weights: weights, config: config)) }
    }
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
