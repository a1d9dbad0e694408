#!/usr/bin/env bash
# Builds one boot image of the jtipc kernel TIPC lab: a Debian cloud kernel (vmlinuz) and an
# initramfs holding busybox, iproute2's tipc and tc, the modules in modules.list (with their
# dependencies, in load order), the tipc-agent and the guest /init.
#
#   build-lab-image.sh SUITE CACHE_DIR
#
# SUITE is a Debian suite (bullseye, bookworm, trixie). Everything lands under CACHE_DIR:
#   apt/SUITE/        private sources list, package lists and downloaded .debs (the host's apt
#                     configuration is never touched)
#   kernels/PKG_VER/  the unpacked kernel package
#   images/SUITE/PKG_VER-RECIPE/  vmlinuz, initrd.gz, image.properties   (the result)
# RECIPE is a hash of the files of this directory the image is built from, so changing the agent or
# the init script rebuilds the initramfs but not the download.
#
# The last line printed on success is "IMAGE <dir>". Every failure prints one line
# "LAB-ERROR <stage> <message>" (stage: mirror, download, unpack, agent, modules, initramfs) on
# stderr and exits non-zero. Progress lines start with "LAB-PROGRESS".
#
# The package lists are refreshed when older than JTIPC_LAB_REFRESH_HOURS (default 24); if the
# refresh fails but older lists or a built image exist, they are used (offline runs keep working).
# The Debian mirror is the one the host's apt uses (its sources), or JTIPC_LAB_MIRROR /
# JTIPC_LAB_SECURITY_MIRROR when set.
set -euo pipefail
export LC_ALL=C
suite=${1:?usage: build-lab-image.sh SUITE CACHE_DIR}
cache=${2:?usage: build-lab-image.sh SUITE CACHE_DIR}
here="$(cd "$(dirname "$0")" && pwd)"

fail() { echo "LAB-ERROR $1 ${*:2}" >&2; exit 1; }
progress() { echo "LAB-PROGRESS $*" >&2; }
for tool in apt-get apt-cache dpkg depmod modprobe cpio gzip gcc sha256sum flock busybox; do
  command -v "$tool" >/dev/null 2>&1 || fail tools "missing host tool '$tool' (run bin/setup)"
done
[ -x /usr/sbin/tipc ] && [ -x /usr/sbin/tc ] || fail tools "missing /usr/sbin/tipc or /usr/sbin/tc (package iproute2)"
[ -f /usr/include/linux/tipc.h ] || fail tools "missing <linux/tipc.h> (package linux-libc-dev)"

mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
exec 9>"$cache/.lock-$suite"
flock 9

recipe=$( (cd "$here" && cat build-lab-image.sh init tipc-agent.c modules.list; \
           sha256sum /usr/sbin/tipc /usr/sbin/tc "$(command -v busybox)") | sha256sum | cut -c1-12)

