#!/usr/bin/env bash
# Installs the Debian packages the benchmarks in bench/ use (not needed by `npm test`): nginx and
# wrk for `bench:gateway`, hyperfine for timing whole commands, util-linux's taskset for pinning.
# nginx is only run by the benchmark itself, on loopback ports of its own; the package's own
# service is stopped if the install started it. Safe to run again.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v taskset >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
  # The benchmark starts its own nginx; do not leave the package's default site on port 80.
  $SUDO nginx -s stop 2>/dev/null || true
fi
echo "benchmark tools ready: nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
