# lib.sh - helpers for the CLI tests, in the manner of git's t/ suite.
#
# Each tNNNN-topic.sh sources this file, then runs test_expect_success (or
# test_expect_code) blocks; each block runs in the test's scratch folder
# with a pinned clock, user, time zone and database, so output is exact.

set -u
: "${CRM_BIN:?CRM_BIN must name the folder of the built programs}"
PATH="$CRM_BIN:$PATH"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/crm-test.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH" || exit 1
export LC_ALL=C.UTF-8 TZ=UTC CRM_NOW=2026-11-22T09:30:00Z CRM_USER=tester
export CRM_DB="$SCRATCH/crm.db" HOME="$SCRATCH" XDG_CONFIG_HOME="$SCRATCH/.config"
export XDG_DATA_HOME="$SCRATCH/.local/share" NO_COLOR=1
unset CRM_CONFIG CRM_READONLY CRM_BUSY_TIMEOUT
test_count=0
test_failed=0
TEST_NAME=$(basename "$0" .sh)

say_fail() {
	test_failed=$((test_failed + 1))
	printf 'not ok %d - %s: %s\n' "$test_count" "$TEST_NAME" "$1"
	[ -s "$SCRATCH/.trace" ] && sed 's/^/#   /' "$SCRATCH/.trace"
}

# test_expect_success TITLE BODY: BODY must exit 0.
test_expect_success() {
	test_count=$((test_count + 1))
	if (set -e -o pipefail; eval "$2") >"$SCRATCH/.trace" 2>&1; then
		printf 'ok %d - %s\n' "$test_count" "$1"
	else
		say_fail "$1"
	fi
}

# test_expect_code CODE TITLE COMMAND: COMMAND must exit with CODE.
test_expect_code() {
	test_count=$((test_count + 1))
	(eval "$3") >"$SCRATCH/.trace" 2>&1
	got=$?
	if [ "$got" -eq "$1" ]; then
		printf 'ok %d - %s\n' "$test_count" "$2"
	else
		echo "expected exit $1, got $got" >>"$SCRATCH/.trace"
		say_fail "$2"
	fi
}

# test_cmp EXPECTED ACTUAL: files must be equal; shows the difference.
test_cmp() {
	diff -u "$1" "$2"
}

# expect_exit CODE COMMAND...: runs COMMAND, fails unless it exits CODE.
expect_exit() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want from '$*', got $got" >&2
		return 1
	fi
	return 0
}

# A one-line TSV-to-field helper: nth field of the first data line.
field() {
	sed -n 2p | cut -f"$1"
}

# run_examples LABEL DIR: runs each DIR/NNN.cmd in DIR, as one test each,
# and compares its output with DIR/NNN.out when that is not empty.
run_examples() {
	test_expect_success "$1 has examples" "ls '$2'/*.cmd >/dev/null"
	for cmd in "$2"/*.cmd; do
		[ -e "$cmd" ] || continue
		base=${cmd%.cmd}
		test_expect_success "$1: $(head -1 "$cmd")" "
			(cd '$2' && bash -o pipefail '$cmd') >'$base.actual' &&
			if [ -s '$base.out' ]; then test_cmp '$base.out' '$base.actual'; fi
		"
	done
}

# fts_sqlite3 ARGS...: the sqlite3 shell with the search tables' tokenizer
# (crm-fts.so) loaded, as a user reads them.  Found beside the programs
# of the outermost test: an inner one may run from a folder of stand-ins.
: "${CRM_FTS_EXT:=$CRM_BIN/../lib/crm/crm-fts}"
export CRM_FTS_EXT
fts_sqlite3() {
	sqlite3 -cmd ".load $CRM_FTS_EXT" "$@"
}

# db_rows DB: every table's rows and the search entries, leaving out the log of what
# was done (audit, batches, id counters), the index's own storage and the
# random key each file is made with (secrets).
db_rows() {
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%'
		AND name NOT IN ('audit', 'import_batches', 'secrets') ORDER BY name"); do
		echo "== $t" && sqlite3 "$1" "SELECT * FROM \"$t\" ORDER BY 1" || return 1
	done
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"); do
		echo "== $t" && fts_sqlite3 "$1" "SELECT rowid, * FROM \"$t\" ORDER BY rowid" || return 1
	done
}

test_done() {
	printf '# %s: %d tests, %d failed\n' "$TEST_NAME" "$test_count" "$test_failed"
	echo "$test_count $test_failed" >"${RESULTS:-/dev/null}"
	[ "$test_failed" -eq 0 ]
}
