#!/bin/bash
# The EXAMPLES of every man page are run, and their output compared, so the
# manual cannot drift from the programs.  In an .EX/.EE block, "$ " starts a
# command; the lines up to the next command are its expected stdout.
. "$(dirname "$0")/lib.sh"

# Writes one "cmd<TAB>expected-file" script per example to $2.
extract() {
	awk -v dir="$2" '
	function unroff(s) {
		gsub(/\\e/, "\\", s); gsub(/\\-/, "-", s); gsub(/\\&/, "", s)
		gsub(/\\\(aq/, "\047", s); gsub(/\\\(dq/, "\"", s)
		return s
	}
	/^\.SH / { ex = ($0 ~ /EXAMPLES/) }
	ex && /^\.EX/ { inblock = 1; next }
	ex && /^\.EE/ { inblock = 0; next }
	inblock && /^\$ / {
		n++; file = sprintf("%s/%03d", dir, n)
		print unroff(substr($0, 3)) > (file ".cmd"); close(file ".cmd")
		printf "" > (file ".out"); close(file ".out")
		next
	}
	inblock && n { print unroff($0) >> (file ".out"); close(file ".out") }
	' "$1"
}

for page in "$TOP"/man/man*/*.[157]; do
	name=$(basename "$page")
	dir="$SCRATCH/ex-$name"
	mkdir -p "$dir"
	extract "$page" "$dir"
	export CRM_DB="$dir/crm.db"
	run_examples "$name" "$dir"
done
test_done
