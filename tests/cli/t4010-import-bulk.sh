#!/bin/bash
# crm-import --mode bulk against --mode row: every import the import tests
# run (their bad inputs too) goes through both, with identical exit
# status, summary, rejects, reject files and database content; a bulk
# import done again row by row when a row is rejected half-way, or done
# without the threads that read ahead; undo of a bulk batch, set by set
# and record by record.
. "$(dirname "$0")/lib.sh"

# The whole database but for its random key, indexes in name order.
content() {
	"$TOP/tests/cli/db-content" "$1"
}

test_expect_success 'setup: crm-import replaced by a stand-in that runs each import both ways' '
	mkdir bin equiv &&
	for p in "$CRM_BIN"/crm*; do ln -s "$p" bin/; done &&
	rm bin/crm-import && cp "$TOP/tests/cli/import-twice" bin/crm-import
'
for t in t4000-import t6300-import-sales t6420-import-tickets t6600-feedback t6700-purchase t7200-hostile; do
	test_expect_success "$t: every import the same row by row and in bulk" '
		REAL_BIN=$CRM_BIN EQUIV_DIR=$SCRATCH/equiv CRM_BIN=$SCRATCH/bin \
			DB_CONTENT=$TOP/tests/cli/db-content \
			bash "$TOP/tests/cli/$t.sh" >out 2>&1 </dev/null
		s=$?
		grep -v "^ok " out | head -40
		test $s = 0 && ! grep -q "^not ok" out &&
		if [ -s equiv/mismatches ]; then cat equiv/mismatches; exit 1; fi
	'
done
test_expect_success 'the stand-in compared many imports' '
	cat equiv/count && test "$(cat equiv/count)" -ge 100
'

# Good rows, rows rejected before they write (bad email, repeated key),
# rows rejected after they wrote (a new company made, then no name to keep
# the person), and records that match.
test_expect_success 'setup: 2,001 rows with rejects of every kind' '
	{
		echo "first_name,email,company,tags,notes,phone,country"
		echo "Early,not-an-address,,,,,"
		for i in $(seq 1 2000); do
			case $((i % 97)) in
			5) echo ",,Ghost $i,,,," ;;
			11) echo "Bad$i,not-an-address,Co $((i % 9)),,,," ;;
			17) echo "Dup$i,p$((i - 1))@example.org,Co 1,,,," ;;
			23) echo "Pho$i,pho$i@example.org,New $i,t1,n,12,XX" ;;
			*) echo "P$i,p$i@example.org,Co $((i % 13)),t$((i % 3)),note $i,030 9018$((2000 + i % 5000)),DE" ;;
			esac
		done
	} >big.csv &&
	test $(wc -c <big.csv) -lt 1048576 &&
	crm-contact add -q --first-name Pre --email p40@example.org
'
test_expect_success 'the file imported in bulk and row by row gives the same everything' '
	cp "$CRM_DB" start.db &&
	for m in row bulk; do
		cp start.db $m.db &&
		{ crm-import contacts --db $m.db --mode $m --on-conflict update --reject rej.$m.csv \
			big.csv 2>err.$m; echo "exit $?" >>err.$m; } &&
		content $m.db >dump.$m || return 1
	done &&
	test_cmp err.row err.bulk && test_cmp rej.row.csv rej.bulk.csv && test_cmp dump.row dump.bulk &&
	grep -q "exit 3" err.bulk && grep -q "updated 1," err.bulk &&
	test $(grep -c "needs a first name" err.bulk) -ge 20 &&
	test $(grep -c "repeats an earlier" err.bulk) -ge 20
'
# A stack past the address space for every thread (glibc gives new threads
# the stack limit of the process): no thread can start, and the import
# reads its rows itself, to the same end.
test_expect_success 'a bulk import the system starts no thread for gives the same everything' '
	cp start.db nothread.db &&
	{ (ulimit -s $((1 << 38)) &&
		crm-import contacts --db nothread.db --mode bulk --on-conflict update \
			--reject rej.nothread.csv --timings big.csv 2>err.nothread); echo "exit $?" >>err.nothread; } &&
	grep -q "^crm-import: bulk, then row mode; seconds: .*(0 threads; phone numbers 0.00)" err.nothread &&
	grep -v "seconds:" err.nothread >err.nothread.summary &&
	grep -v "seconds:" err.bulk >err.bulk.summary &&
	test_cmp err.bulk.summary err.nothread.summary && test_cmp rej.bulk.csv rej.nothread.csv &&
	content nothread.db >dump.nothread && test_cmp dump.bulk dump.nothread &&
	grep -v "^,,Ghost\|^Pho\|^Bad\|^Dup\|^Early" big.csv >whole.csv &&
	for t in "[1-4]" 0; do
		cp start.db whole.db &&
		(if [ "$t" = 0 ]; then ulimit -s $((1 << 38)); fi &&
			crm-import contacts --db whole.db --mode bulk --timings whole.csv 2>err.whole) &&
		grep -q "^crm-import: bulk mode; seconds: .*($t thread" err.whole &&
		content whole.db >dump.whole$t || return 1
	done &&
	test_cmp "dump.whole[1-4]" dump.whole0
