#!/bin/bash
# crm-import deals and tasks: Pipedrive's and HubSpot's export headers, a
# mapping file keeping the other system's ids in a custom field, updates
# matched on it, outcomes written as stages, rejected rows, round trips of
# the toolkit's own output, and tasks with their deals.
. "$(dirname "$0")/lib.sh"

snapshot() {
	crm-deal list >/dev/null 2>&1 || true
	sqlite3 "$CRM_DB" .dump >"$1"
}

test_expect_success 'setup: the people the deals name' '
	crm-contact add --first-name Ana --last-name Souza --email ana@example.com >/dev/null &&
	crm-contact add --first-name Bob --last-name Stone --email bob@example.org >/dev/null &&
	crm-contact add --first-name Chen --last-name Wei --email chen@globex.example >/dev/null &&
	crm-company add --name Globex --domain globex.example >/dev/null
'

cat >pipedrive.csv <<\EOF
ID,Title,Value,Currency,Stage,Status,Expected close date,Owner,Contact person,Organization,Lost reason,Won time
41,Fleet renewal,15000,EUR,Proposal,Open,2026-12-15,alice,Ana Souza,Souza Transportes,,
42,Spare parts,900,USD,Qualified,Lost,2026-11-30,bob,bob@example.org,,price,
43,Trucks,25000.50,EUR,Negotiation,Won,2026-11-10,alice,ana@example.com,Souza Transportes,,2026-11-12 14:00:00
44,Old tender,300,EUR,Lead,Lost,2026-10-01,bob,,,timing,
EOF
printf 'columns:\n  ID: custom.pipedrive_id\n' >pipedrive.yaml

test_expect_success 'Pipedrive: ids kept in a custom field, a missing company created once' '
	crm-import deals --map pipedrive.yaml --key custom.pipedrive_id pipedrive.csv 2>err &&
	echo "crm-import: read 4, created 4, updated 0, unchanged 0, skipped 0, rejected 0; 1 new company; batch 1" >expect &&
	test_cmp expect err &&
	crm-deal list -f id,title,amount,stage,status,expected_close,owner,contact,company,lost_reason,custom.pipedrive_id -H >out &&
	cat >expect <<-\EOF &&
	1	Fleet renewal	15000.00 EUR	proposal	open	2026-12-15	alice	ana@example.com	Souza Transportes		41
	2	Spare parts	900.00 USD	qualified	lost	2026-11-30	bob	bob@example.org		price	42
	3	Trucks	25000.50 EUR	negotiation	won	2026-11-10	alice	ana@example.com	Souza Transportes		43
	4	Old tender	300.00 EUR	lead	lost	2026-10-01	bob			timing	44
	EOF
	test_cmp expect out &&
	crm-company list -f name -H | grep -c "^Souza Transportes$" >out && echo 1 >expect && test_cmp expect out
'
test_expect_success 'Pipedrive: the closing time, given or not; probabilities from the stages' '
	crm-deal list -f id,closed_at,probability,probability_source -H >out &&
	printf "1\t\t50\tstage\n2\t2026-11-22T09:30:00Z\t25\tstage\n3\t2026-11-12T14:00:00Z\t75\tstage\n4\t2026-10-01T00:00:00Z\t10\tstage\n" >expect &&
	test_cmp expect out &&
	crm-deal history 3 -f stage,entered -H >out && printf "won\t2026-11-12T14:00:00Z\n" >expect && test_cmp expect out
'
test_expect_success 'Pipedrive: the same file again with --on-conflict update changes nothing' '
	snapshot before &&
	crm-import deals --map pipedrive.yaml --key custom.pipedrive_id --on-conflict update pipedrive.csv 2>err &&
	echo "crm-import: read 4, created 0, updated 0, unchanged 4, skipped 0, rejected 0; nothing changed" >expect &&
	test_cmp expect err &&
	snapshot after && test_cmp before after
'
test_expect_success 'Pipedrive: a changed value updates that deal only, audited old to new' '
	sed "s/^41,Fleet renewal,15000,EUR,Proposal/41,Fleet renewal,16000,EUR,Negotiation/" pipedrive.csv >changed.csv &&
	crm-import deals --map pipedrive.yaml --key custom.pipedrive_id --on-conflict update changed.csv 2>err &&
	grep -E -q "^crm-import: read 4, created 0, updated 1, unchanged 3, skipped 0, rejected 0; batch [0-9]+$" err &&
	crm-deal show 1 -f amount,stage,probability -H >out && printf "16000.00 EUR\tnegotiation\t75\n" >expect && test_cmp expect out &&
	crm-db audit -e deal -i 1 -f action,changes -H | tail -1 >out &&
	grep -q "^set	stage: proposal → negotiation; amount: 15000.00 EUR → 16000.00 EUR" out
'
test_expect_success 'Pipedrive: without --on-conflict update, matches are skipped' '
	crm-import deals --map pipedrive.yaml --key custom.pipedrive_id pipedrive.csv 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 4, rejected 0; nothing changed" err &&
	crm-deal show 1 -f amount -H >out && echo "16000.00 EUR" >expect && test_cmp expect out
