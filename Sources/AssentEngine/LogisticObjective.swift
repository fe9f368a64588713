internal import AssentRecords

/// The shard objective of ``LogisticTrainer`` over samples laid out flat (row starts, feature
/// indices, scaled values), with its gradient.
struct LogisticObjective: Sendable {
    let classes: Int
    let width: Int
    /// The weights of one feature: the classes padded to the SIMD lanes of ``lanes``.
    let stride: Int
    /// How the classes of one sample sit in SIMD lanes.
    let lanes: ClassLanes
    private let labels: [Int]
    private let rowStarts: [Int]
    private let features: [Int32]
    private let values: [Double]
    private let penalty: Double
    private let chunks: [Range<Int>]

    /// The objective over `samples`; `lanes` other than the default only to compare layouts.
    init(_ samples: [TrainingSample], config: TrainerConfig, lanes: ClassLanes? = nil) {
        classes = config.labels.count
        width = config.dimension + 1
        self.lanes = lanes ?? ClassLanes(classes: classes)
        stride = self.lanes.stride
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

    /// The summed log-loss and its gradient over `samples`, in sample order.
    private func partial(_ weights: [Double], samples: Range<Int>) -> (loss: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: weights.count)
        var loss = 0.0
        weights.withUnsafeBufferPointer { weights in
            gradient.withUnsafeMutableBufferPointer { gradient in
                features.withUnsafeBufferPointer { features in
                    values.withUnsafeBufferPointer { values in
                        let rows = SampleRows(
                            weights: weights, gradient: gradient, features: features, values: values, stride: stride)
                        switch lanes {
                        case .head(let head, let tail):
                            switch (head, tail) {
                            case (2, 0): loss = registerKernel(rows, samples, SIMD2<Double>.self, SIMD2<Double>.self)
                            case (4, 0): loss = registerKernel(rows, samples, SIMD4<Double>.self, SIMD4<Double>.self)
                            case (_, 0): loss = registerKernel(rows, samples, SIMD8<Double>.self, SIMD8<Double>.self)
                            case (_, 2): loss = registerKernel(rows, samples, SIMD8<Double>.self, SIMD2<Double>.self)
                            case (_, 4): loss = registerKernel(rows, samples, SIMD8<Double>.self, SIMD4<Double>.self)
                            default: loss = registerKernel(rows, samples, SIMD8<Double>.self, SIMD8<Double>.self)
                            }
                        case .blocks(let blocks): loss = blockKernel(rows, samples, blocks: blocks)
                        }
                    }
                }
            }
        }
        return (loss, gradient)
    }

