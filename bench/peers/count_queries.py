"""SQL queries a visitor's request costs, for bench/peers/compare.py: `python count_queries.py PATH...` prints JSON.

Runs in either side's virtualenv with that side's DJANGO_SETTINGS_MODULE and database in the environment (it
needs nothing but Django), and asks for each path through Django's test client, once to warm up and once counted.
"""

import json
import sys

import django
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def main(paths):
    django.setup()
    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        if status != 200:
            sys.exit(f"{path} answered {status}")
        counts[path] = len(queries)
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1:])
