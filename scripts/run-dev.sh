#!/usr/bin/env bash
# `make run`: the background task worker, the periodic jobs and the development server, stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

"$PY" manage.py db_worker --interval 1 &
worker=$!
"$PY" manage.py run_periodic --interval 60 &
periodic=$!
trap 'kill "$worker" "$periodic" 2>/dev/null || true' EXIT INT TERM

echo "Serving http://127.0.0.1:8000 (task worker pid $worker, periodic jobs pid $periodic). Press Ctrl-C to stop."
"$PY" manage.py runserver 127.0.0.1:8000
