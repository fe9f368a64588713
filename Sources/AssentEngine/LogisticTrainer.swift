internal import AssentRecords

/// Multinomial logistic regression, trained full-batch with L-BFGS on scikit-learn's objective: the
/// mean log-loss over the shard plus ‖w‖² / (2·C·n), biases unpenalised. The objective is convex, so
/// the result does not depend on the seed or on the order of the samples beyond the fixed order of
/// the sums: the shard is cut into at most eight contiguous chunks (a function of its size alone),
/// each chunk's loss and gradient are summed in sample order, possibly on several cores, and the
/// chunks are added in chunk order. `exp` and `log` are ``PortableMath``'s.
public struct LogisticTrainer: Trainer {
    /// `logistic`.
    public let name = "logistic"
    /// 2: full-batch L-BFGS (1 was SGD with a seeded visiting order).
    public let numericVersion = 2

    /// A logistic trainer.
    public init() {}

    /// Trains one shard: weights `labels × (dimension + 1)` (the last column is the bias), row-major f64.
    /// The seed is recorded with the model but does not change the result.
    public func train(_ samples: [TrainingSample], config: TrainerConfig, seed: UInt64) -> [UInt8] {
        fit(samples, config: config).bytes
    }

    /// The trained weights as model file bytes, with how many L-BFGS iterations it took.
    public func fit(_ samples: [TrainingSample], config: TrainerConfig) -> (bytes: [UInt8], iterations: Int) {
        let objective = LogisticObjective(samples, config: config)
        let (classes, width, stride) = (objective.classes, objective.width, objective.stride)
        // The optimiser works on feature-major weights (feature j, class k at j·stride + k, the classes
        // padded with zeros to whole SIMD8 blocks), so the per-feature loops over the classes run on
        // contiguous lanes, each an IEEE operation of its own; the file is class-major.
        var weights = [Double](repeating: 0, count: stride * width)
        var iterations = 0
        if !samples.isEmpty {
            let outcome = LBFGS(maxIterations: config.maxIterations).minimize(from: weights, objective.evaluate)
            weights = outcome.point
            iterations = outcome.iterations
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(weights.count * 8)
        for k in 0..<classes {
            for j in 0..<width { ModelBytes.append(weights[j * stride + k], to: &bytes) }
        }
        return (bytes, iterations)
    }

    /// Softmax class probabilities of one shard's weights.
    func scores(_ sample: TrainingSample, weights: [Double], width: Int, scale: Double, into output: inout [Double]) {
        for k in 0..<output.count {
            let row = k * width
            var score = weights[row + width - 1]
            for (position, feature) in sample.indices.enumerated() {
                score += weights[row + Int(feature)] * (Double(sample.values[position]) * scale)
            }
            output[k] = score
        }
        let maximum = output.max() ?? 0
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

/// The shard objective of ``LogisticTrainer`` over samples laid out flat (row starts, feature
/// indices, scaled values), with its gradient.
struct LogisticObjective: Sendable {
    let classes: Int
    let width: Int
    /// The classes rounded up to whole SIMD8 blocks.
    let stride: Int
    private let labels: [Int]
    private let rowStarts: [Int]
    private let features: [Int32]
    private let values: [Double]
    private let penalty: Double
    private let chunks: [Range<Int>]

    init(_ samples: [TrainingSample], config: TrainerConfig) {
        classes = config.labels.count
        width = config.dimension + 1
        stride = (classes + 7) / 8 * 8
        labels = samples.map(\.label)
        var starts = [0]
        var features: [Int32] = []
        var values: [Double] = []
        let scale = 1.0 / Double(config.featureScale)
        for sample in samples {
            features += sample.indices
            for value in sample.values { values.append(Double(value) * scale) }
            starts.append(features.count)
        }
        rowStarts = starts
        self.features = features
        self.values = values
        let n = max(samples.count, 1)
        penalty = 1 / (Double(config.cMicros) / 1_000_000 * Double(n))
        chunks = Parallel.ranges(samples.count, parts: max(1, min(8, samples.count / 128)))
    }

    /// The objective and its gradient at `weights`.
    func evaluate(_ weights: [Double]) -> (Double, [Double]) {
        let parts = Parallel.map(parts: chunks.count) { part in self.partial(weights, samples: self.chunks[part]) }
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: weights.count)
        for part in parts {
            loss += part.loss
            for index in gradient.indices { gradient[index] += part.gradient[index] }
        }
        let n = Double(max(labels.count, 1))
        loss /= n
        var squares = 0.0
        for j in 0..<width {
            for k in 0..<classes {
                let index = j * stride + k
                if j == width - 1 {
                    gradient[index] /= n
                } else {
                    gradient[index] = gradient[index] / n + penalty * weights[index]
                    squares += weights[index] * weights[index]
                }
            }
        }
        return (loss + 0.5 * penalty * squares, gradient)
    }

    /// The summed log-loss and its gradient over `samples`, in sample order; eight classes at a time.
    private func partial(_ weights: [Double], samples: Range<Int>) -> (loss: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: weights.count)
        let blocks = stride / 8
        let scores = UnsafeMutablePointer<SIMD8<Double>>.allocate(capacity: blocks)
        scores.initialize(repeating: .zero, count: blocks)
        defer { scores.deallocate() }
        var loss = 0.0
        let (classes, width) = (self.classes, self.width)
        weights.withUnsafeBytes { weightBytes in
            gradient.withUnsafeMutableBytes { gradientBytes in
                features.withUnsafeBufferPointer { features in
                    values.withUnsafeBufferPointer { values in
                        func weightBlock(_ row: Int, _ block: Int) -> SIMD8<Double> {
                            weightBytes.loadUnaligned(fromByteOffset: (row + block * 8) * 8, as: SIMD8<Double>.self)
                        }
                        func addToGradient(_ row: Int, _ block: Int, _ value: SIMD8<Double>) {
                            let offset = (row + block * 8) * 8
                            let sum =
                                gradientBytes.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self) + value
                            gradientBytes.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Double>.self)
                        }
                        let bias = (width - 1) * stride
                        for sample in samples {
                            let range = rowStarts[sample]..<rowStarts[sample + 1]
                            if blocks <= 2 {
                                // Up to sixteen classes: the scores stay in registers (the same operations
                                // in the same order as the general loop below, so the same bits).
                                var first = weightBlock(bias, 0)
                                var second = blocks == 2 ? weightBlock(bias, 1) : .zero
                                for position in range {
                                    let row = Int(features[position]) * stride
                                    let value = SIMD8<Double>(repeating: values[position])
                                    first += weightBlock(row, 0) * value
                                    if blocks == 2 { second += weightBlock(row, 1) * value }
                                }
                                scores[0] = first
                                if blocks == 2 { scores[1] = second }
                            } else {
                                for block in 0..<blocks { scores[block] = weightBlock(bias, block) }
                                for position in range {
                                    let row = Int(features[position]) * stride
                                    let value = SIMD8<Double>(repeating: values[position])
                                    for block in 0..<blocks { scores[block] += weightBlock(row, block) * value }
                                }
                            }
                            var maximum = -Double.infinity
                            for k in 0..<classes where scores[k / 8][k % 8] > maximum { maximum = scores[k / 8][k % 8] }
                            let label = labels[sample]
                            let labelScore = scores[label / 8][label % 8]
                            for block in 0..<blocks {
                                // Padding lanes take exp(0) and are zeroed afterwards.
                                var shifted = scores[block] - SIMD8(repeating: maximum)
                                for lane in 0..<8 where block * 8 + lane >= classes { shifted[lane] = 0 }
                                scores[block] = PortableMath.exp(shifted)
                                for lane in 0..<8 where block * 8 + lane >= classes { scores[block][lane] = 0 }
                            }
                            var total = 0.0
                            for k in 0..<classes { total += scores[k / 8][k % 8] }
                            loss += PortableMath.log(total) + maximum - labelScore
                            let inverse = SIMD8<Double>(repeating: total)
                            for block in 0..<blocks { scores[block] /= inverse }
                            scores[label / 8][label % 8] -= 1
                            if blocks <= 2 {
                                let first = scores[0]
                                let second = blocks == 2 ? scores[1] : .zero
                                for position in range {
                                    let row = Int(features[position]) * stride
                                    let value = SIMD8<Double>(repeating: values[position])
                                    addToGradient(row, 0, first * value)
                                    if blocks == 2 { addToGradient(row, 1, second * value) }
                                }
                            } else {
                                for position in range {
                                    let row = Int(features[position]) * stride
                                    let value = SIMD8<Double>(repeating: values[position])
                                    for block in 0..<blocks { addToGradient(row, block, scores[block] * value) }
                                }
                            }
                            for block in 0..<blocks { addToGradient(bias, block, scores[block]) }
                        }
                    }
                }
            }
        }
        return (loss, gradient)
    }
}
