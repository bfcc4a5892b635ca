#!/usr/bin/env bash
# Load test end to end: a throwaway database (PostgreSQL, or SQLite with LOAD_DB_ENGINE=sqlite),
# gunicorn with the production settings, two locust scenarios (exam peak, study evening) each beside
# a no-op probe on the same server, a per-request summary with the server's own time per request,
# and cleanup. Loopback only.
#
#   bench/load/run.sh       # exam: 300 takers starting over 30 s, a save every 12–18 s, 4 saves,
#                           # submit; study evening: 50 users arriving at 2/s for 60 s
#   LOAD_SCENARIOS=exam LOAD_TRAINEES=2000 LOAD_EXAM_USERS=2000 bench/load/run.sh   # the peak
#   LOAD_DB_ENGINE=sqlite LOAD_SCENARIOS=exam LOAD_TRAINEES=500 LOAD_EXAM_USERS=500 bench/load/run.sh
#
# Knobs: LOAD_DB_ENGINE (postgresql | sqlite), LOAD_PG_URL (server, default
# postgres://postgres@127.0.0.1:5432), LOAD_DB (dangke_load), LOAD_TRAINEES (enrolled trainees,
# 300; each has an API token issued before the exam), LOAD_EXAM_USERS (300) and LOAD_EXAM_SPREAD
# (seconds over which they start, 30; or LOAD_EXAM_RATE users/s), LOAD_STUDY_USERS/LOAD_STUDY_RATE
# (50 users, 2/s: an evening's arrivals are spread out), LOAD_RUN_TIME (exam: long enough for the
# last starter to hand in; study: 60s), LOAD_WORKERS (4), LOAD_WORKER_CLASS (sync; gthread with
# LOAD_THREADS), LOAD_SCENARIOS ("exam study"), LOAD_KEEP_DIR (keep the CSV files there); the
# locustfile reads LOAD_EXAM_SAVES (answers saved before submitting, 4), LOAD_EXAM_WAIT (seconds
# between saves, "12,18"), LOAD_EXAM_LOGIN=1 (log in with the password instead of the token) and
# LOAD_LESSON_BEATS (heartbeats per lesson, 4); LOAD_REPORT_TRAINER (1: during the exam the
# class's trainer refreshes the class report every LOAD_REPORT_EVERY=10 s, LOAD_REPORT_QUERY ""
# for every row or e.g. "page=1"; 0: no trainer); LOAD_CLIENT (fast: the API users on locust's
# FastHttpUser, half the client CPU of requests; "requests" for the old HttpUser).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/.venv/bin"
PG_URL="${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_URL="${PG_URL%/}"
DB="${LOAD_DB:-dangke_load}"
ENGINE="${LOAD_DB_ENGINE:-postgresql}"
WORKERS="${LOAD_WORKERS:-4}"
WORKER_CLASS="${LOAD_WORKER_CLASS:-sync}"
THREADS="${LOAD_THREADS:-1}"
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
	if [[ "$ENGINE" == postgresql ]]; then
		pg_admin "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" || true
	fi
	if [[ -n "${LOAD_KEEP_DIR:-}" ]]; then
		mkdir -p "$LOAD_KEEP_DIR" && cp "$WORK"/*.csv "$LOAD_KEEP_DIR"/ 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

case "$ENGINE" in
postgresql)
	case "$PG_URL" in
	postgres://*@127.0.0.1:* | postgres://*@localhost:* | postgresql://*@127.0.0.1:* | postgresql://*@localhost:*) ;;
	*)
		echo "LOAD_PG_URL must point at this machine (127.0.0.1 or localhost): $PG_URL" >&2
		exit 2
		;;
	esac
	pg_admin "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
	pg_admin "CREATE DATABASE \"$DB\""
	export DATABASE_URL="$PG_URL/$DB"
	;;
sqlite) export DATABASE_URL="sqlite:///$WORK/$DB.sqlite3" ;;
*)
	echo "LOAD_DB_ENGINE must be postgresql or sqlite: $ENGINE" >&2
	exit 2
	;;
esac

PORT="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DJANGO_SETTINGS_MODULE=cms.settings.production
export SECRET_KEY
SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=127.0.0.1
export DANGKE_VAR_DIR="$WORK/var"
export STATIC_ROOT="$WORK/static"
export TASK_BACKEND=database
export LOG_LEVEL=WARNING
export LOAD_DATA="$WORK/data.json"
cd "$ROOT"

echo "== preparing $DB: migrate, demo content, ${LOAD_TRAINEES:-300} trainees in one class, a 40-question exam"
"$BIN/python" -m bench.load.prepare "$LOAD_DATA"
"$BIN/python" manage.py collectstatic --noinput -v 0

# bench.load.wsgi is cms.wsgi plus the no-op endpoint and a Server-Timing header per response.
"$BIN/gunicorn" bench.load.wsgi:application --workers "$WORKERS" --worker-class "$WORKER_CLASS" \
	--threads "$THREADS" --bind "127.0.0.1:$PORT" --timeout 120 --backlog 4096 \
	--log-level warning >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
# On a loaded machine 4 workers importing Django and Wagtail take minutes to boot (seen: >60 s at
# load 12), so the wait is a knob.
"$BIN/python" - "http://127.0.0.1:$PORT/healthz" "${LOAD_BOOT_SECONDS:-240}" <<'PY'
import sys
import time
import urllib.request

request = urllib.request.Request(sys.argv[1], headers={"X-Forwarded-Proto": "https"})
boot_seconds = float(sys.argv[2])
deadline = time.time() + boot_seconds
while True:
    try:
        urllib.request.urlopen(request, timeout=5)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit(f"gunicorn did not answer /healthz within {boot_seconds:g} s (LOAD_BOOT_SECONDS)")
        time.sleep(0.5)
PY

echo "== gunicorn (cms.wsgi + no-op) --workers $WORKERS --worker-class $WORKER_CLASS --threads $THREADS on 127.0.0.1:$PORT (production settings, $ENGINE $DB)"
echo "   machine: $(nproc) cores, load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for scenario in $SCENARIOS; do
	case "$scenario" in
	exam)
		classes=(ExamTrainee)
		# The class's trainer refreshing its report every 10 s (issue 20's "Also"); 0 leaves it out.
		if [[ "${LOAD_REPORT_TRAINER:-1}" == 1 ]]; then classes+=(ReportTrainer); fi
		users="${LOAD_EXAM_USERS:-300}"
		spread="${LOAD_EXAM_SPREAD:-30}"
		rate="${LOAD_EXAM_RATE:-$(((users + spread - 1) / spread))}"
		# The last starter saves LOAD_EXAM_SAVES answers 12–18 s apart, then hands in.
		wait_max="${LOAD_EXAM_WAIT:-12,18}"
		wait_max="${wait_max#*,}"
		run_time="${LOAD_RUN_TIME:-$((users / rate + (${LOAD_EXAM_SAVES:-4} + 1) * ${wait_max%.*} + 10))s}"
		;;
	study)
		classes=(StudyTrainee) users="${LOAD_STUDY_USERS:-50}" rate="${LOAD_STUDY_RATE:-2}"
		run_time="${LOAD_RUN_TIME:-60s}"
		;;
	*)
		echo "unknown scenario: $scenario (exam, study)" >&2
		exit 2
		;;
	esac
	echo
	# More users: the no-op probe (NoopProbe, fixed_count 2) and the trainer (ReportTrainer,
	# fixed_count 1), started first.
	extra=2
	[[ " ${classes[*]} " == *" ReportTrainer "* ]] && extra=3
	echo "== $scenario: locust --headless -u $((users + extra)) -r $rate -t $run_time ${classes[*]} NoopProbe"
	echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	LOAD_SERVER_TIMING="$WORK/${scenario}_server.json" \
		"$BIN/locust" -f bench/load/locustfile.py --headless -u "$((users + extra))" -r "$rate" \
		-t "$run_time" --host "http://127.0.0.1:$PORT" --csv "$WORK/$scenario" --only-summary \
		--stop-timeout 30 --loglevel WARNING "${classes[@]}" NoopProbe >"$WORK/$scenario.log" 2>&1 || true
	echo "   load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
	"$BIN/python" -m bench.load.report "$WORK/${scenario}_stats.csv" "$WORK/${scenario}_failures.csv" \
		"$WORK/${scenario}_server.json" ||
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
