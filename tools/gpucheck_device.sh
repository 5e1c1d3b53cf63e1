#!/usr/bin/env bash
# tools/gpucheck_device.sh: tools/gpucheck.sh on a borrowed GPU machine that
# has the GPU driver but maybe no Vulkan loader, with the binaries built
# here (tools/gpucheck.sh --build-only) carried over beside this checkout.
#
#   tools/gpucheck_device.sh --fetch [DIR]    here (Debian, network): download
#                                             the loader's .deb files into DIR
#                                             (default .gl, git-ignored)
#   tools/gpucheck_device.sh [--debs DIR] [--out DIR] [gpucheck.sh flags]
#                                             there: run the check
#
# There it (1) installs the loader from DIR's .deb files (dpkg -x into /,
# then ldconfig) only when `ldconfig -p` lists no libvulkan.so.1; (2) on an
# NVIDIA machine whose driver ICD file is not in the loader's search path,
# points VK_DRIVER_FILES at it (/usr/local/nvidia/share/vulkan/icd.d, where
# container runtimes put it; a set VK_DRIVER_FILES or VK_ICD_FILENAMES is
# kept); (3) runs tools/gpucheck.sh (its own time
# budget, 450 s unless --budget is given) into a work folder; (4) copies
# report.json and goals.json to --out (default $OUT, else gpucheck-out)
# with everything else as gpucheck.tgz: three files, as few as a
# file-count-limited return channel allows.
set -uo pipefail
cd "$(dirname "$0")/.."

PKGS=(libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 vulkan-validationlayers)
if [ "${1:-}" = --fetch ]; then
	dir=${2:-.gl}
	mkdir -p "$dir"
	lists=$(mktemp -d)
	trap 'rm -rf "$lists"' EXIT
	mkdir -p "$lists/partial"
	o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
	apt-get "${o[@]}" update >/dev/null && (cd "$dir" && apt-get "${o[@]}" download "${PKGS[@]}") || {
		echo "gpucheck_device: apt-get could not download ${PKGS[*]}" >&2
		exit 1
	}
	grep -qx "/$dir/" .git/info/exclude 2>/dev/null || echo "/$dir/" >>.git/info/exclude
	ls -la "$dir"
	exit 0
fi

debs=.gl out=${OUT:-gpucheck-out} args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--debs) debs=$2; shift ;;
	--out) out=$2; shift ;;
	-h|--help) sed -n '2,21p' "$0"; exit 0 ;;
	*) args+=("$1") ;;
	esac
	shift
done
say() { printf '[gpucheck_device %s] %s\n' "$(date +%T)" "$*" >&2; }

if ! ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null; then # no -q: an early exit could SIGPIPE ldconfig under pipefail
	if ! ls "$debs"/*.deb >/dev/null 2>&1; then
		say "no Vulkan loader here and no .deb files in $debs (tools/gpucheck_device.sh --fetch, then carry $debs)"
		exit 2
	fi
	say "no Vulkan loader: unpacking $debs/*.deb into /"
	for f in "$debs"/*.deb; do dpkg -x "$f" /; done
	ldconfig
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && command -v nvidia-smi >/dev/null; then
	found=""
	for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
		[ -n "$(ls "$d"/nvidia*.json 2>/dev/null)" ] && found=$d
	done
	if [ -z "$found" ]; then
		for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/lib/x86_64-linux-gnu/nvidia/nvidia_icd.json; do
			if [ -f "$icd" ]; then
				export VK_DRIVER_FILES=$icd
				say "no driver in the loader's search path: VK_DRIVER_FILES=$icd"
				break
			fi
		done
	fi
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2

work=$(mktemp -d /tmp/gpucheck.XXXXXX)
export PYTHONUNBUFFERED=1
# gpucheck.sh runs in the background and is waited for, so that a SIGTERM
# or Ctrl-C here is passed on to it (it then writes the report of the steps
# done) and the copy below still runs.
tools/gpucheck.sh --out "$work" "${args[@]}" &
pid=$!
trap 'say "stopped: passing the signal to gpucheck.sh"; kill -TERM $pid 2>/dev/null' TERM INT
rc=0
while :; do
	wait $pid
	rc=$?
	kill -0 $pid 2>/dev/null || break # a trapped signal interrupted wait; gpucheck.sh still runs
done
trap - TERM INT
mkdir -p "$out"
for f in report.json goals.json; do
	[ -f "$work/$f" ] && cp "$work/$f" "$out/"
done
tar czf "$out/gpucheck.tgz" -C "$work" .
say "gpucheck rc=$rc; $out: $(ls "$out" | tr '\n' ' ')"
exit $rc
