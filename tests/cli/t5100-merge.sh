#!/bin/bash
# crm-dedup merge, unmerge and history, and crm-contact merge: survivorship,
# re-pointing of every reference, the merge/unmerge round trip, and every
# kind of bad merge input.
. "$(dirname "$0")/lib.sh"

# The database's content: every table a merge touches, and the search
# index's content (its shadow tables' bytes legitimately differ).
snapshot() {
	for t in contacts contact_custom contact_tags consents interactions companies company_custom; do
		echo "== $t"
		sqlite3 "$CRM_DB" "SELECT * FROM $t ORDER BY 1, 2"
	done
	echo "== search"
	fts_sqlite3 "$CRM_DB" "SELECT rowid, * FROM contacts_fts ORDER BY rowid"
	# The history that was there before: a merge moves it and an unmerge
	# moves it back; the entries they write themselves stay.
	echo "== audit (whose is each entry)"
	sqlite3 "$CRM_DB" "SELECT seq, entity_id FROM audit WHERE seq <= $(cat "$SCRATCH/last-seq") ORDER BY seq"
}

test_expect_success 'setup: two people entered twice, with notes, tags, consent' '
	crm-db init >/dev/null &&
	crm-company add --name Acme >/dev/null &&
	cat >people.csv <<-\EOF &&
	first_name,last_name,email,phone,birth_date,city,country,company
	Robert,Lovelace,bob@example.org,020 7946 0001,1975-03-12,London,GB,Acme
	Bob,Lovelace,bob.lovelace@example.com,+44 20 7946 0002,1975-03-12,,GB,
	Ada,Byron,ada@example.org,,1985-12-10,London,GB,
	Byron,Ada,,,1985-12-10,London,GB,
	Grace,Hopper,grace@example.org,,1906-12-09,New York,US,
	EOF
	crm-import contacts -q people.csv &&
	crm-contact tag -q add vip 1 &&
	crm-contact tag -q add newsletter 2 &&
	crm-contact note 2 "called about the renewal" >/dev/null &&
	crm-contact consent set 1 email granted &&
	CRM_NOW=2026-11-22T10:00:00Z crm-contact consent set 2 email withdrawn &&
	CRM_NOW=2026-11-22T10:00:00Z crm-contact set -q 2 --city Leeds --set shoe=42 &&
	sqlite3 "$CRM_DB" "SELECT max(seq) FROM audit" >"$SCRATCH/last-seq" &&
	snapshot >before
'
test_expect_success 'find output merges each cluster into its oldest record' '
	crm-dedup find >clusters &&
	crm-dedup merge <clusters >out &&
	printf "merge\tcluster\tsurvivor\tmerged\n1\t1\t1\t2\n2\t2\t3\t4\n" >expect &&
	test_cmp expect out &&
	crm-contact list -H -f id >ids && printf "1\n3\n5\n" >expect && test_cmp expect ids
'
test_expect_success 'each field takes the most recently updated value; others stay as custom' '
	crm-contact show 1 -f first_name,email,phone,city,company,custom.email2,custom.phone2,custom.shoe -H >out &&
	printf "Bob\tbob.lovelace@example.com\t+44 20 7946 0002\tLeeds\tAcme\tbob@example.org\t020 7946 0001\t42\n" >expect &&
	test_cmp expect out
'
test_expect_success 'tags are united, the newer consent wins' '
	crm-contact show 1 -f tags -H >out && echo "newsletter,vip" >expect && test_cmp expect out &&
	crm-contact consent show 1 -f channel,status -H >out && printf "email\twithdrawn\n" >expect &&
	test_cmp expect out
'
test_expect_success 'notes and history move to the survivor, search finds them there' '
	crm-contact timeline 1 -f kind,text -H >out &&
	grep -q "^note	called about the renewal$" out &&
	grep -q "^merge	merge: 1; merged: \[2\]$" out &&
	test "$(grep -c "^add" out)" -eq 2 &&
	crm-contact list --search renewal -H -f id >out && echo 1 >expect && test_cmp expect out
