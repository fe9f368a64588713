internal import Foundation
internal import AssentLog

/// Where shard jobs run: processes on this machine, or tasks on a Ray cluster.
public enum ShardRunner: Sendable, Equatable {
    /// Up to ``PerShardExec/jobs`` processes at once on this machine.
    case local
    /// Tasks on the Ray cluster at `address` (`HOST:PORT`), or at `RAY_ADDRESS` when nil, through
    /// `Tools/ray_runner.py` started with `ASSENT_PYTHON` or `python3` from `PATH`.
    case ray(address: String?)

    /// `local` or `ray`, as recorded in the model entry.
    public var name: String {
        switch self {
        case .local: "local"
        case .ray: "ray"
        }
    }
}

/// One job for the Ray runner: a shard's input folder, where its output goes, and how it is run.
struct RayJob {
    var shard: Int
    var run: Int
    var input: URL
    var output: URL
    var log: URL
}

/// Hands shard jobs to a Ray cluster through the Python program `ray_runner.py`: inputs and outputs
/// travel as tar bytes through Ray's object store, so no shared file system is assumed. The jobs run
/// the same sandboxed invocation as on the local runner, with the worker's paths.
enum RayShardRunner {
    /// The worker's job folder, as the runner program substitutes it.
    static let workToken = "@ASSENT_WORK@"

    /// Runs `jobs` on the cluster (each with the environment `environment` gives for its shard) and calls `finished` with each job's exit status (nil with a
    /// message when it could not run or timed out) as results arrive.
    /// - Throws: ``EngineError`` `trainerFailed` when the runner program, Python, Ray or the cluster
    ///   is missing or unreachable.
    static func run(
        _ jobs: [RayJob], command: String, environment: (Int) -> [(String, String)], options: ExecOptions,
        address: String?, scratch: URL, finished: (RayJob, Int32?, String?) -> Void
    ) throws {
        let address = address ?? ProcessInfo.processInfo.environment["RAY_ADDRESS"] ?? "auto"
        let listed: [JSONValue] = jobs.map { job in
            let (arguments, variables) = ExternalJob.invocation(
                command, inputs: [("ASSENT_INPUT", workToken + "/input", "/assent/input")],
                output: workToken + "/output", workFolder: workToken, environment: environment(job.shard),
                options: options)
            return .object(
                JSONObject([
                    ("shard", .integer(Int64(job.shard))), ("run", .integer(Int64(job.run))),
                    ("input", .string(job.input.path)), ("output", .string(job.output.path)),
                    ("log", .string(job.log.path)), ("argv", .array(arguments.map(JSONValue.string))),
                    ("env", .object(JSONObject(variables.map { ($0.0, JSONValue.string($0.1)) }))),
                    ("timeout", options.timeoutSeconds.map { .integer(Int64($0)) } ?? .null),
                ]))
        }
        let jobsFile = scratch.appendingPathComponent("ray-jobs.json")
        try Data(CanonicalJSON.encode(.array(listed))).write(to: jobsFile)
        let results = Pipe()
        let (process, errors) = try start([jobsFile.path, address], stdout: results, scratch: scratch)
        let byShardAndRun = Dictionary(uniqueKeysWithValues: jobs.map { ("\($0.shard)/\($0.run)", $0) })
        var buffer: [UInt8] = []
        let handle = results.fileHandleForReading
        while case let chunk = handle.availableData, !chunk.isEmpty {
            buffer += chunk
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard let object = try? JSONParser.parse(line).objectValue,
                    let shard = object["shard"]?.integerValue, let run = object["run"]?.integerValue,
                    let job = byShardAndRun["\(shard)/\(run)"]
                else { continue }
                finished(job, object["status"]?.integerValue.map { Int32($0) }, object["error"]?.stringValue)
            }
        }
        try wait(for: process, errors: errors)
    }

    /// Checks, before anything is cut or logged, that Python has `ray` and that the cluster answers.
    /// - Throws: ``EngineError`` `trainerFailed` saying which is missing.
    static func check(address: String?, scratch: URL) throws {
        let address = address ?? ProcessInfo.processInfo.environment["RAY_ADDRESS"] ?? "auto"
        let (process, errors) = try start(["--check", address], stdout: nil, scratch: scratch)
        try wait(for: process, errors: errors)
    }

    /// The Python that runs the runner program: `ASSENT_PYTHON`, else `python3` from `PATH`.
    private static var python: String { ProcessInfo.processInfo.environment["ASSENT_PYTHON"] ?? "python3" }

    /// Starts the runner program with `arguments`; its stderr goes to a file in `scratch`.
    private static func start(_ arguments: [String], stdout: Pipe?, scratch: URL) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, try runnerProgram().path] + arguments
        process.standardOutput = stdout ?? FileHandle.nullDevice
        let errors = scratch.appendingPathComponent("ray-runner.log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw EngineError(.trainerFailed, "--runner ray: cannot start \(python): \(error)")
        }
        return (process, errors)
    }

    /// Waits for the runner program and turns a failure into an error with the end of its stderr.
    private static func wait(for process: Process, errors: URL) throws {
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = ((try? String(contentsOf: errors, encoding: .utf8)) ?? "")
                .split(separator: "\n").suffix(3).joined(separator: "\n  ")
            let hint = process.terminationStatus == 127 ? "\(python) was not found (set ASSENT_PYTHON)" : reason
            throw EngineError(
                .trainerFailed,
                "--runner ray failed (exit status \(process.terminationStatus)): \(hint.isEmpty ? "no message" : hint)")
        }
    }

    /// The runner program: `ASSENT_RAY_RUNNER`, or `Tools/ray_runner.py` of the checkout this binary
    /// was built in, or `share/assent/ray_runner.py` beside an installed binary.
    static func runnerProgram() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["ASSENT_RAY_RUNNER"] { return URL(fileURLWithPath: path) }
        let executable = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
        var folder = executable.deletingLastPathComponent()
        var candidates = [folder.appendingPathComponent("../share/assent/ray_runner.py").standardizedFileURL]
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("Tools/ray_runner.py"))
            folder = folder.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) else {
            throw EngineError(
                .trainerFailed,
                "--runner ray needs Tools/ray_runner.py: set ASSENT_RAY_RUNNER to its path (looked beside \(executable.path))"
            )
        }
        return found
    }
}
