#!/usr/bin/env bash
# Runs N nodes of one cluster on this machine, sharing one embedded Cassandra.
#   deploy/local-cluster.sh [N]     (default 2; Ctrl-C stops them all)
# Node i listens for HTTP on 8080+i-1 and for the cluster on 25520+i-1; every node is a seed.
# Logs: data/cluster/node-i.log
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2}"
case "$N" in ''|*[!0-9]*) echo "usage: $0 [number of nodes]" >&2; exit 2 ;; esac

./autoglm help >/dev/null   # builds if needed
mkdir -p data/cluster
pids=()
trap 'echo "stopping..."; kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT

# every node a seed, node 1 first: node 1 forms the cluster, and a node restarted later (node 1
# too) joins the running cluster through any seed that answers
seeds=""
for k in $(seq 0 $((N - 1))); do
  seeds="$seeds -Dpekko.cluster.seed-nodes.$k=pekko://autoglm@127.0.0.1:$((25520 + k))"
done

for i in $(seq 1 "$N"); do
  http=$((8080 + i - 1)); cluster=$((25520 + i - 1))
  JAVA_OPTS="-Dautoglm.http.port=$http -Dpekko.remote.artery.canonical.port=$cluster$seeds" \
    ./autoglm start > "data/cluster/node-$i.log" 2>&1 &
  pids+=($!)
  echo "node $i: http://127.0.0.1:$http (cluster port $cluster, log data/cluster/node-$i.log)"
  if [ "$i" = 1 ]; then
    # the first node starts (or reuses) Cassandra; let it finish before the others reuse it
    until curl -sf "http://127.0.0.1:$http/health" >/dev/null 2>&1; do
      kill -0 "${pids[0]}" 2>/dev/null || { echo "node 1 failed, see data/cluster/node-1.log" >&2; exit 1; }
      sleep 1
    done
  fi
done
echo "cluster of $N nodes starting; Ctrl-C stops it"
wait