'
# Nora entered four times, merged two and two, then the two survivors:
# each keeps the other's address and number as email2, phone2, and the
# last merge keeps all four, each once, the survivor's own not again.
test_expect_success 'people merged in stages keep every address and number, each once' '
	printf "first_name,last_name,email,phone,birth_date,country\n" >nora.csv &&
	for i in 1 2 3 4; do
		printf "Nora,Berg,nora%s@example.no,+47 22 %s%s %s%s %s%s,1990-01-01,NO\n" $i $i $i $i $i $i $i >>nora.csv
	done &&
	crm-import contacts -q --db stages.db nora.csv &&
	CRM_NOW=2026-11-22T10:00:00Z crm-contact merge --db stages.db 1 2 >/dev/null 2>&1 &&
	CRM_NOW=2026-11-22T10:00:00Z crm-contact merge --db stages.db 3 4 >/dev/null 2>&1 &&
	CRM_NOW=2026-11-22T11:00:00Z crm-contact merge --db stages.db 1 3 >/dev/null 2>&1 &&
	crm-contact show --db stages.db 1 -f email,custom.email2,custom.email3,custom.email4 -H |
		tr "\t" "\n" | sort >out &&
	printf "nora%s@example.no\n" 1 2 3 4 >expect && test_cmp expect out &&
	crm-contact show --db stages.db 1 -f phone,custom.phone2,custom.phone3,custom.phone4 -H |
		tr "\t" "\n" | tr -d " " | sort >out &&
	printf "+4722%s%s%s%s%s%s\n" 1 1 1 1 1 1 2 2 2 2 2 2 3 3 3 3 3 3 4 4 4 4 4 4 >expect && test_cmp expect out &&
	: merged again with a record of the address it keeps first, it is not kept twice &&
	crm-contact add -q --db stages.db --first-name Nora --last-name Berg --email nora1@example.no \
		--birth-date 1990-01-01 --country NO >/dev/null &&
	CRM_NOW=2026-11-22T12:00:00Z crm-contact merge --db stages.db 1 5 >/dev/null 2>&1 &&
	crm-contact show --db stages.db 1 --format json >one.json &&
	test "$(grep -o "nora1@example.no" one.json | wc -l)" = 1
'
test_expect_success 'a merge whose survivor was deleted since cannot be undone, even forced' '
	printf "first_name,last_name,email,phone,birth_date,country\nRobert,Lovelace,bob@example.org,020 7946 0001,1975-03-12,GB\nBob,Lovelace,,+44 20 7946 0001,1975-03-12,GB\n" >gone.csv &&
	crm-import contacts -q --db gone.db gone.csv &&
	CRM_NOW=2026-11-22T10:00:00Z crm-dedup merge --db gone.db --auto -q >/dev/null &&
	CRM_NOW=2026-11-22T11:00:00Z crm-import undo --db gone.db --force 1 2>/dev/null &&
	db_rows gone.db >gone.before &&
	expect_exit 1 crm-dedup unmerge --db gone.db --force 1 2>err &&
	grep -q "merge 1 cannot be undone: contact 1 was deleted since" err &&
	db_rows gone.db >gone.after && test_cmp gone.before gone.after
'
test_expect_success 'history lists the merges' '
	crm-dedup history -f merge,survivor,merged,undone_at >out &&
	printf "merge\tsurvivor\tmerged\tundone_at\n1\t1\t2\t\n2\t3\t4\t\n" >expect && test_cmp expect out
'
test_expect_success 'unmerge restores the records and every reference exactly' '
	crm-dedup unmerge 2 && crm-dedup unmerge 1 &&
	snapshot >after && test_cmp before after && crm-db check >/dev/null &&
	crm-dedup history -H -f undone_at | grep -c . | grep -qx 2
'
test_expect_code 1 'unmerge of a merge already undone' '
	crm-dedup unmerge 1 2>err; s=$?; grep -q "merge 1 was already undone" err && exit $s
'
test_expect_code 1 'unmerge of an unknown merge' '
	crm-dedup unmerge 42 2>err; s=$?; grep -q "no merge 42" err && exit $s
'
test_expect_success '--survivor newest and --fields survivor' '
	crm-contact merge --survivor newest --fields survivor 1 2 >m &&
	crm-contact show 2 -f first_name,email,city,custom.email2 -H >out &&
	printf "Bob\tbob.lovelace@example.com\tLeeds\tbob@example.org\n" >expect && test_cmp expect out &&
	crm-dedup unmerge "$(cat m)" && snapshot >after && test_cmp before after
'
test_expect_success 'crm-contact merge --into picks the survivor' '
	crm-contact merge --into 4 3 4 >m &&
	crm-contact list -H -f id,first_name,last_name --where "id = 4" >out &&
	printf "4\tByron\tAda\n" >expect && test_cmp expect out &&
	crm-dedup unmerge "$(cat m)"
'
test_expect_success 'the survivor changed since: unmerge refuses, then --force' '
	m=$(crm-contact merge 1 2) &&
	crm-contact set -q 1 --title CTO &&
	expect_exit 3 crm-dedup unmerge "$m" 2>err &&
	grep -q "contact 1 changed since merge $m" err &&
	crm-dedup unmerge --force "$m" &&
	snapshot >after && test_cmp before after
