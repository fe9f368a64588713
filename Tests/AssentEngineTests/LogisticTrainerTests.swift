import AssentCrypto
import AssentLog
import Foundation
import Testing

@testable import AssentEngine
@testable import AssentRecords

/// The full-batch logistic trainer: scikit-learn's optimum on the digits split, independent of the seed
/// and of the samples' order, and exact in its vectorised `exp`.
@Suite struct LogisticTrainerTests {
    static func digits(_ name: String) throws -> [TrainingSample] {
        let text = try String(
            contentsOf: EngineFixture.root.appendingPathComponent("Tools/datasets/digits/\(name)"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try TrainingSample(
                commitment: SHA256.hash(Array(line.utf8)), content: Array(line.utf8), config: TrainerConfig())
        }
    }

    // scikit-learn 1.9.1's LogisticRegression() (lbfgs, C = 1.0) on the same split, features / 16,
    // classifies 347 of the 359 held-out digits correctly (96.66%), as Tools/bench_sklearn_digits.py prints.
    @Test func itReachesScikitLearnsAccuracyOnTheDigitsSplitForEverySeedAndOrder() throws {
        let train = try Self.digits("digits-train.jsonl")
        let test = try Self.digits("digits-test.jsonl")
        let trainer = LogisticTrainer()
        var accuracies: Set<Int> = []
        for (seed, samples) in [(UInt64(1), train), (UInt64(9), Array(train.reversed()))] {
            let weights = trainer.train(samples, config: TrainerConfig(), seed: seed)
            let predicted = trainer.classify(test, shards: [weights], config: TrainerConfig())
            accuracies.insert(zip(predicted, test).filter { $0.0 == $0.1.label }.count)
        }
        #expect(accuracies == [347])
    }

    @Test func theSeedDoesNotChangeTheBytes() throws {
        let samples = Array(try Self.digits("digits-train.jsonl").prefix(300))
        let trainer = LogisticTrainer()
        #expect(
            trainer.train(samples, config: TrainerConfig(), seed: 1)
                == trainer.train(samples, config: TrainerConfig(), seed: 2))
    }

