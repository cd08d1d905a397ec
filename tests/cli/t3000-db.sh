#!/bin/bash
# crm-db: init, info, check, backup, audit, migrations, locking, read-only.
. "$(dirname "$0")/lib.sh"

test_expect_success 'init creates the database 0600 and prints its path' '
	crm-db init >out && echo "$CRM_DB" >expect && test_cmp expect out &&
	test "$(stat -c %a "$CRM_DB")" = 600 &&
	test "$(sqlite3 "$CRM_DB" "pragma journal_mode")" = wal
'
test_expect_success 'the default path follows XDG_DATA_HOME' '
	(unset CRM_DB; crm-db init >out) &&
	echo "$XDG_DATA_HOME/crm/crm.db" >expect && test_cmp expect out &&
	test "$(stat -c %a "$XDG_DATA_HOME/crm")" = 700
'
test_expect_success '--db wins over CRM_DB' '
	crm-db init --db other.db >out && echo other.db >expect && test_cmp expect out
'
# --db "$TARGET" with TARGET unset: never the database the user works in.
test_expect_success 'an empty --db is a usage error; an empty CRM_DB is unset' '
	crm-contact list -f id -H >before 2>/dev/null; status=$? &&
	expect_exit 2 crm-contact add --db "" --first-name Empty 2>err &&
	grep -q "^crm-contact: --db: the database path is empty" err &&
	expect_exit 2 crm-db init --db= 2>err && grep -q "path is empty" err &&
	expect_exit $status crm-contact list -f id -H >after 2>/dev/null && test_cmp before after &&
	(unset XDG_DATA_HOME; CRM_DB= HOME=$SCRATCH/emptyhome crm-db init >out) &&
	echo "$SCRATCH/emptyhome/.local/share/crm/crm.db" >expect && test_cmp expect out
'
test_expect_success 'the config database key is honoured' '
	mkdir -p .config/crm && echo "database: $SCRATCH/cfg.db" >.config/crm/config.yaml &&
	(unset CRM_DB; crm-db init >out) && echo "$SCRATCH/cfg.db" >expect && test_cmp expect out &&
	rm .config/crm/config.yaml
'
test_expect_success 'a bad config names file, line and column' '
	mkdir -p .config/crm && printf "default_region: GB\nshoe: 1\n" >.config/crm/config.yaml &&
	expect_exit 2 crm-db info 2>err &&
	grep -q "config.yaml:2:1: unknown key .shoe." err &&
	rm .config/crm/config.yaml
'
test_expect_success 'info reports schema version and row counts' '
	crm-contact add --first-name Ada >/dev/null &&
	crm-db info >out &&
	grep -q "^schema_version	23$" out && grep -q "^rows.contacts	1$" out
'
# SQLite finds the rows that refer to a deleted record through an index
# on the referring column, or by reading the whole table: a record
# deleted with a batch of thousands (crm-import undo) read it once each.
cat >unindexed.sql <<\EOF
WITH fk AS (SELECT m.name AS t, p."from" AS c FROM sqlite_master m
            JOIN pragma_foreign_key_list(m.name) p WHERE m.type = 'table'),
     ix AS (SELECT m.name AS t, i.name AS c FROM sqlite_master m
            JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i
            WHERE m.type = 'table' AND i.seqno = 0)
SELECT t || '.' || c FROM fk EXCEPT SELECT t || '.' || c FROM ix;
EOF
test_expect_success 'every column that refers to a record has an index' '
	sqlite3 "$CRM_DB" <unindexed.sql >out &&
	test_cmp /dev/null out
'
test_expect_success 'check passes on a good database' '
	crm-db check >out && echo ok >expect && test_cmp expect out
'
test_expect_success 'check reports a broken foreign key and exits 1' '
	cp "$CRM_DB" bad.db && sqlite3 bad.db "insert into contact_tags values (77, \"x\")" &&
	expect_exit 1 crm-db check --db bad.db >out 2>err &&
	echo "contact_tags: a row names one not in contacts" >expect && test_cmp expect out &&
	grep -q "1 problem" err &&
	sqlite3 bad.db "PRAGMA foreign_keys=OFF; DELETE FROM contact_tags WHERE contact_id = 77;
		UPDATE contacts SET company_id = 999 WHERE id = 1" &&
	expect_exit 1 crm-db check --db bad.db >out &&
	echo "contacts row 1 names company_id 999, which is not in companies" >expect && test_cmp expect out
