public import Foundation
public import AssentLog

/// How external trainer commands run: sandboxed by default, with an environment built from nothing.
public struct ExecOptions: Sendable, Equatable {
    /// Run under bubblewrap (new namespaces, no network, read-only system folders). `--no-sandbox` clears it.
    public var isSandboxed = true
    /// More paths the sandbox may read (a virtual environment, the trainer's code): `--sandbox-ro PATH`.
    public var readOnlyPaths: [String] = []
    /// Names of environment variables passed through to the job: `--pass-env NAME`.
    public var passedEnvironment: [String] = []
    /// Seconds a job may run before its process group is killed: `--timeout`.
    public var timeoutSeconds: Int? = nil

    /// The defaults: sandboxed, nothing extra, no timeout.
    public init() {}

    /// The options as recorded in the model registry, so reproduction runs the job the same way.
    var json: JSONObject {
        JSONObject([
            ("sandbox", .bool(isSandboxed)), ("sandbox_ro", .array(readOnlyPaths.map(JSONValue.string))),
            ("pass_env", .array(passedEnvironment.map(JSONValue.string))),
            ("timeout", timeoutSeconds.map { .integer(Int64($0)) } ?? .null),
        ])
    }

    /// Options read back from the registry (absent fields keep their defaults).
    init(json: JSONObject) {
        isSandboxed = json["sandbox"]?.boolValue ?? true
        readOnlyPaths = json["sandbox_ro"]?.arrayValue?.compactMap(\.stringValue) ?? []
        passedEnvironment = json["pass_env"]?.arrayValue?.compactMap(\.stringValue) ?? []
        timeoutSeconds = json["timeout"]?.integerValue.map { Int($0) }
    }
}

/// Runs one external job: `/bin/sh -c COMMAND` in its own process group, under bubblewrap unless the
/// options say otherwise, with only the environment it is given.
///
/// In the sandbox the job sees `/usr` (and `/bin`, `/lib`, `/lib64`, `/sbin` where they exist), a few
/// files of `/etc`, its input read-only at `/assent/input`, its output writable at `/assent/output`, a
/// private `/tmp`, fresh `/proc` and `/dev`, and the paths of ``ExecOptions/readOnlyPaths``; nothing of
/// the ledger, no network, its own PID, IPC and mount namespaces. When the command exits or times out,
/// its whole process group is killed, so nothing it left in the background outlives it.
enum ExternalJob {
    /// The sandbox program.
    static let bubblewrap = "/usr/bin/bwrap"

    /// Runs `command` with the trainer's input at `ASSENT_INPUT` and returns its exit status.
    /// - Throws: ``EngineError`` `trainerFailed` when it cannot start or runs past the timeout.
    static func run(
        _ command: String, input: URL, output: URL, environment: [(String, String)], options: ExecOptions,
        log: URL? = nil
    ) throws -> Int32 {
        try run(
            command, inputs: [("ASSENT_INPUT", input, "/assent/input")], output: output, environment: environment,
            options: options, log: log)
    }

    /// Runs `command` with each read-only input folder named by its variable (and, in the sandbox,
    /// bound at its sandbox path), `output` writable at `ASSENT_OUTPUT`; its stdout and stderr go to
    /// `log` when given, else to this process's stderr.
    /// - Throws: ``EngineError`` `trainerFailed` when it cannot start or runs past the timeout.
    static func run(
        _ command: String, inputs: [(variable: String, folder: URL, sandboxPath: String)], output: URL,
        environment: [(String, String)], options: ExecOptions, log: URL? = nil
    ) throws -> Int32 {
        if options.isSandboxed { try requireSandbox() }
        let (arguments, variables) = invocation(
            command, inputs: inputs.map { ($0.variable, $0.folder.path, $0.sandboxPath) }, output: output.path,
            workFolder: output.deletingLastPathComponent().path, environment: environment, options: options)
        return try spawnAndWait(
            arguments, environment: variables.map { "\($0)=\($1)" }, timeout: options.timeoutSeconds, log: log)
    }

    /// Fails with a clear error when the sandbox program is missing.
    static func requireSandbox() throws {
        guard FileManager.default.isExecutableFile(atPath: bubblewrap) else {
            throw EngineError(
                .trainerFailed,
                "the trainer sandbox needs bubblewrap (\(bubblewrap)): apt-get install bubblewrap, or give --no-sandbox to run the trainer unconfined"
            )
        }
    }

    /// The program arguments and environment that run `command` as a job: under bubblewrap (its
    /// environment set inside, none outside) or, unconfined, by a shell that changes to `workFolder`.
    /// The command is always the last argument. Paths are plain strings so that a remote runner can
    /// give paths of its worker.
    static func invocation(
        _ command: String, inputs: [(variable: String, path: String, sandboxPath: String)], output: String,
        workFolder: String, environment: [(String, String)], options: ExecOptions
    ) -> (arguments: [String], environment: [(String, String)]) {
        var arguments: [String] = []
        let outputPath = options.isSandboxed ? "/assent/output" : output
        if options.isSandboxed {
            arguments = [bubblewrap, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
            for system in ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"] {
                arguments += ["--ro-bind-try", system, system]
            }
            for file in ["/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/ssl"] {
                arguments += ["--ro-bind-try", file, file]
            }
            arguments += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
            for input in inputs { arguments += ["--ro-bind", input.path, input.sandboxPath] }
            arguments += ["--bind", output, outputPath]
            for path in options.readOnlyPaths {
                let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
                arguments += ["--ro-bind", absolute, absolute]
            }
            arguments += ["--chdir", "/tmp"]
        }
        var variables: [(String, String)] = [
            ("PATH", "/usr/local/bin:/usr/bin:/bin"), ("HOME", options.isSandboxed ? "/tmp" : output),
            ("LANG", "C.UTF-8"), ("ASSENT_OUTPUT", outputPath),
        ]
        for input in inputs { variables.append((input.variable, options.isSandboxed ? input.sandboxPath : input.path)) }
        variables += environment
        let inherited = ProcessInfo.processInfo.environment
        for name in options.passedEnvironment { if let value = inherited[name] { variables.append((name, value)) } }
        if options.isSandboxed {
            for (name, value) in variables { arguments += ["--setenv", name, value] }
            return (arguments + ["/bin/sh", "-c", command], [])
        }
        // Unconfined, the job starts in its work folder: a shell changes there, then runs the command.
        let shell = ["/bin/sh", "-c", #"cd -- "$1" || exit 126; exec /bin/sh -c "$2""#, "sh", workFolder, command]
        return (shell, variables)
    }

    /// Starts `arguments` in a new process group, waits for it, then kills the group.
    private static func spawnAndWait(_ arguments: [String], environment: [String], timeout: Int?, log: URL?) throws
        -> Int32
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let log {
            posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 2, 1)  // the job's output is diagnostics, never our stdout
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard code == 0 else {
            throw EngineError(.trainerFailed, "cannot start \(arguments[0]): \(String(cString: strerror(code)))")
        }
        CleanupRegistry.shared.register(processGroup: pid)
        defer {
            kill(-pid, SIGKILL)
            CleanupRegistry.shared.unregister(processGroup: pid)
        }
        let deadline = timeout.map { Date().addingTimeInterval(TimeInterval($0)) }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR {
                throw EngineError(.trainerFailed, "lost the trainer process: \(String(cString: strerror(errno)))")
            }
            if let deadline, Date() > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw EngineError(
                    .trainerFailed, "the external trainer ran past --timeout \(timeout!) s and was killed")
            }
            usleep(20_000)
        }
        let exited = status & 0x7f == 0
        return exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
