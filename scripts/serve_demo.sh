#!/usr/bin/env bash
# Serve the demo: web server, Celery worker and beat. Without REDIS_URL the worker and beat talk through
# kombu's filesystem transport (an embedded broker in var/celery-queue), so scheduled work still runs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ -z "${REDIS_URL:-}" ] && [ -z "${CELERY_BROKER_URL:-}" ]; then
  export CELERY_BROKER_URL="filesystem://"
fi
if [ -z "${REDIS_URL:-}" ]; then
  export DJANGO_CACHE_DIR="${DJANGO_CACHE_DIR:-$PWD/var/cache}"  # one cache for the web server, worker and simulator
  rm -rf "$DJANGO_CACHE_DIR"  # nothing kept by an earlier run (or an earlier version of the code) is served
fi
mkdir -p var
.venv/bin/celery -A crimedash worker --beat --scheduler django_celery_beat.schedulers:DatabaseScheduler \
  --loglevel INFO --concurrency 1 --schedule var/celerybeat-schedule >var/celery.log 2>&1 &
CELERY_PID=$!
if [ "${DEMO_DISPATCH:-1}" = 1 ]; then
  $PY manage.py simulate_dispatch --forever >var/dispatch.log 2>&1 &
  DISPATCH_PID=$!
fi
trap 'kill $CELERY_PID ${DISPATCH_PID:-} 2>/dev/null || true' EXIT INT TERM
# The pages are served from now on; the worker runs the forecasting chain import_demo_data left to it (hotspots,
# forecasts, plans, the pilot: a few minutes), unless it has run already.
$PY manage.py demo_forecasts --enqueue
echo "crimedash is at http://127.0.0.1:8000 (worker and beat log: var/celery.log). Ctrl-C stops everything."
$PY manage.py runserver 127.0.0.1:8000 --noreload
