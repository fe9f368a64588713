internal import AssentLog
public import AssentOperations
public import Hummingbird
internal import HummingbirdCore
internal import HummingbirdTLS
public import Logging
internal import NIOSSL

/// How `assent serve` listens.
public struct ServerConfiguration: Sendable {
    /// The host to bind (an address or `localhost`).
    public var host: String
    /// The port (0: any free one).
    public var port: Int
    /// A PEM certificate chain and private key for HTTPS.
    public var tls: (certificate: String, key: String)?
    /// Allow plain HTTP on an address other than loopback.
    public var allowsInsecureHTTP = false
    /// The largest request body accepted, in bytes; 413 past it.
    public var bodyLimit = 64 << 20
    /// Serve the explorer's read-only pages to anyone, without a token.
    public var publicExplorer = false

    /// Listening on `host`:`port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (`[::1]:PORT` for IPv6).
    /// - Throws: ``ServerError`` naming what is wrong.
    public init(listen: String) throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65_535).contains(port)
        else { throw ServerError("--listen: expected HOST:PORT, like 127.0.0.1:8080, not \(listen)") }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ServerError("--listen: the host is missing in \(listen)") }
        self.init(host: host, port: port)
    }

    /// Whether `host` is a loopback address, reachable only from this machine.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Refuses to serve plain HTTP to the network unless told to.
    /// - Throws: ``ServerError`` for a non-loopback address without TLS or `--insecure-http`.
    public func check() throws {
        guard isLoopback || tls != nil || allowsInsecureHTTP else {
            throw ServerError(
                "\(host) is not a loopback address: give --tls-cert FILE and --tls-key FILE, or --insecure-http to serve plain HTTP to the network (tokens would cross it in clear)"
            )
        }
    }
}

/// A server that cannot start, named.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public let description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// The HTTP server over one ledger.
public enum AssentServer {
    /// The router: the public log, health and metrics, the `/v1` API and the explorer, behind the middleware that
    /// renders errors as JSON, logs and counts each request.
    public static func router(
        operations: Operations, bodyLimit: Int = 64 << 20, publicExplorer: Bool = false
    ) -> Router<BasicRequestContext> {
        router(
            worker: LedgerWorker(operations: operations), metrics: ServerMetrics(), bodyLimit: bodyLimit,
            publicExplorer: publicExplorer)
    }

    static func router(
        worker: LedgerWorker, metrics: ServerMetrics, bodyLimit: Int, publicExplorer: Bool
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMiddleware(metrics: metrics))
        PublicRoutes.add(to: router, worker: worker, metrics: metrics)
        APIRoutes.add(to: router, worker: worker, metrics: metrics, bodyLimit: bodyLimit)
        SubjectRoutes.add(to: router, worker: worker, metrics: metrics)
        ExplorerRoutes.add(to: router, worker: worker, isPublic: publicExplorer, bodyLimit: bodyLimit)
        return router
    }

    /// The application serving `operations` as `configuration` says; run it with `runService()`,
    /// which stops gracefully on SIGTERM or SIGINT (in-flight requests finish first).
    /// - Parameter onRunning: called with the bound port once the server listens.
    /// - Throws: ``ServerError`` for a refused address or unreadable TLS files.
    public static func application(
        operations: Operations, configuration: ServerConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        try configuration.check()
        var server = HTTPServerBuilder.http1()
        if let tls = configuration.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map {
                    NIOSSLCertificateSource.certificate($0)
                }
                let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
                server = try HTTPServerBuilder.tls(
                    HTTPServerBuilder.http1(),
                    tlsConfiguration: TLSConfiguration.makeServerConfiguration(
                        certificateChain: chain, privateKey: NIOSSLPrivateKeySource.privateKey(key)))
            } catch {
                throw ServerError("--tls-cert/--tls-key: cannot load \(tls.certificate) and \(tls.key): \(error)")
            }
        }
        let worker = LedgerWorker(operations: operations)
        let metrics = ServerMetrics()
        return Application(
            router: router(
                worker: worker, metrics: metrics, bodyLimit: configuration.bodyLimit,
                publicExplorer: configuration.publicExplorer), server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "assent"),
            onServerRunning: { channel in
                await onRunning(channel.localAddress?.port ?? configuration.port)
                // Checkpoints other writers of the ledger committed reach the witnesses from here too.
                Task { await WitnessLoop(worker: worker, metrics: metrics, logger: logger).run() }
            },
            logger: logger)
    }
}
