import ArgumentParser
import AssentEngine

/// `--runner` and `--ray-address`: where per-shard external jobs run, in training and reproduction.
struct RunnerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where per-shard jobs run: local (processes on this machine, --jobs at once) or ray (tasks on a Ray cluster at --ray-address or RAY_ADDRESS; needs Python with ray, ASSENT_PYTHON names it).",
            valueName: "local|ray"))
    var runner = "local"
    @Option(
        name: .customLong("ray-address"),
        help: ArgumentHelp(
            "With --runner ray: the cluster's HOST:PORT (default: RAY_ADDRESS, else a local cluster).",
            valueName: "host:port"))
    var rayAddress: String?

    /// Whether the user asked for something other than the local runner.
    var isGiven: Bool { runner != "local" || rayAddress != nil }

    func validate() throws {
        guard ["local", "ray"].contains(runner) else {
            throw ValidationError("--runner must be local or ray, not '\(runner)'")
        }
        if rayAddress != nil && runner != "ray" { throw ValidationError("--ray-address goes with --runner ray") }
        if let rayAddress, rayAddress.isEmpty || rayAddress.contains(where: { $0 == " " || $0 == "\n" }) {
            throw ValidationError("--ray-address must be HOST:PORT, not '\(rayAddress)'")
        }
    }

    /// The engine's runner for these options.
    var shardRunner: ShardRunner { runner == "ray" ? .ray(address: rayAddress) : .local }
}