'
test_expect_success 'the forecast counts the imported deals' '
	crm-deal forecast --from 2026-10 --to 2026-12 -f period,open,amount,won -H >out &&
	printf "2026-11\t0\t0.00\t25000.50\n2026-12\t1\t16000.00\t0.00\ntotal\t1\t16000.00\t25000.50\n" >expect &&
	test_cmp expect out
'

cat >hubspot.csv <<\EOF
Deal Name,Deal Stage,Amount,Close Date,Pipeline,Deal owner,Associated Company,Associated Contact,Closed Lost Reason
Globex expansion,Closed Won,12000,2026-11-05,default,carol,globex.example,Chen Wei (chen@globex.example),
Globex pilot,Proposal,3000,2027-01-15,Default,carol,globex.example,Chen Wei (chen@globex.example),
Globex audit,Closed Lost,500,2026-12-20,default,carol,globex.example,Chen Wei <chen@globex.example>,too expensive
EOF
test_expect_success 'HubSpot: outcomes as stages, the company by domain, the person as "Name (email)"' '
	crm-import deals hubspot.csv 2>err &&
	grep -E -q "^crm-import: read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0; batch [0-9]+$" err &&
	crm-deal list --owner carol -f id,title,amount,stage,status,expected_close,closed_at,pipeline,company,contact,lost_reason -H >out &&
	cat >expect <<-\EOF &&
	5	Globex expansion	12000.00 EUR	negotiation	won	2026-11-05	2026-11-05T00:00:00Z	default	Globex	chen@globex.example	
	6	Globex pilot	3000.00 EUR	proposal	open	2027-01-15		default	Globex	chen@globex.example	
	7	Globex audit	500.00 EUR	negotiation	lost	2026-12-20	2026-11-22T09:30:00Z	default	Globex	chen@globex.example	too expensive
	EOF
	test_cmp expect out &&
	crm-deal history 5 -f stage,entered -H >out && printf "won\t2026-11-05T00:00:00Z\n" >expect &&
	test_cmp expect out
'
# HubSpot's API: a deal's fields under properties; its id, beside
# properties.hs_object_id, is HubSpot's, so deal 5 here is left alone and
# a run again (deals match on custom.source_id by default) adds nothing.
test_expect_success 'HubSpot: deals as its API lists them, matched again on HubSpot'"'"'s id' '
	printf "%s\n" "{\"id\":\"5\",\"properties\":{\"amount\":\"1500.00\",\"closedate\":\"2027-02-20T00:00:00Z\",\"createdate\":\"2026-10-01T09:00:00Z\",\"dealname\":\"API renewal\",\"dealstage\":\"qualified\",\"hs_object_id\":\"5\",\"hubspot_owner_id\":\"77\"},\"createdAt\":\"2026-10-01T09:00:00Z\",\"archived\":false}" >hs-deals.jsonl &&
	crm-deal show 5 -f title -H >before &&
	crm-import deals --ignore-unknown hs-deals.jsonl 2>err &&
	grep -q "read 1, created 1, .* rejected 0" err &&
	crm-deal show 5 -f title -H >after && test_cmp before after &&
	crm-deal list --where custom.source_id=5 -f title,amount,stage,expected_close,created_at -H >out &&
	printf "API renewal\t1500.00 EUR\tqualified\t2027-02-20\t2026-10-01T09:00:00Z\n" >expect &&
	test_cmp expect out &&
	crm-import deals --ignore-unknown hs-deals.jsonl 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 1, rejected 0; nothing changed" err
'
test_expect_success 'HubSpot: a deal imported won on a past close date entered its outcome that day' '
	crm-deal history 5 -f stage,entered -H >out &&
	test "$(wc -l <out)" -eq 1 && grep -q "^won	2026-11-05" out
'
test_expect_success 'HubSpot: a deal imported won in October counts as won in October, as of any day since' '
	printf "Deal Name,Deal Stage,Amount,Close Date,Deal owner\nOctober win,Closed Won,1000,2026-10-05,dora\n" >oct.csv &&
	crm-import deals -q oct.csv &&
	crm-deal forecast --owner dora --from 2026-10 --to 2026-11 -f period,won -H >now &&
	printf "2026-10\t1000.00\ntotal\t1000.00\n" >expect && test_cmp expect now &&
	crm-deal forecast --owner dora --as-of 2026-11-22 --from 2026-10 --to 2026-11 -f period,won -H >out &&
	test_cmp now out &&
	crm-deal forecast --owner dora --as-of 2026-10-31 --from 2026-10 --to 2026-11 -f period,won -H >out &&
	test_cmp now out
'

# Rejected rows: the line, the field and the value named; the other rows
# are imported.
test_expect_success 'an unknown pipeline is rejected, naming the field and the value' '
	printf "Deal Name,Pipeline,Amount\nP1,Enterprise,100\nP2,default,50\n" >pipe.csv &&
	expect_exit 3 crm-import deals pipe.csv 2>err &&
	grep -q "pipe.csv:2: pipeline: no pipeline .Enterprise. (pipelines: default)" err &&
	grep -q "read 2, created 1, updated 0, unchanged 0, skipped 0, rejected 1" err &&
	expect_exit 1 crm-deal list --search P1 -H >out && test ! -s out &&
	crm-deal list --search P2 -f amount -H >out && echo "50.00 EUR" >expect && test_cmp expect out
