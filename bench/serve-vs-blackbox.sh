#!/usr/bin/env bash
# What a scrape of `zencheck serve` costs, beside Prometheus' own blackbox_exporter probing the
# same loopback server, with the ratios from one run. Not a test: it prints what it measured
# and how.
#
# Method: `zencheck mock --scenario healthy` serves on loopback. blackbox_exporter (Debian's
# prometheus-blackbox-exporter) gets an `http_2xx` module and probes its `GET /v1/models`;
# `zencheck serve` gets two targets on the same mock: `cat` (module catalog, min_interval 0:
# a scrape that does not join one in flight sends `GET /v1/models`, at most once a second
# since the catalog's rate limit; the figures in the README were taken before it, when
# every scrape sent one) and `cached` (module
# stream, min_interval 1 h, probed once before measuring: every scrape is a cached answer).
# Three kinds of scrape, each measured in turn, ROUNDS times, medians printed:
#   blackbox  /probe?target=http://…/v1/models&module=http_2xx
#   cached    /probe?target=cached&module=stream
#   catalog   /probe?target=cat&module=catalog
# - latency: SEQ scrapes one after another over one kept-alive connection (one curl process,
#   its own time_total per scrape): the median;
# - under load: SCRAPES scrapes, 100 in flight (`curl --parallel --parallel-max 100`, the
#   headers Prometheus sends); the exporter's CPU (utime+stime from /proc, before and after)
#   per scrape, the median and p99 time of a scrape, and the exporter's peak RSS (VmHWM; each
#   exporter is started fresh for each round, so the peak is this round's);
# - bytes on the wire: one scrape with Prometheus' Accept and `Accept-Encoding: gzip`: the
#   header and body bytes as received (not decompressed).
# The ratios are zencheck over blackbox (below 1: zencheck costs less). The machine's other
# load moves every number; the ratios come from the same minutes.
#
# Usage: bench/serve-vs-blackbox.sh [ROUNDS] [SCRAPES] [SEQ]   (builds the release binary
# first; ZENCHECK_BIN=path skips the build; BLACKBOX_BIN overrides the blackbox binary)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
scrapes=${2:-2000}
seq_n=${3:-200}
if [ -n "${ZENCHECK_BIN:-}" ]; then
  bin=$ZENCHECK_BIN
else
  cargo build --release --quiet
  bin=target/release/zencheck
fi
bb=${BLACKBOX_BIN:-$(command -v prometheus-blackbox-exporter || command -v blackbox_exporter || true)}
[ -x "$bb" ] || { echo "no blackbox_exporter: apt-get install prometheus-blackbox-exporter"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

mock_port=$(free_port)
"$bin" mock --scenario healthy --port "$mock_port" -q >"$work/mock.log" 2>&1 &
pids+=($!)
upstream="http://127.0.0.1:$mock_port/v1"
for _ in $(seq 50); do curl -sf "$upstream/models" >/dev/null && break; sleep 0.1; done

cat >"$work/blackbox.yml" <<EOF
modules:
  http_2xx:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
EOF
cat >"$work/zencheck.toml" <<EOF
[targets.cat]
base_url = "$upstream"
models = ["mock-small"]
module = "catalog"
min_interval = 0

[targets.cached]
base_url = "$upstream"
models = ["mock-small"]
module = "stream"
min_interval = 3600
EOF

wait_up() { for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "not up: $1"; exit 1; }
# Starts one exporter; sets $pid and $base.
start() {
  local port; port=$(free_port)
  case $1 in
    blackbox)
      "$bb" --config.file="$work/blackbox.yml" --web.listen-address="127.0.0.1:$port" >"$work/bb.log" 2>&1 &
      ;;
    *)
      "$bin" serve --config "$work/zencheck.toml" --listen "127.0.0.1:$port" -q >"$work/serve.log" 2>&1 &
      ;;
  esac
  pid=$!
  pids+=("$pid")
  base="http://127.0.0.1:$port"
  wait_up "$base/-/healthy"
}
url_of() {
  case $1 in
    blackbox) echo "$base/probe?target=$upstream/models&module=http_2xx" ;;
    cached) echo "$base/probe?target=cached&module=stream" ;;
    catalog) echo "$base/probe?target=cat&module=catalog" ;;
  esac
}
prom_headers=(-H 'Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
  -H 'Accept-Encoding: gzip' -H 'X-Prometheus-Scrape-Timeout-Seconds: 10')
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

