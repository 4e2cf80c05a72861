#!/usr/bin/env bash
# CPU per request of one nines gateway at fixed request rates (not saturation): the benchmark's
# upstream and `nines` roles, the open-loop `load` role at each RATE for SECS seconds (after a
# 3 s warm-up at the same rate), CPU from /proc/PID/stat (all threads). Shows how much of a
# request's cost at low rates is fixed per wake-up rather than per byte. Loopback only, bounded.
# Usage: [RATES="1000 5000"] [SECS=10] [RECORDS=1] bench/gateway-cpu-at-rate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${RATES:-1000 5000}; SECS=${SECS:-10}
REC=$([ "${RECORDS:-0}" = 1 ] && echo records || echo '')
UP=19320; NP=19321
trap 'pkill -f "gateway.ts nines $NP" || true; pkill -f "gateway.ts upstream $UP" || true' EXIT
node --import tsx bench/gateway.ts upstream $UP > /dev/null 2>&1 &
UPID=$!
node --import tsx bench/gateway.ts nines $NP $UP 1 $REC > /dev/null 2>&1 &
NPID=$!
sleep 4
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
for rate in $RATES; do
  node --import tsx bench/gateway.ts load $NP /v1/chat/completions "$rate" 3 chat '{}' > /dev/null
  n0=$(ticks $NPID); u0=$(ticks $UPID)
  res=$(node --import tsx bench/gateway.ts load $NP /v1/chat/completions "$rate" "$SECS" chat '{}')
  n1=$(ticks $NPID); u1=$(ticks $UPID)
  sent=$((rate * SECS))
  p=$(echo "$res" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=JSON.parse(s);console.log(`p50 ${j.p50.toFixed(2)} ms, p99 ${j.p99.toFixed(2)} ms, errors ${j.errors}`)})')
  echo "rate $rate/s: nines $(( (n1 - n0) * 1000000 / hz / sent )) µs CPU per request, upstream $(( (u1 - u0) * 1000000 / hz / sent )) µs; $p"
done
