#!/usr/bin/env bash
# A real Elasticsearch 8 for the integration tests, from the Maven harness in search/es-node: one node, or
# with ES_NODES=N a cluster of N nodes on loopback (docs/scale-out.md).
#
#   scripts/start-elasticsearch.sh BASE_DIR         start it in the background with config, data and logs
#                                                   in BASE_DIR, wait until the cluster is yellow, print its URL
#   scripts/start-elasticsearch.sh --stop BASE_DIR  stop the node started in BASE_DIR (every node of a cluster)
#
# Environment: ES_PORT (9250), ES_CLUSTER_NAME (cop-site-test), ES_HEAP (1g), ES_START_TIMEOUT (180 s),
# ES_RUN_AS (user to run the node as when started by root; default nobody: Elasticsearch refuses root).
# The first run downloads the distribution from Maven Central into $HOME/.m2. BASE_DIR should be a
# fresh, empty folder (mktemp -d); the caller removes it after --stop.
#
# A cluster: ES_NODES=N (N > 1) starts N master-eligible data nodes, each in BASE_DIR/node-I with its own
# config, data and logs, on the first free HTTP ports from ES_PORT and transport ports from ES_TRANSPORT_PORT
# (9500), ES_HEAP (512m) each; it waits until all N have joined and the cluster is green (ES_START_TIMEOUT
# 360 s), and prints the nodes' URLs joined by commas, as ELASTICSEARCH_URL takes them. One node of it:
#
#   scripts/start-elasticsearch.sh --stop BASE_DIR/node-2        stop node 2 alone (the cluster goes yellow)
#   scripts/start-elasticsearch.sh --start-node BASE_DIR/node-2  start it again, wait until all are back, green
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

# A cluster's node keeps in its folder all it needs to start again alone: its config (elasticsearch.yml with its
# ports and the cluster's seed hosts, jvm.options.d/heap.options) and launch.env (what to run, as whom).
# Extra arguments (the cluster's first start names its initial master nodes) go to Elasticsearch.
launch_cluster_node() {
  local dir=$1 es_home java_home run_user http_port nodes
  shift
  # shellcheck source=/dev/null  # written by this script below
  . "$dir/launch.env"
  local run_as=()
  if [ -n "$run_user" ]; then
    run_as=(setpriv --reuid="$run_user" --regid="$(id -g "$run_user")" --clear-groups)
  fi
  # shellcheck disable=SC2016  # $$ and $@ belong to the inner bash
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/elasticsearch.pid" \
    "${run_as[@]}" env HOME="$dir" ES_JAVA_HOME="$java_home" ES_PATH_CONF="$dir/config" ES_TMPDIR="$dir/tmp" \
    "$es_home/bin/elasticsearch" "$@" \
    </dev/null >>"$dir/elasticsearch.log" 2>&1 &
}

# Waits until the cluster, asked through URL, has COUNT nodes and every shard assigned (green); gives up, after
# stopping the nodes in the NODE_DIRs given and showing their logs, if one of them exits or TIMEOUT s pass.
await_green_cluster() {  # URL COUNT TIMEOUT NODE_DIR...
  local url=$1 count=$2 deadline=$(($3 + SECONDS)) dir pid
  shift 3
  until curl -sf -o /dev/null "$url/_cluster/health?wait_for_nodes=$count&wait_for_status=green&timeout=1s"; do
    for dir in "$@"; do
      pid=$(cat "$dir/elasticsearch.pid" 2>/dev/null || true)
      if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
        cluster_fail "the node in $dir exited" "$@"
      fi
    done
    if [ "$SECONDS" -ge "$deadline" ]; then
      cluster_fail "the cluster at $url did not have $count nodes and green health in time" "$@"
    fi
    sleep 1
  done
}

cluster_fail() {  # REASON NODE_DIR...
  local reason=$1 dir
  shift
  for dir in "$@"; do
    log "last lines of $dir/elasticsearch.log:"
    tail -n 20 "$dir/elasticsearch.log" >&2 || true
    stop_node "$dir"
  done
  die "$reason"
}

