#!/bin/bash
# crm-contact set, rm, restore: ids from operands and stdin, audit, dry runs.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	for n in Ada Bob Cy; do crm-contact add --first-name $n --email $n@example.org --tag team >/dev/null; done
'
test_expect_success 'set changes several fields at once' '
	crm-contact set 1 --city Paris --title CTO 2>err &&
	crm-contact show 1 -f city,title -H >out && printf "Paris\tCTO\n" >expect && test_cmp expect out &&
	grep -q "^crm-contact: updated 1 of 1 contact$" err
'
test_expect_success 'a person renamed is found by the new name, not the old' '
	crm-contact add --db rn.db --first-name Ann --last-name Lee >/dev/null &&
	crm-contact set --db rn.db 1 --first-name Zoë 2>/dev/null &&
	crm-contact set --db rn.db 1 --city Oslo 2>/dev/null &&
	crm-deal add --db rn.db --title Renewal --contact "ZOE lee" >/dev/null &&
	crm-deal list --db rn.db -f contact_name -H >out && echo "Zoë Lee" >expect && test_cmp expect out &&
	expect_exit 3 crm-deal add --db rn.db --title Other --contact "Ann Lee" 2>err &&
	grep -q "no contact .Ann Lee." err
'
test_expect_success 'the summary counts in the plural' '
	crm-contact set 2 3 --language fr 2>err && grep -q "^crm-contact: updated 2 of 2 contacts$" err
'
test_expect_success 'set records old -> new in the audit log' '
	CRM_NOW=2026-11-22T10:00:00Z crm-contact set 1 --city Lyon 2>/dev/null &&
	crm-db audit --entity contact --id 1 -f action,changes -H >out &&
	tail -1 out >last && printf "set\tcity: Paris \xe2\x86\x92 Lyon\n" >expect && test_cmp expect last
'
test_expect_success 'set without a change writes nothing' '
	n=$(sqlite3 "$CRM_DB" "select count(*) from audit") &&
	crm-contact set 1 --city Lyon 2>err && grep -q "updated 0 of 1" err &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from audit")" = "$n"
'
test_expect_success 'set takes ids from stdin with -' '
	crm-contact list --tag team -f id | crm-contact set - --status prospect 2>err &&
	grep -q "updated 3 of 3" err &&
	test "$(crm-contact list --status prospect -f id -H | wc -l)" = 3
'
test_expect_success 'set --dry-run reports and changes nothing' '
	crm-contact set 1 2 --status customer -n 2>err && grep -q "would have updated 2 of 2" err &&
	expect_exit 1 crm-contact list --status customer -H
'
test_expect_success 'an empty value clears a field' '
	crm-contact set 1 --title "" 2>/dev/null &&
	crm-contact show 1 -f title -H >out && echo >expect && test_cmp expect out
'
test_expect_success 'set of a missing id exits 1 and changes nothing' '
	expect_exit 1 crm-contact set 1 99 --city Rome 2>err &&
	grep -q "no contact 99" err &&
	expect_exit 1 crm-contact set 99 --email not-an-address 2>err &&
	grep -q "no contact 99" err &&
	crm-contact show 1 -f city -H >out && echo Lyon >expect && test_cmp expect out
'
test_expect_success 'one bad id in stdin changes nothing' '
	printf "id\n1\n\nx\n" | expect_exit 2 crm-contact set - --city Rome 2>err &&
	grep -q "invalid id .x. on line 4 of stdin" err
'
# A table pads its ids with spaces; a line whose first column is empty
# but which holds something is a mistake, never a line to skip.
test_expect_success 'ids from stdin: table padding is read, an empty first column refused' '
	crm-contact list -f id --format table | crm-contact set -n - --city Rome 2>err &&
	n=$(crm-contact list -f id -H | wc -l) &&
	grep -q "would have updated $n of $n" err &&
	printf "1\n  \n 2\n" | crm-contact show - -f id -H >out && printf "1\n2\n" >expect &&
	test_cmp expect out &&
	printf "1\n,2\n" | expect_exit 2 crm-contact set - --city Rome 2>err &&
	grep -q "no id in the first column of line 2 of stdin" err &&
	crm-contact show 1 -f city -H >out && echo Lyon >expect && test_cmp expect out
