#!/bin/bash
# Privacy and file safety: files created 0600 whatever the umask, read-only
# opening for report jobs, erasure that leaves no trace in the files (merge
# journals included), and CSV cells neutralised against formula injection.
. "$(dirname "$0")/lib.sh"

for mask in 022 002 077; do
	test_expect_success "umask $mask: database, WAL, shared memory, backup, rejects are 0600" "
		rm -rf m$mask && mkdir m$mask && cd m$mask &&
		(umask $mask
		 export CRM_DB=\$PWD/crm.db
		 crm-db init >/dev/null &&
		 crm-contact add -q --first-name Ada >/dev/null &&
		 printf 'first_name,email\nX,bad\n' >in.csv &&
		 { crm-import contacts -q --reject rejects.csv in.csv; test \$? -eq 3; } &&
		 crm-db backup copy.db &&
		 sqlite3 crm.db 'pragma journal_mode' >/dev/null &&
		 for f in crm.db crm.db-wal crm.db-shm copy.db rejects.csv; do
			test ! -e \$f || test \"\$(stat -c %a \$f)\" = 600 || { echo \"\$f: \$(stat -c %a \$f)\"; exit 1; }
		 done)
	"
done

test_expect_success 'setup' '
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Zebedee --last-name Quixotic --email zeb.quixotic@example.org \
		--phone "+44 20 7946 0555" --city Lyonesse >/dev/null &&
	crm-contact add -q --first-name Zeb --last-name Quixotic --email zq@example.net \
		--phone "+44 20 7946 0555" >/dev/null &&
	crm-contact add -q --first-name Grace --email grace@example.org >/dev/null
'
for cmd in "crm-contact add --first-name X" "crm-contact set 1 --city Y" "crm-contact tag add t 1" \
	"crm-company add --name Acme" "crm-import contacts in.csv" "crm-contact merge 1 2" \
	"crm-dedup merge --auto" "crm-contact rm 3"; do
	test_expect_success "read-only: '$cmd' is refused with exit 2, nothing written" "
		printf 'first_name\nZ\n' >in.csv &&
		sqlite3 \"\$CRM_DB\" .dump >before &&
		expect_exit 2 $cmd --read-only 2>err && grep -q 'read-only' err &&
		CRM_READONLY=1 expect_exit 2 $cmd 2>err && grep -q 'read-only' err &&
		sqlite3 \"\$CRM_DB\" .dump >after && test_cmp before after
	"
done
test_expect_success 'read-only: reports and lists still work' '
	CRM_READONLY=1 crm-contact list -H >/dev/null &&
	CRM_READONLY=1 crm-dedup find -q >/dev/null &&
	CRM_READONLY=1 crm-db info >/dev/null
'
test_expect_success 'erase after a merge: nothing of the person left in any file' '
	m=$(crm-contact merge 1 2) &&
	crm-contact note 1 "Discussed the Lyonesse estate" >/dev/null &&
	crm-contact erase 1 2>/dev/null &&
	for s in Zebedee Quixotic zeb.quixotic zq@example 7946 Lyonesse "Zeb"; do
		if grep -a -q "$s" "$CRM_DB" "$CRM_DB"-wal 2>/dev/null; then echo "found $s"; exit 1; fi
	done &&
	echo "$m" >merge-id
'
test_expect_code 1 'a merge whose survivor was erased cannot be undone' '
	crm-dedup unmerge "$(cat merge-id)" 2>err; s=$?;
	grep -q "cannot be undone: contact 1 was erased" err && exit $s
'
test_expect_success 'erase after an unmerge: the undone merge keeps nothing of the person' '
	a=$(crm-contact add --first-name Ysolde --last-name Wainscott --email ysolde@example.org) &&
	b=$(crm-contact add --first-name Yseult --last-name Carbonek --email yw@example.net) &&
	m=$(crm-contact merge --into "$a" "$a" "$b") &&
	crm-dedup unmerge -q "$m" &&
	crm-contact erase "$b" 2>/dev/null &&
	for s in Yseult Carbonek yw@example; do
		if grep -a -q "$s" "$CRM_DB" "$CRM_DB"-wal 2>/dev/null; then echo "found $s"; exit 1; fi
	done &&
	crm-contact show "$a" -f email -H | grep -q ysolde@example.org
