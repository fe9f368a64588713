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
        // padded with zeros to the SIMD lanes of ``ClassLanes``), so the per-feature loops over the
        // classes run on contiguous lanes, each an IEEE operation of its own; the file is class-major.
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