'
# A list that found nothing pipes its header alone, or nothing: a quiet
# night for cron, the verb exits 0 (the list itself exits 1, for
# pipefail to see if it asks); no operand at all stays a mistake.
test_expect_success 'ids from stdin: none is nothing to do, exit 0' '
	{ crm-contact list --tag nobody -f id || test $? = 1; } | crm-contact tag add -q quiet - &&
	: | crm-contact set - --city Oslo 2>err && grep -q "updated 0 of 0 contacts" err &&
	printf "id\n" | crm-contact consent set - email granted &&
	: | crm-contact rm - 2>/dev/null &&
	crm-contact show 1 -f city -H >out && echo Lyon >expect && test_cmp expect out &&
	expect_exit 1 crm-contact list --tag quiet -H >/dev/null &&
	expect_exit 2 crm-contact rm 2>err && grep -q "no ids given" err
'
test_expect_code 2 'set without fields is a usage error' 'crm-contact set 1'
test_expect_success 'set to a taken email exits 3' '
	expect_exit 3 crm-contact set 2 --email ada@example.org 2>err &&
	grep -q "already belongs to contact 1" err
'
test_expect_success 'rm archives; list hides archived contacts' '
	crm-contact rm 2 2>/dev/null &&
	crm-contact list -f id -H >out && printf "1\n3\n" >expect && test_cmp expect out &&
	crm-contact list --archived -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-contact show 2 -f archived_at -H >out && echo 2026-11-22T09:30:00Z >expect && test_cmp expect out
'
test_expect_success 'an archived email can be reused, then restore refuses' '
	crm-contact add --first-name Bob2 --email bob@example.org >out &&
	expect_exit 3 crm-contact restore 2 2>err && grep -q "already belongs" err &&
	crm-contact rm 4 2>/dev/null && crm-contact restore 2 2>/dev/null &&
	crm-contact list -f id -H >out && printf "1\n2\n3\n" >expect && test_cmp expect out
'
test_expect_success 'rm --purge deletes the row and its tags' '
	crm-contact rm --purge 3 2>/dev/null &&
	expect_exit 1 crm-contact show 3 2>/dev/null &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from contact_tags where contact_id=3")" = 0 &&
	crm-db audit --id 3 -f action -H | tail -1 >out && echo purge >expect && test_cmp expect out
'
test_expect_success 'rm --purge keeps who did what, but no values, in the audit log' '
	crm-contact add --first-name Purgeme --email purge.me@example.org >id &&
	crm-contact rm --purge "$(cat id)" 2>/dev/null &&
	crm-db audit --id "$(cat id)" -f action -H >out && printf "add\npurge\n" >expect && test_cmp expect out &&
	test -z "$(sqlite3 "$CRM_DB" "select changes from audit where entity_id=$(cat id) and changes is not null")"
'
test_expect_success 'ids are never reused after a purge' '
	crm-contact add --first-name Dan >out && echo 6 >expect && test_cmp expect out
'
test_expect_success 'an empty or blank value clears the field and its normalised form' '
	crm-contact set 6 --email dan@example.org --city Oslo 2>/dev/null &&
	crm-contact set 6 --email "" --city "   " 2>/dev/null &&
	crm-contact show 6 -f email,city --format json >out &&
	test "$(jq -c ".[0]" out)" = "{\"email\":null,\"city\":null}" &&
	test -z "$(sqlite3 "$CRM_DB" "select email_norm, email_key from contacts where id=6 and (email_norm is not null or email_key is not null)")" &&
	crm-contact add --first-name Dana --email dan@example.org >/dev/null
'
test_done