'
test_expect_success 'an unknown stage is rejected, naming it' '
	printf "Deal Name,Stage\nS1,Signed\n" >stage.csv &&
	expect_exit 3 crm-import deals stage.csv 2>err &&
	grep -q "stage.csv:2: stage: no stage .Signed. in pipeline .default." err
'
test_expect_success 'lost deals without a reason: rejected, or given one by a mapping file' '
	printf "Deal Name,Status,Lost Reason\nNo reason,lost,\nWon one,won,\nPriced out,lost,price\n" >lost.csv &&
	CRM_DB=lost0.db expect_exit 3 crm-import deals lost.csv 2>err &&
	grep -q "lost.csv:2: lost_reason: a lost deal needs a reason" err &&
	printf "set:\n  lost_reason: not recorded\n" >lost.yaml &&
	CRM_DB=lost.db crm-import deals -q --map lost.yaml lost.csv &&
	CRM_DB=lost.db crm-deal list -f title,status,lost_reason -H >out &&
	printf "No reason\tlost\tnot recorded\nWon one\twon\t\nPriced out\tlost\tprice\n" >expect &&
	test_cmp expect out
'
test_expect_success 'rows with a bad amount are rejected while the others load; rejects keep line, field, reason' '
	printf "Deal Name,Amount,Currency\nA1,12.345,EUR\nA2,10,EUR\nA3,lots,EUR\nA4,99999999999999999999,EUR\nA5,7,XYZ\nA6,1500.5,JPY\nA7,1500,JPY\n" >amounts.csv &&
	expect_exit 3 crm-import deals --reject rej.csv amounts.csv 2>err &&
	grep -q "amounts.csv:2: amount: ambiguous amount .12.345 EUR.: EUR has 2 decimals" err &&
	grep -q "amounts.csv:4: amount: invalid amount .lots EUR." err &&
	grep -q "amounts.csv:5: amount: amount out of range" err &&
	grep -q "amounts.csv:6: amount: unknown currency .XYZ." err &&
	grep -q "amounts.csv:7: amount: .1500.5 JPY. has more decimals than JPY.s 0" err &&
	grep -q "read 7, created 2, updated 0, unchanged 0, skipped 0, rejected 5" err &&
	crm-deal list --where "title~A" -f title,amount -H | grep -E "^A[0-9]" >out &&
	printf "A2\t10.00 EUR\nA7\t1500 JPY\n" >expect && test_cmp expect out &&
	tr -d "\r" <rej.csv | cut -d, -f1,4,5 >out &&
	printf "Deal Name,_line,_field\nA1,2,amount\nA3,4,amount\nA4,5,amount\n" >expect && head -4 out | test_cmp expect -
'
test_expect_success 'an amount whose code contradicts the currency column is rejected' '
	printf "Deal Name,Amount,Currency\nC1,10 USD,EUR\n" >contra.csv &&
	expect_exit 3 crm-import deals contra.csv 2>err && grep -q "contra.csv:2: " err &&
	expect_exit 1 crm-deal list --search C1 -H >out && test ! -s out
'
test_expect_success 'a lost deal without a reason is rejected' '
	printf "Deal Name,Deal Stage\nNo reason,Closed Lost\n" >noreason.csv &&
	expect_exit 3 crm-import deals noreason.csv 2>err &&
	grep -q "noreason.csv:2: lost_reason: a lost deal needs a reason" err
'
test_expect_success 'a deal naming a missing person is rejected' '
	printf "Deal Name,Contact person\nGhost,ghost@example.org\n" >ghost.csv &&
	expect_exit 3 crm-import deals ghost.csv 2>err &&
	grep -q "ghost.csv:2: contact: no contact .ghost@example.org." err
'
test_expect_success '--dry-run counts and writes nothing; undo removes a batch' '
	snapshot before &&
	printf "Deal Name,Amount\nDry,5\n" >dry.csv &&
	crm-import deals -n dry.csv 2>err && grep -q "created 1.*dry run, nothing written" err &&
	snapshot after && test_cmp before after &&
	crm-import deals dry.csv 2>err && batch=$(sed -n "s/.*batch \([0-9]*\)$/\1/p" err) &&
	crm-deal list --search Dry -f title -H >out && echo Dry >expect && test_cmp expect out &&
	crm-import undo "$batch" 2>err && grep -q "removed 1" err &&
	expect_exit 1 crm-deal list --search Dry -H >out && test ! -s out
'
for f in csv tsv jsonl json yaml; do
	test_expect_success "deals round-trip through $f with no change" "
		snapshot before &&
		crm-deal list --all -f all --format $f | crm-import deals --format $f --key id --on-conflict update 2>err &&
		grep -q 'created 0, updated 0, unchanged [1-9][0-9]*, skipped 0, rejected 0; nothing changed' err &&
		snapshot after && test_cmp before after
	"