results="$work/results.txt"
for r in $(seq "$rounds"); do
  for kind in blackbox cached catalog; do
    start "$kind"
    url=$(url_of "$kind")
    # The cached target's one probe (a stream probe of the mock), before anything is measured.
    curl -sf "${prom_headers[@]}" -o /dev/null "$url" || { echo "$kind: scrape failed"; exit 1; }
    # Latency: SEQ scrapes in a row on one connection.
    for _ in $(seq "$seq_n"); do echo "url = \"$url\""; echo 'output = "/dev/null"'; done >"$work/seq.cfg"
    curl -s "${prom_headers[@]}" -K "$work/seq.cfg" -w '%{time_total}\n' >"$work/seq.times"
    # Under load: SCRAPES scrapes, 100 in flight.
    for _ in $(seq "$scrapes"); do echo "url = \"$url\""; echo 'output = "/dev/null"'; done >"$work/load.cfg"
    c0=$(cpu_ticks "$pid")
    t0=$(date +%s%N)
    curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 100 "${prom_headers[@]}" -K "$work/load.cfg" \
      -w '%{http_code} %{time_total}\n' >"$work/load.times"
    t1=$(date +%s%N)
    c1=$(cpu_ticks "$pid")
    hwm=$(hwm_kib "$pid")
    bad=$(awk '$1 != 200' "$work/load.times" | wc -l)
    [ "$bad" -eq 0 ] || { echo "$kind: $bad scrapes not 200"; sort "$work/load.times" | uniq -c | head; exit 1; }
    # Bytes on the wire: headers and body as received, gzip as Prometheus asks.
    wire=$(curl -s "${prom_headers[@]}" -o /dev/null -w '%{size_header} %{size_download}' "$url")
    python3 - "$kind" "$r" "$work/seq.times" "$work/load.times" "$((c1 - c0))" "$(getconf CLK_TCK)" \
      "$scrapes" "$hwm" "$((t1 - t0))" $wire >>"$results" <<'PY'
import statistics, sys
kind, rnd, seq_f, load_f, ticks, hz, n, hwm, wall_ns, hdr, body = sys.argv[1:]
seq = sorted(float(l) for l in open(seq_f))
load = sorted(float(l.split()[1]) for l in open(load_f))
p99 = load[min(len(load) - 1, int(len(load) * 0.99))]
cpu_ms_per_scrape = int(ticks) * 1000 / int(hz) / int(n)
print(kind, rnd, statistics.median(seq) * 1000, statistics.median(load) * 1000, p99 * 1000,
      cpu_ms_per_scrape, int(hwm) / 1024, int(wall_ns) / 1e9, int(hdr) + int(body), body)
PY
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
done

python3 - "$results" "$rounds" "$scrapes" "$seq_n" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
rounds, scrapes, seq_n = sys.argv[2:]
cols = ["latency ms (one at a time, median)", "latency ms under 100 in flight (median)",
        "latency ms under 100 in flight (p99)", "CPU ms per scrape (100 in flight)",
        "peak RSS MiB (100 in flight)", "wall s for the scrapes (100 in flight)",
        "bytes on the wire (gzip asked)"]
med = {}
for kind in ("blackbox", "cached", "catalog"):
    rs = [r for r in rows if r[0] == kind]
    med[kind] = [statistics.median(float(r[2 + i]) for r in rs) for i in range(len(cols))]
    body = sorted({r[-1] for r in rs})
print(f"{rounds} rounds; {seq_n} scrapes one at a time, {scrapes} with 100 in flight; medians of the rounds")
print(f"{'':44} {'blackbox http_2xx':>18} {'zencheck cached':>16} {'ratio':>6} {'zencheck catalog':>17} {'ratio':>6}")
for i, c in enumerate(cols):
    b, z, k = med["blackbox"][i], med["cached"][i], med["catalog"][i]
    ratio = lambda x: f"{x / b:.2f}" if b else "-"
    print(f"{c:44} {b:18.3f} {z:16.3f} {ratio(z):>6} {k:17.3f} {ratio(k):>6}")
print("ratio: zencheck / blackbox_exporter (below 1: zencheck costs less)")
PY
