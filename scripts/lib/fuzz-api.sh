#!/usr/bin/env bash
# A bounded schemathesis run of the API (docs/openapi.yaml) against a demo installation, as the
# coordinator (dieuphoi) and as a department officer (yte), with every check: any 5xx answer of the
# server fails (read from the server's own access log, whatever schemathesis reports), and so does any
# answer that does not conform to the schema (an undocumented status code or content type, a body or a
# header that violates the schema, a resource that vanished…), and a run that sent too few requests to
# mean anything. Three checks are counted, not failed on, because the schema cannot say what they ask:
# positive_data_acceptance (a schema-valid request naming an id or an index code that does not exist,
# or breaking a rule between fields, is rightly refused with 400), negative_data_rejection (an object
# sent as a query parameter loses its name and reads as valid) and ignored_auth (wrong HTTP Basic
# credentials are locked out with 429 by design, chiso.accounts.lockout, where it expects 401/403).
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
    --checks all --phases examples,coverage,fuzzing \
    --max-examples "${CHISO_FUZZ_EXAMPLES:-8}" --max-time "${CHISO_FUZZ_SECONDS:-60}" \
    --seed "${CHISO_FUZZ_SEED:-20261203}" --workers 2 --continue-on-failure \
    --output-truncate true) >"$var/fuzz-$user.log" 2>&1 || true
  grep -E "^ +Tested:|generated," "$var/fuzz-$user.log" || true
  # Each failure is listed as "- STnnn Title": ST201 negative data accepted, ST202 positive data
  # rejected, ST401 invalid auth not refused with 401/403 (see above) are counted; any other fails.
  counted="$(grep -cE '^- ST(201|202|401) ' "$var/fuzz-$user.log" || true)"
  others="$(grep -E '^- ST[0-9]+ ' "$var/fuzz-$user.log" | grep -vE '^- ST(201|202|401) ' || true)"
  echo "  $user: $counted trường hợp chỉ đếm (ST201/ST202/ST401), $(printf '%s' "$others" | grep -c . || true) sai lược đồ"
  if [ -n "$others" ]; then
    printf '%s\n' "$others" | sort | uniq -c >&2
    nonconforming=1
  fi
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
if [ "${nonconforming:-0}" = 1 ]; then
  echo "✗ schemathesis: câu trả lời không khớp lược đồ OpenAPI; chi tiết: $var/fuzz-*.log" >&2
  exit 1
fi
