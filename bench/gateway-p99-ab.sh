#!/usr/bin/env bash
# Before/after latency of two nines gateways at a fixed rate, side by side: this checkout's and
# an earlier one (BENCH_BEFORE, laid out as bench/gateway.ts's header says), in front of one
# upstream, with rounds alternating direct / nines / before (the benchmark's open-loop `load`
# role, ROUNDS × SECS at RATE). Prints p50/p90/p99/p99.9 per round. RECORDS=1: both record
# every request into SQLite. Nothing is pinned. Loopback only; every run is bounded.
# Usage: BENCH_BEFORE=/tmp/nines-before [ROUNDS=4] [SECS=10] [RATE=1000] [KIND=chat] [RECORDS=1] bench/gateway-p99-ab.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BENCH_BEFORE:?set BENCH_BEFORE to an earlier nines (see bench/gateway.ts)}"
ROUNDS=${ROUNDS:-4}; SECS=${SECS:-10}; RATE=${RATE:-1000}; KIND=${KIND:-chat}
REC=$([ "${RECORDS:-0}" = 1 ] && echo records || echo '')
UP=19330; NEW=19331; OLD=19332
trap 'pkill -f "gateway.ts nines 1933" || true; pkill -f "gateway.ts upstream $UP" || true' EXIT
node --import tsx bench/gateway.ts upstream $UP > /dev/null 2>&1 &
node --import tsx bench/gateway.ts nines $NEW $UP 1 $REC > /dev/null 2>&1 &
(cd "$BENCH_BEFORE" && exec node --import tsx bench/gateway.ts nines $OLD $UP 1 $REC > /dev/null 2>&1) &
sleep 4
for round in $(seq 1 "$ROUNDS"); do
  for t in direct:$UP nines:$NEW before:$OLD; do
    res=$(node --import tsx bench/gateway.ts load "${t#*:}" /v1/chat/completions "$RATE" "$SECS" "$KIND" '{}')
    echo "$res" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=JSON.parse(s);const f=(v)=>v.toFixed(2);console.log(`'"$KIND round $round ${t%%:*}"' p50 ${f(j.p50)} p90 ${f(j.p90)} p99 ${f(j.p99)} p99.9 ${f(j.p999)} ms, errors ${j.errors}`)})'
  done
done
