#!/bin/bash
# crm-contact tag, note, timeline, consent, export-data, erase.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	crm-company add --name Initech >/dev/null &&
	crm-contact add --first-name Zoë --last-name Quixotic --email zoe.quixotic@example.org \
		--phone "+44 20 7946 0018" --company Initech --set locker=L42 >/dev/null
'
test_expect_success 'tag add and rm, ids from stdin' '
	echo 1 | crm-contact tag add vip - 2>/dev/null &&
	crm-contact tag add "early adopter" 1 2>/dev/null &&
	crm-contact show 1 -f tags -H >out && echo "early adopter,vip" >expect && test_cmp expect out &&
	crm-contact tag rm vip 1 2>/dev/null &&
	crm-contact show 1 -f tags -H >out && echo "early adopter" >expect && test_cmp expect out
'
test_expect_success 'a tag with a comma is rejected' '
	expect_exit 3 crm-contact tag add "a,b" 1 2>err && grep -q "invalid tag" err
'
test_expect_code 2 'tag needs add or rm' 'crm-contact tag put vip 1'
test_expect_success 'note from an argument and from stdin' '
	crm-contact note 1 --kind call --at 2026-11-20T15:00:00+01:00 "Discussed the renewal" >out &&
	echo 1 >expect && test_cmp expect out &&
	printf "Sent the quote\nwith two lines\n" | crm-contact note 1 --kind email >out &&
	echo 2 >expect && test_cmp expect out
'
test_expect_success 'a note of an unknown kind exits 3' '
	expect_exit 3 crm-contact note 1 --kind fax hello 2>err && grep -q "invalid kind .fax." err
'
test_expect_success 'a note for a missing contact exits 1' '
	expect_exit 1 crm-contact note 9 hello 2>err && grep -q "no contact 9" err
'
test_expect_success 'timeline lists notes and changes, newest first' '
	CRM_NOW=2026-11-23T08:00:00Z crm-contact set 1 --title Engineer 2>/dev/null &&
	crm-contact timeline 1 >out &&
	sed -n 2p out | grep -q "^2026-11-23T08:00:00Z	set	tester	title: → Engineer$" &&
	grep -q "^2026-11-20T14:00:00Z	call	tester	Discussed the renewal$" out &&
	grep -q "	email	tester	Sent the quote\\\\nwith two lines$" out &&
	grep -q "	add	tester	created: first_name=Zoë" out &&
	tail -1 out | grep -q "^2026-11-20T14:00:00Z	call	"
'
test_expect_success 'consent set and show' '
	crm-contact consent set 1 email granted --source "web form" &&
	crm-contact consent set 1 sms denied &&
	crm-contact consent show 1 >out &&
	printf "channel\tstatus\tsource\tat\nemail\tgranted\tweb form\t2026-11-22T09:30:00Z\nsms\tdenied\t\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect out
'
# The decision replaced stays in the log whole, its source too: the
# evidence of a consent outlives a newer one.
test_expect_success 'consent changes are audited with the time and source they replace' '
	CRM_NOW=2026-11-23T10:00:00Z crm-contact consent set 1 email withdrawn --source unsubscribe &&
	crm-db audit --id 1 -f action,changes -H | tail -1 >out &&
	printf "consent\tconsent.email: granted \xe2\x86\x92 withdrawn; at: 2026-11-22T09:30:00Z \xe2\x86\x92 2026-11-23T10:00:00Z; source: web form \xe2\x86\x92 unsubscribe\n" >expect &&
	test_cmp expect out
'
test_expect_success 'a bad channel or status exits 3' '
	expect_exit 3 crm-contact consent set 1 pigeon granted 2>err && grep -q "invalid channel" err &&
	expect_exit 3 crm-contact consent set 1 email maybe 2>err && grep -q "invalid consent" err
'
test_expect_success 'export-data gives everything as JSON' '
	crm-contact export-data 1 >out &&
	test "$(jq -r .contact.email out)" = zoe.quixotic@example.org &&
	test "$(jq -r .company.name out)" = Initech &&
	test "$(jq -r ".custom[0].value" out)" = L42 &&
	test "$(jq ".interactions | length" out)" = 2 &&
	test "$(jq -r ".consent[0].status" out)" = withdrawn &&
	test "$(jq ".audit | length" out)" -ge 5
'
test_expect_success 'erase removes the personal data from every file' '
	crm-contact erase 1 2>err && grep -q "erased" err &&
	crm-contact show 1 -f first_name,email,status -H >out && printf "\t\tlead\n" >expect && test_cmp expect out &&
	for s in Quixotic zoe.quixotic 7946 L42 "Discussed the renewal" "Sent the quote" "web form"; do
		if grep -a -q "$s" "$CRM_DB" "$CRM_DB"-wal 2>/dev/null; then echo "found $s"; false; fi
	done
'
test_expect_success 'erase keeps the record, so counts still add up' '
	test "$(sqlite3 "$CRM_DB" "select count(*) from contacts")" = 1 &&
	crm-db check -q
'
test_expect_success 'search no longer finds an erased person' '
	expect_exit 1 crm-contact list --all --search quixotic
'
test_expect_success 'an erased contact refuses every later change' '
	expect_exit 3 crm-contact set 1 --first-name Zoë 2>err && grep -q "contact 1 was erased" err &&
	expect_exit 3 crm-contact restore 1 2>err && grep -q "was erased" err &&
	expect_exit 3 crm-contact note 1 hello 2>err && grep -q "was erased" err &&
	expect_exit 3 crm-contact tag add vip 1 2>err && grep -q "was erased" err &&
	expect_exit 3 crm-contact consent set 1 email granted 2>err && grep -q "was erased" err &&
	crm-contact show 1 -f first_name -H >out && echo >expect && test_cmp expect out
'
test_done