done

# --- tasks
cat >tasks.csv <<\EOF
Subject,Due date,Assigned to,Deal,Contact person,Priority
Call about the fleet,2026-11-25,alice,Fleet renewal,ana@example.com,high
Send the quote,2026-11-26 14:00,bob,1,,normal
Orphan,2026-11-27,bob,No such deal,,low
Bad date,2026-02-30,bob,,,low
EOF
test_expect_success 'tasks: Subject, Due date, Assigned to and Deal; a missing deal or bad date rejected' '
	expect_exit 3 crm-import tasks tasks.csv 2>err &&
	grep -q "tasks.csv:4: deal: no deal .No such deal. (give its id or exact title)" err &&
	grep -q "tasks.csv:5: due: invalid date .2026-02-30." err &&
	grep -q "read 4, created 2, updated 0, unchanged 0, skipped 0, rejected 2" err &&
	crm-task list -f id,title,due,owner,deal,deal_id,contact,priority -H >out &&
	printf "1\tCall about the fleet\t2026-11-25\talice\tFleet renewal\t1\tana@example.com\thigh\n" >expect &&
	printf "2\tSend the quote\t2026-11-26T14:00:00Z\tbob\tFleet renewal\t1\t\tnormal\n" >>expect &&
	test_cmp expect out
'
test_expect_success 'tasks: the deal'"'"'s timeline and --no-next-step see them' '
	crm-deal timeline 1 -f text -H | grep -q "^task 1: created: title=Call about the fleet" &&
	expect_exit 1 crm-deal list --no-next-step --where "title~Fleet" -H >out && test ! -s out
'
test_expect_success 'tasks: an empty priority cell is the default, normal' '
	printf "Subject,Due date,Priority\nNo priority,2026-12-01,\n" >noprio.csv &&
	crm-import tasks noprio.csv 2>err &&
	grep -q "read 1, created 1" err &&
	crm-task list --search "No priority" -f title,priority -H >out && printf "No priority\tnormal\n" >expect &&
	test_cmp expect out
'
test_expect_success 'tasks: Todoist-style columns, a repeat, labels' '
	printf "Content,Deadline,Recurrence,Labels\nWeekly call,2026-11-16,weekly,team\n" >todo.csv &&
	crm-import tasks -q todo.csv &&
	crm-task list --search "Weekly call" -f due,repeat,repeat_from,status,tags -H >out &&
	printf "2026-11-16\tweekly\tdue\topen\tteam\n" >expect && test_cmp expect out
'
# When the other system last changed a record is its own bookkeeping:
# Asana's Last Modified, Zoho's Modified Time, Salesforce's Last Modified
# Date are left out without a word.
test_expect_success 'tasks and deals: the other system'"'"'s modification times are left out' '
	printf "Task ID,Created At,Completed At,Last Modified,Name,Assignee,Due Date,Tags,Notes\n" >asana.csv &&
	printf "1203456789012346,2026-11-02,2026-11-05,2026-11-05,Send proposal,Kim Lee,2026-11-04,,\n" >>asana.csv &&
	crm-import tasks --db mod.db asana.csv 2>err && grep -q "created 1," err &&
	crm-task list --db mod.db -f title,status,owner,done_at,custom.source_id -H >out &&
	printf "Send proposal\tdone\tKim Lee\t2026-11-05T00:00:00Z\t1203456789012346\n" >expect && test_cmp expect out &&
	printf "Deal Name,Amount,Stage,Modified Time,Last Modified Date\nFleet,100,Lead,2026-11-05 10:00,2026-11-05\n" >zmod.csv &&
	crm-import deals --db mod.db zmod.csv 2>err && grep -q "created 1," err
'
test_expect_success 'tasks: a status and a done time are kept' '
	printf "Subject,Due date,Status,Done time\nFiled,2026-11-16,done,2026-11-16 10:00\n" >status.csv &&
	crm-import tasks -q status.csv &&
	crm-task list --search Filed -f status,done_at -H >out && printf "done\t2026-11-16T10:00:00Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'tasks: statuses and priorities as Outlook and HubSpot write them' '
	printf "Subject,Status,Priority\nOut call,Completed,Medium\nOut mail,Not Started,High\nOut visit,Canceled,Low\n" >ol-tasks.csv &&
	crm-import tasks -q ol-tasks.csv &&
	crm-task list --search Out -f title,status,priority -H | sort >out &&
	printf "Out call\tdone\tnormal\nOut mail\topen\thigh\nOut visit\tcancelled\tlow\n" >expect &&
	test_cmp expect out
'
test_expect_success 'tasks: a completion time without a status means the task was done' '
	printf "Content,Deadline,Completed At\nCompleted call,2026-11-16,2026-11-16 10:00\n" >completed.csv &&
	crm-import tasks -q completed.csv &&
	crm-task list --search "Completed call" -f status,done_at -H >out && printf "done\t2026-11-16T10:00:00Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'tasks: a repeat without a due date is rejected' '
	printf "Subject,Recurrence\nNo date,weekly\n" >nodue.csv &&
	expect_exit 3 crm-import tasks nodue.csv 2>err &&
	grep -q "nodue.csv:2: repeat: a repeating task needs a due date" err
