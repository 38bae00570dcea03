#!/usr/bin/env bash
# How fast zencheck reads a large event stream, beside curl reading the same bytes from the
# same loopback server. Not a test: it prints what it measured and how.
#
# Method: a local Python server answers a streamed POST /v1/chat/completions with a ~7.5 MiB
# OpenAI-style chat stream (under zencheck's 8 MiB stream cap), each chunk a small content delta
# (~41 000 events), and the non-streamed chat.basic that chat.stream depends on with a small
# answer. Each round
# runs `curl -sN` (output to /dev/null) and then `zencheck probe --checks chat.stream`; the
# wall time of each process is taken with `date +%s%N`, and zencheck's own time for the stream
# (send to last event, `timing_ms.total` of chat.stream in its JSON report) is read back. The
# medians of ROUNDS rounds and their ratios are printed; throughput is the stream's bytes over
# the median time. On a loaded machine quote the medians, not single runs.
#
# Usage: bench/stream-vs-curl.sh [ROUNDS]   (builds the release binary first, into
# $CARGO_TARGET_DIR when it is set, as cargo does)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/zencheck
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$port" <<'PY' &
import http.server, json, sys
chunk = "data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "model": "m",
        "choices": [{"index": 0, "delta": {"content": "x" * 40}, "finish_reason": None}]}) + "\n\n"
n = (15 << 19) // len(chunk)
body = ("data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}) + "\n\n"
        + chunk * n
        + "data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "model": "m",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}) + "\n\ndata: [DONE]\n\n").encode()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        b = json.dumps({"object": "list", "data": [{"id": "m", "object": "model"}]}).encode()
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        if req.get("stream") is False:
            # chat.basic, which chat.stream runs after: a small ordinary answer.
            b = json.dumps({"id": "c", "object": "chat.completion", "model": "m",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "pong"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
            self.send_response(200); self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(b))); self.end_headers(); self.wfile.write(b)
            return
        self.send_response(200); self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
print(len(body), flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null && break; sleep 0.1; done
bytes=$(curl -sN -X POST -d '{}' "http://127.0.0.1:$port/v1/chat/completions" | wc -c)
now() { date +%s%N; }
curl_t=(); zc_t=(); rd_t=()
for _ in $(seq "$rounds"); do
  t0=$(now); curl -sN -X POST -d '{}' "http://127.0.0.1:$port/v1/chat/completions" >/dev/null; t1=$(now)
  "$bin" probe --base-url "http://127.0.0.1:$port/v1" -m m --checks chat.stream --format json >/tmp/zc-bench.json || true
  t2=$(now)
  curl_t+=($(( (t1 - t0) / 1000000 ))); zc_t+=($(( (t2 - t1) / 1000000 )))
  # zencheck's own clock for the stream alone: send to last event, as the report gives it.
  rd_t+=($(python3 -c 'import json; r=json.load(open("/tmp/zc-bench.json")); print([c["timing_ms"]["total"] for c in r["checks"] if c["check"]=="chat.stream"][0])'))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mc=$(median "${curl_t[@]}"); mz=$(median "${zc_t[@]}"); mr=$(median "${rd_t[@]}")
status=$(python3 -c 'import json; r=json.load(open("/tmp/zc-bench.json")); print([c["status"] for c in r["checks"] if c["check"]=="chat.stream"])')
echo "stream: $bytes bytes; $rounds rounds; chat.stream status: $status"
echo "curl     median ${mc} ms  ($(( bytes / 1024 * 1000 / (mc > 0 ? mc : 1) / 1024 )) MiB/s)   all: ${curl_t[*]}"
echo "zencheck median ${mz} ms  ($(( bytes / 1024 * 1000 / (mz > 0 ? mz : 1) / 1024 )) MiB/s)   all: ${zc_t[*]}"
echo "zencheck's stream read alone (report timing_ms.total of chat.stream): median ${mr} ms  ($(( bytes / 1024 * 1000 / (mr > 0 ? mr : 1) / 1024 )) MiB/s)   all: ${rd_t[*]}"
echo "curl process / zencheck stream read: $(python3 -c "print(round($mc/$mr, 2))") of curl's rate (1.0 = as fast; the whole zencheck process also runs chat.basic first and starts a runtime)"
echo "zencheck/curl whole-process wall-time ratio: $(python3 -c "print(round($mz/$mc, 2))")"