    /// Up to sixteen classes: the scores and residuals of a sample stay in registers, `Head` for the
    /// first classes and `Tail` for the rest (unused when ``ClassLanes`` has no tail). Every lane is an
    /// IEEE operation of its own, so the lane widths do not change the bits.
    private func registerKernel<Head: SIMD, Tail: SIMD>(
        _ rows: SampleRows, _ samples: Range<Int>, _: Head.Type, _: Tail.Type
    ) -> Double where Head.Scalar == Double, Tail.Scalar == Double {
        let headCount = Head.scalarCount
        let hasTail = stride > headCount
        let bias = (width - 1) * stride
        // Padding lanes take exp(0) and are zeroed afterwards, by AND-ing with all ones in the classes'
        // lanes and zeros past them (+0.0, as assigning 0 would give).
        var headKeep = Head.MaskStorage.zero
        var tailKeep = Tail.MaskStorage.zero
        for lane in 0..<headCount where lane < classes { headKeep[lane] = -1 }
        for lane in 0..<Tail.scalarCount where headCount + lane < classes { tailKeep[lane] = -1 }
        // One in the label's lane: subtracting it takes 1 from that lane and exact zeros from the others,
        // which leaves their bits as they are; no lane is written on its own.
        let headLabels = (0..<classes).map { k in Head((0..<headCount).map { $0 == k ? 1 : 0 }) }
        let tailLabels = (0..<classes).map { k in Tail((0..<Tail.scalarCount).map { headCount + $0 == k ? 1 : 0 }) }
        var losses = LossTerms(count: samples.count)
        for sample in samples {
            let range = rowStarts[sample]..<rowStarts[sample + 1]
            var head: Head = rows.load(bias)
            var tail: Tail = hasTail ? rows.load(bias + headCount) : .zero
            for position in range {
                let (row, value) = rows.entry(position)
                head += rows.load(row) * Head(repeating: value)
                if hasTail { tail += rows.load(row + headCount) * Tail(repeating: value) }
            }
            func score(_ k: Int) -> Double { k < headCount ? head[k] : tail[k - headCount] }
            var maximum = -Double.infinity
            for k in 0..<classes where score(k) > maximum { maximum = score(k) }
            let label = labels[sample]
            let labelScore = score(label)
            head = keep(PortableMath.exp(lanes: keep(head - Head(repeating: maximum), headKeep)), headKeep)
            if hasTail {
                tail = keep(PortableMath.exp(lanes: keep(tail - Tail(repeating: maximum), tailKeep)), tailKeep)
            }
            var total = 0.0
            for k in 0..<classes { total += score(k) }
            losses.set(sample - samples.lowerBound, total: total, maximum: maximum, labelScore: labelScore)
            head /= Head(repeating: total)
            if hasTail { tail /= Tail(repeating: total) }
            head -= headLabels[label]
            if hasTail { tail -= tailLabels[label] }
            for position in range {
                let (row, value) = rows.entry(position)
                rows.add(head * Head(repeating: value), at: row)
                if hasTail { rows.add(tail * Tail(repeating: value), at: row + headCount) }
            }
            rows.add(head, at: bias)
            if hasTail { rows.add(tail, at: bias + headCount) }
        }
        return losses.sum()
    }

    /// More than sixteen classes: the same operations in the same order, eight classes at a time, the
    /// scores kept in memory.
    private func blockKernel(_ rows: SampleRows, _ samples: Range<Int>, blocks: Int) -> Double {
        let scores = UnsafeMutablePointer<SIMD8<Double>>.allocate(capacity: blocks)
        scores.initialize(repeating: .zero, count: blocks)
        defer { scores.deallocate() }
        // As in the register kernel: padding cleared by a lane mask, the label's residual by a one-hot.
        let keeps = (0..<blocks).map { block in SIMD8<Int64>((0..<8).map { block * 8 + $0 < classes ? -1 : 0 }) }
        let oneHots = (0..<8).map { lane in SIMD8<Double>((0..<8).map { $0 == lane ? 1 : 0 }) }
        let bias = (width - 1) * stride
        var losses = LossTerms(count: samples.count)
        for sample in samples {
            let range = rowStarts[sample]..<rowStarts[sample + 1]
            for block in 0..<blocks { scores[block] = rows.load(bias + block * 8) }
            for position in range {
                let (row, value) = rows.entry(position)
                for block in 0..<blocks {
                    scores[block] += rows.load(row + block * 8) * SIMD8(repeating: value)
                }
            }
            var maximum = -Double.infinity
            for k in 0..<classes where scores[k / 8][k % 8] > maximum { maximum = scores[k / 8][k % 8] }
            let label = labels[sample]
            let labelScore = scores[label / 8][label % 8]
            for block in 0..<blocks {
                let shifted = keep(scores[block] - SIMD8(repeating: maximum), keeps[block])
                scores[block] = keep(PortableMath.exp(shifted), keeps[block])
            }
            var total = 0.0
            for k in 0..<classes { total += scores[k / 8][k % 8] }
            losses.set(sample - samples.lowerBound, total: total, maximum: maximum, labelScore: labelScore)
            for block in 0..<blocks { scores[block] /= SIMD8(repeating: total) }
            scores[label / 8] -= oneHots[label % 8]
            for position in range {
                let (row, value) = rows.entry(position)
                for block in 0..<blocks { rows.add(scores[block] * SIMD8(repeating: value), at: row + block * 8) }
            }
            for block in 0..<blocks { rows.add(scores[block], at: bias + block * 8) }
        }
        return losses.sum()
    }
}

