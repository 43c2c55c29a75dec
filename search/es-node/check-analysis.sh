#!/usr/bin/env bash
# Developer check (not run by CI) that the test Elasticsearch node analyses and suggests like a stock
# Elasticsearch 8 for the search feature: synonym_graph at search time, English stop words and stemming,
# completion, term ("did you mean") and phrase suggesters, and the analysis-common stand-ins of TestNodePlugin.
#
#   bash scripts/with-test-services.sh bash search/es-node/check-analysis.sh      # throwaway node
#   bash search/es-node/check-analysis.sh http://127.0.0.1:9250                  # a node already running
#
# The URL is the first argument, else $TEST_ELASTICSEARCH_URL, else $ELASTICSEARCH_URL. Creates and then
# deletes an index named check-analysis-PID. Prints one line per check; exits 1 if any failed.
# Needs curl and python3. With CHECK_ES_CONFIG_DIR set to the node's config directory (writable, and readable
# by the node's user), synonyms_path is also checked with a real file; otherwise only its path resolution.
set -euo pipefail

es=${1:-${TEST_ELASTICSEARCH_URL:-${ELASTICSEARCH_URL:-}}}
[ -n "$es" ] || { echo "usage: $0 ES_URL (or set TEST_ELASTICSEARCH_URL)" >&2; exit 2; }
es=${es%/}
index="check-analysis-$$"
failures=0
checks=0

cleanup() { curl -s -o /dev/null -X DELETE "$es/$index" || true; }
trap cleanup EXIT

# call METHOD PATH [BODY]: the response body (any HTTP status) on stdout.
call() {
  if [ $# -ge 3 ]; then
    curl -sS -X "$1" "$es$2" -H 'Content-Type: application/json' --data-binary "$3"
  else
    curl -sS -X "$1" "$es$2"
  fi
}

# py EXPRESSION: evaluates EXPRESSION on the JSON document `r` read from stdin and prints the result
# (lists space-separated); prints the error instead when the response is an error.
py() {
  python3 -c '
import json, sys
r = json.load(sys.stdin)
if isinstance(r, dict) and "error" in r:
    e = r["error"]
    print("ERROR:", json.dumps(e) if isinstance(e, str) else (e.get("caused_by", {}).get("reason") or e.get("reason")))
    sys.exit(0)
v = eval(sys.argv[1])
print(" ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
' "$1"
}

ok() { checks=$((checks + 1)); echo "ok    $1"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL  $1"; echo "      expected: $2"; echo "      got:      $3"; }

# expect NAME EXPECTED ACTUAL: exact comparison.
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "$2" "$3"; fi; }

# expect_has NAME "WORD..." ACTUAL: every word of EXPECTED is one of ACTUAL's words.
expect_has() {
  local word missing=""
  for word in $2; do
    case " $3 " in *" $word "*) ;; *) missing="$missing $word" ;; esac
  done
  if [ -z "$missing" ]; then ok "$1"; else bad "$1" "all of: $2" "$3 (missing:$missing)"; fi
}

# expect_error NAME SUBSTRING RESPONSE
expect_error() {
  case "$3" in *"$2"*) ok "$1" ;; *) bad "$1" "an error containing: $2" "$3" ;; esac
}

tokens() { python3 -c 'import json,sys; r=json.load(sys.stdin); print(" ".join(t["token"] for t in r["tokens"]) if "tokens" in r else "ERROR: " + json.dumps(r.get("error")))'; }
sorted_tokens() { tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//'; }
analyze() { call POST "/$index/_analyze" "$1" | tokens; }
analyze_global() { call POST "/_analyze" "$1" | tokens; }

# ------------------------------------------------------------------ the index the search feature will copy

call DELETE "/$index" >/dev/null
settings='{
  "settings": {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "analysis": {
      "filter": {
        "domain_synonyms": {
          "type": "synonym_graph",
          "synonyms": [
            "ni14, national indicator 14",
            "kpi, performance indicator",
            "csc, customer service centre, contact centre",
            "lga, local government association"
          ]
        },
        "english_stop": { "type": "stop", "stopwords": "_english_" },
        "english_stemmer": { "type": "stemmer", "language": "english" },
        "shingle_2_3": { "type": "shingle", "min_shingle_size": 2, "max_shingle_size": 3 }
      },
      "analyzer": {
        "domain_english": {
          "type": "custom",
          "tokenizer": "standard",
          "filter": ["lowercase", "english_stop", "english_stemmer"]
        },
        "domain_english_search": {
          "type": "custom",
          "tokenizer": "standard",
          "filter": ["lowercase", "domain_synonyms", "english_stop", "english_stemmer"]
        },
        "spelling": { "type": "custom", "tokenizer": "standard", "filter": ["lowercase"] },
        "spelling_shingles": { "type": "custom", "tokenizer": "standard", "filter": ["lowercase", "shingle_2_3"] }
      }
    }
  },
  "mappings": {
    "properties": {
      "title": {
        "type": "text",
        "analyzer": "domain_english",
        "search_analyzer": "domain_english_search",
        "fields": {
          "spelling": { "type": "text", "analyzer": "spelling" },
          "shingles": { "type": "text", "analyzer": "spelling_shingles" }
        }
      },
      "body": { "type": "text", "analyzer": "domain_english", "search_analyzer": "domain_english_search" },
      "title_suggest": { "type": "completion" }
    }
  }
}'
created=$(call PUT "/$index" "$settings" | py 'r.get("acknowledged")')
expect "create the index with domain_english / domain_english_search" "True" "$created"
[ "$created" = "True" ] || { echo "cannot go on without the index" >&2; exit 1; }

