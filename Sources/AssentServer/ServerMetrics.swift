internal import Prometheus
internal import Synchronization

/// The server's Prometheus metrics, served at `/metrics`.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let durations: DurationHistogram
    private let logSize: Gauge
    /// Samples added through `POST /v1/ingest`.
    let ingestedSamples: Counter
    /// Revocations committed through the API.
    let revocations: Counter
    /// Rounds in which a witness held evidence of a fork of this log.
    let forkAlarms: Counter
    private let counters = Mutex<[String: Counter]>([:])

    init() {
        durations = registry.makeDurationHistogram(
            name: "assent_http_request_duration_seconds",
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .seconds(1), .seconds(10),
            ],
            help: "Time to answer a request.")
        logSize = registry.makeGauge(name: "assent_log_size", help: "Entries in the log at the latest checkpoint.")
        ingestedSamples = registry.makeCounter(name: "assent_ingested_samples_total", help: "New samples ingested.")
        revocations = registry.makeCounter(name: "assent_revocations_total", help: "Revocations committed.")
        forkAlarms = registry.makeCounter(
            name: "assent_witness_fork_alarms_total", help: "Witness rounds that reported evidence of a fork.")
    }

    /// Counts one answered request of `route` with `status`, and how long it took.
    func record(route: String, status: Int, duration: Duration) {
        durations.record(duration)
        let key = "\(route) \(status)"
        let counter = counters.withLock { counters in
            if let existing = counters[key] { return existing }
            let made = registry.makeCounter(
                name: "assent_http_requests_total", labels: [("route", route), ("status", String(status))],
                help: "Requests answered, by route and status.")
            counters[key] = made
            return made
        }
        counter.increment()
    }

    /// The text exposition, with the log size as of `size`.
    func exposition(logSize size: UInt64) -> [UInt8] {
        logSize.set(Double(size))
        return registry.emitToBuffer()
    }
}