if [ "${1:-}" = "--stop" ]; then
  [ $# -eq 2 ] || die "usage: $0 --stop BASE_DIR"
  stop_node "$2"
  for node_dir in "$2"/node-*/; do
    if [ -f "$node_dir/launch.env" ]; then
      stop_node "${node_dir%/}"
    fi
  done
  exit 0
fi
if [ "${1:-}" = "--start-node" ]; then
  { [ $# -eq 2 ] && [ -f "$2/launch.env" ]; } || die "usage: $0 --start-node BASE_DIR/node-I (a node of a cluster)"
  node_dir=${2%/}
  if kill -0 "$(cat "$node_dir/elasticsearch.pid" 2>/dev/null || echo none)" 2>/dev/null; then
    die "the node in $node_dir is running (--stop it first)"
  fi
  # shellcheck source=/dev/null  # written by this script below
  . "$node_dir/launch.env"
  log "starting the node in $node_dir again on http://127.0.0.1:$http_port"
  launch_cluster_node "$node_dir"
  await_green_cluster "http://127.0.0.1:$http_port" "$nodes" "${ES_START_TIMEOUT:-360}" "$node_dir"
  echo "http://127.0.0.1:$http_port"
  exit 0
fi
[ $# -eq 1 ] || die "usage: $0 BASE_DIR | --stop BASE_DIR | --start-node BASE_DIR/node-I"

base=$1
port=${ES_PORT:-9250}
cluster=${ES_CLUSTER_NAME:-cop-site-test}
nodes=${ES_NODES:-1}
[[ $nodes =~ ^[1-9][0-9]*$ ]] || die "ES_NODES must be a number of nodes, 1 or more"
if [ "$nodes" -eq 1 ]; then
  heap=${ES_HEAP:-1g}
  timeout=${ES_START_TIMEOUT:-180}
else
  heap=${ES_HEAP:-512m}
  timeout=${ES_START_TIMEOUT:-360}
fi
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

# First port from $1 on 127.0.0.1 that nothing listens on.
free_port() {
  local candidate=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; do
    candidate=$((candidate + 1))
  done
  echo "$candidate"
}

if [ "$nodes" -eq 1 ]; then
  # The node's own writable copy of config/, plus data, logs and temp folders.
  cp -R "$es_home/config" "$base/config"
  mkdir -p "$base/data" "$base/logs" "$base/tmp"
else
  # Each node: its own config, data, logs and temp folders, an HTTP port and a transport port; the transport
  # ports of all of them are the seed hosts where every node looks for the others.
  http_ports=() transport_ports=() node_names=()
  next_http=$port next_transport=${ES_TRANSPORT_PORT:-9500}
  for i in $(seq "$nodes"); do
    http_ports+=("$(free_port "$next_http")")
    next_http=$((http_ports[-1] + 1))
    transport_ports+=("$(free_port "$next_transport")")
    next_transport=$((transport_ports[-1] + 1))
    node_names+=("$cluster-$i")
  done
  seed_hosts=$(printf '"127.0.0.1:%s",' "${transport_ports[@]}")
  for i in $(seq "$nodes"); do
    node_dir="$base/node-$i"
    mkdir -p "$node_dir/data" "$node_dir/logs" "$node_dir/tmp"
    cp -R "$es_home/config" "$node_dir/config"
    cat >>"$node_dir/config/elasticsearch.yml" <<NODE_SETTINGS

# Node $i of $nodes, written by scripts/start-elasticsearch.sh
cluster.name: $cluster
node.name: ${node_names[i - 1]}
network.host: 127.0.0.1
http.port: ${http_ports[i - 1]}
transport.port: ${transport_ports[i - 1]}
discovery.seed_hosts: [${seed_hosts%,}]
path.data: $node_dir/data
path.logs: $node_dir/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
NODE_SETTINGS
    printf -- '-Xms%s\n-Xmx%s\n' "$heap" "$heap" >"$node_dir/config/jvm.options.d/heap.options"
  done
fi

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

if [ "$nodes" -gt 1 ]; then
  node_dirs=() urls=()
  for i in $(seq "$nodes"); do
    node_dirs+=("$base/node-$i")
    urls+=("http://127.0.0.1:${http_ports[i - 1]}")
    cat >"$base/node-$i/launch.env" <<LAUNCH
es_home=$es_home
java_home=$java_home
run_user=${user:-}
http_port=${http_ports[i - 1]}
nodes=$nodes
LAUNCH
  done
  log "starting a cluster of $nodes Elasticsearch $es_version nodes on ${urls[*]} (cluster $cluster, heap $heap" \
    "each, logs $base/node-*/elasticsearch.log)"
  # The first start, and only it, names the master-eligible nodes that elect the first master together.
  masters=$(IFS=,; echo "${node_names[*]}")
  for node_dir in "${node_dirs[@]}"; do
    launch_cluster_node "$node_dir" -Ecluster.initial_master_nodes="$masters"
  done
  await_green_cluster "${urls[0]}" "$nodes" "$timeout" "${node_dirs[@]}"
  (IFS=,; echo "${urls[*]}")
  exit 0
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