/// `value` with the lanes where `lanes` is zero set to +0.0 (the bits of each other lane kept): a
/// whole-vector AND, where assigning lane by lane would stall the next whole-vector read.
@inline(__always) private func keep<V: SIMD>(_ value: V, _ lanes: V.MaskStorage) -> V where V.Scalar == Double {
    unsafeBitCast(unsafeBitCast(value, to: V.MaskStorage.self) & lanes, to: V.self)
}

/// Each sample's log-loss, log(total) + maximum − the label's score, with the logarithms left until
/// the end: there they run back to back, each free of the others, instead of each stalling its sample's
/// loop. The losses are added in sample order, as if each had been added at once.
struct LossTerms {
    private var totals: [Double]
    private var maxima: [Double]
    private var labelScores: [Double]

    /// Room for `count` samples.
    init(count: Int) {
        totals = [Double](repeating: 0, count: count)
        maxima = totals
        labelScores = totals
    }

    /// Records the sample at `index`.
    mutating func set(_ index: Int, total: Double, maximum: Double, labelScore: Double) {
        totals[index] = total
        maxima[index] = maximum
        labelScores[index] = labelScore
    }

    /// The summed log-loss, in sample order.
    func sum() -> Double {
        var loss = 0.0
        for index in totals.indices { loss += PortableMath.log(totals[index]) + maxima[index] - labelScores[index] }
        return loss
    }
}

/// How the classes of a sample sit in SIMD lanes: up to sixteen in a head block of 2, 4 or 8 lanes and
/// a tail block of 2, 4 or 8 (0: none), more in whole blocks of eight.
enum ClassLanes: Equatable, Sendable {
    /// A head of `head` lanes and a tail of `tail` lanes.
    case head(Int, tail: Int)
    /// `blocks` blocks of eight lanes.
    case blocks(Int)

    /// The lanes for `classes` classes.
    init(classes: Int) {
        func lanes(_ count: Int) -> Int { count <= 2 ? 2 : count <= 4 ? 4 : 8 }
        if classes <= 8 {
            self = .head(lanes(classes), tail: 0)
        } else if classes <= 16 {
            self = .head(8, tail: lanes(classes - 8))
        } else {
            self = .blocks((classes + 7) / 8)
        }
    }

    /// The lanes per feature.
    var stride: Int {
        switch self {
        case .head(let head, let tail): head + tail
        case .blocks(let blocks): blocks * 8
        }
    }
}

/// The flat sample rows and the weight and gradient rows they index, read and written without bounds
/// checks inside one evaluation.
struct SampleRows {
    let weights: UnsafeBufferPointer<Double>
    let gradient: UnsafeMutableBufferPointer<Double>
    let features: UnsafeBufferPointer<Int32>
    let values: UnsafeBufferPointer<Double>
    let stride: Int

    /// The weight row offset of the feature at `position`, with its scaled value.
    @inline(__always) func entry(_ position: Int) -> (row: Int, value: Double) {
        (Int(features[position]) * stride, values[position])
    }

    /// The weights from `offset` on, as one SIMD value.
    @inline(__always) func load<V: SIMD>(_ offset: Int) -> V where V.Scalar == Double {
        UnsafeRawPointer(weights.baseAddress! + offset).loadUnaligned(as: V.self)
    }

    /// Adds `value` to the gradient from `offset` on.
    @inline(__always) func add<V: SIMD>(_ value: V, at offset: Int) where V.Scalar == Double {
        let address = UnsafeMutableRawPointer(gradient.baseAddress! + offset)
        address.storeBytes(of: address.loadUnaligned(as: V.self) + value, as: V.self)
    }
}
