#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run lint, types and tests.
# Used by the README's test command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "missing system packages (install as root): ${missing[*]}" >&2
    fi
  fi
}
# PostgreSQL for the database tests, LibreOffice + poppler + CJK fonts to render the Word reports,
# Debian's Chromium for the browser tests (Playwright drives it; no browser download); both also print
# the PDF development set. Tesseract is the OCR engine used where RapidOCR is not installed.
apt_install postgresql libreoffice-writer-nogui poppler-utils fonts-noto-cjk chromium tesseract-ocr tesseract-ocr-chi-sim

python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]'
# ECharts for the browser chart tests and axe-core for the accessibility tests, from the npm registry.
sh scripts/fetch_web_assets.sh || echo "ECharts/axe-core not fetched: chart tests skip; the accessibility tests skip here and fail in CI" >&2

# A real PostgreSQL server on loopback for the database tests (initdb refuses to run as root).
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "${PLANWATCH_TEST_POSTGRES_URL:-}" ] && [ -n "$pg_bin" ] && id postgres >/dev/null 2>&1; then
  pgdir=$(mktemp -d)
  chown postgres "$pgdir"
  port=55432
  su postgres -c "$pg_bin/initdb -D $pgdir/data -U app --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -c "$pg_bin/pg_ctl -D $pgdir/data -l $pgdir/log -o '-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c max_connections=300' -w start" >/dev/null
  trap 'su postgres -c "$pg_bin/pg_ctl -D $pgdir/data -m fast stop" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  export PLANWATCH_TEST_POSTGRES_URL="postgresql+psycopg://app@127.0.0.1:$port/postgres"
fi

.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/lint-imports
set +e
# One worker per core (pytest-xdist); the 25 slowest tests are printed to keep the loop fast.
# Later options win: `bash scripts/test.sh -n 0 tests/web -x` runs in one process.
.venv/bin/pytest -n auto --durations=25 "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit "$status"
