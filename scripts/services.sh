#!/usr/bin/env bash
# Start the servers the integration tests need, on 127.0.0.1, in a throwaway folder:
# PostgreSQL (Debian package) and Redis (Debian package). Installs them when missing and we are root.
# Prints `export GOVNEWS_TEST_PG_URL=… GOVNEWS_TEST_REDIS_URL=…` lines for the caller to eval.
# Usage: eval "$(bash scripts/services.sh)"
set -euo pipefail
log() { echo "services: $*" >&2; }

need_apt=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] || need_apt+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need_apt[*]}"
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  else
    log "cannot install ${need_apt[*]} (not root or no apt-get); those tests will skip"
  fi
fi

base=${GOVNEWS_SERVICES_DIR:-$(mktemp -d /tmp/govnews-services.XXXXXX)}
mkdir -p "$base"
chmod 755 "$base"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ -n "$pg_bin" ]; then
  pg_port=$(free_port)
  pg_data="$base/pg"
  # PostgreSQL refuses to run as root: run it as the unprivileged 'postgres' user (or nobody).
  pg_user=postgres; id -u "$pg_user" >/dev/null 2>&1 || pg_user=nobody
  run() { if [ "$(id -u)" = 0 ]; then su -s /bin/sh "$pg_user" -c "$*"; else sh -c "$*"; fi; }
  mkdir -p "$pg_data"; [ "$(id -u)" = 0 ] && chown "$pg_user" "$pg_data"
  run "$pg_bin/initdb -D $pg_data -U govnews --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null 2>&1 \
    || run "$pg_bin/initdb -D $pg_data -U govnews --auth=trust -E UTF8" >/dev/null
  run "$pg_bin/pg_ctl -D $pg_data -l $pg_data/log -w -o \"-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off\" start" >/dev/null
  run "$pg_bin/createdb -h 127.0.0.1 -p $pg_port -U govnews govnews_test"
  log "PostgreSQL on 127.0.0.1:$pg_port"
  echo "export GOVNEWS_TEST_PG_URL=postgresql+psycopg://govnews@127.0.0.1:$pg_port/govnews_test"
  echo "export GOVNEWS_TEST_PG_STOP='$pg_bin/pg_ctl -D $pg_data -m fast stop'"
fi

if command -v redis-server >/dev/null 2>&1; then
  r_port=$(free_port)
  redis-server --port "$r_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$base" --logfile "$base/redis.log" >&2
  for _ in $(seq 50); do redis-cli -p "$r_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  log "Redis on 127.0.0.1:$r_port"
  echo "export GOVNEWS_TEST_REDIS_URL=redis://127.0.0.1:$r_port/0"
fi
