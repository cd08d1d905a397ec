#!/bin/bash
# Crashes and full disks: crm-import and crm-dedup merge killed with
# SIGKILL at random moments leave a database that passes crm-db check with
# each batch or merge run wholly there or wholly absent; a disk that fills
# mid-import gives a clean error and an intact, usable database; output to
# a full device fails with a message.  CRASH_ROUNDS kills of each
# (default 12; make stress runs more).
. "$(dirname "$0")/lib.sh"

ROUNDS=${CRASH_ROUNDS:-12}

# report LINE: adds a figure to $STRESS_REPORT (make stress prints them).
report() {
	[ -z "${STRESS_REPORT:-}" ] || echo "$*" >>"$STRESS_REPORT"
}

# present FILE DB: how many of the file's people (column 3) are in DB.
present() {
	crm-contact list --db "$2" -f email -H | sort >present.txt
	cut -d, -f3 "$1" | tail -n +2 | sort | comm -12 - present.txt | wc -l
}

test_expect_success 'setup: a database and a file of 3000 people' '
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Ada --email ada@example.org >/dev/null &&
	"$TOP/bench/gen-people" 3000 >people.csv &&
	cp "$CRM_DB" base.db &&
	crm-db init -q --db empty.db >/dev/null
'
# indexes DB: the names and statements of DB's indexes.
indexes() {
	sqlite3 "$1" "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
}
# Into base.db (one person) and, in bulk mode, into empty.db: there the
# import drops the indexes the rows are not looked up by and builds them
# after the rows, which a kill must not leave half done.  The kills fall
# at random over the time one whole import takes here, and a little
# after it, so that they come in the rows, the build and the commit.
for run in "row base" "bulk base" "bulk empty"; do
	set -- $run
	mode=$1 base=$2
	test_expect_success "crm-import --mode $mode into $base.db killed $ROUNDS times: each time all or nothing, check passes" '
		indexes $base.db >indexes.before &&
		rm -f kill.db kill.db-wal kill.db-shm && cp $base.db kill.db &&
		t0=$(date +%s%N) &&
		crm-import contacts -q --mode $mode --db kill.db people.csv &&
		ms=$((($(date +%s%N) - t0) / 1000000 * 6 / 5 + 1)) &&
		for ((i = 1; i <= ROUNDS; i++)); do
			# (Not "cp ... && crm-import ... &": that would background, and
			# kill, a subshell, not crm-import.)
			rm -f kill.db kill.db-wal kill.db-shm && cp $base.db kill.db || exit 1
			crm-import contacts -q --mode $mode --db kill.db people.csv & pid=$!
			r=$(((RANDOM * 32768 + RANDOM) % ms))
			sleep "$((r / 1000)).$(printf %03d $((r % 1000)))"
			kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
			crm-db check --db kill.db >/dev/null || { echo "round $i: check failed"; exit 1; }
			indexes kill.db | cmp -s indexes.before - || { echo "round $i: indexes differ"; exit 1; }
			n=$(present people.csv kill.db)
			test "$n" -eq 0 || test "$n" -eq 3000 || { echo "round $i: $n of 3000 imported"; exit 1; }
			echo "round $i: $n"
			whole=$((${whole:-0} + (n > 0)))
		done &&
		report "crm-import --mode $mode of 3000 rows into $base.db killed $ROUNDS times: $((ROUNDS - whole)) left nothing, $whole had committed; crm-db check passed and the indexes were as before each time"
	'
done
test_expect_success 'setup: a database with duplicates to merge' '
	export CRM_DB="$SCRATCH/dups.db" &&
	crm-db init >/dev/null &&
	"$TOP/bench/gen-dups" 3000 >dups.csv &&
	crm-import contacts -q dups.csv &&
	crm-dedup find -q >clusters &&
	test "$(cut -f1 clusters | sort -u | wc -l)" -gt 100 &&
	cp "$CRM_DB" dups-base.db
'
test_expect_success "crm-dedup merge killed $ROUNDS times: the run all or nothing, check passes" '
	before=$(crm-contact list --db dups-base.db -H -f id | wc -l) &&
	members=$(tail -n +2 clusters | wc -l) && groups=$(tail -n +2 clusters | cut -f1 | sort -u | wc -l) &&
	for ((i = 1; i <= ROUNDS; i++)); do
		rm -f kill.db kill.db-wal kill.db-shm && cp dups-base.db kill.db || exit 1
		crm-dedup merge -q --db kill.db clusters >/dev/null & pid=$!
		sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
		kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		crm-db check --db kill.db >/dev/null || { echo "round $i: check failed"; exit 1; }
		m=$(sqlite3 kill.db "select count(*) from merges")
		n=$(crm-contact list --db kill.db -H -f id 2>list.err | wc -l)
		cat list.err
		if [ "$m" -eq 0 ]; then test "$n" -eq "$before"
		else test "$m" -eq "$groups" && test "$n" -eq $((before - members + groups))
		fi || { echo "round $i: $m merges, $n contacts"; exit 1; }
		echo "round $i: $m merges"
		whole=$((${whole:-0} + (m > 0)))
	done &&
	report "crm-dedup merge of $groups clusters killed $ROUNDS times: $((ROUNDS - whole)) left nothing, $whole had committed; crm-db check passed each time"
'

