#!/usr/bin/env bash
# The page, posting, roundup and throughput benchmarks on generated data (issue #6): what `make bench` runs.
#
#   bench/run.sh [SIZE] [pages_bench options: --no-write, --report-only, --profile, --requests N...]
#
# SIZE is small, medium or large (the default). Steps: install wrk when missing, migrate, generate the data
# (manage.py generate_bench_data --size SIZE), rebuild the search index, then bench/throughput.py and
# bench/pages_bench.py, which prints the budget table, writes the section "Pages, posting and throughput (SIZE)"
# of BENCHMARKS.md (unless --no-write) and exits 1 when a budget is missed (unless --report-only).
#
# Services: BENCH_DATABASE_URL (PostgreSQL) and BENCH_ELASTICSEARCH_URL, when set, are used as they are and kept,
# so data generated once can be measured again: the database remembers what was generated into it (its comment
# reads "generate_bench_data --size SIZE --seed SEED"), and a later run on the same size and seed skips generating.
# The search index is rebuilt every time, so it matches the code being measured. Whichever is unset is started for
# the run (scripts/with-test-services.sh) and stopped after it, taking its data with it.
#
# BENCH_SEED passes --seed to the generator (default: its own); BENCH_DURATION is the seconds of load in the
# throughput run (default 60).
set -euo pipefail

log() { echo "bench: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python

size=${1:-large}
[ $# -gt 0 ] && shift
case "$size" in
  small | medium | large) ;;
  *) die "usage: bench/run.sh [small|medium|large] [pages_bench options]" ;;
esac
generated="generate_bench_data --size $size --seed ${BENCH_SEED:-default}"

# Each Python step runs in the background with Ctrl-C restored, so this script can pass TERM on (from
# scripts/with-test-services.sh, say) and then wait while the step cleans up after itself (gunicorn, the
# bench_send database). Ctrl-C reaches the step from the terminal; this script only waits for it to end.
step_pid=""
trap 'if [ -n "$step_pid" ]; then kill -TERM "$step_pid" 2>/dev/null || true; fi' TERM
trap ':' INT
step() {
  env --default-signal=INT "$@" &
  step_pid=$!
  local rc=0
  wait "$step_pid" || rc=$?
  while kill -0 "$step_pid" 2>/dev/null; do   # a signal cut the wait short: wait for the step's own end
    rc=0
    wait "$step_pid" || rc=$?
  done
  step_pid=""
  return "$rc"
}

ensure_wrk() {
  command -v wrk >/dev/null && return
  [ "$(id -u)" -eq 0 ] || die "wrk is missing: run 'sudo apt-get install -y wrk'."
  log "installing Debian's wrk..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}

# What the database says was generated into it (empty when nothing was), and saying it.
marker() { psql "$DATABASE_URL" -Atc "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"; }
set_marker() { psql "$DATABASE_URL" -qc "COMMENT ON DATABASE \"$(psql "$DATABASE_URL" -Atc 'SELECT current_database()')\" IS '$1'"; }

prepare_data() {
  export DJANGO_SETTINGS_MODULE=bench.settings
  log "migrating"
  step $PY manage.py migrate --noinput --verbosity 0
  local found
  found=$(marker)
  if [ -z "$found" ]; then
    log "generating: $generated"
    step $PY manage.py generate_bench_data --size "$size" ${BENCH_SEED:+--seed "$BENCH_SEED"}
    set_marker "$generated"
  elif [ "$found" != "$generated" ]; then
    die "the database holds '$found', not '$generated': point BENCH_DATABASE_URL at an empty database"
  else
    log "reusing the data of '$generated'"
  fi
  log "rebuilding the search index"
  step $PY manage.py search_index --rebuild
}

run_benchmarks() {
  local results
  results=$(mktemp -d "${TMPDIR:-/tmp}/bench-results.XXXXXX")
  # shellcheck disable=SC2064  # expand now: the folder is known
  trap "rm -rf '$results'" EXIT
  local recipients=()
  [ "$size" = small ] && recipients=(--recipients 1000 4000)   # a quick look; the budgets speak of 20,000
  step $PY bench/throughput.py --duration "${BENCH_DURATION:-60}" --json "$results/throughput.json" --report-only
  step $PY bench/pages_bench.py --size "$size" ${BENCH_SEED:+--seed "$BENCH_SEED"} "${recipients[@]}" \
    --throughput "$results/throughput.json" "$@"
}

ensure_wrk
if [ "${BENCH_SERVICES_READY:-}" = 1 ]; then
  export DATABASE_URL=$TEST_DATABASE_URL ELASTICSEARCH_URL=$TEST_ELASTICSEARCH_URL
elif [ -n "${BENCH_DATABASE_URL:-}" ] && [ -n "${BENCH_ELASTICSEARCH_URL:-}" ]; then
  export DATABASE_URL=$BENCH_DATABASE_URL ELASTICSEARCH_URL=$BENCH_ELASTICSEARCH_URL
else
  # Start what isn't given (and only that: never a TEST_* service someone's tests use), then run this again.
  export TEST_DATABASE_URL=${BENCH_DATABASE_URL:-} TEST_ELASTICSEARCH_URL=${BENCH_ELASTICSEARCH_URL:-}
  [ -n "$TEST_DATABASE_URL" ] || unset TEST_DATABASE_URL
  [ -n "$TEST_ELASTICSEARCH_URL" ] || unset TEST_ELASTICSEARCH_URL
  BENCH_SERVICES_READY=1 exec bash scripts/with-test-services.sh bash bench/run.sh "$size" "$@"
fi
prepare_data
run_benchmarks "$@"