'
test_expect_success 'check counts each problem, and says at least past the 1000th' '
	cp "$CRM_DB" idx.db && sqlite3 idx.db "CREATE TABLE t(a); CREATE INDEX t_a ON t(a);
		WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500)
		INSERT INTO t SELECT x FROM c" &&
	sqlite3 idx.db "PRAGMA writable_schema = ON;
		UPDATE sqlite_schema SET sql = '"'CREATE INDEX t_a ON t(a DESC)'"' WHERE name = '"'t_a'"'" &&
	expect_exit 1 crm-db check --db idx.db >out 2>err &&
	test "$(wc -l <out)" = 1000 && grep -qx "row 1 missing from index t_a" out &&
	grep -qx "crm-db: at least 1000 problems in .idx.db." err
'
test_expect_success 'check on a damaged page counts what it found, exit 1' '
	cp "$CRM_DB" torn.db && sqlite3 torn.db "PRAGMA journal_mode = DELETE; CREATE TABLE t(a);
		WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000)
		INSERT INTO t SELECT printf('"'%0100d'"', x) FROM c" >/dev/null &&
	pages=$(($(stat -c %s torn.db) / 4096)) &&
	dd if=/dev/zero of=torn.db bs=4096 seek=$((pages - 5)) count=1 conv=notrunc 2>/dev/null &&
	expect_exit 1 crm-db check --db torn.db >out 2>err &&
	grep -q "^Page [0-9]*: " out && grep -q "^the check stopped: .*damaged" out &&
	grep -qx "crm-db: at least $(wc -l <out) problems in .torn.db." err
'
test_expect_success 'check never creates a database: a missing one is exit 1, named' '
	expect_exit 1 crm-db check -q --db typo/nightly.db >out 2>err &&
	grep -qx "crm-db: no database at .typo/nightly.db." err && test ! -s out &&
	test ! -e typo && expect_exit 1 crm-db check --db gone.db 2>err && test ! -e gone.db
'
test_expect_success 'check looks at an older schema as it is, unmigrated' '
	rm -f v3check.db* && sqlite3 v3check.db <"$TOP/tests/cli/data/schema-v3.sql" &&
	crm-db check --db v3check.db >out && echo ok >expect && test_cmp expect out &&
	test "$(sqlite3 v3check.db "pragma user_version")" = 3 &&
	CRM_READONLY=1 crm-db check -q --db v3check.db
'
test_expect_success 'backup copies the live database, 0600, and refuses to overwrite' '
	crm-db backup copy.db && test "$(stat -c %a copy.db)" = 600 &&
	crm-contact list --db copy.db -f first_name -H >out && echo Ada >expect && test_cmp expect out &&
	expect_exit 1 crm-db backup copy.db 2>err && grep -q "File exists" err &&
	: checking a backup leaves its bytes alone, rollback journal and all &&
	crm-db backup nightly.db && cksum <nightly.db >before &&
	crm-db check -q --db nightly.db && cksum <nightly.db >after && test_cmp before after
'
test_expect_success 'audit shows who changed what' '
	CRM_USER=alice crm-contact set 1 --city Oslo 2>/dev/null &&
	crm-db audit --since 2026-11-22 -f user,program,entity,id,action -H | tail -1 >out &&
	printf "alice\tcrm-contact\tcontact\t1\tset\n" >expect && test_cmp expect out
'
test_expect_code 2 'audit rejects an unknown entity, naming those it knows' '
	crm-db audit --entity ghost 2>err; s=$?;
	grep -q "unknown entity .ghost. (entries are about: contact, company, .*, rate, segment, template)" err &&
	exit $s
'
test_expect_success 'audit --entity rate: the entries of exchange rates' '
	crm-db rates set 2026-11-01 USD 1.1 &&
	crm-db audit --entity rate -f entity,action -H >out && printf "rate\tset\n" >expect &&
	test_cmp expect out
'
test_expect_code 1 'audit that matches no entry exits 1, as a list does' 'crm-db audit --entity deal --id 99 -H'
test_expect_success 'a file that is no database is named, exit 1, left as it was' '
	echo "not a database at all" >text.db && cp text.db text.before &&
	expect_exit 1 crm-contact list --db text.db 2>err &&
	grep -q "^crm-contact: .*text.db. is not a database$" err &&
	expect_exit 1 crm-db check --db text.db 2>err && grep -q "text.db. is not a database" err &&
	cmp text.db text.before
