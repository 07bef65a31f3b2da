"""gunicorn settings for `make run` and production; override any of them on the command line."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Sync workers: short requests, and the database (not Python) is where writes serialise.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * os.cpu_count() if os.cpu_count() else 2))
worker_class = "sync"
timeout = 30
# A worker is replaced after this many requests (give or take the jitter, so that they are not
# replaced at once): whatever memory a large request left behind goes back to the system.
max_requests = int(os.environ.get("MAX_REQUESTS", 10000))
max_requests_jitter = max_requests // 10
graceful_timeout = 20
# Migrations run once before serving (`flask setup`), never in each worker.
preload_app = False
accesslog = os.environ.get("ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
