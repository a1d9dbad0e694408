#!/usr/bin/env bash
# Builds the Debian root file system every jtipc image starts FROM, without any registry: debootstrap
# (variant minbase) from the host's Debian mirror, packed as a tar for `docker import`.
#
#   build-base.sh SUITE OUT.tar
#
# Needs root and debootstrap (bin/setup installs it). The mirror is JTIPC_DEBIAN_MIRROR, else the first
# Debian archive of the host's apt sources, else http://deb.debian.org/debian. The root file system's
# /etc/apt/sources.list names the same mirror (SUITE and, when the host's sources have an -updates suite,
# SUITE-updates), so a Dockerfile's `apt-get install` uses it too; and SUITE-security from
# JTIPC_DEBIAN_SECURITY_MIRROR, else the host's debian-security archive, else none (as the lab's image build).
# Progress lines start with "BASE-PROGRESS"; a failure prints "BASE-ERROR <message>" and exits non-zero.
set -euo pipefail
export LC_ALL=C
suite=${1:?usage: build-base.sh SUITE OUT.tar}
out=${2:?usage: build-base.sh SUITE OUT.tar}
fail() { echo "BASE-ERROR $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "debootstrap needs root"
command -v debootstrap >/dev/null 2>&1 || fail "missing debootstrap (apt-get install debootstrap, or bin/setup)"

mirror=${JTIPC_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$( { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
                | awk '$1=="deb" { i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i }'
              cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1=="URIs:" {print $2}'; } \
            | grep -E '/debian/?$' | head -1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}
host_uris() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '$1=="deb" { i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i }'
  cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1=="URIs:" {print $2}'
}
security=${JTIPC_DEBIAN_SECURITY_MIRROR:-}
[ -n "$security" ] || security=$(host_uris | grep -E '/debian-security/?$' | head -1 || true)
security=${security%/}
updates=0
cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -qE '^[^#]*[[:space:]][a-z]+-updates([[:space:]]|$)' && updates=1

root=$(mktemp -d "${TMPDIR:-/tmp}/jtipc-base-XXXXXX")
trap 'rm -rf "$root"' EXIT
echo "BASE-PROGRESS debootstrap $suite from $mirror" >&2
debootstrap --variant=minbase --include=iproute2,ca-certificates "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -5 "$root.log" >&2; rm -f "$root.log"; fail "debootstrap $suite $mirror failed"; }
rm -f "$root.log"
{
  echo "deb $mirror $suite main"
  [ $updates = 0 ] || echo "deb $mirror $suite-updates main"
  [ -z "$security" ] || echo "deb $security $suite-security main"
} > "$root/etc/apt/sources.list"
# a smaller image: no package lists or downloaded .debs (a Dockerfile runs apt-get update first)
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
tmp="$out.tmp.$$"   # unique: two builds of one cache directory never share it
tar -C "$root" --numeric-owner -cf "$tmp" . || { rm -f "$tmp"; fail "tar failed"; }
mv "$tmp" "$out"
echo "BASE-PROGRESS $suite root file system: $(du -m "$out" | cut -f1) MB" >&2