'
test_expect_success 'an older schema is migrated automatically' '
	rm -f old.db && sqlite3 old.db "pragma user_version=0" &&
	crm-contact list --db old.db -H; test "$(sqlite3 old.db "pragma user_version")" = 23
'
test_expect_success 'migrating from version 3 indexes names in their fold' '
	rm -f v3.db* && sqlite3 v3.db <"$TOP/tests/cli/data/schema-v3.sql" &&
	crm-db migrate --db v3.db 2>err && grep -q "migrated schema version 3 to 23" err &&
	crm-contact list --db v3.db --search karimova -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-db check --db v3.db >/dev/null
'
test_expect_success 'a dry run against an older schema migrates a copy, not the file' '
	rm -f v3dry.db* && sqlite3 v3dry.db <"$TOP/tests/cli/data/schema-v3.sql" &&
	sqlite3 v3dry.db "pragma journal_mode=wal" >/dev/null &&
	cksum v3dry.db >before &&
	printf "email,first_name\nnew@v3.example,New\n" >v3.csv &&
	crm-import contacts --db v3dry.db -n v3.csv 2>err &&
	grep -q "created 1, .*dry run, nothing written" err &&
	crm-contact set --db v3dry.db -n 1 --city Oslo 2>err && grep -q "would have updated 1" err &&
	cksum v3dry.db >after && test_cmp before after &&
	test "$(sqlite3 v3dry.db "pragma user_version")" = 3
'
test_expect_success 'a dry run leaves a rollback-mode file in rollback mode' '
	rm -f v3del.db* && sqlite3 v3del.db <"$TOP/tests/cli/data/schema-v3.sql" &&
	cp v3del.db v3cur.db && crm-db migrate --db v3cur.db 2>/dev/null &&
	sqlite3 v3cur.db "pragma journal_mode=delete" >/dev/null &&
	for f in v3del.db v3cur.db; do
		crm-import contacts --db $f -n v3.csv 2>err &&
		grep -q "dry run, nothing written" err &&
		test "$(sqlite3 $f "pragma journal_mode")" = delete || return 1
	done
'
# A CHECK of an IN list of more than two words made SQLite build a b-tree
# of the list for every row written; schema step 14 writes each list as
# comparisons, in a new file and in one migrated, and they still refuse
# what they refused.
for db in crm.db v3.db; do
	test_expect_success "$db: every list CHECK written as comparisons, rules kept" "
		test \"\$(sqlite3 $db \"SELECT count(*) FROM sqlite_schema WHERE sql LIKE '% IN (''%'\")\" = 0 &&
		sqlite3 $db \"EXPLAIN INSERT INTO contacts (created_at, updated_at) VALUES ('a', 'b')\" >plan &&
		! grep -q OpenEphemeral plan &&
		! sqlite3 $db \"INSERT INTO contacts (created_at, updated_at, status) VALUES ('a', 'b', 'vip')\" 2>err &&
		grep -q 'CHECK constraint failed' err &&
		sqlite3 $db \"BEGIN; INSERT INTO contacts (created_at, updated_at, status) VALUES ('a', 'b', 'inactive'); ROLLBACK\" &&
		test \"\$(sqlite3 $db 'PRAGMA integrity_check')\" = ok
	"
done
# Schema step 15 has every search index merge its segments sixteen at a
# time, and all of a level at once only at 64, in a new file and in one
# migrated.
for db in crm.db v3.db; do
	test_expect_success "$db: every search index merges sixteen segments at a time, a whole level at 64" "
		sqlite3 $db \"SELECT name FROM sqlite_schema WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%'\" >tables &&
		test \$(wc -l <tables) = 9 &&
		while read -r t; do
			printf \"%s automerge 16\\n%s crisismerge 64\\n\" \$t \$t >expect &&
			sqlite3 $db \"SELECT '\$t', k, v FROM \${t}_config WHERE k LIKE '%merge' ORDER BY k\" |
				tr '|' ' ' >out &&
			test_cmp expect out || return 1
		done <tables
	"
