#!/usr/bin/env bash
# shaderdups.sh: count the duplicate-code pairs among the GLSL shader
# sources, the figure issue #20 tracks. `duplicates` reads only the
# languages it knows, so each shaders/*.comp and *.glsl is copied to a
# temporary folder with a .c name (GLSL is C-shaped) and the scan runs
# there.
#
#   tools/shaderdups.sh [MOST]
#
# MOST (default 200) is passed as --most: how many rows to list. Prints the
# scan's output: a line with the pair count, then a row a pair.
set -euo pipefail
cd "$(dirname "$0")/.."
most=${1:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in shaders/*.comp shaders/*.glsl; do
	b=$(basename "$f")
	if [ -e "$tmp/${b%.*}.c" ]; then
		echo "shaderdups: $f and another source share the name ${b%.*}" >&2
		exit 2
	fi
	cp "$f" "$tmp/${b%.*}.c"
done
cd "$tmp"
duplicates --most "$most" --seconds 120