'
# An import audits its creations without their values, which the history
# reads from the records: once a person is erased, neither their own
# history nor that of their deals shows anything of them.
test_expect_success 'erase of an imported person: no history shows their values' '
	printf "name,email,phone\nYsolde Importé,ysolde@imp.example,+47 22 33 44 55\n" >imp.csv &&
	printf "title,contact,amount\nHarbour deal,ysolde@imp.example,100 EUR\n" >impdeal.csv &&
	CRM_DB=imp.db crm-import contacts -q imp.csv &&
	CRM_DB=imp.db crm-import deals -q impdeal.csv &&
	CRM_DB=imp.db crm-db audit -f changes -H >before &&
	grep -q "email=ysolde@imp.example" before && grep -q "contact=ysolde@imp.example" before &&
	CRM_DB=imp.db crm-contact erase 1 2>/dev/null &&
	CRM_DB=imp.db crm-db audit -f changes -H >after &&
	! grep -q "Ysolde\|ysolde\|Importé\|22 33" after &&
	CRM_DB=imp.db crm-deal timeline 1 -f text -H >after &&
	! grep -q "ysolde" after
'

# Everything held about a person beyond their own record: the tickets they
# asked (and what was written back), their purchases and what was noted
# of them, a deal that was theirs before it went to someone else, their
# survey answers and points.  Export lists it all; erasure leaves none of
# its text in any file, keeps the figures, and ties nothing new to them.
test_expect_success 'export-data and erase reach every record about the person' '
	export CRM_DB="$PWD/desk.db" &&
	crm-db init >/dev/null &&
	printf "From: Yolanda Wexford <yolanda.wex@privmail.example>\nTo: support@example.org\nSubject: Help MAILSUBJSECRET\nMessage-ID: <m1@privmail.example>\nDate: Sun, 22 Nov 2026 08:00:00 +0000\n\nI live at 9 Wexhollow Lane. MAILBODYSECRET\n" >m1.eml &&
	crm-ticket mail-in -q m1.eml >/dev/null &&
	crm-ticket reply 1 "Dear Yolanda, done" >/dev/null &&
	crm-contact add -q --first-name Other --email o@example.org >/dev/null &&
	crm-deal add -q --title D1 --contact 1 >/dev/null && crm-deal set -q 1 --contact 2 &&
	crm-purchase add -q --person 1 --total "5 EUR" --set giftmsg=PURCHASESECRET >/dev/null &&
	crm-purchase note 1 "for Yolanda, NOTESECRET" >/dev/null &&
	crm-feedback add -q --person 1 --kind nps --score 9 --comment COMMENTSECRET \
		--set ip=IPSECRET --set source_id=SURVEY1 >/dev/null &&
	crm-feedback note 1 "RESPONSENOTESECRET" >/dev/null &&
	crm-ticket set -q 1 --set zd=TICKETCUSTOMSECRET &&
	printf "From: Other <o@example.org>\nSubject: Re: [#1] Help\nMessage-ID: <o1@example.org>\n\nOTHERSAYS\n" >o.eml &&
	crm-ticket mail-in -q o.eml >/dev/null &&
	crm-campaign segment add asked --where "id = 1" --snapshot >/dev/null &&
	crm-contact export-data 1 >data.json &&
	jq -r ".segments[].segment, (.loyalty_tiers | type)" data.json >out &&
	printf "asked\narray\n" >expect && test_cmp expect out &&
	first=".tickets[0].subject, .ticket_messages[0].body, .purchases[0].total" &&
	jq -r "$first, .purchase_custom[0].value, .notes[0].body, .responses[0].comment" \
		data.json >out &&
	jq -r ".record_custom[] | [.record, .id, .key, .value] | @tsv" data.json >>out &&
	jq -r ".notes[1] | [.record, .body] | @tsv" data.json >>out &&
	jq -r ".ticket_messages[] | [.kind, .from, .own] | @tsv" data.json >>out &&
	cat >expect <<-\EOF &&
	Help MAILSUBJSECRET
	I live at 9 Wexhollow Lane. MAILBODYSECRET
	5.00 EUR
	PURCHASESECRET
	for Yolanda, NOTESECRET
	COMMENTSECRET
	response	1	ip	IPSECRET
	response	1	source_id	SURVEY1
	ticket	1	zd	TICKETCUSTOMSECRET
	response	RESPONSENOTESECRET
	customer	yolanda.wex@privmail.example	1
	reply	tester	0
	customer	o@example.org	0
	EOF
	test_cmp expect out &&
	expect_exit 2 crm-contact erase 1 2 2>err && grep -q "unexpected operand .2." err &&
	expect_exit 2 crm-contact export-data 1 2 2>/dev/null &&
	crm-contact erase -q 1 &&
	traces="[Yy]olanda|[Ww]exhollow|privmail|[A-Z]+SECRET" &&
	for f in desk.db desk.db-wal; do
		test ! -e $f || ! grep -a -q -E "$traces" $f || return 1
	done &&
	test -z "$(sqlite3 desk.db .dump | grep -E "$traces")" &&
	crm-ticket list -f id,status -H >out && printf "1\topen\n" >expect && test_cmp expect out &&
	crm-contact list -a -f id,erased_at -H >out &&
	printf "1\t2026-11-22T09:30:00Z\n2\t\n" >expect && test_cmp expect out &&
	crm-contact list -a -w "erased_at>=2026-11-22" -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-feedback list -f custom.source_id,custom.ip -H >out && printf "SURVEY1\t\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary -f revenue -H >out && echo 5.00 >expect && test_cmp expect out &&
	: the deal that went to Other still says so, without whom it came from &&
	crm-db audit -e deal -f action,changes -H >out &&
	printf "add\tcreated: title=D1\nset\tcontact: → o@example.org\n" >expect && test_cmp expect out &&
	expect_exit 3 crm-deal add --title D2 --contact 1 2>err && grep -q "contact 1 was erased" err &&
	expect_exit 3 crm-loyalty adjust 1 +5 --reason x 2>err && grep -q "contact 1 was erased" err