# ------------------------------------------------------------------ _analyze

expect "index analyzer: lowercase, _english_ stop words, english (porter) stemmer" \
  "nation indic 14 perform manag custom servic centr" \
  "$(analyze '{"analyzer": "domain_english", "text": "The National Indicator 14 and performance management at a Customer Service Centre"}')"
expect "search analyzer: NI14 -> ni14 | national indicator 14" \
  "14 indic nation ni14" \
  "$(analyze '{"analyzer": "domain_english_search", "text": "NI14"}' | sorted_tokens)"
expect "search analyzer: KPI -> kpi | performance indicator" \
  "indic kpi perform" \
  "$(analyze '{"analyzer": "domain_english_search", "text": "KPI"}' | sorted_tokens)"
expect "search analyzer: contact centre -> csc | customer service centre | contact centre" \
  "centr centr contact csc custom servic" \
  "$(analyze '{"analyzer": "domain_english_search", "text": "contact centre"}' | sorted_tokens)"
expect "search analyzer: LGA -> lga | local government association" \
  "associ govern lga local" \
  "$(analyze '{"analyzer": "domain_english_search", "text": "LGA"}' | sorted_tokens)"
expect "search analyzer: performance managed -> perform manag" \
  "perform manag" \
  "$(analyze '{"analyzer": "domain_english_search", "text": "performance managed"}')"

# ------------------------------------------------------------------ documents and searches

bulk='{"index": {"_id": "ni14"}}
{"title": "National Indicator 14", "body": "Reducing avoidable contact: national indicator 14 explained.", "title_suggest": {"input": ["National Indicator 14"]}}
{"index": {"_id": "kpi"}}
{"title": "Choosing performance indicators", "body": "Performance indicators that councils can compare.", "title_suggest": {"input": ["Choosing performance indicators", "Performance indicators"]}}
{"index": {"_id": "csc"}}
{"title": "Running a customer service centre", "body": "Staffing the customer service centre.", "title_suggest": {"input": ["Running a customer service centre", "Customer service centre"]}}
{"index": {"_id": "pm"}}
{"title": "Performance management frameworks", "body": "Performance management for local services.", "title_suggest": {"input": ["Performance management frameworks", "Performance management"]}}
{"index": {"_id": "lga"}}
{"title": "Local Government Association briefing", "body": "The Local Government Association on waste.", "title_suggest": {"input": ["Local Government Association briefing"]}}
{"index": {"_id": "waste"}}
{"title": "Waste collection rounds", "body": "Bin collection days and recycling.", "title_suggest": {"input": ["Waste collection rounds"]}}
'
errors=$(call POST "/$index/_bulk?refresh=true" "$bulk" | py 'r["errors"]')
expect "index 6 documents" "False" "$errors"

# search QUERY_TEXT: the ids (sorted) of the documents whose title matches every word of the query.
search() {
  local q
  q=$(python3 -c 'import json,sys; print(json.dumps({"size": 20, "query": {"match": {"title": {"query": sys.argv[1], "operator": "and"}}}}))' "$1")
  call POST "/$index/_search" "$q" | py 'sorted(h["_id"] for h in r["hits"]["hits"])'
}
expect 'search "NI14" finds "National Indicator 14"' "ni14" "$(search 'NI14')"
expect 'search "national indicator 14" finds it too' "ni14" "$(search 'national indicator 14')"
expect 'search "KPI" finds "performance indicators"' "kpi" "$(search 'KPI')"
expect 'search "contact centre" finds "customer service centre"' "csc" "$(search 'contact centre')"
expect 'search "CSC" finds "customer service centre"' "csc" "$(search 'CSC')"
expect 'search "LGA" finds "Local Government Association"' "lga" "$(search 'LGA')"
expect 'search "performance managed" finds "performance management"' "pm" "$(search 'performance managed')"
expect 'search "the performance" (stop word) finds both performance titles' "kpi pm" "$(search 'the performance')"
expect 'search "indicator" (stemmed) finds indicator and indicators' "kpi ni14" "$(search 'indicator')"
body_hits=$(call POST "/$index/_search" '{"query": {"multi_match": {"query": "kpi", "fields": ["title", "body"]}}}' \
  | py 'sorted(h["_id"] for h in r["hits"]["hits"])')