# A filesystem of 2 MB (tmpfs when this user may mount one; otherwise a
# file-size limit, under which writes fail with EFBIG the same way).
small_disk() {
	mkdir -p small &&
	if mount -t tmpfs -o size=2m tmpfs small 2>/dev/null; then
		echo tmpfs >small-kind
	else
		echo ulimit >small-kind
	fi
}
test_expect_success 'setup: a small disk' 'small_disk'
for mode in row bulk; do
	test_expect_success "--mode $mode: a disk that fills mid-import: clean error, database intact and usable" '
		export CRM_DB="$SCRATCH/small/full.db" &&
		rm -f small/*.db* && crm-db init >/dev/null &&
		crm-contact add -q --first-name Ada --email ada@example.org >/dev/null &&
		if [ "$(cat small-kind)" = tmpfs ]; then
			crm-import contacts -q --mode $mode people.csv 2>err; s=$?
		else
			(trap "" XFSZ; ulimit -f 1200; crm-import contacts -q --mode $mode people.csv) 2>err; s=$?
		fi
		cat err &&
		test $s -ne 0 && grep -qiE "full|too large|disk|write" err &&
		crm-db check >/dev/null &&
		test "$(present people.csv "$CRM_DB")" -eq 0 &&
		crm-contact add -q --first-name Grace --email grace@example.org >/dev/null &&
		test "$(crm-contact list -H -f id | wc -l)" -eq 2 &&
		report "disk full mid-import, --mode $mode ($(cat small-kind)): exit $s, \"$(tail -n 1 err)\"; database intact and usable"
	'
	# 100,000 people: more than an import's page cache holds, so the
	# first write to the file comes in the middle of the rows.
	test_expect_success "--mode $mode: a disk that fills in the middle of a row says so, naming the file" '
		export CRM_DB="$SCRATCH/small/row.db" &&
		rm -f small/*.db* && crm-db init >/dev/null &&
		{ [ -s many.csv ] || "$TOP/bench/gen-people" 100000 >many.csv; } &&
		if [ "$(cat small-kind)" = tmpfs ]; then
			crm-import contacts -q --mode $mode many.csv 2>err; s=$?
			want="cannot write .$CRM_DB.: the disk is full"
		else
			(trap "" XFSZ; ulimit -f 4096; crm-import contacts -q --mode $mode many.csv) 2>err; s=$?
			want="I/O error on .$CRM_DB.: File too large"
		fi
		cat err && test $s = 1 && grep -q "many.csv:[0-9]*: $want" err &&
		crm-db check >/dev/null && test "$(crm-contact list -H -f id | wc -l)" -eq 0
	'
done
umount "$SCRATCH/small" 2>/dev/null

# A commit the full disk refuses has done nothing, and nothing says it
# did: the summary of a change is told only once it is kept.
test_expect_success 'a change the full disk refuses says so and no more' '
	mkdir -p full2 &&
	export CRM_DB="$SCRATCH/full2/f.db" &&
	if mount -t tmpfs -o size=2m tmpfs full2 2>/dev/null; then
		crm-db init >/dev/null &&
		crm-contact add -q --first-name Ada --email ada@example.org >/dev/null &&
		# Room left for the statements of the change, not its commit.
		{ dd if=/dev/zero of=full2/filler bs=4k 2>/dev/null || true; } &&
		truncate -s -40K full2/filler &&
		crm-contact set 1 --city Paris 2>err; s=$?
		umount "$SCRATCH/full2"
	else
		crm-db init >/dev/null &&
		crm-contact add -q --first-name Ada --email ada@example.org >/dev/null &&
		(trap "" XFSZ; ulimit -f 40; crm-contact set 1 --city Paris) 2>err; s=$?
	fi
	cat err && test $s = 1 && ! grep -q "updated" err &&
	grep -q "full\|too large" err
'
# A backup killed midway (here by SIGXFSZ, as a file-size limit kills
# it) leaves no file under the backup's name that looks like one.
test_expect_success 'a backup killed midway leaves nothing under its name' '
	export CRM_DB="$SCRATCH/bk.db" &&
	crm-import contacts -q people.csv &&
	test "$(stat -c %s bk.db)" -gt 204800 &&
	s=0 && { (ulimit -f 100; exec crm-db backup bk-copy.db) 2>err || s=$?; } &&
	test $s -gt 128 && test ! -e bk-copy.db && rm -f bk-copy.db.part-* &&
	s=0 && { (trap "" XFSZ; ulimit -f 100; crm-db backup bk-copy.db) 2>err || s=$?; } &&
	test $s = 1 && test ! -e bk-copy.db && grep -q "File too large" err &&
	test -z "$(ls bk-copy.db.part-* 2>/dev/null)" &&
	crm-db backup bk-copy.db && crm-db check -q --db bk-copy.db
'
test_expect_success 'output to a full device fails with a message, for every program' '
	export CRM_DB="$SCRATCH/crm.db" &&
	for cmd in "crm-contact list" "crm-contact show 1" "crm-company list" "crm-import list" \
		"crm-dedup history" "crm-dedup find -p 0 --pairs" "crm-db info" "crm-db audit" "crm help"; do
		$cmd >/dev/full 2>err && { echo "$cmd: exit 0"; exit 1; }
		grep -q "write error\|No space" err || { echo "$cmd: no message"; cat err; exit 1; }
	done
'
test_done
