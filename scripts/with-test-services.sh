#!/usr/bin/env bash
# Run a command with a real PostgreSQL and a real Elasticsearch 8 available to it:
#
#   scripts/with-test-services.sh CMD [ARGS...]
#
# TEST_DATABASE_URL / TEST_ELASTICSEARCH_URL already set: that service must answer there and is used
# as it is (never stopped). Unset: a throwaway one is started (scripts/start-postgres.sh,
# scripts/start-elasticsearch.sh) on the first free port from 54329 / 9250, and the variable is
# exported for CMD. Whatever this script started is stopped and its temp folder removed on exit,
# Ctrl-C or TERM. Exits with CMD's exit code; exits non-zero if a service cannot be had.
set -euo pipefail

log() { echo "with-test-services: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ $# -gt 0 ] || die "usage: $0 CMD [ARGS...]"
scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

pg_dir=""
es_dir=""

# shellcheck disable=SC2317  # reached through the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$es_dir" ]; then
    log "stopping Elasticsearch"
    bash "$scripts/start-elasticsearch.sh" --stop "$es_dir" || true
    rm -rf "$es_dir"
  fi
  if [ -n "$pg_dir" ]; then
    log "stopping PostgreSQL"
    bash "$scripts/start-postgres.sh" --stop "$pg_dir" || true
    rm -rf "$pg_dir"
  fi
  exit "$rc"
}
trap cleanup EXIT

# INT/TERM: let CMD finish (a terminal's Ctrl-C reaches it too; TERM is passed on), then clean up.
cmd_pid=""
# shellcheck disable=SC2317  # reached through the INT and TERM traps
on_signal() {
  if [ -n "$cmd_pid" ] && kill -0 "$cmd_pid" 2>/dev/null; then
    if [ "$1" = TERM ]; then
      kill -TERM "$cmd_pid" 2>/dev/null || true
    fi
    for _ in $(seq 40); do
      kill -0 "$cmd_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$cmd_pid" 2>/dev/null || true
  fi
  exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

# First port from $1 on 127.0.0.1 that nothing listens on.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

# PostgreSQL
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  pg_isready -q -t 10 -d "$TEST_DATABASE_URL" || die "TEST_DATABASE_URL is set but nothing answers there: $TEST_DATABASE_URL"
  log "using PostgreSQL at $TEST_DATABASE_URL"
else
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/cop-site-pg.XXXXXX")
  TEST_DATABASE_URL=$(PG_PORT=${PG_PORT:-$(free_port 54329)} bash "$scripts/start-postgres.sh" "$pg_dir") \
    || die "PostgreSQL could not be started (see above)"
  export TEST_DATABASE_URL
  log "PostgreSQL ready at $TEST_DATABASE_URL"
fi

# Elasticsearch
if [ -n "${TEST_ELASTICSEARCH_URL:-}" ]; then
  curl -sf -o /dev/null --max-time 10 "$TEST_ELASTICSEARCH_URL/_cluster/health" \
    || die "TEST_ELASTICSEARCH_URL is set but no Elasticsearch answers there: $TEST_ELASTICSEARCH_URL"
  log "using Elasticsearch at $TEST_ELASTICSEARCH_URL"
else
  es_dir=$(mktemp -d "${TMPDIR:-/tmp}/cop-site-es.XXXXXX")
  started=$SECONDS
  TEST_ELASTICSEARCH_URL=$(ES_PORT=${ES_PORT:-$(free_port 9250)} bash "$scripts/start-elasticsearch.sh" "$es_dir") \
    || die "Elasticsearch could not be started (see above)"
  export TEST_ELASTICSEARCH_URL
  log "Elasticsearch ready at $TEST_ELASTICSEARCH_URL after $((SECONDS - started))s"
fi

# Run the command in the background so that signals reach this script while it waits (with the
# terminal's stdin, and Ctrl-C restored: background commands would otherwise ignore it).
# The EXIT trap then stops the services and passes CMD's exit code on.
env --default-signal=INT,QUIT "$@" <&0 &
cmd_pid=$!
rc=0
wait "$cmd_pid" || rc=$?
exit "$rc"