'
test_expect_success 'HubSpot: a probability written as a fraction of one is that percentage' '
	printf "Deal Name,Deal probability\nFrac low,0.2\nFrac dot,.35\nFrac all,1.0\nWhole,40\nHalf,12.5\n" >fraction.csv &&
	expect_exit 3 crm-import deals fraction.csv 2>err &&
	grep -q "fraction.csv:6: probability: invalid probability .12.5." err &&
	crm-deal list --search Frac -f title,probability -H | sort >out &&
	printf "Frac all\t100\nFrac dot\t35\nFrac low\t20\n" >expect && test_cmp expect out &&
	crm-deal list --search Whole -f probability -H >out && echo 40 >expect && test_cmp expect out
'
test_expect_success 'Salesforce: a Probability (%) written 90% is 90' '
	printf "Opportunity Name,Probability (%%)\nPct one,90%%\nPct two,5 %%\nPct bad,120%%\n" >pct.csv &&
	expect_exit 3 crm-import deals --db pct.db pct.csv 2>err &&
	grep -q "pct.csv:4: probability: invalid probability .120%." err &&
	crm-deal list --db pct.db -f title,probability -H >out &&
	printf "Pct one\t90\nPct two\t5\n" >expect && test_cmp expect out
'
# History from another system: when each deal was made, so that a sales
# cycle counts from it, not from the day of the import.
cat >history.csv <<\EOF
Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner
Won early,closedwon,1000,2026-03-05,2026-01-10,
Won late,closedwon,500,2026-04-20,2026-03-01 08:30,carol
Still open,proposal,200,,2025-12-01,carol
EOF
test_expect_success 'history: Create Date is when the deal was made; a blank owner is the importer' '
	CRM_DB=hist.db crm-import deals -q history.csv &&
	CRM_DB=hist.db crm-deal list -f title,owner,status,created_at,closed_at -H >out &&
	cat >expect <<-\EOF &&
	Won early	tester	won	2026-01-10T00:00:00Z	2026-03-05T00:00:00Z
	Won late	carol	won	2026-03-01T08:30:00Z	2026-04-20T00:00:00Z
	Still open	carol	open	2025-12-01T00:00:00Z	
	EOF
	test_cmp expect out
'
test_expect_success 'history: the sales cycle counts from the creation (54 and 50 days)' '
	CRM_DB=hist.db crm-report sales --from 2026-01-01 --to 2026-06-30 -f measure,value -H |
		grep "^sales_cycle" >out &&
	printf "sales_cycle_avg\t52.0\nsales_cycle_median\t52.0\n" >expect && test_cmp expect out
'
test_expect_success 'history: an open deal made earlier was open since then' '
	id=$(CRM_DB=hist.db crm-deal list --search "Still open" -f id -H) &&
	CRM_DB=hist.db crm-deal history "$id" -f stage,entered -H >out &&
	printf "proposal\t2025-12-01T00:00:00Z\n" >expect && test_cmp expect out &&
	CRM_DB=hist.db crm-report pipeline --as-of 2026-02-01 -f stage,deals -H | grep "^proposal" >out &&
	printf "proposal\t1\n" >expect && test_cmp expect out
'
# Won early was open from 10 January to 5 March, Won late from 1 March
# to 20 April: a pipeline as of 1 April has Won late, and Won early,
# closed, is in no pipeline then.
test_expect_success 'history: a deal imported closed was open from its creation until it closed' '
	id=$(CRM_DB=hist.db crm-deal list --search "Won late" -f id -H) &&
	CRM_DB=hist.db crm-deal history "$id" -f stage,entered,left -H >out &&
	printf "negotiation\t2026-03-01T08:30:00Z\t2026-04-20T00:00:00Z\nwon\t2026-04-20T00:00:00Z\t\n" >expect &&
	test_cmp expect out &&
	CRM_DB=hist.db crm-report pipeline --as-of 2026-04-01 -f stage,deals,amount -H >out &&
	printf "proposal\t1\t200.00\nnegotiation\t1\t500.00\n\t2\t700.00\n" >expect &&
	test_cmp expect out
'
# Closed by an update from the same system: on its Close Date, as when
# first imported closed, not on the day of the import.
test_expect_success 'history: an update that closes a deal closes it on its Close Date' '
	printf "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date\n77,Late win,proposal,700,2026-11-30,2026-10-01\n" >upd1.csv &&
	CRM_DB=upd.db crm-import deals -q upd1.csv &&
	printf "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date\n77,Late win,closedwon,700,2026-11-12,2026-10-01\n" >upd2.csv &&
	CRM_DB=upd.db crm-import deals -q --on-conflict update upd2.csv &&
	CRM_DB=upd.db crm-deal list -f status,closed_at -H >out &&
	printf "won\t2026-11-12T00:00:00Z\n" >expect && test_cmp expect out
