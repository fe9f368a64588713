// Benchmarks for the ledger core (run in release):
//   swift run -c release assent-bench log [--entries N] [--batch B]
// Prints append throughput next to a raw SQLite insert of the same rows, peak RSS, and proof
// generation and verification times at the final size.
import AssentLog
import AssentRecords
import AssentStorage
import Foundation

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count,
        let number = Int(arguments[index + 1])
    else {
        return value
    }
    return number
}

/// The value after `name` on the command line, if given.
func stringOption(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func format(_ value: Double) -> String { String(format: "%.1f", value) }

/// Runs `executable` with `arguments` (stdout to /dev/null) and returns the wall time in
/// milliseconds from spawn to exit, and the exit status. It waits with `waitpid`: Foundation's
/// `Process.waitUntilExit` polls a run loop and adds tens of milliseconds to short commands.
func timedRun(_ executable: String, _ arguments: [String]) throws -> (millis: Double, status: Int32) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let start = now()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return ((now() - start) * 1000, (status >> 8) & 0xff)
}

func benchmarkLog() throws {
    let total = option("--entries", default: 1_000_000)
    let batch = option("--batch", default: 10_000)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    print("log benchmark: \(total) entries in batches of \(batch)")

    let ledger = try Ledger.create(at: scratch.appendingPathComponent("ledger"), origin: "bench.example/log")
    var written = 0
    let appendStart = now()
    while written < total {
        let count = min(batch, total - written)
        try ledger.write { writer in
            for offset in 0..<count {
                try writer.append(
                    type: "note",
                    fields: JSONObject([("n", .integer(Int64(written + offset))), ("text", .string("benchmark entry"))])
                )
            }
        }
        written += count
    }
    let appendSeconds = now() - appendStart
    let appendRSS = peakRSSMiB()
    print(
        "append:      \(format(Double(total) / appendSeconds)) entries/s (\(format(appendSeconds)) s), peak RSS \(format(appendRSS)) MiB"
    )
    if CommandLine.arguments.contains("--append-only") { return }

    // The raw baseline inserts the very same bytes, read back (untimed) from the ledger.
    var bodies: [[UInt8]] = []
    bodies.reserveCapacity(total)
    try ledger.forEachEntry { _, _, bytes in bodies.append(bytes) }

    let raw = try Database(path: scratch.appendingPathComponent("raw.sqlite").path)
    try raw.execute("CREATE TABLE entries (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, body BLOB NOT NULL) STRICT")
    let rawStart = now()
    var position = 0
    while position < bodies.count {
        let end = min(position + batch, bodies.count)
        try raw.writeTransaction {
            try raw.withStatement("INSERT INTO entries (seq, type, body) VALUES (?, ?, ?)") { insert in
                for index in position..<end {
                    try insert.reset()
                    try insert.bind(.integer(Int64(index)), at: 1)
                    try insert.bind(.text("note"), at: 2)
                    try bodies[index].withUnsafeBytes { try insert.bind(bytes: $0, at: 3) }
                    try insert.step()
                }
            }
        }
        position = end
    }
    let rawSeconds = now() - rawStart
    print(
        "raw SQLite:  \(format(Double(total) / rawSeconds)) rows/s (\(format(rawSeconds)) s); ledger/raw = \(String(format: "%.2f", rawSeconds / appendSeconds))"
    )

    let size = try ledger.size()
    let (_, note) = try ledger.latestCheckpoint()
    let checkpoint = try Checkpoint.open(note, verifier: ledger.verifier)
    var generator = SystemRandomNumberGenerator()
    let samples = 20_000
    let indices = (0..<samples).map { _ in UInt64.random(in: 0..<size, using: &generator) }
    var proofs: [TLogProof] = []
    proofs.reserveCapacity(samples)
    let proveStart = now()
    for index in indices { proofs.append(try ledger.inclusionProof(index: index, size: size)) }
    let proveMicros = (now() - proveStart) / Double(samples) * 1e6
    let leafHasher = MerkleHasher()
    let leaves = indices.map { leafHasher.leafHash(bodies[Int($0)]) }
    let verifyStart = now()
    var valid = 0
    for (offset, proof) in proofs.enumerated()
    where MerkleVerification.verifyInclusion(
        index: proof.index, size: size, leafHash: leaves[offset], proof: proof.hashes, root: checkpoint.root)
    { valid += 1 }
    let verifyMicros = (now() - verifyStart) / Double(samples) * 1e6
    print(
        "inclusion:   generate \(format(proveMicros)) µs, verify \(format(verifyMicros)) µs per proof at size \(size) (\(valid)/\(samples) valid)"
    )

    let oldSize = UInt64(batch) * 37 <= size ? UInt64(batch) * 37 : UInt64(batch)
    let oldCheckpoint = try Checkpoint.open(try ledger.checkpointNote(size: oldSize), verifier: ledger.verifier)
    let rounds = 5_000
    let consistencyStart = now()
    var consistency: [[UInt8]] = []
    for _ in 0..<rounds { consistency = try ledger.consistencyProof(oldSize: oldSize, newSize: size) }
    let consistencyMicros = (now() - consistencyStart) / Double(rounds) * 1e6
    let checkStart = now()
    var consistent = true
    for _ in 0..<rounds {
        consistent =
            consistent
            && MerkleVerification.verifyConsistency(
                size1: oldSize, size2: size, root1: oldCheckpoint.root, root2: checkpoint.root, proof: consistency)
    }
    let checkMicros = (now() - checkStart) / Double(rounds) * 1e6
    print(
        "consistency: generate \(format(consistencyMicros)) µs, verify \(format(checkMicros)) µs (\(oldSize) → \(size), \(consistency.count) hashes, valid: \(consistent))"
    )

    let verifyLogStart = now()
    let report = try ledger.verify()
    print("log verify:  \(report.entries) entries in \(format(now() - verifyLogStart)) s")
    print("peak RSS:    \(format(peakRSSMiB())) MiB")
}

let mode = CommandLine.arguments.dropFirst().first ?? "log"
switch mode {
case "log": try benchmarkLog()
case "ingest": try benchmarkIngest()
case "snapshot": try benchmarkSnapshot()
case "recut": try benchmarkRecut()
case "scratch": try benchmarkScratch()
case "reproduce": try benchmarkReproduce()
case "determinism": try benchmarkDeterminism()
case "fit": try benchmarkFit()
case "verify": try benchmarkVerify()
default:
    print(
        "usage: assent-bench log [--entries N] [--batch B] | ingest [--samples N] | snapshot [--samples N] [--keep DIR]"
    )
    print("       assent-bench recut --keep DIR [--rounds N] | scratch --keep DIR [--rounds N]")
    print("       assent-bench reproduce [--samples N] | determinism | fit | verify [--samples N]")
    exit(64)
}