'
# The reading thread checks a row's UTF-8 for the writing one: a column
# that no field reads is checked all the same.
test_expect_success 'invalid UTF-8 in a column nothing reads is refused in bulk as row by row' '
	printf "email,first_name,fax\nok@example.org,Ok,1\nbad@example.org,Bad,\377\n" >u8.csv &&
	for m in row bulk; do
		cp start.db u8.$m.db &&
		{ crm-import contacts --db u8.$m.db --mode $m --ignore-unknown u8.csv 2>u8err.$m
		  echo "exit $?" >>u8err.$m; } || return 1
	done &&
	test_cmp u8err.row u8err.bulk &&
	grep -q "^crm-import: u8.csv:3: fax: invalid UTF-8 in column .fax. (--encoding names the input.s character set: cp1252 ...)$" u8err.bulk &&
	grep -q "exit 3" u8err.bulk
'
test_expect_success 'invalid UTF-8 in a column name is refused in bulk as row by row' '
	printf "email,f\377x\nok@example.org,1\n" >u8name.csv &&
	for m in row bulk; do
		cp start.db u8name.$m.db &&
		{ crm-import contacts --db u8name.$m.db --mode $m --ignore-unknown u8name.csv \
			2>u8nerr.$m; echo "exit $?" >>u8nerr.$m; } || return 1
	done &&
	test_cmp u8nerr.row u8nerr.bulk &&
	grep -q "^crm-import: u8name.csv:2: invalid UTF-8 in a column name (--encoding names the input.s character set: cp1252 ...)$" u8nerr.bulk &&
	grep -q "exit 3" u8nerr.bulk
'
test_expect_success 'a row rejected half-way makes a bulk import start again row by row' '
	cp start.db again.db &&
	expect_exit 3 crm-import contacts --db again.db --mode bulk --timings --on-conflict update big.csv 2>err &&
	grep -q "^crm-import: bulk, then row mode; seconds:" err &&
	test $(grep -c "big.csv:[0-9]*: " err) = $(grep -c "big.csv:[0-9]*: " err.row) &&
	grep -v "^crm-import: bulk, then row mode; seconds:" err >got &&
	sed "/^exit/d" err.row >want && test_cmp want got &&
	grep -v "^,,Ghost\|^Pho" big.csv >clean.csv && cp start.db clean.db &&
	expect_exit 3 crm-import contacts --db clean.db --mode bulk --timings clean.csv 2>err &&
	grep -q "^crm-import: bulk mode; seconds:" err
'
test_expect_success 'a bulk import that writes no record leaves the file as it was' '
	crm-db init --db none.db >/dev/null &&
	sqlite3 none.db "PRAGMA schema_version" >version.before && sqlite3 none.db .dump >dump.before &&
	printf "first_name,email\nAna,not-an-email\nBob,also bad\n" >allbad.csv &&
	expect_exit 3 crm-import contacts --db none.db --mode bulk --timings allbad.csv 2>err &&
	grep -q "^crm-import: bulk mode; seconds:" err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 0, rejected 2" err &&
	sqlite3 none.db "PRAGMA schema_version" >version.after && test_cmp version.before version.after &&
	sqlite3 none.db .dump >dump.after && test_cmp dump.before dump.after
'
test_expect_success 'by default a file of 1 MiB or more takes the bulk mode; a smaller one and stdin rows' '
	{ head -n 1 big.csv && sed -n 3,6p big.csv; } >small.csv &&
	{ echo "first_name,padding" && printf "Pad,%01048576d\n" 0; } >large.csv &&
	crm-import contacts --db auto.db --timings --ignore-unknown -n small.csv 2>err &&
	grep -q "^crm-import: row mode; seconds: " err &&
	crm-import contacts --db auto.db --timings --ignore-unknown -n large.csv 2>err &&
	grep -q "^crm-import: bulk mode; seconds: " err &&
	crm-import contacts --db auto.db --timings --ignore-unknown -n --format csv <large.csv 2>err &&
	grep -q "^crm-import: row mode; seconds: " err &&
	cat large.csv | crm-import contacts --db auto.db --timings --ignore-unknown -n --mode bulk --format csv 2>err &&
	grep -q "^crm-import: bulk mode; seconds: " err
