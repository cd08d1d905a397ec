#!/bin/bash
# crm-import in bulk keeps its memory under 100 MB whatever the size of
# the file (crm-import(1), "Large inputs"): 200,000 people into an empty
# database, then 200,000 more into the one that holds them, where the
# import keeps a larger page cache.  Peak resident memory as the kernel
# counts it (getrusage of the child); not under a sanitizer, whose shadow
# memory it would count.
. "$(dirname "$0")/lib.sh"

# peak_kb COMMAND...: runs COMMAND, fails when it does; prints its peak
# resident memory in kB.
peak_kb() {
	python3 -c '
import resource, subprocess, sys
if subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL):
    sys.exit(1)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}

if [ -n "${CRM_SANITIZE:-}" ]; then
	echo "# peak memory is not measured under a sanitizer"
else
	test_expect_success 'setup: 200,000 people, and 200,000 others' '
		sh "$TOP/bench/gen-people" 200000 >first.csv &&
		sed "s/@/.2@/" first.csv >second.csv &&
		test $(wc -l <first.csv) = 200001
	'
	test_expect_success 'into an empty database: under 100 MB' '
		kb=$(peak_kb crm-import contacts -q --mode bulk first.csv) &&
		echo "peak $kb kB" && test "$kb" -gt 0 && test "$kb" -lt 102400
	'
	test_expect_success 'into a database of 200,000 people: under 100 MB' '
		kb=$(peak_kb crm-import contacts -q --mode bulk second.csv) &&
		echo "peak $kb kB" && test "$kb" -gt 0 && test "$kb" -lt 102400 &&
		test "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM contacts")" = 400000
	'
fi
test_done
