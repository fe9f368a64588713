# Sourced by the Ray check and benchmark: a one-machine Ray cluster inside a network namespace that
# has only loopback (outside one, Ray binds the machine's external address whatever
# --node-ip-address says). Needs root (ip netns) and .venv with ray (Tools/setup.sh).
#   start_ray_cluster TEMP_DIR     starts it; sets RAY_ADDRESS and ray_namespace
#   in_ray_namespace COMMAND...     runs a command in the namespace (the cluster is reachable there only)
#   stop_ray_cluster                TERM to every process of the namespace, KILL after 10 s, deletes it
ray_namespace="assent-ray-$$"

start_ray_cluster() {
  local venv
  venv="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv"
  ip netns add "$ray_namespace"
  ip netns exec "$ray_namespace" ip link set lo up
  export RAY_USAGE_STATS_ENABLED=0
  mkdir -p "$1"
  if ! ip netns exec "$ray_namespace" "$venv/bin/ray" start --head --node-ip-address=127.0.0.1 --port=6390 \
    --num-cpus=2 --include-dashboard=false --disable-usage-stats --temp-dir="$1" \
    --object-store-memory=200000000 >"$1/start.log" 2>&1; then
    cat "$1/start.log" >&2
    return 1
  fi
  export RAY_ADDRESS=127.0.0.1:6390
}

in_ray_namespace() { ip netns exec "$ray_namespace" "$@"; }

stop_ray_cluster() {
  local pids
  pids="$(ip netns pids "$ray_namespace" 2>/dev/null || true)"
  if [ -n "$pids" ]; then
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 1 50); do
      pids="$(ip netns pids "$ray_namespace" 2>/dev/null || true)"
      [ -z "$pids" ] && break
      sleep 0.2
    done
    # gcs_server and the autoscaler monitor ignore TERM
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  fi
  ip netns del "$ray_namespace" 2>/dev/null || true
}
