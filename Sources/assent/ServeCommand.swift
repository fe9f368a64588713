import ArgumentParser
import Foundation

/// `assent serve`: runs the `assent-server` binary built beside this one, with the same arguments. The
/// server lives in a binary of its own so that the ledger's command line (and its tests) never compile
/// the web stack.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the ledger over HTTP: the /v1 API and the public tiled log (assent serve --help).",
        discussion: "Runs assent-server from the same folder as assent (build it: swift build --product assent-server)."
    )
    @Argument(parsing: .allUnrecognized, help: "The server's options; assent serve --help lists them.")
    var arguments: [String] = []

    /// The server binary next to this executable.
    static var serverBinary: URL {
        // The running executable's own path (argv[0] may be a bare name found on PATH).
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("assent-server")
    }

    func run() throws { Self.execServer(arguments) }

    /// Replaces this process with the server, given `arguments`; exits 1 saying why when it cannot.
    static func execServer(_ arguments: [String]) -> Never {
        let binary = serverBinary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            Console.error(
                "assent serve needs \(binary.path), which is not built: run swift build --product assent-server")
            Foundation.exit(1)
        }
        let cArguments = ([binary.path] + arguments).map { strdup($0) } + [nil]
        execv(binary.path, cArguments)
        Console.error("cannot run \(binary.path): \(String(cString: strerror(errno)))")
        Foundation.exit(1)
    }
}
