#!/usr/bin/env bash
# Before/after CPU per request of two nines gateways, side by side: this checkout's and an earlier
# one (BENCH_BEFORE, laid out as bench/gateway.ts's header says). Both run the benchmark's `nines`
# role on core 0 (pinned after start, as bench:gateway pins); the upstream and wrk share core 1.
# Rounds alternate the two; each prints req/s and the proxy's CPU µs per request (/proc/PID/stat).
# Loopback only; every run is bounded (ROUNDS × SECS per load kind).
# RECORDS=1: both record every request into a SQLite file (target nines-records). PIN=0: nothing
# is pinned (the processes float over both cores, so a recording worker thread gets a core too).
# Usage: BENCH_BEFORE=/tmp/nines-before [ROUNDS=8] [SECS=3] [KINDS="chat stream"] [RECORDS=1] [PIN=0] bench/gateway-cpu-ab.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_BEFORE:?set BENCH_BEFORE to an earlier nines (see bench/gateway.ts)}"
ROUNDS=${ROUNDS:-8}; SECS=${SECS:-3}; KINDS=${KINDS:-chat stream}
REC=$([ "${RECORDS:-0}" = 1 ] && echo records || echo '')
if [ "${PIN:-1}" = 0 ]; then on() { shift; "$@"; }; else on() { local c=$1; shift; taskset -c "$c" "$@"; }; fi
UP=19300; NEW=19301; OLD=19302
TMP=$(mktemp -d)
trap 'pkill -f "gateway.ts nines 1930" || true; pkill -f "gateway.ts upstream $UP" || true; rm -rf "$TMP"' EXIT
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
  "'{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}'" > "$TMP/chat.lua"
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
  "'{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"stream\":true}'" > "$TMP/stream.lua"
on 1 node --import tsx bench/gateway.ts upstream $UP > /dev/null 2>&1 &
sleep 2
node --import tsx bench/gateway.ts nines $NEW $UP 1 $REC > /dev/null 2>&1 &
(cd "$BENCH_BEFORE" && exec node --import tsx bench/gateway.ts nines $OLD $UP 1 $REC > /dev/null 2>&1) &
sleep 4
if [ "${PIN:-1}" != 0 ]; then
  for pid in $(pgrep -f "gateway.ts nines 1930"); do taskset -a -p -c 0 "$pid" > /dev/null; done
fi
cpu() { local t=0; for pid in $(pgrep -f "gateway.ts nines $1"); do t=$((t + $(awk '{print $14+$15}' /proc/$pid/stat))); done; echo $t; }
hz=$(getconf CLK_TCK)
for kind in $KINDS; do
  for round in $(seq 1 "$ROUNDS"); do
    for port in $NEW $OLD; do
      url=http://127.0.0.1:$port/v1/chat/completions
      on 1 wrk -t1 -c32 -d1s -s "$TMP/$kind.lua" "$url" > /dev/null
      c0=$(cpu $port)
      out=$(on 1 wrk -t1 -c32 -d${SECS}s -s "$TMP/$kind.lua" "$url")
      c1=$(cpu $port)
      n=$(echo "$out" | grep -oE '^ +[0-9]+ requests' | grep -oE '[0-9]+')
      rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
      name=$([ $port = $NEW ] && echo nines || echo before)
      echo "$kind round $round $name req/s $rps cpu_us_per_request $(( (c1 - c0) * 1000000 / hz / n ))"
    done
  done
done
