#!/usr/bin/env bash
# Load test end to end: a throwaway PostgreSQL database, gunicorn with the production settings, two
# locust scenarios (exam peak, study evening), a per-request summary, and cleanup. Loopback only.
#
#   bench/load/run.sh                      # 100 exam users (10/s), 50 study users (2/s), 60 s each
#   LOAD_EXAM_USERS=300 LOAD_EXAM_RATE=50 LOAD_RUN_TIME=60s bench/load/run.sh
#
# Knobs: LOAD_PG_URL (server, default postgres://postgres@127.0.0.1:5432), LOAD_DB (dangke_load),
# LOAD_TRAINEES (enrolled trainees, 300), LOAD_EXAM_USERS/LOAD_EXAM_RATE (100 users, 10 spawned/s),
# LOAD_STUDY_USERS/LOAD_STUDY_RATE (50 users, 2/s: an evening's arrivals are spread out),
# LOAD_RUN_TIME (60s per scenario), LOAD_WORKERS (4), LOAD_SCENARIOS ("exam study"),
# LOAD_KEEP_DIR (keep the CSV files there); the locustfile reads LOAD_EXAM_SAVES (answers saved
# before submitting, 6) and LOAD_LESSON_BEATS (heartbeats per lesson, 4).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/.venv/bin"
PG_URL="${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_URL="${PG_URL%/}"
DB="${LOAD_DB:-dangke_load}"
RUN_TIME="${LOAD_RUN_TIME:-60s}"
WORKERS="${LOAD_WORKERS:-4}"
SCENARIOS="${LOAD_SCENARIOS:-exam study}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dangke-load.XXXXXX")"
SERVER_PID=""

pg_admin() {
	# Run one SQL statement on the server's maintenance database.
	"$BIN/python" - "$PG_URL/postgres" "$1" <<'PY'
import sys

import psycopg

with psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=5) as conn:
    conn.execute(sys.argv[2])
PY
}

cleanup() {
	if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	pg_admin "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" || true
	if [[ -n "${LOAD_KEEP_DIR:-}" ]]; then
		mkdir -p "$LOAD_KEEP_DIR" && cp "$WORK"/*.csv "$LOAD_KEEP_DIR"/ 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

case "$PG_URL" in
postgres://*@127.0.0.1:* | postgres://*@localhost:* | postgresql://*@127.0.0.1:* | postgresql://*@localhost:*) ;;
*)
	echo "LOAD_PG_URL must point at this machine (127.0.0.1 or localhost): $PG_URL" >&2
	exit 2
	;;
esac

pg_admin "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
pg_admin "CREATE DATABASE \"$DB\""

PORT="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DJANGO_SETTINGS_MODULE=cms.settings.production
export SECRET_KEY
SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="$PG_URL/$DB"
export DANGKE_VAR_DIR="$WORK/var"
export STATIC_ROOT="$WORK/static"
export TASK_BACKEND=database
export LOG_LEVEL=WARNING
export LOAD_DATA="$WORK/data.json"
cd "$ROOT"

echo "== preparing $DB: migrate, demo content, ${LOAD_TRAINEES:-300} trainees in one class, a 40-question exam"
"$BIN/python" -m bench.load.prepare "$LOAD_DATA"
"$BIN/python" manage.py collectstatic --noinput -v 0

"$BIN/gunicorn" cms.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" --timeout 120 \
	--log-level warning >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
"$BIN/python" - "http://127.0.0.1:$PORT/healthz" <<'PY'
import sys
import time
import urllib.request

request = urllib.request.Request(sys.argv[1], headers={"X-Forwarded-Proto": "https"})
deadline = time.time() + 60
while True:
    try:
        urllib.request.urlopen(request, timeout=5)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("gunicorn did not answer /healthz within 60 s")
        time.sleep(0.5)
PY

echo "== gunicorn cms.wsgi --workers $WORKERS on 127.0.0.1:$PORT (production settings, PostgreSQL $DB)"
echo "   machine: $(nproc) cores, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for scenario in $SCENARIOS; do
	case "$scenario" in
	exam) class=ExamTrainee users="${LOAD_EXAM_USERS:-100}" rate="${LOAD_EXAM_RATE:-10}" ;;
	study) class=StudyTrainee users="${LOAD_STUDY_USERS:-50}" rate="${LOAD_STUDY_RATE:-2}" ;;
	*)
		echo "unknown scenario: $scenario (exam, study)" >&2
		exit 2
		;;
	esac
	echo
	echo "== $scenario: locust --headless -u $users -r $rate -t $RUN_TIME $class"
	"$BIN/locust" -f bench/load/locustfile.py --headless -u "$users" -r "$rate" -t "$RUN_TIME" \
		--host "http://127.0.0.1:$PORT" --csv "$WORK/$scenario" --only-summary \
		--loglevel WARNING "$class" >"$WORK/$scenario.log" 2>&1 || true
	"$BIN/python" -m bench.load.report "$WORK/${scenario}_stats.csv" "$WORK/${scenario}_failures.csv" ||
		{
			status=1
			tail -20 "$WORK/$scenario.log"
		}
done
if grep -q -E "Traceback|ERROR" "$WORK/gunicorn.log"; then
	echo
	echo "gunicorn reported errors:"
	grep -E -A3 "Traceback|ERROR" "$WORK/gunicorn.log" | tail -30
fi
exit "$status"