'
test_expect_success 'nothing imported refers to an erased person: the row is rejected, exit 3' '
	export CRM_DB="$PWD/desk.db" && db_rows desk.db >before &&
	printf "person,order_ref,total\n1,IMP-2,50.00 EUR\n" >p.csv &&
	expect_exit 3 crm-import purchases p.csv 2>err && grep -q "^crm-import: p.csv:2: person: contact 1 was erased" err &&
	printf "title,contact\nD,1\n" >d.csv && expect_exit 3 crm-import deals d.csv 2>err &&
	grep -q "d.csv:2: contact: contact 1 was erased" err &&
	printf "title,contact\nT,1\n" >t.csv && expect_exit 3 crm-import tasks t.csv 2>/dev/null &&
	printf "subject,requester\nK,1\n" >k.csv && expect_exit 3 crm-import tickets k.csv 2>/dev/null &&
	printf "kind,score,person\nnps,7,1\n" >r.csv && expect_exit 3 crm-import responses r.csv 2>/dev/null &&
	db_rows desk.db >after && test_cmp before after
'
# What the person wrote on tickets that are not theirs -- another's, or
# one of theirs given to someone else -- leaves the search index too.
test_expect_success 'erase: their messages on others tickets are gone from the search index' '
	export CRM_DB="$PWD/others.db" &&
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Zoe --email zoe@example.no >/dev/null &&
	crm-ticket add -q --subject Printer --requester "Bo Ek <bo@example.se>" "Printer broken" >/dev/null &&
	printf "From: Zoe <zoe@example.no>\nSubject: Re: [#1] Printer\nMessage-ID: <z1@example.no>\n\nMy flat is Storgata 9\n" >z.eml &&
	crm-ticket mail-in z.eml >/dev/null &&
	crm-ticket add -q --subject Scanner --requester zoe@example.no "Scanner at Fjordveien 4" >/dev/null &&
	crm-ticket set -q 2 --requester bo@example.se &&
	crm-ticket list --search storgata -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-contact erase -q 1 &&
	expect_exit 1 crm-ticket list --search storgata -H >/dev/null &&
	expect_exit 1 crm-ticket list --search fjordveien -H >/dev/null &&
	for f in others.db others.db-wal; do
		test ! -e $f || ! grep -a -q -E "Storgata|Fjordveien" $f || return 1
	done
