#!/usr/bin/env bash
# Create .venv and install the pinned dependencies (runtime, or runtime + test with "dev").
# Re-installs only when a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
kind="${1:-runtime}"
req=requirements.txt
[ "$kind" = dev ] && req=requirements-dev.txt
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "chiso cần Python ≥ 3.11 (đang có: $("$PY" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "» Tạo môi trường Python .venv"
  "$PY" -m venv .venv
fi
stamp=".venv/.chiso-$kind.sha256"
want="$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "» Cài các gói Python đã ghim phiên bản ($req)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import django, chiso.cli" || { echo "Cài đặt gói Python thất bại." >&2; exit 1; }
  echo "$want" > "$stamp"
fi