expect 'multi_match "kpi" over title and body' "kpi" "$body_hits"

# ------------------------------------------------------------------ suggesters

completion=$(call POST "/$index/_search" '{"_source": false, "suggest": {"titles": {"prefix": "perf", "completion": {"field": "title_suggest", "skip_duplicates": true}}}}' \
  | py 'sorted(o["text"] for o in r["suggest"]["titles"][0]["options"])')
expect 'completion suggester: "perf"' "Performance indicators Performance management" "$completion"
fuzzy=$(call POST "/$index/_search" '{"_source": false, "suggest": {"titles": {"prefix": "perfro", "completion": {"field": "title_suggest", "fuzzy": {"fuzziness": 1}}}}}' \
  | py 'sorted({o["_id"] for o in r["suggest"]["titles"][0]["options"]})')
expect 'completion suggester, fuzzy: "perfro"' "kpi pm" "$fuzzy"

term=$(call POST "/$index/_search" '{"size": 0, "suggest": {"did_you_mean": {"text": "perfomance", "term": {"field": "title.spelling"}}}}' \
  | py '[o["text"] for o in r["suggest"]["did_you_mean"][0]["options"]][:1]')
expect 'term suggester: "perfomance" -> "performance"' "performance" "$term"

phrase=$(call POST "/$index/_search" '{"size": 0, "suggest": {"text": "perfomance managment", "did_you_mean": {"phrase": {
    "field": "title.shingles", "size": 1, "gram_size": 3, "max_errors": 2,
    "direct_generator": [{"field": "title.spelling", "suggest_mode": "always"}],
    "highlight": {"pre_tag": "<em>", "post_tag": "</em>"}}}}}' \
  | py '[o["text"] for o in r["suggest"]["did_you_mean"][0]["options"]][:1]')
expect 'phrase suggester: "perfomance managment" -> "performance management"' "performance management" "$phrase"

# ------------------------------------------------------------------ synonym filter settings

expect "synonym (not graph), inline" "ni14 national report indicator 14" \
  "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", {"type": "synonym", "synonyms": ["ni14, national indicator 14"]}], "text": "NI14 report"}')"
expect "synonym_graph, expand: false maps every entry to the first" "ni14 report" \
  "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", {"type": "synonym_graph", "expand": false, "synonyms": ["ni14, national indicator 14, avoidable contact indicator"]}], "text": "avoidable contact indicator report"}')"
expect "synonym_graph, explicit mapping a => b" "local government association news" \
  "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", {"type": "synonym_graph", "synonyms": ["lga => local government association"]}], "text": "LGA news"}')"
expect "synonym entries are analysed by the chain before the filter (uppercase rule, lowercase filter)" "ni14 national indicator 14" \
  "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", {"type": "synonym", "synonyms": ["NI14, National Indicator 14"]}], "text": "ni14"}')"
expect_error "a rule the chain cannot analyse fails without lenient" "completely eliminated by analyzer" \
  "$(call POST /_analyze '{"tokenizer": "standard", "filter": ["lowercase", "stop", {"type": "synonym_graph", "synonyms": ["the, a", "kpi, indicator"]}], "text": "kpi"}')"
expect "lenient: true skips that rule and keeps the others" "indicator kpi" \
  "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", "stop", {"type": "synonym_graph", "lenient": true, "synonyms": ["the, a", "kpi, indicator"]}], "text": "kpi"}' | sorted_tokens)"
expect_error "synonyms_path is resolved in the node's config directory" "config/analysis/no-such-synonyms.txt" \
  "$(call POST /_analyze '{"tokenizer": "standard", "filter": [{"type": "synonym_graph", "synonyms_path": "analysis/no-such-synonyms.txt"}], "text": "x"}')"
expect_error "a synonym filter without rules is refused" "synonym requires either" \
  "$(call POST /_analyze '{"tokenizer": "standard", "filter": [{"type": "synonym_graph"}], "text": "x"}')"
expect_error "updateable synonyms are refused in an index-time analyzer" "not allowed to run in index time mode" \
  "$(call PUT "/$index-updateable" '{"settings": {"analysis": {"filter": {"s": {"type": "synonym_graph", "updateable": true, "synonyms": ["a, b"]}}, "analyzer": {"a": {"tokenizer": "standard", "filter": ["s"]}}}}, "mappings": {"properties": {"t": {"type": "text", "analyzer": "a"}}}}')"
