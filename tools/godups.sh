#!/usr/bin/env bash
# godups.sh: count the duplicate-code pairs in the Go code, the figure
# issue #20 tracks, twice:
#
#   raw      `duplicates` over the tree as it is;
#   imports  the same scan with every grouped Go import block written as
#            one `import "path"` line per package, in a temporary copy.
#
# `duplicates` documents that import lines are passed over, but it does
# not recognise the lines inside Go's `import ( ... )` blocks: there a list
# of standard-library paths ("errors", "fmt", "io", "os", ...) counts as
# six shared lines, and two test files that open with the same imports
# followed by `func TestX(t *testing.T) {` make a pair. The second figure
# applies the tool's own rule to Go's grouped form; nothing else changes.
#
#   tools/godups.sh [MOST]
#
# MOST (default 200) is passed as --most. Prints the raw count line, then
# the second scan's output: its count line and a row a pair.
set -euo pipefail
cd "$(dirname "$0")/.."
most=${1:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=$(duplicates --most 1 --seconds 120)
echo "raw: $(head -1 <<<"$raw")"
grep -E '^(incomplete|left out):' <<<"$raw" || true
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue # deleted, or a link
		mkdir -p "$tmp/$(dirname "$f")"
		case $f in *.go) ;; *) cp "$f" "$tmp/$f"; continue ;; esac
		# Inside `import (` ... `)`: prefix each path line with `import `
		# (blank and comment lines stay); `import (` and `)` become blank
		# lines, so every line keeps its number; outside, copy the line.
		perl -pe '
			if (/^import \($/) { $in = 1; $_ = "\n"; next }
			if ($in && /^\)$/) { $in = 0; $_ = "\n"; next }
			s/^\s*/import / if $in && !/^\s*(\/\/.*)?$/;' "$f" >"$tmp/$f"
	done
cd "$tmp"
echo "imports passed over:"
duplicates --repo "$tmp" --most "$most" --seconds 120