done
# Schema step 16 drops the www. from stored domains, in the search index
# too, and leaves each company's time and the audit log alone; a domain
# whose new spelling another live company has stays as it was, so that
# the references that found each still do.
test_expect_success 'migrating to version 16 drops the www. of stored domains' '
	rm -f www.db* &&
	crm-company add --db www.db --name "Old Web" --domain old-web.example >/dev/null &&
	crm-company add --db www.db --name "Www Com" --domain www.com >/dev/null &&
	crm-company add --db www.db --name "Acme Web" --domain acme-web.example >/dev/null &&
	crm-company add --db www.db --name "Acme" --domain acme.example >/dev/null &&
	fts_sqlite3 www.db "UPDATE companies SET domain = '"'www.old-web.example'"' WHERE id = 1;
		UPDATE companies_fts SET domain = '"'www.old-web.example'"' WHERE rowid = 1;
		UPDATE companies SET domain = '"'www.acme.example'"' WHERE id = 3;
		UPDATE companies_fts SET domain = '"'www.acme.example'"' WHERE rowid = 3;
		PRAGMA user_version = 15" &&
	sqlite3 www.db "SELECT updated_at FROM companies; SELECT count(*) FROM audit" >before &&
	crm-db migrate --db www.db 2>err && grep -q "migrated schema version 15 to 23" err &&
	crm-company list --db www.db -f domain -H >out &&
	printf "old-web.example\nwww.com\nwww.acme.example\nacme.example\n" >expect && test_cmp expect out &&
	fts_sqlite3 www.db "SELECT rowid FROM companies_fts WHERE companies_fts MATCH '"'domain:www'"'" >out &&
	printf "2\n3\n" >expect && test_cmp expect out &&
	sqlite3 www.db "SELECT updated_at FROM companies; SELECT count(*) FROM audit" >after &&
	test_cmp before after &&
	crm-contact add --db www.db --first-name Amy --company acme.example >/dev/null &&
	crm-contact add --db www.db --first-name Ola --company www.old-web.example >/dev/null &&
	crm-contact list --db www.db -f first_name,company_id -H >out &&
	printf "Amy\t4\nOla\t1\n" >expect && test_cmp expect out &&
	crm-db check --db www.db >/dev/null
'
# Schema step 17 tokenizes every search index with "crm", which makes
# each character of Chinese, Japanese, Korean and Thai a token: an index
# made before finds a name written without spaces only by its start.
test_expect_success 'migrating to version 17 finds words inside names written without spaces' '
	rm -f v16.db* &&
	crm-company add --db v16.db --name "株式会社トヨタ自動車" --city "東京都" >/dev/null &&
	fts_sqlite3 v16.db "DROP TABLE companies_fts;
		CREATE VIRTUAL TABLE companies_fts USING fts5(name, domain, industry, city, website,
			tokenize = '"'unicode61 remove_diacritics 2'"');
		INSERT INTO companies_fts(rowid, name, city) SELECT id, name, city FROM companies;
		PRAGMA user_version = 16" &&
	test "$(sqlite3 v16.db "SELECT count(*) FROM companies_fts WHERE companies_fts MATCH '"'\"トヨタ\"'"'")" = 0 &&
	crm-db migrate --db v16.db 2>err && grep -q "migrated schema version 16 to 23" err &&
	crm-company list --db v16.db --search トヨタ -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-company list --db v16.db --search 東京 -f id -H >out && test_cmp expect out &&
	sqlite3 v16.db "SELECT sql FROM sqlite_schema WHERE name LIKE '"'%_fts'"'" >schema &&
	test "$(grep -c "tokenize = '"'crm remove_diacritics 2'"'" schema)" = 9 &&
	crm-db check --db v16.db >/dev/null