'
test_expect_success 'history: a creation later than now is rejected; an update keeps the creation' '
	printf "Deal Name,Create Date\nFuture,2027-01-01\n" >future.csv &&
	expect_exit 3 crm-import deals future.csv 2>err &&
	grep -q "future.csv:2: created_at: .2027-01-01. is later than now" err &&
	printf "Deal Name,Create Date\nBad day,2026-02-30\n" >badday.csv &&
	expect_exit 3 crm-import deals badday.csv 2>err &&
	grep -q "badday.csv:2: created_at: invalid date .2026-02-30." err &&
	id=$(CRM_DB=hist.db crm-deal list --search "Still open" -f id -H) &&
	printf "id,Deal Name,Amount,Create Date\n$id,Still open,300,2020-01-01\n" >again.csv &&
	CRM_DB=hist.db crm-import deals -q --key id --on-conflict update again.csv &&
	CRM_DB=hist.db crm-deal list --search "Still open" -f amount,created_at -H >out &&
	printf "300.00 EUR\t2025-12-01T00:00:00Z\n" >expect && test_cmp expect out
'
test_expect_success 'tasks: --date-format reads a due date, or a due time, written the US way' '
	printf "Subject,Due Date\nUS call,12/01/2026\nUS visit,12/02/2026 14:30\nUS slip,13/02/2026\n" >us-tasks.csv &&
	expect_exit 3 crm-import tasks --db us.db --date-format %m/%d/%Y us-tasks.csv 2>err &&
	grep -q "us-tasks.csv:4: due: .13/02/2026. is not a date in format .%m/%d/%Y." err &&
	crm-task list --db us.db -f title,due -H >out &&
	printf "US call\t2026-12-01\nUS visit\t2026-12-02T14:30:00Z\n" >expect && test_cmp expect out
'
test_expect_success 'tasks: a due time in seconds since 1970 is a time, in UTC whatever TZ' '
	printf "Subject,Due Date\nAPI call,1700000000\nEarly,-86400\n" >secs-tasks.csv &&
	TZ=EST5 crm-import tasks -q --db secs.db --date-format %s secs-tasks.csv &&
	crm-task list --db secs.db -f title,due -H >out &&
	printf "API call\t2023-11-14T22:13:20Z\nEarly\t1969-12-31T00:00:00Z\n" >expect && test_cmp expect out
'
# Without a format, a whole number of nine or ten digits is seconds, of
# thirteen milliseconds (HubSpot's API); other runs of digits stay what
# they were, dates no format reads.
test_expect_success 'tasks: a due time as an API writes it, seconds or milliseconds' '
	printf "%s\n" "{\"title\":\"Secs\",\"due\":1700000000}" "{\"title\":\"Millis\",\"due\":\"1700000000999\"}" \
		"{\"title\":\"Nine\",\"due\":999999999}" "{\"title\":\"Twelve\",\"due\":170000000012}" \
		"{\"title\":\"Compact\",\"due\":20231114}" >api-tasks.jsonl &&
	expect_exit 3 env TZ=JST-9 crm-import tasks --db api.db api-tasks.jsonl 2>err &&
	grep -q "api-tasks.jsonl:4: due: invalid date .170000000012." err &&
	grep -q "api-tasks.jsonl:5: due: invalid date .20231114." err &&
	crm-task list --db api.db -f title,due -H >out &&
	printf "Secs\t2023-11-14T22:13:20Z\nMillis\t2023-11-14T22:13:20Z\nNine\t2001-09-09T01:46:39Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'tasks and deals: a mapping file gives a date-or-time column its format' '
	printf "columns:\n  Due Date: {field: due, date_format: \"%%d.%%m.%%Y %%H:%%M\"}\n" >de-tasks.yaml &&
	printf "Subject,Due Date\nDE call,01.12.2026 09:15\n" >de-tasks.csv &&
	crm-import tasks -q --db de.db --map de-tasks.yaml de-tasks.csv &&
	crm-task list --db de.db -f title,due -H >out &&
	printf "DE call\t2026-12-01T09:15:00Z\n" >expect && test_cmp expect out &&
	printf "Deal Name,Status,Closed Time\nUS deal,Won,03/02/2026 10:00\n" >us-deals.csv &&
	crm-import deals -q --db de.db --date-format %m/%d/%Y us-deals.csv &&
	crm-deal list --db de.db -f title,closed_at -H >out &&
	printf "US deal\t2026-03-02T10:00:00Z\n" >expect && test_cmp expect out
'
for f in csv jsonl; do
	test_expect_success "tasks round-trip through $f with no change" "
		snapshot before &&
		crm-task list --all --format $f | crm-import tasks --format $f --key id --on-conflict update 2>err &&
		grep -q 'created 0, updated 0, unchanged [1-9][0-9]*, skipped 0, rejected 0; nothing changed' err &&
		snapshot after && test_cmp before after
	"
