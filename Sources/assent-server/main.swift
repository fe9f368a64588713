import ArgumentParser
import AssentLog
import AssentOperations
import AssentServer
import Foundation
import Hummingbird
import Logging

/// `assent serve` (this binary is what it runs): the HTTP API and the public log of one ledger.
@main
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assent serve",
        abstract: "Serve the ledger over HTTP: the /v1 API, and the log as C2SP tlog-tiles.",
        discussion: """
            Public, without a token: GET /healthz, /metrics (Prometheus), /checkpoint, /tile/<L>/<N>[.p/<W>] and \
            /tile/entries/<N>[.p/<W>]. With a bearer token (assent tokens create --role ROLE): GET /v1/status, \
            /v1/snapshots/ID[/proof?sample=…], /v1/models[?stale=1], /v1/models/ID[/proof]; POST /v1/ingest \
            (NDJSON manifest lines; defaults as query parameters), /v1/consents, /v1/revocations. Errors are \
            JSON: {"error":{"code","message","field","line"}}. Logs go to stderr, one line a request. SIGTERM \
            stops it after the requests in flight.

            Example: assent serve --ledger ledger --listen 127.0.0.1:8080
            """)
    @Option(
        name: .long,
        help: ArgumentHelp("The ledger folder (default: $ASSENT_LEDGER, else ./.assent).", valueName: "dir"))
    var ledger: String?
    @Option(help: ArgumentHelp("Where to listen (non-loopback needs TLS or --insecure-http).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate chain for HTTPS.", valueName: "file"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key for HTTPS.", valueName: "file"))
    var tlsKey: String?
    @Flag(name: .customLong("insecure-http"), help: "Allow plain HTTP on an address other than loopback.")
    var insecureHTTP = false
    @Flag(
        name: .customLong("public-explorer"),
        help: "Serve the explorer's read-only pages (/, /log, /models, /verify) to anyone, without a token.")
    var publicExplorer = false
    @Option(
        name: .customLong("max-body"), help: ArgumentHelp("The largest request body, in bytes.", valueName: "bytes"))
    var maxBody = 64 << 20

    func validate() throws {
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard (1...(1 << 30)).contains(maxBody) else {
            throw ValidationError("--max-body must be between 1 and 1073741824")
        }
        _ = try parsedConfiguration()
    }

    func parsedConfiguration() throws -> ServerConfiguration {
        var configuration: ServerConfiguration
        do { configuration = try ServerConfiguration(listen: listen) } catch { throw ValidationError("\(error)") }
        if let tlsCertificate, let tlsKey { configuration.tls = (tlsCertificate, tlsKey) }
        configuration.allowsInsecureHTTP = insecureHTTP
        configuration.bodyLimit = maxBody
        configuration.publicExplorer = publicExplorer
        do { try configuration.check() } catch { throw ValidationError("\(error)") }
        return configuration
    }

    func run() async throws {
        let folder = URL(fileURLWithPath: ledger ?? ProcessInfo.processInfo.environment["ASSENT_LEDGER"] ?? ".assent")
        var logger = Logger(label: "assent.serve")
        logger.logLevel = .info
        do {
            let operations = try Operations(ledger: try Ledger(opening: folder))
            let configuration = try parsedConfiguration()
            let scheme = configuration.tls == nil ? "http" : "https"
            let app = try AssentServer.application(operations: operations, configuration: configuration, logger: logger)
            {
                [logger] port in
                logger.info("listening", metadata: ["url": "\(scheme)://\(configuration.host):\(port)"])
                // The first line on stdout says where, for scripts that start it on port 0.
                FileHandle.standardOutput.write(Data("listening on \(scheme)://\(configuration.host):\(port)\n".utf8))
            }
            try await app.runService()
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("assent serve: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
