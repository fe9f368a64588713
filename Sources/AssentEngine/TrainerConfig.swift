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
/// | `epochs` | 40 | logistic regression passes |
/// | `learning_rate_micros` | 500000 | initial learning rate (0.5) |
/// | `decay_micros` | 100000 | rate at epoch e = rate / (1 + decay·e) |
/// | `l2_micros` | 100 | L2 penalty (0.0001) |
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
    /// Logistic regression epochs.
    public var epochs = 40
    /// Initial learning rate, in millionths.
    public var learningRateMicros = 500_000
    /// Learning-rate decay per epoch, in millionths.
    public var decayMicros = 100_000
    /// L2 penalty, in millionths.
    public var l2Micros = 100
    /// Naive Bayes smoothing, in millionths.
    public var smoothingMicros = 1_000_000

    /// The defaults.
    public init() {}

    /// Reads a config file; unknown fields and wrong types are errors naming the field.
    public init(json bytes: [UInt8]) throws {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw EngineError(.invalidInput, "config: not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw EngineError(.invalidInput, "config: expected a JSON object") }
        let fields: [String: WritableKeyPath<TrainerConfig, Int>] = [
            "features": \.features, "feature_scale": \.featureScale, "hash_dimension": \.hashDimension,
            "word_ngrams": \.wordNgrams,
            "char_ngrams": \.charNgrams, "epochs": \.epochs, "learning_rate_micros": \.learningRateMicros,
            "decay_micros": \.decayMicros, "l2_micros": \.l2Micros, "smoothing_micros": \.smoothingMicros,
        ]
        for member in object.members {
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
        guard features > 0, featureScale > 0, hashDimension > 0, epochs > 0, labels.count >= 2 else {
            throw EngineError(
                .invalidInput,
                "config: features, feature_scale, hash_dimension and epochs must be positive, and labels at least two")
        }
    }

    /// The config as canonical JSON, every field present.
    public var json: JSONObject {
        JSONObject([
            ("input", .string(input)), ("labels", .array(labels.map { .integer($0) })),
            ("features", .integer(Int64(features))),
            ("feature_scale", .integer(Int64(featureScale))), ("hash_dimension", .integer(Int64(hashDimension))),
            ("word_ngrams", .integer(Int64(wordNgrams))), ("char_ngrams", .integer(Int64(charNgrams))),
            ("epochs", .integer(Int64(epochs))), ("learning_rate_micros", .integer(Int64(learningRateMicros))),
            ("decay_micros", .integer(Int64(decayMicros))), ("l2_micros", .integer(Int64(l2Micros))),
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
