/// Limited-memory BFGS with a backtracking (Armijo) line search, deterministic: every sum runs in index
/// order, so the same objective gives the same bits on every machine and thread count.
struct LBFGS {
    /// Correction pairs kept.
    var memory = 10
    /// Stop when no gradient component exceeds this in magnitude (scikit-learn's `tol` for lbfgs).
    var gradientTolerance = 1e-4
    /// Stop when an iteration lowers the objective by less than this, relative (scikit-learn's `ftol`).
    var relativeDecrease = 64 * Double.ulpOfOne
    /// Iterations at most.
    var maxIterations: Int

    /// What a run did.
    struct Outcome {
        /// The minimiser found.
        var point: [Double]
        /// The objective there.
        var value: Double
        /// Iterations taken.
        var iterations: Int
        /// Objective evaluations made.
        var evaluations: Int
    }

    /// Minimises `objective` (value and gradient) from `start`.
    func minimize(from start: [Double], _ objective: ([Double]) -> (Double, [Double])) -> Outcome {
        var point = start
        var (value, gradient) = objective(point)
        var evaluations = 1
        var steps: [[Double]] = []
        var changes: [[Double]] = []
        var inverseCurvatures: [Double] = []
        var iterations = 0
        while iterations < maxIterations && Self.maximumMagnitude(gradient) > gradientTolerance {
            iterations += 1
            var direction = Self.direction(gradient, steps: steps, changes: changes, rho: inverseCurvatures)
            var slope = Self.dot(gradient, direction)
            if !(slope < 0) {
                // Not a descent direction: forget the curvature pairs and go down the gradient.
                steps.removeAll()
                changes.removeAll()
                inverseCurvatures.removeAll()
                direction = gradient.map { -$0 }
                slope = -Self.dot(gradient, gradient)
            }
            var length = steps.isEmpty ? min(1, 1 / Self.dot(gradient, gradient).squareRoot()) : 1
            var accepted: (point: [Double], value: Double, gradient: [Double])? = nil
            for _ in 0..<50 {
                var candidate = point
                for index in candidate.indices { candidate[index] += length * direction[index] }
                let (candidateValue, candidateGradient) = objective(candidate)
                evaluations += 1
                if candidateValue <= value + 1e-4 * length * slope {
                    accepted = (candidate, candidateValue, candidateGradient)
                    break
                }
                length *= 0.5
            }
            guard let accepted else { break }
            var step = accepted.point
            var change = accepted.gradient
            for index in step.indices {
                step[index] -= point[index]
                change[index] -= gradient[index]
            }
            let curvature = Self.dot(step, change)
            if curvature > 1e-10 * Self.dot(change, change) {
                if steps.count == memory {
                    steps.removeFirst()
                    changes.removeFirst()
                    inverseCurvatures.removeFirst()
                }
                steps.append(step)
                changes.append(change)
                inverseCurvatures.append(1 / curvature)
            }
            let decrease = value - accepted.value
            let magnitude = max(abs(value), abs(accepted.value), 1)
            point = accepted.point
            value = accepted.value
            gradient = accepted.gradient
            if decrease <= relativeDecrease * magnitude { break }
        }
        return Outcome(point: point, value: value, iterations: iterations, evaluations: evaluations)
    }

    /// −H·g by the two-loop recursion over the stored pairs, H₀ scaled by the newest pair's curvature.
    private static func direction(_ gradient: [Double], steps: [[Double]], changes: [[Double]], rho: [Double])
        -> [Double]
    {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for index in stride(from: steps.count - 1, through: 0, by: -1) {
            alphas[index] = rho[index] * dot(steps[index], q)
            add(-alphas[index], changes[index], to: &q)
        }
        if let step = steps.last, let change = changes.last {
            let scale = dot(step, change) / dot(change, change)
            for index in q.indices { q[index] *= scale }
        }
        for index in steps.indices {
            let beta = rho[index] * dot(changes[index], q)
            add(alphas[index] - beta, steps[index], to: &q)
        }
        for index in q.indices { q[index] = -q[index] }
        return q
    }

    /// Σ aᵢbᵢ in index order.
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum = 0.0
                for index in 0..<a.count { sum += a[index] * b[index] }
                return sum
            }
        }
    }

    /// y += factor · x.
    private static func add(_ factor: Double, _ x: [Double], to y: inout [Double]) {
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                for index in 0..<y.count { y[index] += factor * x[index] }
            }
        }
    }

    private static func maximumMagnitude(_ values: [Double]) -> Double {
        values.reduce(0) { max($0, abs($1)) }
    }
}
