#!/bin/sh
# tests/extract-examples.sh - prints every example command of the documentation,
# one per line as "SOURCE<TAB>COMMAND": README.md code blocks, each command's
# --help "Examples:", and slabstress.1's literal displays (\e continuations
# joined).  Synopsis lines (with [OPTIONAL] or UPPER placeholders) are not
# examples.  Usage: sh tests/extract-examples.sh [SLABSTRESS]
S=${1:-./slabstress}
keep() { grep -E '^slabstress( |$)' | grep -vE '\[|\.\.\.|[A-Z]{4,}\.|SCENARIO|FILE|COMMAND' ; }
# README: fenced blocks; a trailing "# comment" is dropped
awk '/^```/ {b = !b; next} b' README.md | sed 's/[[:space:]]*#.*$//; s/^[[:space:]]*//' |
	keep | sed 's/^/README.md\t/'
# --help of every command
for c in list run explore replay minimize triage matrix fuzz litmus bench compare; do
	"$S" $c --help 2>/dev/null | awk '/^(Examples:|EXAMPLES)$/ {e = 1; next} e && /^$/ {e = 0} e' |
		sed 's/[[:space:]]*#.*$//; s/^[[:space:]]*//' | keep | sed "s/^/$c --help\t/"
done
"$S" --help | awk '/^Examples:/ {e = 1; next} e' | sed 's/^[[:space:]]*//' | keep |
	sed 's/^/slabstress --help\t/'
# man page: .Bd -literal ... .Ed, "\e" at a line end continues it
awk '/^\.Bd -literal/ {b = 1; next} /^\.Ed/ {b = 0; next} b' slabstress.1 |
	sed 's/\\e$/\\/' | sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' |
	sed 's/\\-/-/g; s/[[:space:]]*#.*$//' | keep | sed 's/^/slabstress.1\t/'