'
# A ticket of the person merged into another's: what they wrote and
# what the desk wrote back to them are theirs to see and to have erased.
test_expect_success 'a ticket merged into another: the answers to the person go with it' '
	export CRM_DB="$PWD/merged.db" &&
	crm-contact add -q --first-name Ada --email ada@a.example >/dev/null &&
	crm-contact add -q --first-name Quillon --last-name Vexmoor --email qv@vexmoor.example >/dev/null &&
	crm-ticket add -q --subject "Ada printer" --requester 1 "Ada text" >/dev/null &&
	crm-ticket add -q --subject "Jam" --requester 2 "Quillon wrote" >/dev/null &&
	crm-ticket reply -q 2 "Dear Quillon, we are on it" &&
	crm-ticket merge -q 2 --into 1 &&
	crm-contact export-data 2 >data.json &&
	jq -r ".ticket_messages[] | [.ticket, .kind, .body] | @tsv" data.json >out &&
	printf "1\tcustomer\tQuillon wrote\n1\treply\tDear Quillon, we are on it\n" >expect && test_cmp expect out &&
	crm-contact erase -q 2 &&
	expect_exit 1 crm-ticket list --search quillon -H >/dev/null &&
	test -z "$(sqlite3 merged.db .dump | grep -i quillon)" &&
	crm-ticket thread 1 >out 2>&1 && grep -q "Ada text" out
'
# The files the person mailed and the surveys mailed to them are theirs
# too: export-data gives the files whole (base64) and the surveys sent.
test_expect_success 'export-data gives the person'"'"'s attachments and the surveys sent to them' '
	export CRM_DB="$PWD/files.db" CRM_CONFIG="$PWD/files.yaml" &&
	printf "mail:\n  from: Desk <desk@example.org>\n  send: cat >>\"$PWD/files.mbox\"\n" >files.yaml &&
	printf "From: Pia <pia@example.org>\nTo: desk@example.org\nSubject: passport\nMessage-ID: <p1@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee file\n--B\nContent-Type: application/octet-stream; name=id.bin\nContent-Disposition: attachment; filename=id.bin\nContent-Transfer-Encoding: base64\n\nUEFTU1BPUlQKAP8=\n--B--\n" >p.eml &&
	crm-ticket mail-in -q p.eml >/dev/null && crm-ticket solve -q 1 &&
	crm-feedback survey -q --solved-since 1d >/dev/null &&
	crm-contact export-data 1 >data.json &&
	jq -r ".ticket_attachments[] | [.ticket, .name, .size] | @tsv" data.json >out &&
	printf "1\tid.bin\t11\n" >expect && test_cmp expect out &&
	jq -r ".ticket_attachments[0].content" data.json | base64 -d >got &&
	printf "PASSPORT\n\0\377" >want && cmp want got &&
	jq -r ".surveys[] | [.ticket, (.message_id | length > 0)] | @tsv" data.json >out &&
	printf "1\ttrue\n" >expect && test_cmp expect out
'
# Two records of one person, each sent campaigns, one address bounced:
# after the merge the survivor's export lists every message (campaign 3
# reached both records: the merge keeps one send, its journal the other), and its
# erasure leaves none of the addresses, whichever record they were on.
test_expect_success 'export-data and erase after a merge reach the merged record'"'"'s campaign mail' '
	export CRM_DB="$PWD/camp.db" CRM_CONFIG="$PWD/camp.yaml" &&
	printf "mail:\n  from: Shop <news@example.org>\n" >camp.yaml &&
	crm-db init >/dev/null &&
	printf "Hi {{first_name}}\n" >t.txt && crm-campaign template add t --subject Hi --text t.txt >/dev/null &&
	crm-contact add -q --first-name Ottoline --email otto@vexwork.example --tag one --tag all >/dev/null &&
	crm-contact add -q --first-name Ottoline --email ottoline@vexhome.example --tag two --tag all >/dev/null &&
	printf "1\n2\n" | crm-contact consent set - email granted &&
	crm-campaign segment add one --tag one >/dev/null &&
	crm-campaign segment add two --tag two >/dev/null &&
	crm-campaign segment add both --tag all >/dev/null &&
	for s in one two both; do
		k=$(crm-campaign add -q --name $s --segment $s --template t) &&
		crm-campaign send $k --to mbox:camp.mbox >/dev/null 2>&1 || return 1
	done &&
	mid=$(sqlite3 camp.db "select message_id from campaign_sends where campaign_id = 2") &&
	printf "From: MAILER-DAEMON@mx.example.net\nTo: news@example.org\nMessage-ID: <b1@mx.example.net>\nSubject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: text/plain\n\nSorry.\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; ottoline@vexhome.example\nAction: failed\nStatus: 5.1.1\n\n--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <%s>\n\n--B--\n" "$mid" >dsn.eml &&
	crm-campaign bounces dsn.eml 2>/dev/null &&
	CRM_NOW=2026-11-22T10:00:00Z crm-contact set -q 1 --city Vexton &&
	crm-contact merge 1 2 >/dev/null &&
	crm-contact export-data 1 >data.json &&
	jq -r ".campaign_mail[] | [.campaign, .state, .email, .bounced_at != null] | @tsv" data.json >out &&
	printf "1\tsent\totto@vexwork.example\tfalse\n2\tsent\tottoline@vexhome.example\ttrue\n" >expect &&
	printf "3\tsent\totto@vexwork.example\tfalse\n3\tsent\tottoline@vexhome.example\tfalse\n" >>expect &&
	test_cmp expect out &&
	crm-contact erase -q 1 &&
	traces="[Oo]ttoline|[Vv]ex(work|home|ton)" &&
	for f in camp.db camp.db-wal; do
		test ! -e $f || ! grep -a -q -E "$traces" $f || return 1
	done &&
	test -z "$(sqlite3 camp.db .dump | grep -E "$traces")" &&
	crm-campaign results 2 -f measure,value -H | grep -E "^(sent|bounced)	" >out &&
	printf "sent\t1\nbounced\t1\n" >expect && test_cmp expect out &&
	: a report of the erased person arriving later brings nothing back &&
	sed "s/<b1@/<b2@/" dsn.eml >dsn2.eml && crm-campaign bounces dsn2.eml 2>err &&
	grep -q "1 report(s): 0 hard and 0 soft" err &&
	test -z "$(sqlite3 camp.db .dump | grep -E "$traces")" &&
	crm-contact export-data 1 | jq -c .bounces >out && echo "[]" >expect && test_cmp expect out