'
# Schema step 18 writes every search index again with words folded as
# the match key folds them.  An index written before holds Łódź and
# Ørsted as unicode61 left them: here it is made by unicode61 in a table
# beside, whose index tables are copied under the companies' one.
test_expect_success 'migrating to version 18 finds Łódź by lodz' '
	rm -f v17.db* &&
	crm-company add --db v17.db --name "Łódź Ørsted Straße" >/dev/null &&
	fts_sqlite3 v17.db "CREATE VIRTUAL TABLE old_fts USING fts5(name, domain, industry, city,
			website, tokenize = '"'unicode61 remove_diacritics 2'"');
		INSERT INTO old_fts(rowid, name) SELECT id, name FROM companies;
		DELETE FROM companies_fts_data; INSERT INTO companies_fts_data SELECT * FROM old_fts_data;
		DELETE FROM companies_fts_idx; INSERT INTO companies_fts_idx SELECT * FROM old_fts_idx;
		DROP TABLE old_fts; PRAGMA user_version = 17" &&
	test "$(fts_sqlite3 v17.db "SELECT count(*) FROM companies_fts WHERE companies_fts MATCH '"'lodz'"'")" = 0 &&
	crm-db migrate --db v17.db 2>err && grep -q "migrated schema version 17 to 23" err &&
	for word in lodz orsted strasse Łódź; do
		crm-company list --db v17.db --search $word -f id -H || return 1
	done >out &&
	printf "1\n1\n1\n1\n" >expect && test_cmp expect out &&
	fts_sqlite3 v17.db "INSERT INTO companies_fts(companies_fts, rank) VALUES (\"integrity-check\", 1)" &&
	crm-db check --db v17.db >/dev/null
'
# Schema step 19 keys names and indexes search again with the marks that
# are parts of letters kept (crm_accent_p), and a name in Han, kana or
# Hangul family name first (crm_name).  A database before it held
# राम (Ram) and रीमा (Reema) under one key, रम, and バン under ハン's: here
# the keys are set as they were, and an index entry is made from the
# mark-less text while its stored text keeps the marks, as the index
# then read it.
test_expect_success 'migrating to version 19 tells राम from रीमा' '
	rm -f v18.db* &&
	for n in राम रीमा バン ハン; do
		crm-contact add --db v18.db --first-name "$n" --last-name Das >/dev/null || return 1
	done &&
	crm-contact add --db v18.db --first-name 太郎 --last-name 山田 >/dev/null &&
	crm-company add --db v18.db --name "रीमा ट्रेडर्स" >/dev/null &&
	fts_sqlite3 v18.db "UPDATE contacts SET name_key = '"'रम das'"' WHERE id IN (1, 2);
		UPDATE contacts SET name_key = '"'ハン das'"' WHERE id IN (3, 4);
		UPDATE contacts SET name_key = '"'太郎 山田'"' WHERE id = 5;
		UPDATE companies SET name_key = '"'रम टरडरस'"';
		UPDATE contacts_fts SET name = '"'रम Das रम das'"' WHERE rowid = 1;
		UPDATE contacts_fts_content SET c0 = '"'राम Das राम das'"' WHERE id = 1;
		UPDATE contacts_fts SET name = '"'バン Das ハン das'"' WHERE rowid = 3;
		PRAGMA user_version = 18" &&
	test "$(fts_sqlite3 v18.db "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH '"'\"रम\"'"'")" = 1 &&
	sqlite3 v18.db "SELECT updated_at FROM contacts; SELECT count(*) FROM audit" >before &&
	crm-db migrate --db v18.db 2>err && grep -q "migrated schema version 18 to 23" err &&
	sqlite3 v18.db "SELECT name_key FROM contacts ORDER BY id; SELECT name_key FROM companies" >out &&
	printf "राम das\nरीमा das\nバン das\nハン das\n山田 太郎\nरीमा ट्रेडर्स\n" >expect &&
	test_cmp expect out &&
	test -z "$(fts_sqlite3 v18.db "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH '"'\"रम\"'"'")" &&
	crm-contact list --db v18.db --search ハン -f first_name -H >out &&
	echo ハン >expect && test_cmp expect out &&
	crm-task add --db v18.db --title Call --contact "राम Das" >/dev/null &&
	crm-task list --db v18.db -f contact -H >out && echo 1 >expect && test_cmp expect out &&
	sqlite3 v18.db "SELECT updated_at FROM contacts; SELECT count(*) - 1 FROM audit" >after &&
	test_cmp before after &&
	fts_sqlite3 v18.db "INSERT INTO contacts_fts(contacts_fts, rank) VALUES (\"integrity-check\", 1)" &&
	crm-db check --db v18.db >/dev/null
