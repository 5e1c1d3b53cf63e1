#!/usr/bin/env bash
# build.sh: the one script that installs what is missing, builds the shaders
# and the binary, and runs the tests or the default training.
#
#   ./build.sh            same as ./build.sh test
#   ./build.sh deps       install missing packages (apt-get, as root) and Go
#   ./build.sh shaders    rebuild shaders/*.spv from shaders/*.comp (needs glslc)
#   ./build.sh build      build bin/simclr-vk, and bin/simclr-vk-mpi where MPI
#                         is installed (pkg-config ompi-c, or mpich)
#   ./build.sh test       deps + build + shader compile check + go vet + all tests
#                         (Vulkan tests on lavapipe with the validation layer on,
#                         MPI tests under mpirun); the mpi-tagged packages are
#                         vetted and tested with the tag too
#   ./build.sh train [flags]
#                         deps + build + `bin/simclr-vk train` on the default data
#                         (Fashion-MNIST from Debian's dataset-fashion-mnist),
#                         into runs/simclr-<date>-<time> unless --out is given
set -euo pipefail
cd "$(dirname "$0")"

GO_VERSION=1.26.8
APT_PACKAGES=(gcc libc6-dev git ca-certificates libvulkan1 libvulkan-dev mesa-vulkan-drivers
	vulkan-validationlayers libopenblas-dev libdnnl2 libturbojpeg0 dataset-fashion-mnist glslc
	pkg-config openmpi-bin libopenmpi-dev mpich libmpich-dev)
# Installed by `test` only: the Python cross-checks of the exports (npy,
# safetensors, a PyTorch/torchvision load of an exported encoder), which
# fail instead of skipping under CI=true.
TEST_APT_PACKAGES=(python3 python3-numpy python3-torch python3-torchvision)

log() { printf '==> %s\n' "$*" >&2; }

missing_packages() {
	local p
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
	done
}

install_packages() {
	command -v dpkg-query >/dev/null || { log "not a Debian system: install gcc, the Vulkan loader (libvulkan1), a Vulkan driver (Mesa lavapipe for CPU), the Khronos validation layers, OpenBLAS and glslc by hand"; return 0; }
	local miss
	miss=$(missing_packages)
	[ -z "$miss" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing Debian packages: $(echo $miss). Run as root, or: sudo apt-get install -y $(echo $miss)"
		return 0
	fi
	log "installing: $(echo $miss)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $miss >/dev/null
}

go_ok() {
	command -v go >/dev/null || return 1
	local v
	v=$(go env GOVERSION 2>/dev/null | sed 's/^go//') || return 1
	[ "$(printf '%s\n%s\n' "1.26" "$v" | sort -V | head -1)" = "1.26" ]
}

# install_go puts Go $GO_VERSION in /usr/local/go when no recent Go is found:
# Debian 12's golang-go (1.19) fetches the official toolchain module through
# the Go module proxy, which is then copied into place.
install_go() {
	export PATH=/usr/local/go/bin:$PATH
	go_ok && return 0
	[ "$(id -u)" = 0 ] || { log "Go >= 1.26 is required; run as root to have this script install it"; exit 1; }
	command -v go >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null; }
	log "installing Go $GO_VERSION from the module proxy"
	local tmp dir
	tmp=$(mktemp -d)
	local info
	info=$(cd "$tmp" && GOMODCACHE="$tmp/mod" GOFLAGS=-mod=mod go mod download -json "golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-amd64" 2>&1) || true
	dir=$(printf '%s\n' "$info" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
	[ -n "$dir" ] && [ -d "$dir" ] || { log "could not download the Go toolchain:"; printf '%s\n' "$info" >&2; exit 1; }
	rm -rf /usr/local/go && cp -r "$dir" /usr/local/go && chmod -R u+w,a+rX /usr/local/go
	chmod +x /usr/local/go/bin/* /usr/local/go/pkg/tool/*/*
	chmod -R u+w "$tmp" && rm -rf "$tmp"
	hash -r
	go_ok || { log "Go install failed"; exit 1; }
}

deps() {
	install_packages
	install_go
	export CGO_ENABLED=1
}

shaders() {
	command -v glslc >/dev/null || { log "glslc not found (apt-get install glslc)"; exit 1; }
	go generate ./shaders
}

# mpi_tags prints, one set a line, the build tags of each MPI that
# pkg-config finds: "mpi" for Open MPI (ompi-c), "mpi mpich" for MPICH.
# The first is bin/simclr-vk-mpi's.
mpi_tags() {
	if pkg-config --exists ompi-c 2>/dev/null; then echo mpi; fi
	if pkg-config --exists mpich 2>/dev/null; then echo "mpi mpich"; fi
}

# mpi_packages lists the packages that have files built only with the mpi tag.
mpi_packages() {
	grep -rlE --include='*.go' --exclude-dir=third_party '^//go:build .*\bmpi\b' . |
		xargs -r -n1 dirname | sort -u
}

build() {
	mkdir -p bin
	go build -o bin/simclr-vk ./cmd/simclr-vk
	log "built bin/simclr-vk"
	local tags
	tags=$(mpi_tags | sed -n 1p)
	if [ -z "$tags" ]; then
		log "no MPI found (pkg-config ompi-c or mpich): bin/simclr-vk-mpi not built"
		return 0
	fi
	go build -tags "$tags" -o bin/simclr-vk-mpi ./cmd/simclr-vk
	log "built bin/simclr-vk-mpi (-tags '$tags')"
}

test_all() {
	log "checking that every shader compiles with this glslc"
	go run ./tools/shadergen -check
	log "go vet"
	go vet ./...
	local tags pkgs t
	mapfile -t tags < <(mpi_tags)
	mapfile -t pkgs < <(mpi_packages)
	for t in "${tags[@]}"; do
		log "go vet -tags '$t' ${pkgs[*]}"
		go vet -tags "$t" "${pkgs[@]}"
	done
	[ ${#tags[@]} -gt 0 ] || log "no MPI found: the mpi-tagged packages are not vetted, the mpirun tests skip (fail under CI=true)"
	export SIMCLR_VK_VALIDATE=1 SIMCLR_VK_REQUIRE=1 LP_NUM_THREADS=${LP_NUM_THREADS:-2}
	for t in "${tags[@]}"; do
		# TestMPI runs in the untagged run below, under each MPI (it builds
		# its programs with the tags).
		log "go test -tags '$t' ${pkgs[*]}"
		go test -count=1 -tags "$t" -skip '^TestMPI$' "${pkgs[@]}"
	done
	log "go test (Vulkan on ${VK_DRIVER_FILES:-the drivers the loader finds: lavapipe without a GPU}, validation layer on)"
	go test -count=1 -timeout 60m ./...
}

cmd=${1:-test}
[ $# -gt 0 ] && shift
case "$cmd" in
deps) deps ;;
shaders) deps; shaders ;;
build) deps; build ;;
test) APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}"); deps; build; test_all ;;
train)
	deps
	build
	# A fresh output folder per run unless --out is given, so the command
	# can be repeated (train refuses to overwrite another run's checkpoints).
	case " $* " in
	*" --out "* | *" --out="* | *" --resume "* | *" --resume="*) exec bin/simclr-vk train "$@" ;;
	*) exec bin/simclr-vk train --out "runs/simclr-$(date +%Y%m%d-%H%M%S)" "$@" ;;
	esac
	;;
*) sed -n '2,15p' "$0"; exit 2 ;;
esac
