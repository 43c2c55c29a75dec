#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the integration tests (Debian's postgresql package).
#
#   scripts/start-postgres.sh BASE_DIR         initdb into BASE_DIR/data, start, create the database,
#                                              print its URL (postgres://postgres@127.0.0.1:PORT/DB)
#   scripts/start-postgres.sh --stop BASE_DIR  stop the cluster started in BASE_DIR
#
# Environment: PG_PORT (54329), PG_DB (cop_site). Listens on 127.0.0.1 only, trust auth, fsync off.
# BASE_DIR should be a fresh, empty folder (mktemp -d); the caller removes it after --stop.
set -euo pipefail

log() { echo "start-postgres: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# PostgreSQL refuses to run as root: as root, run the server as the postgres OS user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bindir() {
  local initdb
  initdb=$(find /usr/lib/postgresql -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] && dirname "$initdb"
}

stop_cluster() {
  local base=$1 bindir
  [ -f "$base/data/postmaster.pid" ] || return 0
  bindir=$(pg_bindir) || true
  if [ -n "$bindir" ] && as_owner "$bindir/pg_ctl" -D "$base/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
    return 0
  fi
  # pg_ctl could not stop it: end the postmaster (first line of postmaster.pid) directly.
  local pid
  pid=$(head -n 1 "$base/data/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -QUIT "$pid" 2>/dev/null || true
    sleep 2
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

if [ "${1:-}" = "--stop" ]; then
  [ $# -eq 2 ] || die "usage: $0 --stop BASE_DIR"
  stop_cluster "$2"
  exit 0
fi
[ $# -eq 1 ] || die "usage: $0 BASE_DIR | --stop BASE_DIR"

base=$1
port=${PG_PORT:-54329}
db=${PG_DB:-cop_site}

# Install Debian's PostgreSQL on a fresh machine.
if ! bindir=$(pg_bindir); then
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is missing: run 'sudo apt-get install -y postgresql'."
  log "installing Debian's postgresql..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(pg_bindir) || die "postgresql installed but no initdb under /usr/lib/postgresql/*/bin"
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  die "port $port on 127.0.0.1 is already in use (set PG_PORT to another port)"
fi

mkdir -p "$base/run"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres: "$base"
fi

log "initdb in $base/data"
if ! as_owner "$bindir/initdb" -D "$base/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
  >"$base/initdb.log" 2>&1; then
  cat "$base/initdb.log" >&2
  die "initdb failed"
fi

log "starting PostgreSQL on 127.0.0.1:$port"
server_opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$base/run"
server_opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! as_owner "$bindir/pg_ctl" -D "$base/data" -l "$base/postgres.log" -o "$server_opts" -w -t 60 start >/dev/null; then
  tail -n 30 "$base/postgres.log" >&2 || true
  stop_cluster "$base"
  die "PostgreSQL did not start"
fi

if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30; then
  tail -n 30 "$base/postgres.log" >&2 || true
  stop_cluster "$base"
  die "PostgreSQL is not accepting connections on 127.0.0.1:$port"
fi

if ! "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"; then
  stop_cluster "$base"
  die "could not create database $db"
fi

echo "postgres://postgres@127.0.0.1:$port/$db"
