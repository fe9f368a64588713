internal import AssentCrypto
public import AssentLog

/// A trainer's configuration. Every field has a documented default; rates are integers in millionths
/// (JSON here, like entries, holds no floating point).
///
/// | field | default | meaning |
/// |---|---|---|
/// | `input` | `features` | `features` (content has numeric `features`) or `text` (hashed n-grams of `text`) |
/// | `labels` | 0…9 | the label set, integers, in output order |
/// | `features` | 64 | the numeric feature dimension (content `features`) |
/// | `feature_scale` | 16 | numeric features are divided by this |
/// | `hash_dimension` | 4096 | buckets for hashed text n-grams (content `text`) |
/// | `word_ngrams` | 2 | word n-grams of length 1…n |
/// | `char_ngrams` | 0 | character n-grams of length 3…n (0: none) |
/// | `c_micros` | 1000000 | logistic regression: inverse L2 strength C (1.0), as scikit-learn's `C` |
/// | `max_iterations` | 500 | logistic regression: L-BFGS iterations at most (each one pass over the shard) |
/// | `smoothing_micros` | 1000000 | naive Bayes additive smoothing (1.0) |
public struct TrainerConfig: Sendable, Equatable {
    /// `features` or `text`: what sample content holds.
    public var input = "features"
    /// The label set, in output order.
    public var labels: [Int64] = Array(0...9)
    /// The numeric feature dimension.
    public var features = 64
    /// Numeric features are divided by this.
    public var featureScale = 16
    /// Buckets for hashed text n-grams.
    public var hashDimension = 4096
    /// Word n-grams of length 1…n.
    public var wordNgrams = 2
    /// Character n-grams of length 3…n; 0 for none.
    public var charNgrams = 0
    /// Logistic regression's inverse regularisation strength C, in millionths: the objective is the mean
    /// log-loss plus ‖w‖² / (2·C·n) over the n samples of a shard, biases unpenalised.
    public var cMicros = 1_000_000
    /// Logistic regression's L-BFGS iterations at most.
    public var maxIterations = 500
    /// Naive Bayes smoothing, in millionths.
    public var smoothingMicros = 1_000_000

    /// The defaults.
    public init() {}

    /// Fields of the SGD logistic trainer (numeric version 1), replaced by `c_micros` and `max_iterations`.
    static let retiredFields: Set<String> = ["epochs", "learning_rate_micros", "decay_micros", "l2_micros"]

    /// Reads a config file; unknown fields and wrong types are errors naming the field.
    /// - Parameter acceptingRetired: ignore the fields of numeric version 1 (for configs read back from
    ///   the registry of models trained before it changed) instead of refusing them.
    public init(json bytes: [UInt8], acceptingRetired: Bool = false) throws {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw EngineError(.invalidInput, "config: not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw EngineError(.invalidInput, "config: expected a JSON object") }
        let fields: [String: WritableKeyPath<TrainerConfig, Int>] = [
            "features": \.features, "feature_scale": \.featureScale, "hash_dimension": \.hashDimension,
            "word_ngrams": \.wordNgrams,
            "char_ngrams": \.charNgrams, "c_micros": \.cMicros, "max_iterations": \.maxIterations,
            "smoothing_micros": \.smoothingMicros,
        ]
        for member in object.members {
            if Self.retiredFields.contains(member.key) {
                if acceptingRetired { continue }
                throw EngineError(
                    .invalidInput,
                    "config: field \(member.key) belonged to the SGD logistic trainer; since numeric version 2 it trains full-batch (L-BFGS): use c_micros and max_iterations"
                )
            }
            if member.key == "input" {
                guard let text = member.value.stringValue, ["features", "text"].contains(text) else {
                    throw EngineError(.invalidInput, "config: field input: expected features or text")
                }
                input = text
                continue
            }
            if member.key == "labels" {
                guard let items = member.value.arrayValue, !items.isEmpty, items.allSatisfy({ $0.integerValue != nil }),
                    Set(items.compactMap(\.integerValue)).count == items.count
                else { throw EngineError(.invalidInput, "config: field labels: expected distinct integers") }
                labels = items.compactMap(\.integerValue)
                continue
            }
            guard let path = fields[member.key] else {
                throw EngineError(
                    .invalidInput,
                    "config: unknown field \"\(member.key)\" (known: input, labels, \(fields.keys.sorted().joined(separator: ", ")))"
                )
            }
            guard let number = member.value.integerValue, number >= 0, number <= 100_000_000 else {
                throw EngineError(.invalidInput, "config: field \(member.key): expected a non-negative integer")
            }
            self[keyPath: path] = Int(number)
        }
        guard features > 0, featureScale > 0, hashDimension > 0, cMicros > 0, maxIterations > 0, labels.count >= 2
        else {
            throw EngineError(
                .invalidInput,
                "config: features, feature_scale, hash_dimension, c_micros and max_iterations must be positive, and labels at least two"
            )
        }
    }

    /// The config as canonical JSON, every field present.
    public var json: JSONObject {
        JSONObject([
            ("input", .string(input)), ("labels", .array(labels.map { .integer($0) })),
            ("features", .integer(Int64(features))),
            ("feature_scale", .integer(Int64(featureScale))), ("hash_dimension", .integer(Int64(hashDimension))),
            ("word_ngrams", .integer(Int64(wordNgrams))), ("char_ngrams", .integer(Int64(charNgrams))),
            ("c_micros", .integer(Int64(cMicros))), ("max_iterations", .integer(Int64(maxIterations))),
            ("smoothing_micros", .integer(Int64(smoothingMicros))),
        ])
    }

    /// The input dimension: the numeric feature count, or the hash buckets for text.
    public var dimension: Int { input == "text" ? hashDimension : features }

    /// `sha256:<hex>` of the canonical config.
    public var digest: String { "sha256:" + Hex.encode(SHA256.hash(CanonicalJSON.encode(.object(json)))) }
}

/// An error from the engine.
public struct EngineError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// A bad argument, config or data file.
        case invalidInput
        /// A model or snapshot that does not exist.
        case notFound
        /// Training is not allowed (a snapshot member is no longer consented, a model is not stale).
        case refused
        /// A trainer failed.
        case trainerFailed
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Errors compare by code.
    public static func == (lhs: EngineError, rhs: EngineError) -> Bool { lhs.code == rhs.code }
}
