#!/usr/bin/env bash
# The packed-install check: install the tarballs `npm run pack:local` wrote into .pack/ into an empty
# project with no Rust toolchain on PATH, then use the package the ways consumers do: require (CommonJS),
# import (ES module, named exports), 4 worker threads at once, a Jest run with several workers, and a
# TypeScript file using every export under `tsc --strict`. Also checks what the tarballs hold.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fixtures="$root/scripts/packed-install"
pack="$root/.pack"

main=$(ls "$pack"/mcp-oauth-credentials-[0-9]*.tgz)
platform=$(ls "$pack"/mcp-oauth-credentials-*.tgz | grep -v -F "$main")
echo "== tarballs: $(basename "$main"), $(basename "$platform")"

echo "== contents: no sources, build output, tests or Rust files"
for tgz in "$main" "$platform"; do
  bad=$(tar -tzf "$tgz" | grep -E '(^package/(src|target|core|__test__|examples|scripts|npm|\.github)/)|\.rs$|Cargo\.(toml|lock)$|\.node$' || true)
  if [ "$tgz" = "$platform" ]; then bad=$(echo "$bad" | grep -v -E '^package/[^/]+\.node$' || true); fi
  if [ -n "$bad" ]; then echo "unexpected files in $(basename "$tgz"):"; echo "$bad"; exit 1; fi
done
tar -tzf "$platform" | grep -q -E '^package/[^/]+\.node$' || { echo "the platform tarball holds no .node"; exit 1; }
tar -tzf "$main" | sed 's/^package\///' | sort | tr '\n' ' '; echo
if command -v objdump >/dev/null 2>&1 && tar -tzf "$platform" | grep -q -- '-gnu\.node$'; then
  binary_dir=$(mktemp -d)
  tar -xzf "$platform" -C "$binary_dir" --wildcards 'package/*.node'
  glibc=$(objdump -T "$binary_dir"/package/*.node | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1 || true)
  rm -rf "$binary_dir"
  echo "== the glibc binary needs symbol versions up to: ${glibc:-unknown}"
fi

echo "== the main package ships no install-time or clone-only scripts"
manifest=$(mktemp --suffix=.json)
tar -xzOf "$main" package/package.json > "$manifest"
node "$root/scripts/publish-manifest.mjs" --check "$manifest" || { rm -f "$manifest"; exit 1; }
rm -f "$manifest"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# PATH without any Rust toolchain: nothing may compile at install time.
no_rust_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -E '(\.cargo|rustup|/rust)' | paste -sd: -)
if PATH="$no_rust_path" command -v cargo >/dev/null 2>&1; then echo "cargo still on PATH"; exit 1; fi

cat > package.json <<'JSON'
{ "name": "packed-install-check", "version": "1.0.0", "private": true }
JSON
# npm install with its warnings shown, failing on any: a consumer's install of this package must be silent.
install_without_warnings() {
  local out status=0
  out=$(PATH="$no_rust_path" npm install --no-audit --no-fund "$@" 2>&1) || status=$?
  printf '%s\n' "$out"
  if [ "$status" != 0 ]; then echo "npm install failed ($status)"; exit 1; fi
  # A here-string, not a pipe: `grep -q` stops at its first match, and under pipefail the writer's SIGPIPE
  # would read as "no match".
  if grep -q -i -E '^npm warn' <<<"$out"; then echo "npm install warned (see above)"; exit 1; fi
}
echo "== npm install of both tarballs (no Rust on PATH), no warning allowed"
install_without_warnings "$main" "$platform"
cp "$fixtures"/*.* .

echo "== CommonJS";     PATH="$no_rust_path" node cjs.cjs
echo "== ES module";    PATH="$no_rust_path" node esm.mjs
echo "== 4 workers";    PATH="$no_rust_path" node workers.cjs

echo "== Jest (3 files, 3 workers) and tsc --strict"
jest_version=$(node -p "require('$root/node_modules/jest/package.json').version")
ts_version=$(node -p "require('$root/node_modules/typescript/package.json').version")
types_node=$(node -p "require('$root/node_modules/@types/node/package.json').version")
PATH="$no_rust_path" npm install --no-audit --no-fund --loglevel=error --save-dev \
  "jest@$jest_version" "typescript@$ts_version" "@types/node@$types_node"
PATH="$no_rust_path" npx jest --maxWorkers=3 --testMatch '**/consumer-*.test.js'
PATH="$no_rust_path" npx tsc --strict --noEmit --skipLibCheck false --module nodenext --moduleResolution nodenext \
  --target es2022 --types node usage.ts
echo "== every export (usage.ts) and the executor's code (executor/) under its toolchains, strict on and off"
# TypeScript 5.4 and the latest 5.x, @types/node 18 (the executor's monorepo) and 20. With skipLibCheck off
# the package's declarations are checked too; errors inside @types/node itself (Node 18's Buffer against
# TypeScript >= 5.7's generic Uint8Array) are the toolchain's, not the package's, and are not counted.
for combo in "5.4.5 18.18.9" "5.4.5 $types_node" "$ts_version 18.18.9" "$ts_version $types_node"; do
  set -- $combo
  dir="$work/types-ts$1-node$2"
  mkdir -p "$dir/node_modules"
  (cd "$dir" && echo '{ "private": true }' > package.json &&
    PATH="$no_rust_path" npm install --no-audit --no-fund --loglevel=error --no-save "typescript@$1" "@types/node@$2" >/dev/null)
  ln -s "$work/node_modules/mcp-oauth-credentials" "$dir/node_modules/mcp-oauth-credentials"
  cp "$fixtures"/usage.ts "$fixtures"/executor/*.ts "$dir/"
  for strict in true false; do
    out=$(cd "$dir" && PATH="$no_rust_path" npx tsc --noEmit --strict "$strict" --skipLibCheck false --target es2022 \
      --module commonjs --moduleResolution node --types node route.ts usage.ts 2>&1 || true)
    ours=$(printf '%s\n' "$out" | grep -E 'error TS[0-9]+' | grep -v -E '^node_modules/@types/' || true)
    if [ -n "$ours" ]; then echo "TypeScript $1, @types/node $2, strict $strict:"; echo "$ours"; exit 1; fi
    echo "TypeScript $1, @types/node $2, strict $strict: compiles"
  done
done
echo "packed install: ok"