# ---- mirror: the host's Debian archive and security hosts --------------------------------------
sources_uris() {  # prints "URI SUITES..." for every Debian source of the host
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1=="deb" { i=2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } print $i, $(i+1) }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN{RS=""} { u=""; s=""; n=split($0, L, "\n");
           for (k=1;k<=n;k++) { if (L[k] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", L[k]); u=L[k] }
                               if (L[k] ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", L[k]); s=L[k] } }
           if (u != "") print u, s }' "$f"
  done
}
mirror=${JTIPC_LAB_MIRROR:-}
security=${JTIPC_LAB_SECURITY_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(sources_uris | awk '$0 ~ /(bookworm|bullseye|trixie|stable|sid)( |$)/ && $0 !~ /-security/ && $1 ~ /debian\/?$/ {print $1; exit}')
fi
if [ -z "$security" ]; then
  security=$(sources_uris | awk '$0 ~ /-security/ {print $1; exit}')
fi
[ -n "$mirror" ] || fail mirror "no Debian archive found in /etc/apt/sources.list*; set JTIPC_LAB_MIRROR"
mirror=${mirror%/}; security=${security%/}

apt_dir="$cache/apt/$suite"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
  echo "deb [signed-by=$keyring] $mirror $suite main"
  if [ -n "$security" ]; then
    echo "deb [signed-by=$keyring] $security $suite-security main"
  fi
} > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o Dir::State::status=/dev/null -o APT::Architecture=amd64 -o Acquire::Languages=none
          -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0)

newest_image() { ls -1dt "$cache/images/$suite"/*-"$recipe" 2>/dev/null | head -1; }

refresh_h=${JTIPC_LAB_REFRESH_HOURS:-24}
stamp="$apt_dir/lists/.updated"
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +$((refresh_h * 60)) -print)" ]; then
  progress "$suite: refreshing package lists from $mirror"
  if apt-get -qq "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 \
     && ! grep -qE "^E:|Failed to fetch .*/dists/$suite/" "$apt_dir/update.log"; then
    # the main suite is what matters; a security suite that failed only means older kernels
    grep -q 'Failed to fetch' "$apt_dir/update.log" && progress "$suite: $(grep -m1 'Failed to fetch' "$apt_dir/update.log")"
    touch "$stamp"
  elif [ -f "$stamp" ]; then
    progress "$suite: list refresh failed, using lists of $(date -r "$stamp" -u +%FT%TZ)"
  elif img=$(newest_image) && [ -n "$img" ]; then
    progress "$suite: list refresh failed, using built image $img"
    echo "IMAGE $img"; exit 0
  else
    fail download "apt-get update for $suite failed: $(grep -m3 '^[WE]:' "$apt_dir/update.log" | tr '\n' ' ')(log: $apt_dir/update.log)"
  fi
fi

# ---- which kernel: the cloud metapackage's dependency ------------------------------------------
meta=linux-image-cloud-amd64
pkg=$(apt-cache "${apt_opts[@]}" depends "$meta" 2>/dev/null | awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}') || true
[ -n "$pkg" ] || fail download "$suite: cannot resolve $meta (apt-cache depends gave no linux-image dependency)"
ver=$(apt-cache "${apt_opts[@]}" policy "$pkg" 2>/dev/null | awk '$1=="Candidate:" {print $2}') || true
[ -n "$ver" ] && [ "$ver" != "(none)" ] || fail download "$suite: no candidate version for $pkg"
key="${pkg}_${ver//[:~]/_}"
out="$cache/images/$suite/$key-$recipe"
if [ -f "$out/image.properties" ]; then echo "IMAGE $out"; exit 0; fi

# ---- download and unpack -----------------------------------------------------------------------
kroot="$cache/kernels/$key"
if [ ! -f "$kroot/.complete" ]; then
  progress "$suite: downloading $pkg $ver"
  (cd "$apt_dir/debs" && rm -f ./*.deb && apt-get -qq "${apt_opts[@]}" download "$pkg=$ver" >"$apt_dir/download.log" 2>&1) \
    || fail download "$suite: apt-get download $pkg=$ver failed: $(tail -3 "$apt_dir/download.log" | tr '\n' ' ')"
  deb=$(ls "$apt_dir"/debs/*.deb | head -1)
  progress "$suite: unpacking $(basename "$deb") ($(du -m "$deb" | cut -f1) MB)"
  rm -rf "$kroot"; mkdir -p "$kroot"
  dpkg -x "$deb" "$kroot" || fail unpack "dpkg -x $deb failed"
  # trixie ships modules under usr/lib/modules: depmod and modprobe -d look under lib/modules
  if [ -d "$kroot/usr/lib/modules" ] && [ ! -d "$kroot/lib/modules" ]; then
    mkdir -p "$kroot/lib"; mv "$kroot/usr/lib/modules" "$kroot/lib/modules"
  fi
  find "$kroot/lib/modules" -name '*.ko.xz' -exec xz -d {} + || fail unpack "decompressing .ko.xz failed"
  find "$kroot/lib/modules" -name '*.ko.zst' -exec zstd -q -d --rm {} + || fail unpack "decompressing .ko.zst failed"
  rm -f "$deb"
  touch "$kroot/.complete"
fi
kver=$(ls "$kroot/lib/modules" | head -1)
[ -n "$kver" ] && [ -f "$kroot/boot/vmlinuz-$kver" ] || fail unpack "$key: no boot/vmlinuz-KVER or lib/modules/KVER in the package"
depmod -b "$kroot" "$kver" 2>"$apt_dir/depmod.log" || fail modules "depmod -b $kroot $kver failed: $(head -3 "$apt_dir/depmod.log")"

# ---- initramfs ---------------------------------------------------------------------------------
progress "$suite: building initramfs for $kver"
stage=$(mktemp -d "$cache/.stage-XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,etc/jtipc,proc,sys,dev,tmp,run,root,usr/sbin,usr/lib/tc,lib/modules}

# modules in load order
order="$stage/etc/jtipc/modules.order"; : > "$order"
while read -r m; do
  m=${m%%#*}; m=$(echo $m); [ -n "$m" ] || continue
  if ! deps=$(modprobe -d "$kroot" -S "$kver" --show-depends "$m" 2>&1); then
    echo "# $m: not available ($deps)" >> "$stage/etc/jtipc/modules.notes"; continue
  fi
  while read -r kind path _; do
    case $kind in
      insmod) rel=${path#"$kroot"/}
              grep -qxF "$rel" "$order" || { echo "$rel" >> "$order"; mkdir -p "$stage/$(dirname "$rel")"; cp "$path" "$stage/$rel"; } ;;
      builtin) echo "# $path: built in" >> "$stage/etc/jtipc/modules.notes" ;;
    esac
  done <<<"$deps"
done < "$here/modules.list"
grep -q '/tipc\.ko$' "$order" || grep -q 'tipc' "$stage/etc/jtipc/modules.notes" 2>/dev/null \
  || fail modules "$kver: module tipc not found"

# busybox, iproute2 tools and their shared libraries
cp "$(command -v busybox)" "$stage/bin/busybox"
cp /usr/sbin/tipc /usr/sbin/tc "$stage/usr/sbin/"
for lib in $(ldd /usr/sbin/tipc /usr/sbin/tc | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | sort -u); do
  mkdir -p "$stage/$(dirname "$lib")"; cp -L "$lib" "$stage/$lib"
done
for d in /usr/lib/x86_64-linux-gnu/tc /usr/lib/tc; do
  [ -d "$d" ] && cp "$d"/*.dist "$stage/usr/lib/tc/" 2>/dev/null || true
done

# the agent
gcc -static -O2 -Wall -o "$stage/bin/tipc-agent" "$here/tipc-agent.c" 2>"$stage/agent.log" \
  || fail agent "gcc -static tipc-agent.c failed: $(head -5 "$stage/agent.log" | tr '\n' ' ')"
rm -f "$stage/agent.log"

cp "$here/init" "$stage/init"; chmod 755 "$stage/init"
echo "$kver" > "$stage/etc/jtipc/kernel-release"

mkdir -p "$out.tmp"
(cd "$stage" && find . -mindepth 1 | sort | cpio -o -H newc -R 0:0 --quiet | gzip -6 > "$out.tmp/initrd.gz") \
  || fail initramfs "cpio/gzip failed"
cp "$kroot/boot/vmlinuz-$kver" "$out.tmp/vmlinuz"
cat > "$out.tmp/image.properties" <<EOF
suite=$suite
package=$pkg
version=$ver
kernelRelease=$kver
recipe=$recipe
mirror=$mirror
modules=$(tr '\n' ' ' < "$order")
EOF
rm -rf "$out"; mv "$out.tmp" "$out"
progress "$suite: image ready: $pkg $ver ($kver), initramfs $(du -k "$out/initrd.gz" | cut -f1) KiB"
echo "IMAGE $out"
