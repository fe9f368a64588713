/// `exp` and `log` from IEEE basic operations only (+ − × ÷ and exact scaling by powers of two), so
/// training gives the same bits on every x86-64 machine; glibc's versions may differ by an ULP.
public enum PortableMath {
    private static let ln2High = 0.693_147_180_369_123_816_49
    private static let ln2Low = 1.908_214_929_270_587_700_02e-10
    private static let inverseLn2 = 1.442_695_040_888_963_387_00

    /// e^x, accurate to a few ULP over the range doubles can hold.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.0 { return .infinity }
        if x < -745.0 { return 0 }
        let k = (x * inverseLn2).rounded(.toNearestOrEven)
        let r = (x - k * ln2High) - k * ln2Low
        // Taylor series of e^r for |r| ≤ ln2/2, Horner form, 14 terms.
        var sum = 1.0 / 87_178_291_200.0
        inverseFactorials.withUnsafeBufferPointer { table in
            for n in stride(from: 13, through: 1, by: -1) { sum = sum * r + table[n] }
        }
        sum = sum * r + 1.0
        return scale(sum, by: Int(k))
    }

    /// e^x for eight values at once, lane for lane the same bits as ``exp(_:)-swift.type.method``.
    public static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> { exp(lanes: x) }

    /// e^x lane by lane, each lane the same bits as ``exp(_:)-swift.type.method``: the same IEEE
    /// operations in the same order, only side by side.
    static func exp<V: SIMD>(lanes x: V) -> V where V.Scalar == Double {
        // Adding 1.5·2^52 rounds |y| < 2^51 to an integer, ties to even, exactly as `rounded(.toNearestOrEven)`
        // does, and leaves that integer in the low bits; subtracting it again is exact.
        let shifter = V(repeating: 0x1.8p52)
        let shifted = x * inverseLn2 + shifter
        let k = shifted - shifter
        let r = (x - k * ln2High) - k * ln2Low
        // The scalar series written out, 1/13! down to 1/1!: constants the compiler keeps in registers.
        var sum = V(repeating: 1.0 / 87_178_291_200.0)
        sum = sum * r + V(repeating: 1.0 / 6_227_020_800.0)
        sum = sum * r + V(repeating: 1.0 / 479_001_600.0)
        sum = sum * r + V(repeating: 1.0 / 39_916_800.0)
        sum = sum * r + V(repeating: 1.0 / 3_628_800.0)
        sum = sum * r + V(repeating: 1.0 / 362_880.0)
        sum = sum * r + V(repeating: 1.0 / 40_320.0)
        sum = sum * r + V(repeating: 1.0 / 5_040.0)
        sum = sum * r + V(repeating: 1.0 / 720.0)
        sum = sum * r + V(repeating: 1.0 / 120.0)
        sum = sum * r + V(repeating: 1.0 / 24.0)
        sum = sum * r + V(repeating: 1.0 / 6.0)
        sum = sum * r + V(repeating: 1.0 / 2.0)
        sum = sum * r + V(repeating: 1.0)
        sum = sum * r + 1.0
        // 2^k built from its bits where ``scale(_:by:)`` multiplies by 2^k once (|k| ≤ 1000); other
        // lanes follow the scalar rules one by one.
        let integers = unsafeBitCast(shifted, to: V.MaskStorage.self) &- 0x4338_0000_0000_0000
        var result = sum * unsafeBitCast((integers &+ 1023) &<< 52, to: V.self)
        // Squares summing to less than 693² mean every lane is ordinary (a NaN or an infinity fails the
        // test); arithmetic, not a lane-by-lane comparison. Otherwise each lane is checked on its own.
        if (x * x).sum() < 480_000 { return result }
        for lane in x.indices {
            let value = x[lane]
            if value >= -693.0 && value <= 693.0 {
                continue
            } else if value.isNaN {
                result[lane] = value
            } else if value > 709.0 {
                result[lane] = .infinity
            } else if value < -745.0 {
                result[lane] = 0
            } else {
                result[lane] = scale(sum[lane], by: Int(k[lane]))
            }
        }
        return result
    }

    /// The natural logarithm of x > 0.
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        // x = m · 2^exponent with m in [1, 2), exactly as halving or doubling until it is.
        var exponent = Int(x.exponent)
        var m = x.significand
        if m > 1.414_213_562_373_095 { m = m / 2; exponent += 1 }
        // log(m) = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172.
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var sum = 0.0
        oddReciprocals.withUnsafeBufferPointer { terms in
            for term in terms { sum = sum * s2 + term }
        }
        return 2 * s * sum + Double(exponent) * ln2High + Double(exponent) * ln2Low
    }

    /// 1/41, 1/39, …, 1/1: the atanh series of ``log(_:)``, highest term first.
    private static let oddReciprocals: [Double] = stride(from: 41, through: 1, by: -2).map { 1.0 / Double($0) }

    /// 1 / n! for n in 0...13, each computed exactly as the series once computed it inline.
    private static let inverseFactorials: [Double] = (0...13).map { 1.0 / factorial($0) }

    private static func factorial(_ n: Int) -> Double {
        var result = 1.0
        for value in stride(from: 2, through: n, by: 1) { result *= Double(value) }
        return result
    }

    /// x · 2^k, exactly, in steps that never overflow an intermediate.
    private static func scale(_ x: Double, by k: Int) -> Double {
        var result = x
        var remaining = k
        while remaining > 1000 { result *= Double(sign: .plus, exponent: 1000, significand: 1); remaining -= 1000 }
        while remaining < -1000 { result *= Double(sign: .plus, exponent: -1000, significand: 1); remaining += 1000 }
        return result * Double(sign: .plus, exponent: remaining, significand: 1)
    }
}
