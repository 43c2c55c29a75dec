"""Demo: our search backend on a 3-node Elasticsearch cluster, through the loss and return of a node.

    .venv/bin/python bench/es_cluster_demo.py [--documents 2000] [--nodes 3] [--replicas 1]

Starts a cluster on loopback (ES_NODES=3 scripts/start-elasticsearch.sh, 512 MB of heap per node), rebuilds our
index from the seeded corpus (bench/corpus.py) through search.backends.elastic, and runs a set of searches and
suggestions through the backend, which is given every node's URL as ELASTICSEARCH_URL would give them. Then it
stops the node holding the index's primary shard: the cluster goes yellow (a replica is missing), the replica
on another node becomes the primary, and the same searches give the same answers; a document indexed meanwhile is
found. It starts the node again, waits for green, and searches once more. Prints health, nodes and shard
allocation at each step; docs/scale-out.md records a run. The cluster and its folder are removed at the end,
also when the run fails or is interrupted.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
START_SCRIPT = ROOT / "scripts" / "start-elasticsearch.sh"
INDEX_PREFIX = "es-cluster-demo"
QUERIES = ["avoidable contact", "channel shift strategy", "scrutiny committee recommendations",
           '"customer service centre"', "perfomance managment", "ombudsman"]
SUGGEST_PREFIX = "cust"
TOP = 5
LATE_QUERY = "resilience drill"   # words the corpus never uses: only the document indexed while a node is away


def late_document():
    from search.documents import Access, SearchDocument

    return SearchDocument(key="thread:late", kind="thread", title="Resilience drill: a node away",
                          body="Indexed while one node of the cluster was stopped.", url="/late/",
                          access=Access.PUBLIC, date=datetime(2025, 12, 1, tzinfo=timezone.utc))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000, help="corpus size (default 2000)")
    parser.add_argument("--nodes", type=int, default=3, help="cluster size (default 3)")
    parser.add_argument("--replicas", default="1", help="ELASTICSEARCH_REPLICAS for the index (default 1)")
    args = parser.parse_args()
    if args.nodes < 2:
        parser.error("--nodes: a node can only be lost from a cluster of two or more")

    base = Path(tempfile.mkdtemp(prefix="cop-site-es-cluster."))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        urls = start_cluster(base, args.nodes)
        run(urls, base, args)
    finally:
        section("Stopping the cluster")
        subprocess.run(["bash", str(START_SCRIPT), "--stop", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)
        print("stopped, and its folder removed")


def start_cluster(base, nodes):
    section(f"Starting {nodes} nodes: ES_NODES={nodes} scripts/start-elasticsearch.sh")
    started = time.monotonic()
    env = {**os.environ, "ES_NODES": str(nodes), "ES_CLUSTER_NAME": "cop-site-demo"}
    urls = subprocess.run(["bash", str(START_SCRIPT), str(base)], env=env, check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    print(f"ready after {time.monotonic() - started:.0f} s: ELASTICSEARCH_URL={urls}")
    return urls


def run(urls, base, args):
    os.environ.update(DJANGO_SETTINGS_MODULE="cop_site.settings.test", ELASTICSEARCH_URL=urls,
                      SEARCH_INDEX_PREFIX=INDEX_PREFIX, ELASTICSEARCH_REPLICAS=args.replicas)
    import django

    django.setup()
    from bench import corpus
    from search.backends.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend(urls)
    first_url = urls.split(",")[0]
    show_cluster(first_url, backend.alias)

    section(f"Rebuilding our index from {args.documents} seeded documents (bench/corpus.py)")
    started = time.monotonic()
    read = backend.rebuild(corpus.documents(args.documents))
    print(f"{read} documents indexed in {time.monotonic() - started:.1f} s; "
          f"index settings: auto_expand_replicas {index_setting(first_url, backend.alias, 'auto_expand_replicas')}")
    wait_health(first_url, "green")
    show_cluster(first_url, backend.alias)
    before = answers(backend)
    show_answers(before)

    node, node_url = primary_holder(first_url, backend.alias, base)
    section(f"Stopping {node.name} ({node_url}), which holds the primary shard")
    subprocess.run(["bash", str(START_SCRIPT), "--stop", str(node)], check=True)
    survivor = next(url for url in urls.split(",") if url != node_url)
    wait_health(survivor, "yellow", nodes=args.nodes - 1)
    show_cluster(survivor, backend.alias)
    during = answers(backend)
    show_answers(during)
    compare(before, during)

    section("Indexing a document while the node is away")
    backend.index([late_document()])
    print(f"{LATE_QUERY}: {keys(backend, LATE_QUERY)}")

    section(f"Starting {node.name} again: scripts/start-elasticsearch.sh --start-node {node.name}")
    started = time.monotonic()
    subprocess.run(["bash", str(START_SCRIPT), "--start-node", str(node)], check=True, stdout=subprocess.DEVNULL)
    print(f"back, and the cluster green, after {time.monotonic() - started:.0f} s")
    show_cluster(first_url, backend.alias)
    after = answers(backend)
    show_answers(after)
    compare(before, after)
    print(f"{LATE_QUERY}: {keys(backend, LATE_QUERY)}")

    for name in backend.client.indices.get(index=f"{INDEX_PREFIX}-*"):
        backend.client.indices.delete(index=name)


def section(title):
    print(f"\n== {title}", flush=True)


def get(url, path):
    with urlopen(f"{url}{path}", timeout=60) as response:
        body = response.read().decode()
    return json.loads(body) if body.lstrip().startswith(("{", "[")) else body


def wait_health(url, status, nodes=None):
    """The cluster's health once it is `status` (and has `nodes` nodes): green, yellow or red."""
    query = f"wait_for_status={status}&timeout=120s" + (f"&wait_for_nodes={nodes}" if nodes else "")
    health = get(url, f"/_cluster/health?{query}")
    if health["timed_out"]:
        raise SystemExit(f"the cluster did not become {status}: {health}")
    return health