call DELETE "/$index-updateable" >/dev/null 2>&1 || true
if [ -n "${CHECK_ES_CONFIG_DIR:-}" ]; then
  mkdir -p "$CHECK_ES_CONFIG_DIR/analysis"
  printf '# comment\nni14, national indicator 14\n' >"$CHECK_ES_CONFIG_DIR/analysis/check-synonyms.txt"
  chmod a+r "$CHECK_ES_CONFIG_DIR/analysis/check-synonyms.txt"
  expect "synonyms_path with a real file" "14 indicator national ni14" \
    "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", {"type": "synonym_graph", "synonyms_path": "analysis/check-synonyms.txt"}], "text": "NI14"}' | sorted_tokens)"
  rm -f "$CHECK_ES_CONFIG_DIR/analysis/check-synonyms.txt"
fi

# ------------------------------------------------------------------ the other analysis-common stand-ins

expect "stop filter with a list" "performance indicators" \
  "$(analyze_global '{"tokenizer": "whitespace", "filter": ["lowercase", {"type": "stop", "stopwords": ["our", "the"]}], "text": "Our the performance indicators"}')"
expect "shingle filter: sizes 2-3, no unigrams" "a b a b c b c" \
  "$(analyze_global '{"tokenizer": "whitespace", "filter": [{"type": "shingle", "min_shingle_size": 2, "max_shingle_size": 3, "output_unigrams": false}], "text": "a b c"}')"
expect "porter_stem" "perform manag" "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", "porter_stem"], "text": "performance managed"}')"
expect "stemmer light_english (kstem)" "performance manage" \
  "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", {"type": "stemmer", "language": "light_english"}], "text": "performances managed"}')"
expect "stemmer minimal_english" "performance managed" \
  "$(analyze_global '{"tokenizer": "standard", "filter": ["lowercase", {"type": "stemmer", "language": "minimal_english"}], "text": "performances managed"}')"
expect "stemmer possessive_english" "council plan" \
  "$(analyze_global '{"tokenizer": "whitespace", "filter": ["lowercase", {"type": "stemmer", "language": "possessive_english"}], "text": "Council'"'"'s plan"}')"
expect "trim" "padded" "$(analyze_global '{"tokenizer": "keyword", "filter": ["trim"], "text": "  padded  "}')"
expect "truncate length 4" "perf mana" \
  "$(analyze_global '{"tokenizer": "standard", "filter": [{"type": "truncate", "length": 4}], "text": "performance management"}')"
expect "unique" "a b c" "$(analyze_global '{"tokenizer": "whitespace", "filter": ["unique"], "text": "a b a c b"}')"
expect "word_delimiter_graph" "wi fi ministry" "$(analyze_global '{"tokenizer": "whitespace", "filter": ["word_delimiter_graph", "lowercase"], "text": "Wi-Fi Ministry'"'"'s"}')"
expect "lowercase with language greek" "σισυφοσ" \
  "$(analyze_global '{"tokenizer": "standard", "filter": [{"type": "lowercase", "language": "greek"}], "text": "ΣΊΣΥΦΟΣ"}')"
expect "whitespace tokenizer" "Hello, big-world" "$(analyze_global '{"tokenizer": "whitespace", "text": "Hello, big-world"}')"
expect "keyword tokenizer" "Hello, big-world" "$(analyze_global '{"tokenizer": "keyword", "text": "Hello, big-world"}')"
expect "letter tokenizer" "Hello big world" "$(analyze_global '{"tokenizer": "letter", "text": "Hello, big-world"}')"
expect "standard tokenizer (server)" "Hello big world" "$(analyze_global '{"tokenizer": "standard", "text": "Hello, big-world"}')"
expect "simple analyzer" "the kpis" "$(analyze_global '{"analyzer": "simple", "text": "The KPIs 2"}')"
expect "whitespace analyzer" "The KPIs" "$(analyze_global '{"analyzer": "whitespace", "text": "The KPIs"}')"
expect "stop analyzer" "kpis" "$(analyze_global '{"analyzer": "stop", "text": "The KPIs"}')"
expect "keyword analyzer" "The KPIs" "$(analyze_global '{"analyzer": "keyword", "text": "The KPIs"}')"
expect "english analyzer" "council kpi" "$(analyze_global '{"analyzer": "english", "text": "The councils KPIs"}')"
expect "html_strip char filter" "Hello world" "$(analyze_global '{"tokenizer": "standard", "char_filter": ["html_strip"], "text": "<p>Hello <b>world</b></p>"}')"

echo
if [ "$failures" -gt 0 ]; then
  echo "check-analysis: $failures of $checks checks FAILED"
  exit 1
fi
echo "check-analysis: all $checks checks passed"
