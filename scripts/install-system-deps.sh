#!/usr/bin/env bash
# Installs the Debian packages the test suite uses (Chromium for the web app, promtool for
# exported rules, Alertmanager for forwarding, OpenSSL for TLS probe certificates) and makes sure
# the local PostgreSQL server is up. Safe to run again: it only installs what is missing.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v openssl >/dev/null || need+=(openssl)
command -v pg_isready >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1 || \
  psql -h 127.0.0.1 -U postgres -c 'create database test' >/dev/null 2>&1 || true
