#!/bin/sh
# Fetch third-party JavaScript from the npm registry at setup time; never committed, never
# loaded from a CDN. `npm pack` downloads each pinned release into a cache folder and only the
# file needed is copied out:
#  * ECharts' dist/echarts.min.js next to the app's own static files
#    (src/planwatch/web/static/vendor/, git-ignored). Pages show tables instead of charts when
#    the file is missing.
#  * axe-core's axe.min.js for the accessibility tests (tests/web/vendor/, git-ignored). The
#    app never serves it: the browser tests inject it themselves. The tests skip without it on a
#    developer's machine and fail in CI (CI=true).
set -eu

ECHARTS_VERSION="${ECHARTS_VERSION:-6.0.0}"
AXE_VERSION="${AXE_VERSION:-4.14.1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${PLANWATCH_ASSET_CACHE:-$ROOT/.planwatch/asset-cache}"
VENDOR="$ROOT/src/planwatch/web/static/vendor"
TEST_VENDOR="$ROOT/tests/web/vendor"

# fetch NAME VERSION FILE FOLDER: package/FILE and the licence of NAME@VERSION copied to FOLDER.
fetch() {
    tarball="$CACHE/$1-$2.tgz"
    if [ ! -s "$tarball" ]; then
        (cd "$CACHE" && npm pack --silent "$1@$2" >/dev/null)
    fi
    rm -rf "$CACHE/package"
    tar -xzf "$tarball" -C "$CACHE" "package/$3" package/LICENSE
    cp "$CACHE/package/$3" "$4/"
    cp "$CACHE/package/LICENSE" "$4/$1.LICENSE.txt"
    echo "$1 $2 -> $4/$(basename "$3")"
}

mkdir -p "$CACHE" "$VENDOR" "$TEST_VENDOR"
fetch echarts "$ECHARTS_VERSION" dist/echarts.min.js "$VENDOR"
fetch axe-core "$AXE_VERSION" axe.min.js "$TEST_VENDOR"
