internal import AssentCrypto
internal import AssentLog

/// One sample as a trainer sees it: its label index and a sparse, integer-valued feature vector.
public struct TrainingSample: Sendable {
    /// The commitment (orders samples and seeds shuffles).
    public let commitment: [UInt8]
    /// The index of its label in the config's label set.
    public let label: Int
    /// Feature indices, ascending.
    public let indices: [Int32]
    /// Feature values (counts or raw integers), matching `indices`.
    public let values: [Int32]

    /// Parses sample content: a JSON object with `label` and either `features` (integers) or `text`.
    /// - Throws: ``EngineError`` naming what is wrong.
    public init(commitment: [UInt8], content: [UInt8], config: TrainerConfig) throws {
        self.commitment = commitment
        let object: JSONObject
        do {
            guard let parsed = try JSONParser.parse(content).objectValue else {
                throw EngineError(.invalidInput, "not an object")
            }
            object = parsed
        } catch {
            throw EngineError(
                .invalidInput,
                "sample sha256:\(Hex.encode(commitment)): content is not a JSON object with label and features or text")
        }
        guard let labelValue = object["label"]?.integerValue, let label = config.labels.firstIndex(of: labelValue)
        else {
            throw EngineError(
                .invalidInput, "sample sha256:\(Hex.encode(commitment)): label is missing or not in the config's labels"
            )
        }
        self.label = label
        if config.input == "features" {
            guard let features = object["features"]?.arrayValue else {
                throw EngineError(
                    .invalidInput,
                    "sample sha256:\(Hex.encode(commitment)): content has no features (the config's input is features)")
            }
            guard features.count == config.features,
                features.allSatisfy({ ($0.integerValue ?? -1) >= 0 && ($0.integerValue ?? 0) <= Int64(Int32.max) })
            else {
                throw EngineError(
                    .invalidInput,
                    "sample sha256:\(Hex.encode(commitment)): features must be \(config.features) non-negative integers"
                )
            }
            var indices: [Int32] = []
            var values: [Int32] = []
            for (index, value) in features.enumerated() where value.integerValue! != 0 {
                indices.append(Int32(index))
                values.append(Int32(value.integerValue!))
            }
            self.indices = indices
            self.values = values
        } else {
            guard let text = object["text"]?.stringValue else {
                throw EngineError(
                    .invalidInput,
                    "sample sha256:\(Hex.encode(commitment)): content has no text (the config's input is text)")
            }
            (indices, values) = Self.hashedNgrams(text, config: config)
        }
    }

    /// Counts of hashed word n-grams (1…wordNgrams) and character n-grams (3…charNgrams), by bucket.
    static func hashedNgrams(_ text: String, config: TrainerConfig) -> ([Int32], [Int32]) {
        var counts: [Int32: Int32] = [:]
        func add(_ gram: String) {
            let digest = SHA256.hash(Array(gram.utf8))
            let bucket = Int32(
                digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % UInt64(config.hashDimension))
            counts[bucket, default: 0] += 1
        }
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        if config.wordNgrams > 0 {
            for length in 1...config.wordNgrams where words.count >= length {
                for start in 0...(words.count - length) {
                    add("w:" + words[start..<start + length].joined(separator: " "))
                }
            }
        }
        if config.charNgrams >= 3 {
            let characters = Array(text.lowercased())
            for length in 3...config.charNgrams where characters.count >= length {
                for start in 0...(characters.count - length) { add("c:" + String(characters[start..<start + length])) }
            }
        }
        let sorted = counts.keys.sorted()
        return (sorted, sorted.map { counts[$0]! })
    }
}