'
test_expect_success '--dry-run prints the merges and changes nothing' '
	snapshot >pre &&
	crm-dedup find | crm-dedup merge -n -H -f survivor,merged >out &&
	printf "1\t2\n3\t4\n" >expect && test_cmp expect out &&
	snapshot >post && test_cmp pre post
'
test_expect_success '--auto merges what find reports, in JSON lines input too' '
	crm-dedup find --format jsonl >clusters.jsonl &&
	crm-dedup merge -n -i jsonl -H -f merged clusters.jsonl >a &&
	crm-dedup merge -n --auto -H -f merged >b && test_cmp a b
'

# Malformed merge input: a clear error naming the line, exit 3, nothing
# merged (the good cluster before the bad one is not merged either).
bad_merge() {
	snapshot >pre
	printf "cluster\tid\n1\t1\n1\t2\n" >in.tsv
	printf "$1" >>in.tsv
	crm-dedup merge in.tsv 2>err >/dev/null
	s=$?
	cat err >&2
	snapshot >post
	test_cmp pre post && grep -q "$2" err && return $s
}
test_expect_code 3 'an id that is not a number' 'bad_merge "2\t3\n2\tx4\n" "in.tsv:5: id: .x4. is not a contact id"'
test_expect_code 3 'a line with too many fields' 'bad_merge "2\t3\t9\n2\t4\n" "in.tsv:4"'
test_expect_code 3 'input without the columns' '
	snapshot >pre; printf "a\tb\n1\t2\n" | crm-dedup merge 2>err; s=$?; snapshot >post;
	test_cmp pre post && grep -q "<stdin>: a merge needs the columns cluster and id, which its header does not name$" err && exit $s'
test_expect_code 3 'CSV read as TSV: the message says how to read it' '
	printf "cluster,id\n1,1\n1,2\n" | crm-dedup merge 2>err; s=$?
	grep -q "(--input-format csv reads CSV)" err && exit $s'
test_expect_success 'a dry run says it wrote nothing' '
	rm -f dry.db* && crm-contact add --db dry.db -q --first-name A --email a@dry.example &&
	crm-contact add --db dry.db -q --first-name A --email a2@dry.example &&
	printf "cluster\tid\n1\t1\n1\t2\n" | crm-dedup merge --db dry.db -n >/dev/null 2>err &&
	grep -q "merged 1 cluster, 0 not merged; dry run, nothing written" err &&
	test "$(crm-contact list --db dry.db -f id -H | wc -l)" = 2'
test_expect_code 3 'an id in two clusters' 'bad_merge "2\t3\n2\t2\n" "in.tsv:5: contact 2 is already in a cluster (line 3)"'
test_expect_code 3 'a cluster of one' 'bad_merge "2\t3\n" "in.tsv:4: cluster 2 has only contact 3"'

# A cluster that cannot be merged (a contact gone, archived or changed
# since find) is named with the reason and left alone while the good
# cluster before it is merged, exit 3; with --all-or-nothing nothing is.
refused_merge() {
	snapshot >pre
	crm-dedup merge --all-or-nothing "$1" 2>err >out; s=$?
	cat err >&2
	snapshot >post
	test $s = 3 && test_cmp pre post && test ! -s out && grep -q "$2" err &&
	grep -q "nothing merged (--all-or-nothing)" err || return 1
	crm-dedup merge "$1" 2>err >out; s=$?
	cat err >&2
	test $s = 3 && grep -q "cluster 2 (contacts $3) not merged: $2" err &&
	grep -q "merged 1 cluster, 1 not merged" err &&
	m=$(awk -F"\t" "NR == 2 && \$2 == 1 && \$3 == 1 && \$4 == 2 { print \$1 }" out) &&
	test "$(wc -l <out)" = 2 && test -n "$m" &&
	expect_exit 1 crm-contact show 2 2>/dev/null &&
	crm-dedup unmerge "$m" && snapshot >post && test_cmp pre post
}
test_expect_success 'a cluster naming a contact that does not exist' '
	printf "cluster\tid\n1\t1\n1\t2\n2\t3\n2\t99\n" >in.tsv &&
	refused_merge in.tsv "in.tsv:5: contact 99 does not exist" "3, 99"
'
test_expect_success 'a cluster with an archived contact' '
	printf "cluster\tid\n1\t1\n1\t2\n2\t3\n2\t5\n" >in.tsv &&
	crm-contact rm -q 5 && refused_merge in.tsv "in.tsv:5: contact 5 is archived" "3, 5";
	s=$?; crm-contact restore -q 5; exit $s
