internal import Foundation
internal import AssentCrypto
internal import AssentLog

/// Writes model folders: `manifest.json` and one `shard-NNN.bin` per shard, with no timestamps, ids or
/// metrics, so the same training gives the same folder digest.
enum ModelFolder {
    /// Writes the folder under `parent` as `<root hex>`; a folder already there is kept only if its digest
    /// is the same.
    static func write(
        into parent: URL, trainer: any Trainer, config: TrainerConfig, seed: UInt64, shardFiles: [[UInt8]]
    ) throws -> (ModelDigest, URL) {
        let manager = FileManager.default
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".staging-" + Hex.encode(SecureRandom.bytes(count: 8)))
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        let manifest = JSONObject([
            ("format", .string("assent.model/v1")), ("trainer", .string(trainer.name)),
            ("numeric_version", .integer(Int64(trainer.numericVersion))), ("config", .object(config.json)),
            ("seed", .integer(Int64(seed))), ("shards", .integer(Int64(shardFiles.count))),
            ("aggregation", .string(trainer.name == "naive-bayes" ? "sum-of-counts" : "mean-probability")),
            (
                "encoding",
                .string("little-endian; logistic: f64 weights labels x (dimension + 1); naive-bayes: u64 counts")
            ),
        ])
        try Data(CanonicalJSON.encode(.object(manifest)) + [0x0A]).write(
            to: staging.appendingPathComponent("manifest.json"))
        for (shard, bytes) in shardFiles.enumerated() {
            try Data(bytes).write(to: staging.appendingPathComponent(name(ofShard: shard)))
        }
        let digest = try ModelDigest(folder: staging)
        let final = parent.appendingPathComponent(Hex.encode(digest.root))
        if manager.fileExists(atPath: final.path), (try? ModelDigest(folder: final).root) == digest.root {
            try manager.removeItem(at: staging)
        } else {
            // Absent, or a partial or altered folder under this name: replace it, never trust it.
            if manager.fileExists(atPath: final.path) { try manager.removeItem(at: final) }
            try manager.moveItem(at: staging, to: final)
        }
        return (digest, final)
    }

    static func name(ofShard shard: Int) -> String {
        let digits = String(shard)
        return "shard-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits + ".bin"
    }

    /// Reads a model folder's shard files.
    static func shardFiles(in folder: URL, count: Int) throws -> [[UInt8]] {
        try (0..<count).map { shard in
            guard
                let data = FileManager.default.contents(
                    atPath: folder.appendingPathComponent(name(ofShard: shard)).path)
            else {
                throw EngineError(.notFound, "\(folder.path) lacks \(name(ofShard: shard))")
            }
            return [UInt8](data)
        }
    }
}