'
test_expect_success '--mode takes row, bulk or auto' '
	expect_exit 2 crm-import contacts --mode fast small.csv 2>err &&
	grep -q "mode takes row, bulk or auto, not .fast." err
'
# Search entries are written 2,048 created records at a time as rows come
# into an empty table, and all at the end into one that held records:
# records on both sides of each chunk are found, an order whose last line
# comes after its entry was written is found by that line, and the two
# modes still write the same everything.
test_expect_success 'search entries written in chunks or at the end: every record found, a late line too' '
	{
		echo "first_name,email"
		for i in $(seq 1 5000); do echo "Chunk$i,chunk$i@example.org"; done
	} >chunk.csv &&
	{
		echo "Name,Email,Financial Status,Currency,Total,Lineitem quantity,Lineitem price,Lineitem sku"
		echo "#1,buyer@example.org,paid,EUR,3.00,1,1.00,EARLY"
		for i in $(seq 2 2100); do echo "#$i,buyer@example.org,paid,EUR,1.00,1,1.00,SKU$i"; done
		echo "#1,buyer@example.org,,EUR,,1,2.00,LATE"
	} >orders.csv &&
	crm-db init -q --db empty.db &&
	for base in start empty; do
		for m in row bulk; do
			cp $base.db chunk.$m.db &&
			crm-import contacts -q --db chunk.$m.db --mode $m chunk.csv &&
			crm-import purchases -q --db chunk.$m.db --mode $m orders.csv &&
			content chunk.$m.db >chunk.$m.dump || return 1
		done &&
		test_cmp chunk.row.dump chunk.bulk.dump &&
		for i in 1 2048 2049 4096 4097 5000; do
			crm-contact list --db chunk.bulk.db -s "chunk$i@" -f first_name -H || return 1
		done >out &&
		printf "Chunk%s\n" 1 2048 2049 4096 4097 5000 >expect && test_cmp expect out &&
		test "$(fts_sqlite3 chunk.bulk.db "SELECT count(*) FROM contacts_fts")" = \
		     "$(sqlite3 chunk.bulk.db "SELECT count(*) FROM contacts")" &&
		fts_sqlite3 chunk.bulk.db "INSERT INTO contacts_fts(contacts_fts, rank) VALUES (\"integrity-check\", 1)" &&
		crm-purchase list --db chunk.bulk.db -s LATE -f order_ref,total -H >out &&
		printf "#1\t3.00 EUR\n" >expect && test_cmp expect out &&
		crm-purchase list --db chunk.bulk.db -s SKU2100 -f order_ref -H >out &&
		echo "#2100" >expect && test_cmp expect out || return 1
	done
'
test_expect_success 'undo of a bulk batch leaves the database exactly as it was' '
	cp start.db undo.db && db_rows undo.db >before &&
	expect_exit 3 crm-import contacts -q --db undo.db --mode bulk --keep-unknown big.csv &&
	test "$(crm-contact list --db undo.db -H -f id | wc -l)" -gt 1800 &&
	crm-import undo --db undo.db 1 2>err && grep -q "removed" err &&
	db_rows undo.db >after && test_cmp before after &&
	crm-db check --db undo.db
'
# undo_both_ways DB: undoes batch 1 of DB set by set, and of a copy record
# by record (--force); the messages (DB.err) and the whole dumps must match.
undo_both_ways() {
	cp "$1" "$1.one" &&
	crm-import undo --db "$1" 1 2>"$1.err" && crm-import undo --db "$1.one" --force 1 2>"$1.one.err" &&
	test_cmp "$1.one.err" "$1.err" &&
	content "$1.one" >"$1.one.dump" && content "$1" >"$1.dump" && test_cmp "$1.one.dump" "$1.dump"
}
test_expect_success 'undo of a batch of new records only: set by set, the same as record by record' '
	cut -d, -f1-3 big.csv | grep -v "^,,\|^Pho\|^Bad\|^Dup\|^Early" >new.csv &&
	cp start.db set.db &&
	crm-import contacts -q --db set.db new.csv &&
	test "$(crm-company list --db set.db -H -f id | wc -l)" -ge 13 &&
	undo_both_ways set.db && grep -q "removed 19[0-9][0-9], restored 0" set.db.err &&
	db_rows set.db >after && db_rows start.db >before && test_cmp before after &&
	test "$(sqlite3 set.db "SELECT count(*) FROM audit WHERE action = \"undo\"")" -ge 1900