'
test_expect_success 'a cluster with a record changed since find ran' '
	printf "cluster\tid\tupdated_at\n1\t1\t\n1\t2\t\n2\t3\t2026-11-22T09:30:00Z\n2\t4\t\n" >in.tsv &&
	CRM_NOW=2026-11-22T11:00:00Z crm-contact set -q 3 --title Poet &&
	refused_merge in.tsv "in.tsv:4: contact 3 changed since it was found (updated_at 2026-11-22T09:30:00Z, now 2026-11-22T11:00:00Z)" "3, 4"
'
# A phone number stays the number it was in its own record, whatever
# country the survivor takes from another.
test_expect_success 'a national phone from one record and the country from another merge' '
	export CRM_DB="$SCRATCH/phone.db" &&
	CRM_NOW=2026-11-22T09:30:00Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --city London >/dev/null &&
	CRM_NOW=2026-11-22T09:30:01Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --city London --phone "020 7946 0001" --country GB >/dev/null &&
	CRM_NOW=2026-11-22T09:30:02Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --city London --country US >/dev/null &&
	crm-dedup find | crm-dedup merge >out &&
	crm-contact show 1 -f phone,phone_e164,country -H >out &&
	printf "+442079460001\t+442079460001\tUS\n" >expect && test_cmp expect out &&
	crm-db check >/dev/null
'
test_expect_success 'a phone that reads the same in the new country is kept as typed' '
	export CRM_DB="$SCRATCH/phone2.db" &&
	CRM_NOW=2026-11-22T09:30:00Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --phone "+44 20 7946 0001" --country US >/dev/null &&
	CRM_NOW=2026-11-22T09:30:01Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --phone "020 7946 0002" --country GB >/dev/null &&
	CRM_NOW=2026-11-22T09:30:02Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --country FR >/dev/null &&
	crm-contact merge 1 2 3 >/dev/null &&
	crm-contact show 1 -f phone,country,custom.phone2 -H >out &&
	printf "+442079460002\tFR\t+44 20 7946 0001\n" >expect && test_cmp expect out
'
test_expect_success 'the survivor'"'"'s own national phone is rewritten when its country changes' '
	export CRM_DB="$SCRATCH/phone3.db" &&
	CRM_NOW=2026-11-22T09:30:00Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --phone "020 7946 0001" --country GB >/dev/null &&
	CRM_NOW=2026-11-22T09:30:01Z crm-contact add -q --first-name Ada --last-name Byron \
		--birth-date 1815-12-10 --country US >/dev/null &&
	crm-contact merge 1 2 >/dev/null &&
	crm-contact show 1 -f phone,phone_e164,country -H >out &&
	printf "+442079460001\t+442079460001\tUS\n" >expect && test_cmp expect out &&
	crm-contact list --format jsonl | crm-import contacts --format jsonl --key id \
		--on-conflict update 2>err && grep -q "unchanged 1" err
'
test_expect_code 2 'a missing input file' 'crm-dedup merge nosuch.tsv'
# Two decisions of one second: the refusal stands, whichever survives.
test_expect_success 'of two consents given at one time the withdrawal wins either way' '
	for rule in oldest newest; do
		rm -f tie.db* &&
		crm-contact add --db tie.db -q --first-name Eve --last-name Ray --email eve@example.com &&
		crm-contact add --db tie.db -q --first-name Eve --last-name Ray --email eve@example.org &&
		CRM_NOW=2026-05-01T10:00:00Z crm-contact consent set --db tie.db 1 email granted \
			--source form &&
		CRM_NOW=2026-05-01T10:00:00Z crm-contact consent set --db tie.db 2 email withdrawn \
			--source unsubscribe-link &&
		crm-contact merge --db tie.db --survivor $rule 1 2 >/dev/null &&
		crm-contact list --db tie.db -f id -H >id &&
		crm-contact consent show --db tie.db $(cat id) -f status,source -H >out &&
		printf "withdrawn\tunsubscribe-link\n" >expect && test_cmp expect out || return 1
	done
