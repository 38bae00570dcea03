#!/usr/bin/env bash
# How long a CI job probing many models of one gateway waits: the old fixed limit of 4
# requests in flight (per target and per host) beside today's default per-host limit, against
# the built-in mock holding every request 300 ms. Not a test: it prints what it measured and how.
#
# Method: `zencheck mock --scenario healthy --latency-ms LATENCY -m gw-01 … -m gw-MODELS`
# serves MODELS extra model ids on loopback, each request held LATENCY ms before its answer
# (streams then take their usual 15 ms a frame on top). Each round runs, in turn,
#   A: zencheck probe --base-url … -m gw-01 … --per-host 4 --concurrency 4   (the old limits)
#   B: zencheck probe --base-url … -m gw-01 …                                (the defaults)
# with the default checks, `--format json` to a file; the wall time of each process is taken
# with `date +%s%N`. Every run must pass every check and send the same number of requests
# (read back from the report's `cost.requests`), so both did the same work. The medians of
# ROUNDS rounds and their ratio are printed; on a loaded machine quote the medians.
#
# Usage: bench/many-models.sh [ROUNDS] [MODELS] [LATENCY_MS]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
models=${2:-20}
latency=${3:-300}
cargo build --release --quiet
bin=target/release/zencheck
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ids=()
for i in $(seq -w 1 "$models"); do ids+=(-m "gw-$i"); done
"$bin" mock --scenario healthy --port "$port" --latency-ms "$latency" "${ids[@]}" >/dev/null &
server=$!
out=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/v1"
now() { date +%s%N; }
# One run; prints its wall time in ms, after checking it did the whole probe.
run() {
  local label=$1; shift
  local t0 t1
  t0=$(now)
  "$bin" probe --base-url "$url" "${ids[@]}" --format json "$@" >"$out/$label.json" || true
  t1=$(now)
  python3 - "$out/$label.json" <<'PY' >>"$out/$label.work"
import json, sys
r = json.load(open(sys.argv[1]))
bad = [c["check"] for c in r["checks"] if c["status"] != "pass"]
print(r["cost"]["requests"], len(r["checks"]), len(bad))
PY
  echo $(( (t1 - t0) / 1000000 ))
}
old_t=(); new_t=()
for _ in $(seq "$rounds"); do
  old_t+=("$(run old --per-host 4 --concurrency 4)")
  new_t+=("$(run new)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${old_t[@]}"); mn=$(median "${new_t[@]}")
work() { sort -u "$out/$1.work" | awk '{printf "%s requests, %s checks, %s not passed", $1, $2, $3} END {if (NR != 1) printf " (runs differed!)"}'; }
echo "$models models, $latency ms per request, $rounds rounds (A B A B …)"
echo "old fixed limit (--per-host 4 --concurrency 4): median ${mo} ms   all: ${old_t[*]}   [$(work old)]"
echo "default limits:                                median ${mn} ms   all: ${new_t[*]}   [$(work new)]"
echo "old / default: $(python3 -c "print(round($mo/$mn, 2))") times faster"
