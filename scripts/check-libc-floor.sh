#!/usr/bin/env bash
# check-libc-floor.sh BINARY TRIPLE: whether a Linux build of the addon loads on the oldest libc the
# package supports. A glibc build may need no symbol version newer than GLIBC_2.17 (CentOS 7, Amazon
# Linux 2); a musl build may need no library but libc.so. Prints what it needs ("max GLIBC_2.14", "libc.so
# only") and exits 0, or says what is too new and exits 1. Run by scripts/check-linux-targets.sh and by the
# release workflow, so the two hold every binary to one rule. Needs binutils (objdump, readelf).
set -euo pipefail

GLIBC_FLOOR=2.17
binary="${1:?usage: check-libc-floor.sh BINARY TRIPLE}"
triple="${2:?usage: check-libc-floor.sh BINARY TRIPLE}"
[ -f "$binary" ] || { echo "check-libc-floor: no file $binary" >&2; exit 1; }

case "$triple" in
  *-linux-gnu)
    # Newest GLIBC_x version among the symbols it imports; at most the floor in version order.
    max="$(objdump -T "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -n 1)"
    [ -n "$max" ] || { echo "check-libc-floor: $binary imports no GLIBC symbol" >&2; exit 1; }
    lowest="$(printf '%s\n%s\n' "${max#GLIBC_}" "$GLIBC_FLOOR" | sort -V | head -n 1)"
    [ "$lowest" = "${max#GLIBC_}" ] || { echo "check-libc-floor: $triple needs $max, above GLIBC_$GLIBC_FLOOR" >&2; exit 1; }
    echo "max $max" ;;
  *-linux-musl)
    needed="$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
    [ "$needed" = "libc.so " ] || { echo "check-libc-floor: $triple needs: $needed" >&2; exit 1; }
    echo "libc.so only" ;;
  *)
    echo "check-libc-floor: $triple is not a Linux gnu or musl target" >&2
    exit 1 ;;
esac