'
# A reader's snapshot keeps the old pages in the log: the erasure is
# done, its wiping not yet; exit 1, and a second erase finishes it.  The
# reader holds its snapshot for three seconds; the probes wait for it.
test_expect_success 'erase while another program reads: done, told to wipe again' '
	export CRM_DB="$PWD/hold.db"
	crm-contact add -q --first-name Hal --email hal.hold@example.org >/dev/null
	{ echo "BEGIN;"; echo "SELECT count(*) FROM contacts;"; sleep 3; echo "COMMIT;"; } |
		sqlite3 hold.db >/dev/null &
	for i in $(seq 30); do
		sqlite3 hold.db "BEGIN IMMEDIATE; UPDATE contacts SET updated_at = updated_at; COMMIT;
			PRAGMA wal_checkpoint(TRUNCATE)" | grep -q "^1|" && break
		sleep 0.1
	done
	CRM_BUSY_TIMEOUT=100 expect_exit 1 crm-contact erase 1 2>err &&
	grep -q "erased, but the old values stay .*: erase again once it is done" err &&
	crm-contact list --all -f id,email -H >out && printf "1\t\n" >expect && test_cmp expect out &&
	wait && crm-contact erase -q 1 &&
	! grep -a -q "hal.hold" hold.db && test ! -s hold.db-wal
'
test_expect_success '--csv-safe neutralises cells that a spreadsheet would run' '
	crm-contact add -q --first-name "=HYPERLINK(\"http://x\")" --last-name "+1" --title "-2" --city "@SUM(A1)" >/dev/null &&
	crm-contact list --format csv --csv-safe -f first_name,last_name,title,city -H --where "last_name = +1" |
		tr -d "\r" >out &&
	grep -q "^\"'\''=HYPERLINK" out && grep -q ",'\''+1,'\''-2,'\''@SUM(A1)$" out &&
	crm-contact list --format csv -f city -H --where "last_name = +1" | tr -d "\r" | grep -qx "@SUM(A1)"
'
# What --csv-safe wrote imports as it was: the apostrophe marks text for
# a spreadsheet and is no part of the value.
test_expect_success 'a --csv-safe export imports again as it was' '
	crm-contact list --format csv --csv-safe -f first_name,last_name,title,city --where "last_name = +1" >safe.csv &&
	crm-import contacts --db safe.db -q safe.csv &&
	crm-contact list --db safe.db --format csv -f first_name,last_name,title,city >back.csv &&
	crm-contact list --format csv -f first_name,last_name,title,city --where "last_name = +1" >orig.csv &&
	test_cmp orig.csv back.csv
'
test_done
