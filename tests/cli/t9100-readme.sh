#!/bin/bash
# The tour in README.md is run, in order, on one database, and the output
# it shows is compared, so the README cannot drift from the programs.  In
# an indented block, "$ " starts a command (a trailing backslash continues
# it); the indented lines up to the next command are its expected stdout.
. "$(dirname "$0")/lib.sh"

dir="$SCRATCH/readme"
mkdir -p "$dir"
awk -v dir="$dir" '
	!/^    / { cmd = 0; cont = 0; next }
	{ line = substr($0, 5) }
	cont { sub(/^ +/, "", line); print line > file; cont = line ~ /\\$/; next }
	line ~ /^\$ / {
		n++; cmd = 1; file = sprintf("%s/%03d.cmd", dir, n)
		line = substr(line, 3); print line > file
		printf "" > sprintf("%s/%03d.out", dir, n)
		cont = line ~ /\\$/
		next
	}
	cmd { print line >> sprintf("%s/%03d.out", dir, n) }
' "$TOP/README.md"

export CRM_DB="$dir/crm.db"
run_examples README "$dir"
test_done