'
test_expect_code 2 'a bad --survivor' 'crm-dedup merge --survivor tallest </dev/null'
test_expect_code 2 '--auto with an input file' 'crm-dedup merge --auto clusters'
# -a is --all in every list: a merge of everything has no short form.
test_expect_code 2 'merge -a is no short --auto' 'crm-dedup merge -a -n'
test_expect_code 3 'crm-contact merge of one id' 'crm-contact merge 1'
test_expect_code 1 'crm-contact merge of a missing id' 'crm-contact merge 1 99'
# A chain: 1 into 2, then 2 into 3.  The first cannot be undone while
# the second holds 2 (not even forced: its rows are the second's now);
# newest first, each comes apart without --force and all is as before.
test_expect_success 'a chain of merges comes apart newest first, and only so' '
	export CRM_DB="$PWD/chain.db" &&
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Anna --last-name Kowalska --email anna.k@example.pl -t a >/dev/null &&
	crm-contact add -q --first-name Ania --last-name Kowalska --email ania@example.pl -t b >/dev/null &&
	crm-contact add -q --first-name Anna --last-name Nowak --email anna.nowak@example.pl >/dev/null &&
	rows() { db_rows chain.db | awk "/^== /{ skip = (\$2 == \"merges\") } !skip"; } &&
	rows >before &&
	crm-contact merge --into 2 1 2 >/dev/null && crm-contact merge --into 3 2 3 >/dev/null &&
	rows >merged &&
	expect_exit 3 crm-dedup unmerge --force 1 2>err &&
	grep -q "contact 2 was merged into contact 3 since (merge 2): unmerge that first" err &&
	rows >after && test_cmp merged after &&
	crm-dedup unmerge 2 && crm-dedup unmerge 1 &&
	rows >after && test_cmp before after
'
test_expect_success 'an unmerge that would give back an email taken since is refused, naming both' '
	export CRM_DB="$PWD/taken.db" &&
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Ann --last-name Lee --email ann@a.example >/dev/null &&
	crm-contact add -q --first-name Ann --last-name Lee --email ann@b.example >/dev/null &&
	crm-contact merge -q 1 2 && crm-contact add -q --first-name Other --email ann@a.example >/dev/null &&
	snapshot before &&
	expect_exit 3 crm-dedup unmerge --force 1 2>err &&
	grep -q "contact 1.s email ann@a.example belongs to contact 3 now" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'a refund made after the merge goes back with its purchase, points and all' '
	printf "loyalty:\n  earn:\n    - { name: spend, per: amount, points: 1 }\n" >points.yaml &&
	export CRM_DB="$PWD/refund.db" CRM_CONFIG="$PWD/points.yaml" &&
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Ann --last-name Lee --email ann@a.example >/dev/null &&
	crm-contact add -q --first-name Ann --last-name Lee --email ann@b.example >/dev/null &&
	crm-purchase add -q --person 1 --total 200 --order-ref A1 >/dev/null &&
	crm-purchase add -q --person 2 --total 80 --order-ref B1 >/dev/null &&
	crm-contact merge -q 1 2 && crm-purchase refund 2 >/dev/null &&
	crm-dedup unmerge 1 &&
	crm-purchase list -a -f id,contact_id,refund_of -H >out &&
	printf "1\t1\t\n2\t2\t\n3\t2\t2\n" >expect && test_cmp expect out &&
	crm-contact list -f id,points,revenue -H >out &&
	printf "1\t200\t200.00 EUR\n2\t0\t0.00 EUR\n" >expect && test_cmp expect out
'
# What points at a person from tables of no entity: their messages on
# another's ticket and their place in a snapshot segment go with the
# merge, and come back with the unmerge, exactly.
test_expect_success 'ticket messages and snapshot segments follow a merge and its unmerge' '
	export CRM_DB="$PWD/links.db" &&
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Ann --last-name Lee --email ann@a.example -t news >/dev/null &&
	crm-contact add -q --first-name Ann --last-name Lee --email ann@b.example -t news -t vip >/dev/null &&
	crm-contact add -q --first-name Bob --email bob@c.example >/dev/null &&
	echo "Bob asks" | crm-ticket add -q --subject Q --requester 3 >/dev/null &&
	printf "From: ann@b.example\nSubject: Re: [#1] Q\nMessage-ID: <x@b.example>\n\nmy passport is AB123\n" >m.eml &&
	crm-ticket mail-in -q m.eml >/dev/null &&
	crm-campaign segment add vips --tag vip --snapshot >/dev/null &&
	rows() { db_rows links.db | awk "/^== /{ skip = (\$2 == \"merges\") } !skip"; } &&
	rows >before &&
	crm-contact merge -q 1 2 &&
	crm-campaign segment list -f name,members -H >out && printf "vips\t1\n" >expect && test_cmp expect out &&
	crm-contact export-data 1 | jq -r ".ticket_messages[].body" >out &&
	echo "my passport is AB123" >expect && test_cmp expect out &&
	crm-dedup unmerge 1 && rows >after && test_cmp before after
'
test_done