'
test_expect_success 'undo of new records with tags and notes: set by set, the same as record by record' '
	{
		echo "first_name,email,company,tags,notes"
		for i in $(seq 1 400); do echo "T$i,t$i@example.org,Tag Co $((i % 5)),t$((i % 3));vip,note $i"; done
	} >tagged.csv &&
	cp start.db tag.db &&
	crm-import contacts -q --db tag.db tagged.csv &&
	tags=$(sqlite3 tag.db "SELECT count(*) FROM audit WHERE action IN (\"tag\", \"note\")") &&
	test "$tags" -ge 800 &&
	undo_both_ways tag.db && grep -q "removed 405, restored 0" tag.db.err &&
	db_rows tag.db >after && db_rows start.db >before && test_cmp before after &&
	test "$(sqlite3 tag.db "SELECT count(*) FROM audit WHERE action IN (\"tag\", \"note\")")" = "$tags" &&
	crm-db check --db tag.db
'
test_expect_success 'set by set, foreign keys off: custom fields and companies go as with them on' '
	{
		echo "first_name,email,company,Shoe Size"
		for i in $(seq 1 300); do echo "S$i,s$i@example.org,Shoe Co $((i % 7)),$((30 + i % 15))"; done
	} >shoes.csv &&
	cp start.db fk.db &&
	crm-import contacts -q --db fk.db --keep-unknown shoes.csv &&
	test "$(sqlite3 fk.db "SELECT count(*) FROM contact_custom")" -eq 300 &&
	undo_both_ways fk.db && grep -q "removed 307, restored 0" fk.db.err &&
	test -z "$(sqlite3 fk.db "PRAGMA foreign_key_check")" &&
	db_rows fk.db >after && db_rows start.db >before && test_cmp before after
'
# Half the orders are of 2025, their points expired by now: the undo
# writes off what the import did not yet (a person's first expiry makes a
# temporary table while the undo goes through the batch), and gives back
# only the points of 2026's.
test_expect_success 'undo of purchases under a loyalty programme: set by set, points given back' '
	cat >loyalty.yaml <<-\EOF &&
	base_currency: EUR
	loyalty:
	  expiry_months: 12
	  earn: [{ name: spend, per: amount, points: 1 }]
	  tiers: [{ name: silver, points: 500, multiplier: 1.5 }]
	EOF
	{
		echo "Name,Email,Created at,Lineitem quantity,Lineitem price,Currency"
		for i in $(seq 1 200); do
			echo "#$i,buyer$((i % 40))@example.org,202$((5 + i % 2))-03-0$((i % 9 + 1)) 10:00,$((i % 3 + 1)),$i.50,EUR"
		done
	} >orders.csv &&
	cp start.db loyal.db &&
	CRM_CONFIG=$PWD/loyalty.yaml crm-import purchases -q --db loyal.db orders.csv &&
	test "$(sqlite3 loyal.db "SELECT count(*) FROM loyalty_ledger WHERE kind = \"earn\" AND points > 0")" = 200 &&
	expired=$(sqlite3 loyal.db "SELECT count(*) FROM loyalty_ledger WHERE kind = \"expire\"") &&
	CRM_CONFIG=$PWD/loyalty.yaml undo_both_ways loyal.db &&
	grep -q "removed 240, restored 0" loyal.db.err &&
	test "$(sqlite3 loyal.db "SELECT count(*) FROM loyalty_ledger WHERE kind = \"reverse\"")" = 100 &&
	test "$(sqlite3 loyal.db "SELECT count(*) FROM loyalty_ledger WHERE kind = \"expire\"")" -gt "$expired" &&
	test "$(sqlite3 loyal.db "SELECT sum(points) FROM loyalty_ledger")" = 0 &&
	test "$(sqlite3 loyal.db "SELECT count(*) FROM loyalty_ledger WHERE purchase_id IS NOT NULL")" = 0 &&
	test -z "$(sqlite3 loyal.db "PRAGMA foreign_key_check")" &&
	crm-db check --db loyal.db
'
test_done
