#!/bin/bash
# Every program: --help, --version, bad options, /dev/full, a man page.
. "$(dirname "$0")/lib.sh"

for p in "$CRM_BIN"/crm "$CRM_BIN"/crm-*; do
	prog=$(basename "$p")
	test_expect_success "$prog --help exits 0 and prints usage" "
		$prog --help >out && grep -q '^usage: ' out
	"
	test_expect_success "$prog --version prints the version" "
		$prog --version >out && grep -q '^$prog [0-9]' out
	"
	test_expect_code 2 "$prog rejects an unknown option" "$prog --no-such-option"
	test_expect_code 2 "$prog without a command is a usage error" "$prog"
	test_expect_success "$prog has a man page" "test -f '$TOP/man/man1/$prog.1'"
	test_expect_success "$prog --help to /dev/full fails" "
		! $prog --help >/dev/full 2>err && grep -q 'write error' err
	"
done

for p in "$CRM_BIN"/crm-*; do
	prog=$(basename "$p")
	verbs=$($prog --help | sed -n '/^Commands:/,/^$/p' | awk 'NF && !/:$/ { print $1 }')
	for v in $verbs; do
		test_expect_success "$prog $v --help exits 0" "
			$prog $v --help >out && grep -q '^usage: $prog $v' out
		"
		test_expect_code 2 "$prog $v rejects an unknown option" "$prog $v --no-such-option"
	done
	test_expect_code 2 "$prog rejects an unknown command" "$prog no-such-command"
done

test_expect_success 'list to /dev/full fails with a message' '
	crm-contact add --first-name Ada >/dev/null &&
	! crm-contact list >/dev/full 2>err &&
	grep -q "write error" err
'
# crm(7): lists print their header even when nothing matches, then exit 1.
test_expect_success 'empty lists print their header and exit 1, in every program' '
	crm-db init --db empty.db >/dev/null &&
	expect_exit 1 crm-import list --db empty.db >out && head -1 out | grep -q "^batch" &&
	expect_exit 1 crm-dedup history --db empty.db >out && test -s out &&
	expect_exit 1 crm-db rates list --db empty.db >out && test "$(cat out)" = "date	currency	rate" &&
	expect_exit 1 crm-contact list --db empty.db >out && test -s out
'
# crm(7): money is a string, exact to its currency's digits (jq would
# read 19.90 as 19.9, and a large amount not at all exactly); figures are
# numbers; an empty field is null, never "".
test_expect_success 'JSON: money is a string, figures numbers, empty fields null' '
	export CRM_DB="$SCRATCH/json.db" &&
	crm-contact add -q --email ann@example.org >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-11-01 --line "X 1 90071992547409.93 big" --line "Y 2 9.95 mug" >/dev/null &&
	crm-purchase lines 1 --format jsonl -f unit_price,amount >out &&
	printf "{\"unit_price\":\"90071992547409.93 EUR\",\"amount\":\"90071992547409.93 EUR\"}\n{\"unit_price\":\"9.95 EUR\",\"amount\":\"19.90 EUR\"}\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary --format jsonl -f group,purchases,revenue >out &&
	printf "{\"group\":\"total\",\"purchases\":1,\"revenue\":\"90071992547429.83\"}\n" >expect &&
	test_cmp expect out &&
	crm-report rfm --format jsonl -f id,monetary,r >out &&
	grep -q "\"monetary\":\"90071992547429.83\",\"r\":[0-9]" out &&
	crm-deal forecast --format jsonl -f period,target >out && ! grep -q "\"\"" out &&
	grep -q "\"target\":null" out &&
	crm-report kpi --period 2026-11 --format yaml -f group,measure >out && ! grep -q "group: [^n]" out &&
	grep -q "group: null" out
'
test_done