def show_cluster(url, alias):
    health = get(url, "/_cluster/health")
    print(f"health: {health['status']}, {health['number_of_nodes']} nodes, "
          f"{health['active_primary_shards']} primary and {health['active_shards']} active shards, "
          f"{health['unassigned_shards']} unassigned")
    print(get(url, "/_cat/nodes?v&h=name,http_address,heap.max,master&s=name").rstrip())
    if get(url, f"/_cat/aliases/{alias}?format=json"):
        print(get(url, f"/_cat/shards/{alias}?v&h=index,shard,prirep,state,docs,node&s=prirep,node").rstrip())


def index_setting(url, alias, name):
    settings = get(url, f"/{alias}/_settings")
    return next(iter(settings.values()))["settings"]["index"][name]


def primary_holder(url, alias, base):
    """The folder and URL of the node that holds the index's primary shard."""
    shards = get(url, f"/_cat/shards/{alias}?format=json&h=prirep,node")
    name = next(shard["node"] for shard in shards if shard["prirep"] == "p")
    nodes = get(url, "/_cat/nodes?format=json&h=name,http_address")
    address = next(node["http_address"] for node in nodes if node["name"] == name)
    number = name.rsplit("-", 1)[1]
    return base / f"node-{number}", f"http://{address}"


def answers(backend):
    """For each query, as a visitor: how many hits and the first few keys; and the suggestions for a prefix."""
    from search.documents import Reader

    results = {query: keys(backend, query) for query in QUERIES}
    results[f"suggest {SUGGEST_PREFIX!r}"] = [s["title"] for s in backend.suggest(SUGGEST_PREFIX, Reader(), limit=3)]
    return results


def keys(backend, query):
    from search.documents import Reader, SearchFilters

    found = backend.search(query, Reader(), SearchFilters(), page=1, per_page=TOP)
    return {"total": found.total, "top": [hit.key for hit in found.hits]}


def show_answers(results):
    for query, answer in results.items():
        print(f"{query}: {answer}")


def compare(before, now):
    differ = [query for query in before if before[query] != now[query]]
    print(f"same answers as before the node stopped: {len(before) - len(differ)} of {len(before)}")
    if differ:
        raise SystemExit(f"answers changed for {differ}")


if __name__ == "__main__":
    main()
