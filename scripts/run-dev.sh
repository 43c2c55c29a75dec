#!/usr/bin/env bash
# `make run`: the background task worker and the development server, stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

"$PY" manage.py db_worker --interval 1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM

echo "Serving http://127.0.0.1:8000 (task worker pid $worker). Press Ctrl-C to stop."
"$PY" manage.py runserver 127.0.0.1:8000