    @Test func theVectorisedExpGivesTheScalarBitsInEveryLane() {
        for step in stride(from: -8000, through: 8000, by: 8) {
            let lanes = SIMD8<Double>((0..<8).map { Double(step + $0) / 10.7 })
            let vector = PortableMath.exp(lanes)
            for lane in 0..<8 { #expect(vector[lane].bitPattern == PortableMath.exp(lanes[lane]).bitPattern) }
        }
        // Halfway cases of x/ln2 and values spread over the whole ordinary and overflow range.
        var generator = SplitMix(seed: 7)
        for step in -2000...2000 {
            var lanes = SIMD8<Double>.zero
            let halfway: Double = (Double(step) + 0.5) * 0.693_147_180_559_945_3
            for lane in 0..<4 { lanes[lane] = halfway * (1 + Double(lane - 2) * 0x1p-52) }
            for lane in 4..<8 { lanes[lane] = Double(generator.next() % 3_000_000) / 2000 - 750 }
            let vector = PortableMath.exp(lanes)
            for lane in 0..<8 { #expect(vector[lane].bitPattern == PortableMath.exp(lanes[lane]).bitPattern) }
        }
        let special = PortableMath.exp(SIMD8(-.infinity, .infinity, .nan, -746, 710, 0, -0.0, 1))
        #expect(special[0] == 0 && special[1] == .infinity && special[2].isNaN && special[3] == 0)
        #expect(special[4] == .infinity && special[5] == 1 && special[6] == 1 && special[7] == PortableMath.exp(1))
    }

    /// Up to sixteen classes, the register layouts against whole blocks of eight; past sixteen, blocks of
    /// eight against one block more of padding.
    @Test(arguments: [2, 3, 4, 5, 8, 9, 10, 12, 13, 16, 17, 24])
    func everyLaneLayoutGivesTheBitsOfWholeBlocksOfEight(classes: Int) throws {
        var config = TrainerConfig()
        config.labels = (0..<classes).map(Int64.init)
        config.features = 20
        var generator = SplitMix(seed: UInt64(classes))
        let samples = try (0..<300).map { index in
            let features = (0..<20).map { _ in generator.next() % 3 == 0 ? Int(generator.next() % 17) : 0 }
            let line = #"{"features":\#(features),"label":\#(index % classes)}"#
            return try TrainingSample(
                commitment: SHA256.hash(Array(line.utf8)), content: Array(line.utf8), config: config)
        }
        let registers = LogisticObjective(samples, config: config)
        let blocks = LogisticObjective(
            samples, config: config, lanes: .blocks((classes + 7) / 8 + (classes > 16 ? 1 : 0)))
        #expect(registers.lanes != blocks.lanes)
        func weights(_ objective: LogisticObjective) -> [Double] {
            var weights = [Double](repeating: 0, count: objective.stride * objective.width)
            for j in 0..<objective.width {
                for k in 0..<classes { weights[j * objective.stride + k] = Double(Int(j * 7 + k * 3) % 11 - 5) / 4 }
            }
            return weights
        }
        let (registerLoss, registerGradient) = registers.evaluate(weights(registers))
        let (blockLoss, blockGradient) = blocks.evaluate(weights(blocks))
        #expect(registerLoss.bitPattern == blockLoss.bitPattern)
        for j in 0..<registers.width {
            for k in 0..<classes {
                #expect(
                    registerGradient[j * registers.stride + k].bitPattern
                        == blockGradient[j * blocks.stride + k].bitPattern)
            }
        }
        // Padding lanes stay exact zeros, or the optimiser's sums over the whole vector would change.
        for (objective, gradient) in [(registers, registerGradient), (blocks, blockGradient)] {
            for index in gradient.indices where index % objective.stride >= classes {
                #expect(gradient[index].bitPattern == 0)
            }
        }
    }

    @Test func retiredSGDFieldsAreRefusedInConfigFilesButReadFromTheRegistry() throws {
        let old = Array(#"{"epochs":40,"learning_rate_micros":500000,"features":64}"#.utf8)
        #expect(throws: EngineError.self) { try TrainerConfig(json: old) }
        let read = try TrainerConfig(json: old, acceptingRetired: true)
        #expect(read == TrainerConfig())
    }

    @Test func aModelRecordShowsTheConfigDigestItsEntryLogged() throws {
        let fixture = try EngineFixture()
        defer { fixture.cleanUp() }
        let trained = try fixture.engine.train(trainer: "logistic", config: EngineFixture.quick, seed: 3, shards: 2)
        let entry = try JSONParser.parse(try fixture.ledger.entry(trained.model.seq).bytes).objectValue
        let record = try fixture.engine.model(trained.model.id)
        #expect(record.configDigest == entry?["config"]?.stringValue)
        #expect(record.configDigest == EngineFixture.quick.digest)
        #expect(entry?["numeric_version"]?.integerValue == 2)
    }

    // A model whose entry says another numeric version: its shard files cannot be mixed with shards
    // the current trainer retrains, so reproduction retrains every shard, and verification says why
    // it cannot re-derive the bytes.
    @Test func aModelOfAnotherNumericVersionIsReproducedWhole() throws {
        let fixture = try EngineFixture()
        defer { fixture.cleanUp() }
        let engine = fixture.engine
        let current = try engine.train(trainer: "logistic", config: EngineFixture.quick, seed: 3, shards: 4)
        let snapshot = try SnapshotStore(store: fixture.store).load(current.snapshot)
        let entry = try #require(try JSONParser.parse(try fixture.ledger.entry(current.model.seq).bytes).objectValue)
        var fields = JSONObject()
        for key in ["config", "shards", "shard_digests", "metrics", "deterministic", "trained_shards"] {
            fields[key] = entry[key]
        }
        fields["numeric_version"] = .integer(1)
        let older = try engine.log(
            ModelToLog(
                id: "sha256:" + String(repeating: "0", count: 64), snapshot: snapshot, trainer: "logistic",
                config: EngineFixture.quick.json, seed: 3, folder: engine.folder(of: current.model), supersedes: nil,
                isDeterministic: true, fields: fields)
        ).record
        #expect(throws: EngineError.self) { try engine.retrainWithoutLogging(older) }
        try RevocationRegistry(store: fixture.store).revoke(.subject("w5")) { writer, affected, id in
            _ = try engine.markStale(affected: affected, revocation: id, writer: writer)
        }
        let fromOlder = try engine.reproduce(older.id)
        let fromCurrent = try engine.reproduce(current.model.id)
        #expect(fromOlder.trainedShards == [0, 1, 2, 3] && fromCurrent.trainedShards.count == 1)
        #expect(fromOlder.model.id == fromCurrent.model.id, "the same bytes as reproducing the current model")
    }
}

/// A small seeded generator for spread-out test inputs.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