done
# A German spreadsheet's deals and a shop's prices with decimal commas:
# 1.234,56 is 1234.56, 1 234,5 (a space between groups) 1234.5, 0,25 a
# quarter; a point that separates no group of three is no such number.
test_expect_success '--decimal-comma reads amounts, percentages and prices written 1.234,56' '
	printf "Deal Name;Amount;Probability\nBig;1.234,56 EUR;0,25\nSmall;19,9 EUR;40\nSwiss;1 234,5 CHF;10\nOdd;1.23,4 EUR;5\n" >dc.csv &&
	expect_exit 3 crm-import deals --db dc.db -d ";" dc.csv 2>err &&
	grep -q "dc.csv:2: amount: invalid amount .1.234,56 EUR. (--decimal-comma reads amounts written 1.234,56; commas between thousands are read with a decimal point: 1,234.00)" err &&
	expect_exit 3 crm-import deals --db dc.db -d ";" --decimal-comma dc.csv 2>err &&
	grep -q "dc.csv:5: amount: invalid amount .1.23,4 EUR." err &&
	crm-deal list --db dc.db -f title,amount,probability -H >out &&
	printf "Big\t1234.56 EUR\t25\nSmall\t19.90 EUR\t40\nSwiss\t1234.50 CHF\t10\n" >expect &&
	test_cmp expect out &&
	printf "Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n7,dc@example.org,EUR,A,2,\"9,95\"\n" >dco.csv &&
	crm-import purchases --db dc.db -q --decimal-comma dco.csv &&
	crm-purchase list --db dc.db -f order_ref,total -H >out &&
	printf "7\t19.90 EUR\n" >expect && test_cmp expect out
'
# Salesforce's opportunities as a spreadsheet saves them: amounts with
# commas between thousands, the currency beside; Pipedrive's closing time
# and when the deal was made under "Deal - ", its Update time left out.
test_expect_success 'Salesforce opportunities: 12,500.00 is twelve and a half thousand; 1,200 is refused' '
	cat >opp.csv <<-\EOF &&
	Opportunity Name,Account Name,Amount,Amount Currency,Close Date,Stage,Probability (%),Opportunity Owner,Created Date
	Fleet renewal,Navy,"12,500.00",USD,3/31/2026,Closed Won,100,Admin User,1/15/2026
	Fleet lease,Navy,"1,234,567",USD,6/30/2026,Proposal,50,Admin User,2/1/2026
	New parts,Navy,"1,200",USD,6/30/2026,Proposal,10,Admin User,2/1/2026
	EOF
	expect_exit 3 crm-import deals --db opp.db --date-format %m/%d/%Y opp.csv 2>err &&
	grep -q "opp.csv:4: amount: invalid amount .1,200 USD. (--decimal-comma" err &&
	crm-deal list --db opp.db -f title,amount,status,probability,owner,company,closed_at -H >out &&
	printf "Fleet renewal\t12500.00 USD\twon\t100\tAdmin User\tNavy\t2026-03-31T00:00:00Z\n" >expect &&
	printf "Fleet lease\t1234567.00 USD\topen\t50\tAdmin User\tNavy\t\n" >>expect &&
	test_cmp expect out &&
	printf "Deal - Title,Deal - Value,Deal - Currency of Value,Deal - Stage,Deal - Status,Deal - Won time,Deal - Deal created,Deal - Update time\nTrucks,900,EUR,Proposal,Won,2026-11-12 14:00:00,2026-10-01 09:00:00,2026-11-12 14:00:05\n" >pdw.csv &&
	crm-import deals --db opp.db -q pdw.csv &&
	crm-deal list --db opp.db --where "status = won" -f title,created_at,closed_at -H >out &&
	printf "Fleet renewal\t2026-01-15T00:00:00Z\t2026-03-31T00:00:00Z\nTrucks\t2026-10-01T09:00:00Z\t2026-11-12T14:00:00Z\n" >expect && test_cmp expect out
'
# A point before three digits in a currency of fewer decimals is a
# thousands separator as often as a decimal point: 350.000 JPY could be
# 350 or 350,000 yen, and is refused; 12.345 BHD is plain.
test_expect_success 'Pipedrive: 350.000 JPY is refused as ambiguous, not read as 350' '
	printf "Deal - Title;Deal - Value;Deal - Currency of Value\nTea;350.000;JPY\nMill;1.234,56;EUR\nOil;12.345;BHD\n" >pdj.csv &&
	expect_exit 3 crm-import deals --db pdj.db pdj.csv 2>err &&
	grep -q "pdj.csv:2: amount: ambiguous amount .350.000 JPY.: JPY has 0 decimals" err &&
	crm-deal list --db pdj.db -f title,amount -H >out &&
	printf "Oil\t12.345 BHD\n" >expect && test_cmp expect out
