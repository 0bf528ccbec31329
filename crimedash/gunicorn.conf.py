"""gunicorn settings for production: `gunicorn -c crimedash/gunicorn.conf.py crimedash.wsgi`.

Sync workers by default (GUNICORN_THREADS=1): a sync worker accepts a connection only when it is idle, so waiting
requests queue once, in the kernel, in arrival order. Threaded workers accept every keep-alive connection that comes
and keep it, so under load some workers hold more clients than others and those clients wait longest: on the 2-core
bench the 95th percentile of the same mix was twice as long with 2 threads per worker (bench.pages). Run gunicorn
behind nginx or the force's load balancer, which holds the clients' keep-alive connections and slow uploads.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # behind a proxy: GUNICORN_BIND=0.0.0.0:8000 to listen on all
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
accesslog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
