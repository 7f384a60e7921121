#!/bin/sh
# Fetch the web app's third-party JavaScript from the npm registry at setup time.
# ECharts is never committed and never loaded from a CDN: `npm pack` downloads the pinned
# release into a cache folder, and only dist/echarts.min.js is copied next to the app's
# own static files (src/planwatch/web/static/vendor/, git-ignored). Pages show tables
# instead of charts when the file is missing, so running this is optional for tests.
set -eu

ECHARTS_VERSION="${ECHARTS_VERSION:-6.0.0}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${PLANWATCH_ASSET_CACHE:-$ROOT/.planwatch/asset-cache}"
VENDOR="$ROOT/src/planwatch/web/static/vendor"

mkdir -p "$CACHE" "$VENDOR"
tarball="$CACHE/echarts-$ECHARTS_VERSION.tgz"
if [ ! -s "$tarball" ]; then
    (cd "$CACHE" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null)
fi
tar -xzf "$tarball" -C "$CACHE" package/dist/echarts.min.js package/LICENSE
cp "$CACHE/package/dist/echarts.min.js" "$VENDOR/echarts.min.js"
cp "$CACHE/package/LICENSE" "$VENDOR/echarts.LICENSE.txt"
echo "echarts $ECHARTS_VERSION -> $VENDOR/echarts.min.js"
