#!/usr/bin/env bash
# tools/coopmat-chroot.sh: a Debian 13 chroot for the cooperative-matrix
# work, which Debian 12 (CI) cannot do: its glslc lacks
# GL_KHR_cooperative_matrix and its lavapipe (Mesa 22.3) lacks
# VK_KHR_cooperative_matrix. Debian 13's glslc compiles the _cm_ shader
# variants; Mesa 26.1 from trixie-backports gives lavapipe 8x8x8 float16
# cooperative matrices, so the coopmat tests run (with validation) instead
# of skipping.
#
#   tools/coopmat-chroot.sh setup        debootstrap trixie into $COOPMAT_CHROOT (default /tmp/deb13; root, network)
#   tools/coopmat-chroot.sh run CMD...   run CMD in the chroot, in this checkout, with this machine's Go
#
# Typical use, after editing a shader with cooperative-matrix variants:
#
#   go run ./tools/shadergen -dir shaders                      # Debian 12's glslc: everything else
#   tools/coopmat-chroot.sh run go run ./tools/shadergen -dir shaders   # Debian 13's: the _cm_ variants
#   tools/coopmat-chroot.sh run go test ./engine/vulkan ./layers/vulkancheck -run CoopMat
#
# The chroot shares this checkout, the Go toolchain and module cache by
# bind mounts, and keeps its own Go build cache (its C library differs).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
verb=${1:-}
shift || true
dir=${COOPMAT_CHROOT:-/tmp/deb13}

mounts() {
	local goroot modcache
	goroot=$(go env GOROOT)
	modcache=$(go env GOMODCACHE)
	mkdir -p "$dir/usr/local/go" "$dir$repo" "$dir/root/go/pkg/mod" "$dir/root/.cache"
	mountpoint -q "$dir/proc" || mount -t proc proc "$dir/proc"
	mountpoint -q "$dir/dev" || mount --bind /dev "$dir/dev"
	mountpoint -q "$dir/sys" || mount --bind /sys "$dir/sys"
	mountpoint -q "$dir/usr/local/go" || mount --bind "$goroot" "$dir/usr/local/go"
	mountpoint -q "$dir$repo" || mount --bind "$repo" "$dir$repo"
	mountpoint -q "$dir/root/go/pkg/mod" || mount --bind "$modcache" "$dir/root/go/pkg/mod"
	if [ -d /usr/share/datasets ]; then
		mkdir -p "$dir/usr/share/datasets"
		mountpoint -q "$dir/usr/share/datasets" || mount --bind /usr/share/datasets "$dir/usr/share/datasets"
	fi
}

case $verb in
setup)
	[ "$(id -u)" = 0 ] || { echo "coopmat-chroot: setup needs root (debootstrap, mount)" >&2; exit 1; }
	command -v debootstrap >/dev/null || apt-get install -y debootstrap
	if [ ! -x "$dir/usr/bin/apt-get" ]; then
		debootstrap --variant=minbase \
			--include=ca-certificates,gcc,libc6-dev,libvulkan1,libvulkan-dev,vulkan-validationlayers,glslc,vulkan-tools,libopenblas0 \
			trixie "$dir" http://deb.debian.org/debian
	fi
	echo "deb http://deb.debian.org/debian trixie-backports main" >"$dir/etc/apt/sources.list.d/backports.list"
	mounts
	chroot "$dir" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie-backports mesa-vulkan-drivers'
	chroot "$dir" sh -c 'vulkaninfo 2>/dev/null | grep -E "deviceName|VK_KHR_cooperative_matrix " | head -3; glslc --version | head -1'
	;;
run)
	[ $# -gt 0 ] || { echo "usage: $0 run CMD..." >&2; exit 2; }
	mounts
	exec chroot "$dir" env PATH=/usr/local/go/bin:/usr/bin:/bin HOME=/root GOCACHE=/root/.cache/go-build-deb13 \
		GOFLAGS=-buildvcs=false GOTOOLCHAIN=local sh -c 'cd "$0" && exec "$@"' "$repo" "$@"
	;;
*)
	sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