'
# Schema step 20: a closing time and a done time stored as a bare date,
# as a date given was before, are its midnight UTC; nothing else moves.
test_expect_success 'migrating to version 20 makes bare closing and done dates times' '
	rm -f v19.db* &&
	crm-deal add -q --db v19.db --title W --amount 5 >/dev/null && crm-deal won -q --db v19.db 1 &&
	crm-task add -q --db v19.db --title T >/dev/null && crm-task done -q --db v19.db 1 &&
	sqlite3 v19.db "UPDATE deals SET closed_at = '"'2026-03-01'"';
		UPDATE deal_history SET entered_at = '"'2026-03-01'"', closed_at = '"'2026-03-01'"' WHERE status = '"'won'"';
		UPDATE deal_history SET left_at = '"'2026-03-01'"' WHERE status <> '"'won'"';
		UPDATE tasks SET done_at = '"'2026-02-01'"'; PRAGMA user_version = 19" &&
	sqlite3 v19.db "SELECT count(*) FROM audit" >before &&
	crm-db migrate --db v19.db 2>err && grep -q "migrated schema version 19 to 23" err &&
	sqlite3 v19.db "SELECT closed_at FROM deals; SELECT entered_at, left_at, closed_at FROM deal_history ORDER BY id;
		SELECT done_at FROM tasks" >out &&
	printf "%s\n" 2026-03-01T00:00:00Z "2026-11-22T09:30:00Z|2026-03-01T00:00:00Z|" \
		"2026-03-01T00:00:00Z||2026-03-01T00:00:00Z" 2026-02-01T00:00:00Z >expect &&
	test_cmp expect out &&
	sqlite3 v19.db "SELECT count(*) FROM audit" >after && test_cmp before after
'
# Schema step 21: the points and debt of people deleted before it are
# cleared, and go with a person deleted after it.
test_expect_success 'migrating to version 21 clears the points of people no longer there' '
	rm -f v20.db* &&
	for p in a b; do crm-contact add -q --db v20.db --email $p@example.org >/dev/null || return 1; done &&
	sqlite3 v20.db "INSERT INTO loyalty_lots VALUES (1, 1, NULL, 30), (2, 2, NULL, 5);
		INSERT INTO loyalty_owed VALUES (3, 1, 7), (4, 2, 9);
		PRAGMA foreign_keys = OFF; DELETE FROM contacts WHERE id = 1; PRAGMA user_version = 20" &&
	crm-db migrate --db v20.db 2>err && grep -q "migrated schema version 20 to 23" err &&
	sqlite3 v20.db "SELECT contact_id, remaining FROM loyalty_lots; SELECT contact_id, points FROM loyalty_owed" >out &&
	printf "2|5\n2|9\n" >expect && test_cmp expect out &&
	crm-contact rm -q --purge --db v20.db 2 &&
	test "$(sqlite3 v20.db "SELECT count(*) FROM loyalty_lots") $(sqlite3 v20.db "SELECT count(*) FROM loyalty_owed")" = "0 0"
'
# Schema step 22: the search entries of a person's records hold the
# fold of their names; those written before are written again.
test_expect_success 'migrating to version 22 finds a ticket of Хасанов by khasanov' '
	rm -f v21.db* &&
	crm-contact add -q --db v21.db --first-name Алишер --last-name Хасанов >/dev/null &&
	crm-contact add -q --db v21.db --first-name Ann --last-name Lee >/dev/null &&
	for p in 1 2; do crm-ticket add -q --db v21.db --subject S --requester $p </dev/null >/dev/null || return 1; done &&
	fts_sqlite3 v21.db "UPDATE tickets_fts SET requester = (SELECT c.first_name || char(32) || c.last_name
		FROM contacts c, tickets t WHERE t.id = tickets_fts.rowid AND c.id = t.requester_id);
		PRAGMA user_version = 21" &&
	sqlite3 v21.db "SELECT count(*) FROM audit" >before &&
	crm-db migrate --db v21.db 2>err && grep -q "migrated schema version 21 to 23" err &&
	crm-ticket list --db v21.db --search khasanov -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-ticket list --db v21.db --search lee -f id -H >out && echo 2 >expect && test_cmp expect out &&
	sqlite3 v21.db "SELECT count(*) FROM audit" >after && test_cmp before after &&
	fts_sqlite3 v21.db "INSERT INTO tickets_fts(tickets_fts, rank) VALUES (\"integrity-check\", 1)"
'
test_expect_success 'migrate refuses --read-only' '
	expect_exit 2 crm-db migrate --read-only 2>err && grep -q "drop --read-only" err
'
test_expect_success 'migrate reports a current schema' '
	crm-db migrate 2>err && grep -q "schema version 23 is current" err
