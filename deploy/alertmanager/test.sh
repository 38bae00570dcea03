#!/usr/bin/env bash
# Runs alertmanager.yml in a real Alertmanager on loopback: the severities route to the
# receivers they should, and the inhibitions leave one notification for a dead target and
# one for a dead exporter. Needs `prometheus-alertmanager` and `amtool` (Debian's
# prometheus-alertmanager package), curl and python3.
set -euo pipefail
cd "$(dirname "$0")"
am=${ALERTMANAGER_BIN:-$(command -v prometheus-alertmanager || command -v alertmanager)}

echo "== amtool: config and routes"
amtool check-config alertmanager.yml > /dev/null
route() { amtool config routes test --config.file=alertmanager.yml --verify.receivers="$1" "${@:2}" 2> /dev/null > /dev/null \
  || { echo "labels ${*:2} do not route to $1"; exit 1; }; }
route pager alertname=ZencheckTargetDown severity=critical
route pager alertname=ZencheckRequiredCheckRegressed severity=critical
route tickets alertname=ZencheckCheckFailing severity=warning
route dashboard alertname=ZencheckCheckWarning severity=info

echo "== a real Alertmanager: inhibitions"
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$am" --config.file=alertmanager.yml --storage.path="$dir" --web.listen-address="127.0.0.1:$port" \
  --cluster.listen-address= > "$dir/log" 2>&1 &
am_pid=$!
trap 'kill "$am_pid" 2> /dev/null || true; rm -rf "$dir"' EXIT
api="http://127.0.0.1:$port/api/v2"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/-/ready" > /dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/-/ready" > /dev/null || { cat "$dir/log"; echo "Alertmanager not ready"; exit 1; }

post() { curl -sf -XPOST -H 'Content-Type: application/json' "$api/alerts" -d "$1" > /dev/null; }
# What the rules raise for a dead target `dead` and a regression on `bad`.
post '[
 {"labels":{"alertname":"ZencheckTargetDown","severity":"critical","job":"zencheck-catalog","instance":"dead"}},
 {"labels":{"alertname":"ZencheckCheckFailing","severity":"warning","instance":"dead","model":"m","check":"chat.basic"}},
 {"labels":{"alertname":"ZencheckRequiredCheckRegressed","severity":"critical","instance":"dead","model":"m","check":"chat.basic"}},
 {"labels":{"alertname":"ZencheckRequiredCheckRegressed","severity":"critical","instance":"bad","model":"m","check":"chat.stream"}},
 {"labels":{"alertname":"ZencheckCheckFailing","severity":"warning","instance":"bad","model":"m","check":"chat.stream"}},
 {"labels":{"alertname":"ZencheckCheckFailing","severity":"warning","instance":"bad","model":"m","check":"chat.stream_usage"}}
]'
# Active (not inhibited) alerts as `alertname instance check`, sorted; polled, since the
# inhibitor sees new alerts a moment after they are posted.
active() {
  curl -sf "$api/alerts?inhibited=false&silenced=false" | python3 -c '
import json, sys
rows = sorted("%s %s %s" % (a["labels"]["alertname"], a["labels"].get("instance", "-"), a["labels"].get("check", "-"))
              for a in json.load(sys.stdin))
print("\n".join(rows))'
}
expect() {
  local want=$1 got=""
  for _ in $(seq 1 50); do
    got=$(active)
    [ "$got" = "$want" ] && return 0
    sleep 0.2
  done
  printf 'active alerts:\n%s\nexpected:\n%s\n' "$got" "$want"
  exit 1
}
expect "ZencheckCheckFailing bad chat.stream_usage
ZencheckRequiredCheckRegressed bad chat.stream
ZencheckTargetDown dead -"
echo "dead target: one alert; a regression: the page, not also the ticket"

post '[{"labels":{"alertname":"ZencheckExporterDown","severity":"critical","job":"zencheck-exporter","instance":"127.0.0.1:9464"}}]'
expect "ZencheckExporterDown 127.0.0.1:9464 -"
echo "exporter down: one alert"
echo "== alertmanager: SUCCESS"
