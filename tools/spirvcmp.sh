#!/usr/bin/env bash
# spirvcmp.sh: compile every shader variant from the shaders/ of a git
# revision and from the working tree with the same glslc and the same
# options (those tools/shadergen would use: `shadergen -list`, the options
# shaders/manifest.json records), strip debug information
# (spirv-opt --strip-debug: names and line info, which change with any edit
# of a comment) and compare the bytes. It shows that a refactor of the GLSL
# sources (an include, a macro) leaves the kernels alone.
#
#   tools/spirvcmp.sh [-diff] [REV [REGEXP]]
#
# REV defaults to main; REGEXP (grep -E) limits the comparison to the .spv
# names it matches.
#
# Prints one line per .spv that is not identical (changed, added, removed,
# failed to compile, skipped) and a summary; with -diff, the spirv-dis
# difference of each changed one. Exit status 0 when every variant built on
# both sides is identical (skipped ones aside), 1 otherwise.
#
# Variants whose variant line says needs=<GLSL extension> (the _cm_
# cooperative-matrix ones: GL_KHR_cooperative_matrix) are skipped, and
# listed, when this glslc lacks the extension (Debian 12's glslc does; run
# the script inside tools/coopmat-chroot.sh's Debian 13 chroot to compile
# them). For those it compares the preprocessed text instead (glslc -E,
# which needs no extension, without #line directives and white space): the
# same text compiles to the same SPIR-V, declared "preprocessed identical";
# a difference ("preprocessed text differs") wants the newer glslc.
# Needs glslc, spirv-opt and spirv-dis (Debian: glslc, spirv-tools) and Go.
set -euo pipefail
cd "$(dirname "$0")/.."

diff=0
if [ "${1:-}" = "-diff" ]; then
	diff=1
	shift
fi
rev=${1:-main}
only=${2:-.}
glslc=${GLSLC:-glslc}
for tool in "$glslc" spirv-opt spirv-dis git go; do
	command -v "$tool" >/dev/null || { echo "spirvcmp: $tool not found" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old" "$tmp/new" "$tmp/old.spv" "$tmp/new.spv"
git archive "$rev" shaders | tar -x -C "$tmp/old" --strip-components=1
cp shaders/*.comp "$tmp/new/"
cp shaders/*.glsl "$tmp/new/" 2>/dev/null || true
go build -o "$tmp/shadergen" ./tools/shadergen

# has EXT: whether glslc compiles a shader that requires EXT (cached).
declare -A has=()
probe() {
	local ext=$1
	if [ -z "${has[$ext]:-}" ]; then
		printf '#version 450\n#extension %s : require\nlayout(local_size_x = 1) in;\nvoid main() {}\n' "$ext" >"$tmp/probe.comp"
		if "$glslc" --target-env=vulkan1.1 -fshader-stage=compute -o "$tmp/probe.spv" "$tmp/probe.comp" 2>/dev/null; then
			has[$ext]=1
		else
			has[$ext]=0
		fi
	fi
	[ "${has[$ext]}" = 1 ]
}

# build SIDE: compile SIDE's jobs into SIDE.spv/<name>.spv, stripped;
# skipped ones are listed in SIDE.skipped, failed ones in SIDE.failed.
build() {
	local side=$1 spv src needs ext ok
	: >"$tmp/$side.skipped"
	: >"$tmp/$side.failed"
	"$tmp/shadergen" -dir "$tmp/$side" -list | awk -F'\t' -v re="$only" '$1 ~ re' >"$tmp/$side.jobs"
	while IFS=$'\t' read -r -a f; do
		spv=${f[0]} src=${f[1]} needs=${f[2]}
		ok=1
		if [ "$needs" != - ]; then
			for ext in ${needs//,/ }; do
				probe "$ext" || ok=0
			done
		fi
		if [ $ok = 0 ]; then
			echo "$spv" >>"$tmp/$side.skipped"
			"$glslc" -E "${f[@]:3}" "$tmp/$side/$src" 2>/dev/null | grep -v '^#line' | tr -d ' \t\n' >"$tmp/$side.spv/$spv.E" || true
			continue
		fi
		if ! "$glslc" "${f[@]:3}" -o "$tmp/$side.spv/raw.spv" "$tmp/$side/$src" 2>"$tmp/$side.err" ||
			! spirv-opt --strip-debug "$tmp/$side.spv/raw.spv" -o "$tmp/$side.spv/$spv"; then
			echo "$spv" >>"$tmp/$side.failed"
			sed 's/^/    /' "$tmp/$side.err" >&2
		fi
	done <"$tmp/$side.jobs"
}
build old
build new

same=0 changed=0 other=0 ppsame=0
while read -r spv; do
	o=$tmp/old.spv/$spv n=$tmp/new.spv/$spv
	if grep -qx "$spv" "$tmp/new.skipped" "$tmp/old.skipped"; then
		if [ -s "$o.E" ] && cmp -s "$o.E" "$n.E"; then
			echo "skipped (glslc lacks the extension it needs), preprocessed identical: $spv"
			ppsame=$((ppsame + 1))
		else
			echo "skipped (glslc lacks the extension it needs), preprocessed text differs: $spv"
		fi
		other=$((other + 1))
	elif grep -qx "$spv" "$tmp/old.failed" "$tmp/new.failed"; then
		echo "failed to compile: $spv"
		other=$((other + 1))
	elif [ ! -f "$o" ]; then
		echo "added: $spv"
		other=$((other + 1))
	elif [ ! -f "$n" ]; then
		echo "removed: $spv"
		other=$((other + 1))
	elif cmp -s "$o" "$n"; then
		same=$((same + 1))
	else
		echo "changed: $spv ($(stat -c %s "$o") -> $(stat -c %s "$n") bytes)"
		changed=$((changed + 1))
		if [ $diff = 1 ]; then
			diff <(spirv-dis --raw-id "$o") <(spirv-dis --raw-id "$n") | sed 's/^/    /' || true
		fi
	fi
done < <(cut -f1 "$tmp/old.jobs" "$tmp/new.jobs" | sort -u)

nskip=$(sort -u "$tmp/old.skipped" "$tmp/new.skipped" | wc -l)
nfail=$(sort -u "$tmp/old.failed" "$tmp/new.failed" | wc -l)
echo "spirvcmp $rev vs working tree ($("$glslc" --version | head -1)): $same identical, $changed changed, $nskip skipped ($ppsame of them preprocessed identical), $nfail failed, $((other - nskip - nfail)) added or removed"
[ "$changed" = 0 ] && [ "$nfail" = 0 ] && [ "$other" = "$nskip" ]