'
test_expect_success 'a newer schema is a clear error' '
	cp "$CRM_DB" new.db && sqlite3 new.db "pragma user_version=99" &&
	expect_exit 1 crm-contact list --db new.db 2>err && grep -q "schema version 99, newer" err
'
test_expect_success 'a locked database exits 4 after the busy timeout, nothing written' '
	n=$(sqlite3 "$CRM_DB" "select count(*) from contacts")
	# The holder waits for the lock if a probe below has it for a moment;
	# the probes stop once one of them finds the lock taken.
	{ echo ".timeout 5000"; echo "BEGIN IMMEDIATE;"; sleep 3; echo "COMMIT;"; } | sqlite3 "$CRM_DB" &
	for i in $(seq 30); do
		sqlite3 "$CRM_DB" "begin immediate; commit" 2>/dev/null || break; sleep 0.1
	done
	CRM_BUSY_TIMEOUT=100 expect_exit 4 crm-contact add --first-name Late 2>err &&
	grep -q "database is locked" err && wait &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from contacts")" = "$n"
'
test_expect_success '--read-only refuses writes with exit 2, allows reads' '
	expect_exit 2 crm-contact add --read-only --first-name X 2>err && grep -q read-only err &&
	CRM_READONLY=1 crm-contact list -H >/dev/null
'
# A reader of a file its user may not write leaves a -shm file as
# read-only as the file; once the file may be written again, that one
# stops every write. Root writes any file, so the user here is nobody,
# running a copy of the program from a folder nobody can reach.
test_expect_success 'a -shm file a reader left read-only is named when a write fails' '
	mkdir -p nb/bin nb/lib/crm nb/d && cp "$CRM_BIN/crm-contact" nb/bin/ &&
	cp "$CRM_BIN"/../lib/crm/*.so nb/lib/crm/ && chmod 711 "$SCRATCH" && chown 65534 nb/d &&
	nb() { setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin \
		LC_ALL=C.UTF-8 CRM_USER=nb CRM_DB="$SCRATCH/nb/d/crm.db" "$SCRATCH/nb/bin/crm-contact" "$@"; } &&
	nb add --first-name Ana >/dev/null && chmod 444 nb/d/crm.db &&
	nb list -f first_name -H >out && echo Ana >expect && test_cmp expect out &&
	expect_exit 2 nb add --first-name Bo 2>err &&
	grep -q "database .$SCRATCH/nb/d/crm.db. is read-only: Permission denied" err &&
	chmod 644 nb/d/crm.db && test -e nb/d/crm.db-shm &&
	expect_exit 2 nb add --first-name Bo 2>err &&
	grep -q "cannot be written: .$SCRATCH/nb/d/crm.db-shm. is read-only (remove it while" err &&
	rm nb/d/crm.db-shm && nb add --first-name Bo >/dev/null
'
test_expect_success 'crm dispatches to the programs' '
	crm contact list -f first_name -H >out && echo Ada >expect && test_cmp expect out
'
test_expect_success 'crm help lists the programs with a summary' '
	crm help >out && grep -q "^  contact  *people" out && grep -q "^  db  " out
'
test_expect_success 'crm with an unknown command exits 2 with a hint' '
	expect_exit 2 crm frobnicate 2>err && grep -q "crm help" err
'
test_expect_success 'crm help PROGRAM VERB is the verb help; an unknown one exits 2' '
	crm help deal list >out && head -1 out | grep -q "^usage: crm-deal list " &&
	crm help deal >out && head -1 out | grep -q "^usage: crm-deal COMMAND" &&
	crm-contact help list >out && head -1 out | grep -q "^usage: crm-contact list " &&
	expect_exit 2 crm help frobnicate >out 2>err && test ! -s out &&
	grep -q "frobnicate. is not a crm command" err &&
	expect_exit 2 crm-contact help frobnicate 2>err && grep -q "unknown command .frobnicate." err
'
# A crm-* program of somebody else is named, never run for its summary.
test_expect_success 'crm help names other crm-* programs on PATH without running them' '
	mkdir -p other && printf "#!/bin/sh\ntouch \"$SCRATCH/ran\"\n" >other/crm-zzz &&
	chmod +x other/crm-zzz &&
	PATH=$SCRATCH/other:$PATH crm help >out && grep -q "^  zzz  *($SCRATCH/other/crm-zzz)" out &&
	test ! -e ran
'
test_done
