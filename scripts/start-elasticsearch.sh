#!/usr/bin/env bash
# A real single-node Elasticsearch 8 for the integration tests, from the Maven harness in search/es-node.
#
#   scripts/start-elasticsearch.sh BASE_DIR         start it in the background with config, data and logs
#                                                   in BASE_DIR, wait until the cluster is yellow, print its URL
#   scripts/start-elasticsearch.sh --stop BASE_DIR  stop the node started in BASE_DIR
#
# Environment: ES_PORT (9250), ES_CLUSTER_NAME (cop-site-test), ES_HEAP (1g), ES_START_TIMEOUT (180 s),
# ES_RUN_AS (user to run the node as when started by root; default nobody: Elasticsearch refuses root).
# The first run downloads the distribution from Maven Central into $HOME/.m2. BASE_DIR should be a
# fresh, empty folder (mktemp -d); the caller removes it after --stop.
set -euo pipefail

log() { echo "start-elasticsearch: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pom="$repo_root/search/es-node/pom.xml"

# The launcher runs in its own session (setsid), so its pid is also the group of the server JVM it forks.
stop_node() {
  local base=$1 pid
  pid=$(cat "$base/elasticsearch.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
  fi
  # Whatever is left of the session after a clean stop (or a launcher that ignored TERM) is killed.
  if kill -0 -- "-$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$base/elasticsearch.pid"
}

if [ "${1:-}" = "--stop" ]; then
  [ $# -eq 2 ] || die "usage: $0 --stop BASE_DIR"
  stop_node "$2"
  exit 0
fi
[ $# -eq 1 ] || die "usage: $0 BASE_DIR | --stop BASE_DIR"

base=$1
port=${ES_PORT:-9250}
cluster=${ES_CLUSTER_NAME:-cop-site-test}
heap=${ES_HEAP:-1g}
timeout=${ES_START_TIMEOUT:-180}
url="http://127.0.0.1:$port"

# Maven, a JDK (17+) and curl: install Debian's on a fresh machine.
if ! command -v mvn >/dev/null || ! command -v javac >/dev/null || ! command -v curl >/dev/null; then
  [ "$(id -u)" -eq 0 ] || die "Maven, a JDK 17+ and curl are needed: run 'sudo apt-get install -y maven openjdk-17-jdk-headless curl'."
  log "installing Debian's maven, openjdk-17-jdk-headless and curl..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless curl >/dev/null
fi
java_home=${ES_JAVA_HOME:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}}
[ -x "$java_home/bin/java" ] || die "no java under $java_home (set ES_JAVA_HOME)"

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  die "port $port on 127.0.0.1 is already in use (set ES_PORT to another port)"
fi

mkdir -p "$base"

# Unpack the distribution and build the harness plugin (fast once $HOME/.m2 and target/ are filled).
log "preparing the Elasticsearch distribution with Maven (the first run downloads it from Maven Central)..."
if ! JAVA_HOME=$java_home mvn -B -q -f "$pom" compile >"$base/maven.log" 2>&1; then
  tail -n 40 "$base/maven.log" >&2
  die "mvn -f search/es-node/pom.xml compile failed (log above)"
fi
es_version=$(sed -n 's:.*<es.version>\(.*\)</es.version>.*:\1:p' "$pom")
es_home="$repo_root/search/es-node/target/elasticsearch-$es_version"
[ -x "$es_home/bin/elasticsearch" ] || die "no distribution at $es_home after mvn compile"

# The node's own writable copy of config/, plus data, logs and temp folders.
cp -R "$es_home/config" "$base/config"
mkdir -p "$base/data" "$base/logs" "$base/tmp"

# Elasticsearch refuses to run as root: drop to an unprivileged user that owns BASE_DIR.
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  user=${ES_RUN_AS:-nobody}
  id "$user" >/dev/null 2>&1 || die "user $user does not exist (set ES_RUN_AS)"
  chown -R "$user:$(id -g "$user")" "$base"
  run_as=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups)
  if ! "${run_as[@]}" test -x "$es_home/bin/elasticsearch"; then
    # The checkout is not readable by that user (e.g. under /root): run a copy from BASE_DIR.
    cp -R "$es_home" "$base/home"
    chown -R "$user:$(id -g "$user")" "$base/home"
    es_home="$base/home"
  fi
fi

# The inner bash records its own pid (the session leader) and becomes the launcher.
log "starting Elasticsearch $es_version on $url (cluster $cluster, heap $heap, log $base/elasticsearch.log)"
# shellcheck disable=SC2016  # $$ and $@ belong to the inner bash
setsid bash -c 'echo $$ >"$0"; exec "$@"' "$base/elasticsearch.pid" \
  "${run_as[@]}" env HOME="$base" ES_JAVA_HOME="$java_home" ES_PATH_CONF="$base/config" ES_TMPDIR="$base/tmp" \
  ES_JAVA_OPTS="-Xms$heap -Xmx$heap" \
  "$es_home/bin/elasticsearch" \
  -Ecluster.name="$cluster" \
  -Enode.name="$cluster-1" \
  -Ediscovery.type=single-node \
  -Enetwork.host=127.0.0.1 \
  -Ehttp.port="$port" \
  -Epath.data="$base/data" \
  -Epath.logs="$base/logs" \
  -Expack.security.enabled=false \
  -Ecluster.routing.allocation.disk.threshold_enabled=false \
  </dev/null >"$base/elasticsearch.log" 2>&1 &

fail() {
  log "last lines of $base/elasticsearch.log:"
  tail -n 40 "$base/elasticsearch.log" >&2 || true
  stop_node "$base"
  die "$1"
}

# Ready when the cluster reports yellow (or green); give up if the node dies or the timeout passes.
deadline=$((SECONDS + timeout))
while :; do
  pid=$(cat "$base/elasticsearch.pid" 2>/dev/null || true)
  if curl -sf -o /dev/null "$url/_cluster/health?wait_for_status=yellow&timeout=1s"; then
    break
  fi
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
    fail "Elasticsearch exited during startup"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    fail "Elasticsearch was not ready on $url after ${timeout}s"
  fi
  sleep 1
done

echo "$url"