'
# Dynamics 365's opportunities: Topic, Est. Revenue and Est. Close Date,
# its id kept and matched on, its own columns for the way back left out.
test_expect_success 'Dynamics 365 opportunities: matched again on their ids' '
	cat >dyn-opp.csv <<-\EOF &&
	(Do Not Modify) Opportunity,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Topic,Est. Close Date,Est. Revenue,Probability,Status,Created On
	0b9c8d7e-1111-4f00-9e8d-7c6b5a4f3e2d,xyz==,2026-10-02 10:00,50 licences,2026-12-31,"12,500.00",60,Open,2026-09-01 08:00
	1c0d9e8f-2222-4f00-9e8d-7c6b5a4f3e2d,uvw==,2026-10-02 10:00,Renewal,2026-10-15,3000,100,Won,2026-08-01 08:00
	EOF
	crm-import deals --db dyn.db dyn-opp.csv 2>err && grep -q "created 2," err &&
	crm-deal list --db dyn.db -f title,amount,expected_close,probability,status,created_at,custom.source_id -H >out &&
	printf "50 licences\t12500.00 EUR\t2026-12-31\t60\topen\t2026-09-01T08:00:00Z\t0b9c8d7e-1111-4f00-9e8d-7c6b5a4f3e2d\n" >expect &&
	printf "Renewal\t3000.00 EUR\t2026-10-15\t100\twon\t2026-08-01T08:00:00Z\t1c0d9e8f-2222-4f00-9e8d-7c6b5a4f3e2d\n" >>expect &&
	test_cmp expect out &&
	sed -i "s/,60,Open,/,80,Open,/" dyn-opp.csv &&
	crm-import deals --db dyn.db --on-conflict update dyn-opp.csv 2>err &&
	grep -q "created 0, updated 1, unchanged 1" err &&
	crm-deal list --db dyn.db -f title,probability -H >out &&
	printf "50 licences\t80\nRenewal\t100\n" >expect && test_cmp expect out
'
# An undo puts a deal back as it was, not as a change of its own: its
# probability still follows its stage, its stage_at is when it entered
# the stage, and its history is what it was (a move undone leaves none).
test_expect_success 'undo of an update that moved a deal and won another restores both' '
	export CRM_DB="$SCRATCH/undo-deals.db" &&
	CRM_NOW=2026-11-01T10:00:00Z crm-deal add -q --title Fleet --amount "100 EUR" >/dev/null &&
	CRM_NOW=2026-11-01T10:00:00Z crm-deal add -q --title Parts --amount "50 EUR" >/dev/null &&
	CRM_NOW=2026-11-02T10:00:00Z crm-deal move -q 2 proposal &&
	q="SELECT id, stage, status, probability, probability_source, stage_at, closed_at, amount FROM deals;
	   SELECT * FROM deal_history ORDER BY id" &&
	sqlite3 "$CRM_DB" "$q" >before &&
	printf "id,title,stage,amount,status\n1,Fleet,proposal,120 EUR,open\n2,Parts,proposal,50 EUR,won\n" >upd.csv &&
	CRM_NOW=2026-11-05T10:00:00Z crm-import deals --on-conflict update upd.csv 2>err &&
	grep -q "updated 2" err &&
	batch=$(sed -n "s/.*batch \([0-9]*\)$/\1/p" err) &&
	CRM_NOW=2026-11-06T10:00:00Z crm-import undo "$batch" 2>err && grep -q "restored 2" err &&
	sqlite3 "$CRM_DB" "$q" >after && test_cmp before after
'
# Pipedrive's API's deals, a page as it comes: the person an object whose
# email is one primary of several, the organization's and owner's names
# beside their ids, when added; Pipedrive's id (beside stage_order_nr)
# kept, so the page again adds nothing.
test_expect_success 'Pipedrive'"'"'s API deals: a page as it comes, its id kept' '
	cat >pd-deals.json <<-\EOF &&
	{"success":true,"data":[{"id":101,"user_id":{"id":99,"name":"Sam Seller","value":99},
	 "person_id":{"name":"Bob Stone","email":[{"label":"home","value":"bob.home@example.org","primary":false},{"label":"work","value":"bob@example.org","primary":true}],"value":7},
	 "org_id":{"name":"Globex","value":3},"stage_id":2,"title":"Support plan","value":4800,"currency":"EUR",
	 "add_time":"2026-10-01 08:00:00","update_time":"2026-11-20 10:00:00","status":"open","lost_reason":null,
	 "expected_close_date":"2026-12-31","stage_order_nr":2,"person_name":"Bob Stone","org_name":"Globex","owner_name":"Sam Seller"}],
	 "additional_data":{"pagination":{"start":0,"limit":100,"more_items_in_collection":false}}}
	EOF
	expect_exit 3 crm-import deals --db pd-deals.db --ignore-unknown pd-deals.json 2>err &&
	grep -q "contact: no contact .bob@example.org." err &&
	crm-contact add --db pd-deals.db --email bob@example.org >/dev/null &&
	crm-company add --db pd-deals.db --name Globex >/dev/null &&
	crm-import deals --db pd-deals.db -q --ignore-unknown pd-deals.json &&
	crm-import deals --db pd-deals.db --ignore-unknown pd-deals.json 2>err &&
	grep -q "read 1, created 0, .*skipped 1" err &&
	crm-deal list --db pd-deals.db -f title,amount,status,contact,company,owner,expected_close,created_at,custom.source_id -H >out &&
	printf "Support plan\t4800.00 EUR\topen\tbob@example.org\tGlobex\tSam Seller\t2026-12-31\t2026-10-01T08:00:00Z\t101\n" >expect &&
	test_cmp expect out
'
test_done
