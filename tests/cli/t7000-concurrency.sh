#!/bin/bash
# Eight writers and two readers on one database at once: every write they
# were told succeeded is there exactly once, none failed within the busy
# timeout, the audit log has one entry per write, and crm-db check passes.
. "$(dirname "$0")/lib.sh"

ROUNDS=${CONCURRENCY_ROUNDS:-8} # rounds of writes per writer (make stress: more)

# writer N: adds, sets, tags, notes and small imports, as user wN; logs
# each acknowledged write as "kind key" and each failure as "FAIL ...".
writer() {
	local n=$1 i id
	export CRM_USER=w$n
	for ((i = 1; i <= ROUNDS; i++)); do
		if id=$(crm-contact add --first-name "W$n" --last-name "R$i" --email "w$n.$i@example.org"); then
			echo "add w$n.$i@example.org"
		else
			echo "FAIL add $n $i: $?"
			continue
		fi
		crm-contact set -q "$id" --city "City $n" && echo "set $id" || echo "FAIL set $id: $?"
		crm-contact tag -q add "t$n" "$id" && echo "tag $id" || echo "FAIL tag $id: $?"
		crm-contact note "$id" "note $n.$i" >/dev/null && echo "note $id" || echo "FAIL note $id: $?"
		if ((i % 4 == 0)); then
			printf 'email,first_name\nimp%s.%s.a@example.org,I\nimp%s.%s.b@example.org,J\n' \
				"$n" "$i" "$n" "$i" >"imp-$n-$i.csv"
			if crm-import contacts -q "imp-$n-$i.csv"; then
				echo "add imp$n.$i.a@example.org"
				echo "add imp$n.$i.b@example.org"
			else
				echo "FAIL import $n $i: $?"
			fi
		fi
	done >"writer-$n.log" 2>"writer-$n.err"
}

# reader N: lists and inspects until the writers are done.
reader() {
	local n=$1
	while [ ! -e writers-done ]; do
		# list exits 1 while there is nothing to list yet.
		crm-contact list --format tsv >/dev/null
		s=$?; [ $s -le 1 ] || echo "FAIL list: $s"
		crm-db info >/dev/null || echo "FAIL info: $?"
		crm-contact list --tag t1 -f id -H >/dev/null
		s=$?; [ $s -le 1 ] || echo "FAIL list --tag: $s"
	done >"reader-$n.log" 2>"reader-$n.err"
}

test_expect_success 'setup' 'crm-db init >/dev/null'

test_expect_success '8 writers and 2 readers run at once' '
	reader 1 & r1=$!
	reader 2 & r2=$!
	pids=
	for n in 1 2 3 4 5 6 7 8; do writer $n & pids="$pids $!"; done
	wait $pids
	touch writers-done
	wait $r1 $r2
'
test_expect_success 'no write or read failed within the busy timeout' '
	! grep -h FAIL writer-*.log reader-*.log &&
	! grep -hv "^$" writer-*.err reader-*.err
'
test_expect_success 'every acknowledged record is there exactly once' '
	grep -h "^add " writer-*.log | cut -d" " -f2 | sort >acked &&
	test "$(wc -l <acked)" -eq $((8 * (ROUNDS + ROUNDS / 4 * 2))) &&
	crm-contact list -f email -H | sort >present &&
	test_cmp acked present
'
test_expect_success 'every acknowledged change is there' '
	for n in 1 2 3 4 5 6 7 8; do
		test "$(crm-contact list --tag t$n -f city -H | sort -u)" = "City $n" &&
		test "$(crm-contact list --tag t$n -f id -H | wc -l)" -eq $ROUNDS || exit 1
	done &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from interactions")" -eq $((8 * ROUNDS))
'
test_expect_success 'the audit log has one entry per acknowledged write' '
	for n in 1 2 3 4 5 6 7 8; do
		want=$(grep -c "" writer-$n.log) &&
		got=$(sqlite3 "$CRM_DB" "select count(*) from audit where user = '\''w$n'\''") &&
		test "$got" -eq "$want" || { echo "writer $n: $got audit entries, $want writes"; exit 1; }
	done
'
test_expect_success 'crm-db check passes' '
	crm-db check &&
	if [ -n "${STRESS_REPORT:-}" ]; then
		echo "8 writers x $ROUNDS rounds, 2 readers: $(cat writer-*.log | wc -l) writes acknowledged, all present once and audited, 0 failures" >>"$STRESS_REPORT"
	fi
'
test_done
