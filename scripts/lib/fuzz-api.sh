#!/usr/bin/env bash
# A bounded schemathesis run of the API (docs/openapi.yaml) against a demo installation, as the
# coordinator (dieuphoi) and as a department officer (yte): any 5xx answer of the server fails (read
# from the server's own access log, whatever schemathesis reports), and so does a run that sent too
# few requests to mean anything.
#   scripts/lib/fuzz-api.sh VAR_DIR [DATABASE_URL]
# VAR_DIR holds (or receives) the demo data: with DATABASE_URL the database is migrated and the demo
# loaded into it; without, VAR_DIR must hold a demo SQLite set up by `scripts/demo --setup-only`.
# Bounds: CHISO_FUZZ_SECONDS per account (default 60), CHISO_FUZZ_EXAMPLES per operation (default 8),
# CHISO_FUZZ_SEED (fixed by default, so a failure is reproducible).
set -euo pipefail
cd "$(dirname "$0")/../.."
var="$1"
export CHISO_ENV=demo CHISO_VAR_DIR="$var"
if [ -n "${2:-}" ]; then
  export DATABASE_URL="$2"
  # A fresh database each run (PostgreSQL: dropped and created again).
  case "$2" in postgres*)
    .venv/bin/python - "$2" <<'PY'
import sys
import urllib.parse

import psycopg

url = urllib.parse.urlsplit(sys.argv[1])
name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
PY
  esac
  .venv/bin/chiso migrate --noinput -v0
  .venv/bin/chiso collectstatic --noinput -v0
  .venv/bin/chiso load-demo --no-wards >"$var/load-demo.log" 2>&1 || { tail -20 "$var/load-demo.log" >&2; exit 1; }
fi
rm -f "$var/fuzz-access.log"
port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
.venv/bin/gunicorn -c python:chiso.gunicorn_conf chiso.wsgi:application --bind "127.0.0.1:$port" \
  --access-logfile "$var/fuzz-access.log" --access-logformat '%(s)s %(m)s %(U)s%(q)s' \
  >"$var/fuzz-server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.5
done
token="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')"
for user in dieuphoi yte; do
  # A session made on the server side: HTTP Basic would pay the password hasher on every request.
  session="$(CHISO_SESSION_USER="$user" .venv/bin/chiso shell --no-imports <scripts/lib/session.py | tail -1)"
  echo "» schemathesis: API với tài khoản $user (tối đa ${CHISO_FUZZ_SECONDS:-60} giây)"
  # Run from VAR_DIR: schemathesis keeps its cache (.schemathesis/) in the current folder.
  root="$PWD"
  (cd "$var" && "$root/.venv/bin/schemathesis" --no-color run "$root/docs/openapi.yaml" --url "http://127.0.0.1:$port" \
    --header "Cookie: sessionid=$session; csrftoken=$token" --header "X-CSRFToken: $token" \
    --checks not_a_server_error --phases examples,coverage,fuzzing \
    --max-examples "${CHISO_FUZZ_EXAMPLES:-8}" --max-time "${CHISO_FUZZ_SECONDS:-60}" \
    --seed "${CHISO_FUZZ_SEED:-20261203}" --workers 2 --continue-on-failure \
    --output-truncate true) >"$var/fuzz-$user.log" 2>&1 || true
  grep -E "^ +Tested:|generated," "$var/fuzz-$user.log" || true
done
requests="$(wc -l <"$var/fuzz-access.log")"
errors="$(grep -c '^5' "$var/fuzz-access.log" || true)"
echo "  $requests yêu cầu, $errors lỗi máy chủ (5xx)"
if [ "$errors" != 0 ]; then
  grep '^5' "$var/fuzz-access.log" | head -20 >&2
  grep -A30 "Internal Server Error" "$var/fuzz-server.log" | head -80 >&2
  echo "✗ schemathesis: API trả lỗi máy chủ (5xx); chi tiết: $var/fuzz-*.log" >&2
  exit 1
fi
[ "$requests" -ge 500 ] || { echo "✗ schemathesis: chỉ $requests yêu cầu (cần ≥ 500)" >&2; exit 1; }
