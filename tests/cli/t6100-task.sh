#!/bin/bash
# crm-task: every verb; the due list, its spans, its order by urgency and
# its exit status; waiting and snoozing; repeating series; the iCalendar
# output; and every kind of bad input, which must leave the database as it
# was.  The clock is 2026-11-22 09:30 UTC unless a command says otherwise.
. "$(dirname "$0")/lib.sh"

snapshot() {
	sqlite3 "$CRM_DB" .dump >"$1"
}

# bad_task TITLE CODE PATTERN COMMAND...: COMMAND must exit CODE, say
# PATTERN (grep -E) on standard error, and change nothing.
bad_task() {
	title=$1 code=$2 pattern=$3
	shift 3
	test_expect_success "$title" "
		snapshot before &&
		expect_exit $code $* 2>err && grep -E -q -- \"$pattern\" err &&
		snapshot after && test_cmp before after
	"
}

# ids COMMAND...: the first column of COMMAND's output, on one line.
ids() {
	"$@" | cut -f1 | paste -sd " " -
}

test_expect_success 'setup: a person, a company, an open deal of 12000 EUR' '
	crm-contact add --first-name Ada --last-name Lovelace --email ada@acme.example >/dev/null &&
	crm-company add --name "Acme Ltd" --domain acme.example >/dev/null &&
	crm-deal add --title "Acme renewal" --contact 1 --amount "12000 EUR" >out &&
	echo 1 >expect && test_cmp expect out
'
test_expect_success 'add prints the id; defaults: normal priority, open, the acting user' '
	crm-task add --title "Call Ada" --due 2026-11-20 --priority high --contact ada@acme.example \
		--company acme.example --deal "Acme renewal" --set channel=phone >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-task show 1 -f title,due,priority,status,owner,contact,contact_name,company,deal,custom.channel -H >out &&
	printf "Call Ada\t2026-11-20\thigh\topen\ttester\tada@acme.example\tAda Lovelace\tAcme Ltd\tAcme renewal\tphone\n" >expect &&
	test_cmp expect out &&
	crm-task show 1 -f contact_id,company_id,deal_id,done_at,wait --format jsonl >out &&
	echo "{\"contact_id\":1,\"company_id\":1,\"deal_id\":1,\"done_at\":null,\"wait\":null}" >expect &&
	test_cmp expect out
'
test_expect_success 'due dates and times: kept in UTC, words and offsets read' '
	export CRM_DB="$SCRATCH/dates.db" &&
	crm-task add --title t1 --due "2026-11-22 15:00" >/dev/null &&
	crm-task add --title t2 --due "2026-12-01T15:00+01:00" >/dev/null &&
	crm-task add --title t3 --due tomorrow >/dev/null &&
	crm-task add --title t4 --due +3d >/dev/null &&
	crm-task add --title t5 --due "2026-11-22T23:30-02:00" >/dev/null &&
	crm-task list -f due -H >out &&
	printf "2026-11-22T15:00:00Z\n2026-12-01T14:00:00Z\n2026-11-23\n2026-11-25\n2026-11-23T01:30:00Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'show of a missing task exits 1' '
	expect_exit 1 crm-task show 99 2>err && grep -q "no task 99" err
'
test_expect_success 'set, tag, note and timeline' '
	crm-task set -q 1 --title "Call Ada back" &&
	crm-task tag -q add phone 1 && crm-task tag -q add urgent 1 && crm-task tag -q rm urgent 1 &&
	crm-task note 1 "left a voicemail" >out && echo 1 >expect && test_cmp expect out &&
	crm-task show 1 -f title,tags -H >out && printf "Call Ada back\tphone\n" >expect && test_cmp expect out &&
	crm-task timeline 1 -f kind,text -H >out &&
	printf "note\tleft a voicemail\ntag\ttags: phone,urgent → phone\ntag\ttags: phone → phone,urgent\ntag\ttags: → phone\nset\ttitle: Call Ada → Call Ada back\n" >expect &&
	head -5 out | test_cmp expect - &&
	tail -1 out | grep -q "^add	created: title=Call Ada; due=2026-11-20; priority=high"
'
test_expect_success 'rm archives, restore brings back' '
	crm-task rm -q 1 && expect_exit 1 crm-task list --where id=1 &&
	crm-task list --archived -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-task restore -q 1 && crm-task list -f id -H >out && echo 1 >expect && test_cmp expect out
'

# --- the due list.  Urgency = days overdue x 1 + priority (high 6,
# normal 0, low -2) + the open amount of the task's deal in thousands of
# euros x 1.
test_expect_success 'due: setup' '
	crm-task set -q 1 --title "Call Ada" &&
	crm-task add --title "Send quote" --due "2026-11-22 15:00" --deal 1 >/dev/null &&
	crm-task add --title "Weekly review" --due 2026-11-16 >/dev/null &&
	crm-task add --title "Renew domain" --due 2026-12-20 --priority low >/dev/null &&
	crm-task add --title "Book travel" --due 2026-11-25 --owner alice >/dev/null &&
	crm-task add --title "Plan Q1" --due 2026-11-29 --priority low >/dev/null &&
	crm-task add --title "Later" --due 2026-11-30 >/dev/null &&
	crm-task add --title "Hidden" --due 2026-11-21 --wait 2026-11-24 >/dev/null &&
	crm-task add --title "Done one" --due 2026-11-10 >/dev/null &&
	crm-task add --title "No date" >/dev/null &&
	crm-task add --title "Today plain" --due 2026-11-22 --priority low --owner alice >/dev/null &&
	crm-task done -q 9 &&
	crm-task list --open -f id -H | paste -sd " " - >out && echo "1 2 3 4 5 6 7 8 10 11" >expect && test_cmp expect out
'
test_expect_success 'due (--today): overdue included, most urgent first, default columns' '
	crm-task due >out &&
	cat >expect <<-\EOF &&
	id	due	priority	urgency	title	owner	contact	deal
	1	2026-11-20	high	20.0	Call Ada	tester	ada@acme.example	Acme renewal
	2	2026-11-22T15:00:00Z	normal	12.0	Send quote	tester		Acme renewal
	3	2026-11-16	normal	6.0	Weekly review	tester		
	11	2026-11-22	low	-2.0	Today plain	alice		
	EOF
	test_cmp expect out &&
	crm-task due --today -H -f id >out2 && cut -f1 out | sed 1d | test_cmp - out2
'
test_expect_success 'due --overdue: a date from the next day, a time once passed' '
	ids crm-task due --overdue -H >out && echo "1 3" >expect && test_cmp expect out &&
	CRM_NOW=2026-11-22T15:00:01Z ids crm-task due --overdue -H >out && echo "1 2 3" >expect && test_cmp expect out &&
	CRM_NOW=2026-11-23T00:00:00Z ids crm-task due --overdue -H >out && echo "1 2 3 11" >expect && test_cmp expect out
'
test_expect_success 'due --week and --within: spans from now, ties by due date' '
	ids crm-task due --week -H >out && echo "1 2 3 5 11 6" >expect && test_cmp expect out &&
	ids crm-task due --within 3d -H >out && echo "1 2 3 5 11" >expect && test_cmp expect out &&
	ids crm-task due --within 2w -H >out && echo "1 2 3 5 7 11 6" >expect && test_cmp expect out
'
test_expect_success 'due --owner' '
	ids crm-task due --owner alice -H >out && echo 11 >expect && test_cmp expect out &&
	ids crm-task due --week --owner alice -H >out && echo "5 11" >expect && test_cmp expect out
'
test_expect_success 'due exits 1 when nothing is due' '
	expect_exit 1 crm-task due --owner nobody -H >out && test ! -s out &&
	CRM_NOW=2026-11-01T00:00:00Z expect_exit 1 crm-task due --overdue -H >out && test ! -s out
'
test_expect_success 'wait hides a task from due until its day' '
	CRM_NOW=2026-11-23T23:59:59Z crm-task due -f id -H >out && ! grep -qx 8 out &&
	CRM_NOW=2026-11-24T00:00:00Z crm-task due -f id -H >out && grep -qx 8 out &&
	ids crm-task list --waiting -H >out && echo 8 >expect && test_cmp expect out &&
	crm-task list --ready -f id -H >out && ! grep -qx 8 out
'
test_expect_success 'wait at a time hides it until that time' '
	crm-task add --db wait.db --title w --due 2026-11-22 --wait "2026-11-22 12:00" >/dev/null &&
	CRM_NOW=2026-11-22T11:59:59Z expect_exit 1 crm-task due --db wait.db &&
	CRM_NOW=2026-11-22T12:00:00Z ids crm-task due --db wait.db -H >out && echo 1 >expect && test_cmp expect out
'
test_expect_success 'urgency follows the deal: nothing once it is closed' '
	crm-deal won -q 1 &&
	crm-task due -f id,urgency -H >out &&
	printf "1\t8.0\n3\t6.0\n2\t0.0\n11\t-2.0\n" >expect && test_cmp expect out &&
	crm-deal reopen -q 1
'
test_expect_success 'urgency: a deal in another currency at today'"'"'s rate, nothing without one' '
	crm-deal add --title "US deal" --amount "2100 USD" >/dev/null &&
	crm-task set -q 3 --deal "US deal" &&
	crm-task show 3 -f urgency -H >out && echo 6.0 >expect && test_cmp expect out &&
	crm-db rates set 2026-11-01 USD 1.05 &&
	crm-task show 3 -f urgency -H >out && echo 8.0 >expect && test_cmp expect out &&
	crm-task list --open --sort -urgency -f id -H --limit 3 | paste -sd " " - >out && echo "1 2 3" >expect && test_cmp expect out &&
	# A figure: compared and written as a number, 20.0 and 12.0 above 9.
	crm-task list --open -w "urgency>9" --sort id -f id,urgency --format jsonl >out &&
	printf "{\"id\":1,\"urgency\":20.0}\n{\"id\":2,\"urgency\":12.0}\n" >expect && test_cmp expect out &&
	expect_exit 2 crm-task list -w "urgency>high" 2>err && grep -q "invalid number .high. for urgency" err
'
test_expect_success 'task_urgency in the configuration changes the coefficients and the order' '
	printf "task_urgency: { overdue: 2, high: 10, normal: 1, low: -5, deal: 0.5 }\n" >urg.yaml &&
	CRM_CONFIG=urg.yaml crm-task due -f id,urgency -H >out &&
	printf "1\t20.0\n3\t14.0\n2\t7.0\n11\t-5.0\n" >expect && test_cmp expect out
'
test_expect_success 'list filters: --overdue --due-before --priority --deal --contact --owner --done' '
	ids crm-task list --overdue -H >out && echo "1 3 8" >expect && test_cmp expect out &&
	ids crm-task list --due-before 2026-11-22 -H >out && echo "1 3 8" >expect && test_cmp expect out &&
	ids crm-task list --priority low -H >out && echo "4 6 11" >expect && test_cmp expect out &&
	ids crm-task list --deal "Acme renewal" -H >out && echo "1 2" >expect && test_cmp expect out &&
	ids crm-task list --contact "Ada Lovelace" -H >out && echo 1 >expect && test_cmp expect out &&
	ids crm-task list --owner alice -H >out && echo "5 11" >expect && test_cmp expect out &&
	ids crm-task list --done -H >out && echo 9 >expect && test_cmp expect out &&
	crm-task show 9 -f status,done_at -H >out && printf "done\t2026-11-22T09:30:00Z\n" >expect && test_cmp expect out
'

# --- snoozing
test_expect_success 'snooze hides until the day and moves an earlier due date to it' '
	crm-task snooze 1 --until 2026-11-25 2>err && grep -q "snoozed 1 of 1 task" err &&
	crm-task show 1 -f due,wait -H >out && printf "2026-11-25\t2026-11-25\n" >expect && test_cmp expect out &&
	crm-task due -f id -H >out && ! grep -qx 1 out &&
	CRM_NOW=2026-11-25T08:00:00Z crm-task due -f id -H >out && grep -qx 1 out &&
	CRM_NOW=2026-11-25T08:00:00Z crm-task due --overdue -f id -H >out && ! grep -qx 1 out
'
test_expect_success 'snooze keeps a later due date; until a time keeps a date a date' '
	crm-task snooze -q 4 --until 2026-11-25 &&
	crm-task show 4 -f due,wait -H >out && printf "2026-12-20\t2026-11-25\n" >expect && test_cmp expect out &&
	crm-task snooze -q 3 --until "2026-11-23 08:00" &&
	crm-task show 3 -f due,wait -H >out && printf "2026-11-23\t2026-11-23T08:00:00Z\n" >expect && test_cmp expect out
'
test_expect_success 'snooze keeps the hour of a timed due, or the later time it shows again' '
	crm-task snooze -q 2 --until 2026-11-24 &&
	crm-task show 2 -f due -H >out && echo 2026-11-24T15:00:00Z >expect && test_cmp expect out &&
	crm-task snooze -q 2 --until "2026-11-26 18:00" &&
	crm-task show 2 -f due -H >out && echo 2026-11-26T18:00:00Z >expect && test_cmp expect out
'

# --- repeating series
export CRM_DB="$SCRATCH/repeat.db"
test_expect_success 'repeat is kept in its canonical spelling, counted from the due date' '
	crm-task add --title a --due 2026-12-01 --repeat "Every 2 Weeks" >/dev/null &&
	crm-task add --title b --due 2026-12-01 --repeat "every 1 day" >/dev/null &&
	crm-task add --title c --due 2026-12-01 --repeat "RRULE:FREQ=MONTHLY;BYMONTHDAY=15" >/dev/null &&
	crm-task list -f id,repeat,repeat_from -H >out &&
	printf "1\tevery 2 weeks\tdue\n2\tdaily\tdue\n3\tFREQ=MONTHLY;BYMONTHDAY=15\tdue\n" >expect &&
	test_cmp expect out && crm-task rm -q --purge 1 2 3
'
test_expect_success 'done on a repeating task prints the next one; missed dates do not pile up' '
	crm-task add --title "Daily check" --due 2026-11-10 --repeat daily --priority high --owner alice \
		--tag ops --tag daily --set ref=x1 >out && echo 4 >expect && test_cmp expect out &&
	crm-task done 4 >out 2>err && echo 5 >expect && test_cmp expect out &&
	grep -q "finished 1 of 1 task" err &&
	crm-task show 4 -f status -H >out && echo done >expect && test_cmp expect out &&
	crm-task show 5 -f title,due,repeat,repeat_from,priority,owner,tags,custom.ref,status --format jsonl >out &&
	echo "{\"title\":\"Daily check\",\"due\":\"2026-11-23\",\"repeat\":\"daily\",\"repeat_from\":\"due\",\"priority\":\"high\",\"owner\":\"alice\",\"tags\":\"daily,ops\",\"custom.ref\":\"x1\",\"status\":\"open\"}" >expect &&
	test_cmp expect out
'
test_expect_success 'the next task keeps the links: person, company, deal' '
	crm-contact add --first-name Ada --email ada@acme.example >/dev/null &&
	crm-company add --name Acme >/dev/null &&
	crm-deal add --title Big >/dev/null &&
	crm-task add --title linked --due 2026-11-21 --repeat weekly --contact 1 --company Acme --deal Big >/dev/null &&
	crm-task done 6 >out && echo 7 >expect && test_cmp expect out &&
	crm-task show 7 -f due,contact,company,deal -H >out &&
	printf "2026-11-28\tada@acme.example\tAcme\tBig\n" >expect && test_cmp expect out
'
test_expect_success 'done early: the next is after the old due date, not after today' '
	crm-task add --title w --due 2026-11-30 --repeat weekly >/dev/null &&
	crm-task done 8 >out && echo 9 >expect && test_cmp expect out &&
	crm-task show 9 -f due -H >out && echo 2026-12-07 >expect && test_cmp expect out
'
test_expect_success 'repeat_from done: one step after today' '
	crm-task add --title wd --due 2026-11-01 --repeat weekly --repeat-from done >/dev/null &&
	crm-task done 10 >out && echo 11 >expect && test_cmp expect out &&
	crm-task show 11 -f due,repeat_from -H >out && printf "2026-11-29\tdone\n" >expect && test_cmp expect out
'
test_expect_success 'a timed series: the next time after now' '
	crm-task add --title t --due "2026-11-20 15:00" --repeat daily >/dev/null &&
	crm-task done 12 >out && echo 13 >expect && test_cmp expect out &&
	crm-task show 13 -f due -H >out && echo 2026-11-22T15:00:00Z >expect && test_cmp expect out
'
test_expect_success 'wait moves with the due date' '
	crm-task add --title fortnight --due 2026-11-20 --wait 2026-11-18 --repeat "every 2 weeks" >/dev/null &&
	crm-task done 14 >out && echo 15 >expect && test_cmp expect out &&
	crm-task show 15 -f due,wait,repeat -H >out && printf "2026-12-04\t2026-12-02\tevery 2 weeks\n" >expect &&
	test_cmp expect out
'
test_expect_success 'an RRULE with days of the week' '
	crm-task add --title r --due 2026-11-20 --repeat "FREQ=WEEKLY;BYDAY=MO,TH" >/dev/null &&
	crm-task done 16 >out && echo 17 >expect && test_cmp expect out &&
	crm-task show 17 -f due -H >out && echo 2026-11-23 >expect && test_cmp expect out &&
	CRM_NOW=2026-11-23T10:00:00Z crm-task done 17 >out && echo 18 >expect && test_cmp expect out &&
	crm-task show 18 -f due -H >out && echo 2026-11-26 >expect && test_cmp expect out
'
test_expect_success 'monthly from the 31st: the last day of a short month' '
	crm-task add --title invoices --due 2026-01-31 --repeat monthly >/dev/null &&
	crm-task done 19 >out && echo 20 >expect && test_cmp expect out &&
	crm-task show 20 -f due -H >out && echo 2026-11-30 >expect && test_cmp expect out &&
	CRM_NOW=2026-02-10T08:00:00Z crm-task add --title feb --due 2026-01-31 --repeat monthly >/dev/null &&
	CRM_NOW=2026-02-10T08:00:00Z crm-task done 21 >out && echo 22 >expect && test_cmp expect out &&
	crm-task show 22 -f due -H >out && echo 2026-02-28 >expect && test_cmp expect out
'
test_expect_success 'monthly from the 31st: back to the 31st after a short month' '
	CRM_NOW=2026-03-05T08:00:00Z crm-task done 22 >out && echo 23 >expect && test_cmp expect out &&
	crm-task show 23 -f due -H >out && echo 2026-03-31 >expect && test_cmp expect out
'
test_expect_success 'yearly from 29 February: 28 February, then 29 February again in a leap year' '
	crm-task add --title leap --due 2024-02-29 --repeat yearly >/dev/null &&
	crm-task done 24 >out && echo 25 >expect && test_cmp expect out &&
	crm-task show 25 -f due -H >out && echo 2027-02-28 >expect && test_cmp expect out &&
	CRM_NOW=2027-03-01T08:00:00Z crm-task done 25 >out && echo 26 >expect && test_cmp expect out &&
	crm-task show 26 -f due -H >out && echo 2028-02-29 >expect && test_cmp expect out
'
test_expect_success 'cancel ends the series: no next task, nothing printed' '
	crm-task list -f id -H | tail -1 >last &&
	crm-task add --title c --due 2026-11-20 --repeat daily >id &&
	crm-task cancel "$(cat id)" >out 2>err && test ! -s out && grep -q "cancelled 1 of 1 task" err &&
	crm-task show "$(cat id)" -f status,done_at -H >out && printf "cancelled\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect out &&
	crm-task list -f id -H | tail -1 | test_cmp id -
'
test_expect_success 'done twice starts nothing the second time' '
	crm-task done "$(cat id)" >out 2>err && test ! -s out && grep -q "finished 0 of 1 task" err &&
	crm-task list -f id -H | tail -1 | test_cmp id -
'
test_expect_success 'UNTIL: the last date is done and starts nothing' '
	crm-task add --title u --due 2026-11-23 --repeat "FREQ=DAILY;UNTIL=20261124" >id &&
	crm-task done "$(cat id)" >next && crm-task show "$(cat next)" -f due -H >out &&
	echo 2026-11-24 >expect && test_cmp expect out &&
	crm-task done "$(cat next)" >out 2>err && test ! -s out && grep -q "finished 1 of 1 task" err &&
	crm-task show "$(cat next)" -f status -H >out && echo done >expect && test_cmp expect out &&
	crm-task list -f id -H | tail -1 | test_cmp next -
'
test_expect_success 'COUNT: two in all, the second carries what is left' '
	crm-task add --title c --due 2026-11-23 --repeat "FREQ=DAILY;COUNT=2" >id &&
	crm-task done "$(cat id)" >next && crm-task show "$(cat next)" -f due,repeat -H >out &&
	printf "2026-11-24\tFREQ=DAILY;COUNT=1\n" >expect && test_cmp expect out &&
	crm-task done "$(cat next)" >out && test ! -s out &&
	crm-task list -f id -H | tail -1 | test_cmp next -
'
test_expect_success 'COUNT from completion: each done uses one' '
	crm-task add --title cd --due 2026-11-01 --repeat "FREQ=WEEKLY;COUNT=2" --repeat-from done >id &&
	crm-task done "$(cat id)" >next && crm-task show "$(cat next)" -f due,repeat -H >out &&
	printf "2026-11-29\tFREQ=WEEKLY;COUNT=1\n" >expect && test_cmp expect out &&
	crm-task done "$(cat next)" >out && test ! -s out
'
test_expect_success 'a rule that names no date is refused when written, not when done' '
	snapshot before &&
	expect_exit 3 crm-task add --title bad --due 2026-11-20 --repeat "FREQ=YEARLY;BYMONTH=13" 2>err &&
	grep -q "^crm-task: repeat: " err &&
	expect_exit 3 crm-task add --title feb --due 2026-11-20 --repeat "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30" 2>err &&
	grep -q "has no date after 2026-11-20" err &&
	snapshot after && test_cmp before after &&
	crm-task add --title once --due 2026-11-20 --repeat "FREQ=DAILY;COUNT=1" >id &&
	crm-task done "$(cat id)" >out && test ! -s out
'
test_expect_success 'a finished task hands its rule on: reopened and done again, no second series' '
	crm-task add --title review --due 2026-11-16 --repeat weekly >id &&
	crm-task done "$(cat id)" >next &&
	crm-task show "$(cat id)" -f status,repeat -H >out && printf "done\t\n" >expect && test_cmp expect out &&
	crm-task set "$(cat id)" --status open 2>/dev/null &&
	crm-task done "$(cat id)" >out && test ! -s out &&
	crm-task list --open --where "title = review" -f id -H >out && test_cmp next out
'
test_expect_success 'an archived task is not finished: a removed series stays removed' '
	crm-task add --title gone --due 2026-11-20 --repeat daily >id &&
	crm-task rm "$(cat id)" 2>/dev/null && snapshot before &&
	expect_exit 3 crm-task done "$(cat id)" 2>err && grep -q "task $(cat id) is archived" err &&
	snapshot after && test_cmp before after
'

# --- the iCalendar output
export CRM_DB="$SCRATCH/ics.db"
# check_ics FILE: every line ends in CR LF and is at most 75 octets,
# components nest and balance, each VTODO has one UID and one DTSTAMP.
check_ics() {
	python3 - "$1" <<-\EOF
	import sys
	data = open(sys.argv[1], "rb").read()
	assert data.endswith(b"\r\n"), "no CRLF at the end"
	lines = data[:-2].split(b"\r\n")
	for n, l in enumerate(lines, 1):
	    assert b"\n" not in l and b"\r" not in l, "line %d: a bare CR or LF" % n
	    assert len(l) <= 75, "line %d: %d octets" % (n, len(l))
	stack, uids = [], []
	unfolded = []
	for l in lines:
	    if l[:1] in (b" ", b"\t"):
	        unfolded[-1] += l[1:]
	    else:
	        unfolded.append(l)
	todo = None
	for l in unfolded:
	    name = l.split(b":", 1)[0].split(b";", 1)[0]
	    if name == b"BEGIN":
	        stack.append(l.split(b":", 1)[1])
	        if stack[-1] == b"VTODO":
	            todo = {}
	    elif name == b"END":
	        assert stack and stack[-1] == l.split(b":", 1)[1], "END without BEGIN: %r" % l
	        if stack.pop() == b"VTODO":
	            assert todo.get(b"UID") == 1 and todo.get(b"DTSTAMP") == 1, "VTODO: %r" % todo
	    elif todo is not None:
	        todo[name] = todo.get(name, 0) + 1
	        if name == b"UID":
	            uids.append(l)
	assert not stack, "not closed: %r" % stack
	assert unfolded[0] == b"BEGIN:VCALENDAR" and unfolded[-1] == b"END:VCALENDAR"
	assert b"VERSION:2.0" in unfolded and any(l.startswith(b"PRODID:") for l in unfolded)
	assert len(uids) == len(set(uids)), "UIDs repeat"
	sys.stdout.buffer.write(b"\n".join(unfolded) + b"\n")
	EOF
}
test_expect_success 'ics: setup' '
	crm-contact add --first-name Ada --last-name Lovelace --email ada@acme.example >/dev/null &&
	crm-company add --name "Acme Ltd" >/dev/null &&
	crm-deal add --title "Acme renewal" >/dev/null &&
	crm-task add --title "Call Ada, re: renewal; soon" --due 2026-11-25 --priority high --contact 1 \
		--company 1 --deal 1 >/dev/null &&
	crm-task add --title "Send the quote" --due "2026-12-01T15:00+01:00" --priority low >/dev/null &&
	crm-task add --title "Weekly review" --due 2026-11-16 --repeat weekly --tag team --tag review >/dev/null &&
	crm-task add --title "Done" --due 2026-11-20 >/dev/null && crm-task done -q 4 &&
	crm-task add --title "Dropped" >/dev/null && crm-task cancel -q 5 &&
	crm-task add --title "Invoices" --due 2026-01-31 --repeat monthly >/dev/null &&
	crm-task add --title "$(printf "%0100d" 0 | tr 0 x)" >/dev/null
'
test_expect_success 'ics: a valid calendar (CR LF, 75 octets, balanced, one UID and DTSTAMP each)' '
	crm-task list --all --format ics >cal.ics &&
	check_ics cal.ics >unfolded &&
	grep -c "^BEGIN:VTODO$" unfolded >out && echo 7 >expect && test_cmp expect out
'
test_expect_success 'ics: dates, times, status, priority and the description' '
	crm-task list --where id=1 --format ics >one.ics && check_ics one.ics >unfolded1 &&
	grep -v -E "^(DTSTAMP|CREATED|LAST-MODIFIED|PRODID|VERSION)" unfolded1 >out &&
	cat >expect <<-\EOF &&
	BEGIN:VCALENDAR
	BEGIN:VTODO
	UID:crm-task-1
	SUMMARY:Call Ada\, re: renewal\; soon
	DUE;VALUE=DATE:20261125
	STATUS:NEEDS-ACTION
	PRIORITY:1
	DESCRIPTION:Contact: Ada Lovelace\nCompany: Acme Ltd\nDeal: Acme renewal\nOwner: tester
	END:VTODO
	END:VCALENDAR
	EOF
	test_cmp expect out &&
	grep "^DTSTAMP" unfolded1 >out &&
	echo "DTSTAMP:20261122T093000Z" >expect && test_cmp expect out &&
	crm-task list --where id=2 --format ics | tr -d "\r" | grep -E "^(DUE|PRIORITY|STATUS)" >out &&
	printf "DUE:20261201T140000Z\nSTATUS:NEEDS-ACTION\nPRIORITY:9\n" >expect && test_cmp expect out
'
test_expect_success 'ics: a series has its start and RRULE, tags are categories' '
	crm-task list --where id=3 --format ics | tr -d "\r" | grep -E "^(DTSTART|DUE|RRULE|CATEGORIES|PRIORITY)" >out &&
	printf "DTSTART;VALUE=DATE:20261116\nDUE;VALUE=DATE:20261116\nPRIORITY:5\nRRULE:FREQ=WEEKLY\nCATEGORIES:review\nCATEGORIES:team\n" >expect &&
	test_cmp expect out &&
	crm-task list --where id=6 --format ics | tr -d "\r" | grep "^RRULE" >out &&
	echo "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1" >expect && test_cmp expect out
'
test_expect_success 'ics: done and cancelled, no due date, a long summary folded' '
	crm-task list --where id=4 --format ics | tr -d "\r" | grep -E "^(STATUS|COMPLETED)" >out &&
	printf "STATUS:COMPLETED\nCOMPLETED:20261122T093000Z\n" >expect && test_cmp expect out &&
	crm-task list --all --where id=5 --format ics | tr -d "\r" | grep -E "^(STATUS|DUE)" >out &&
	echo "STATUS:CANCELLED" >expect && test_cmp expect out &&
	grep "^SUMMARY:x" unfolded >out && echo "SUMMARY:$(printf "%0100d" 0 | tr 0 x)" >expect && test_cmp expect out &&
	tr -d "\r" <cal.ics | grep -q "^ x"
'
test_expect_success 'ics: list filters apply' '
	crm-task list --open --format ics | tr -d "\r" | grep "^UID" >out &&
	printf "UID:crm-task-1\nUID:crm-task-2\nUID:crm-task-3\nUID:crm-task-6\nUID:crm-task-7\n" >expect &&
	test_cmp expect out
'
test_expect_success 'ics: categories escape ; and backslash, and fold long tags' '
	crm-task add --title tagged --tag "x;y" --tag "a\\b" --tag "$(printf "%040d" 0 | sed "s/0/é/g")" >id &&
	crm-task list --where id=$(cat id) --format ics >tags.ics && check_ics tags.ics >unfolded2 &&
	grep "^CATEGORIES" unfolded2 >out &&
	printf "CATEGORIES:a\\\\\\\\b\nCATEGORIES:x\\\\;y\nCATEGORIES:%s\n" "$(printf "%040d" 0 | sed "s/0/é/g")" >expect &&
	test_cmp expect out
'
test_expect_success 'ics: control characters are left out of TEXT, a tab kept' '
	crm-task add --title "$(printf "ring\a\001 \033[1mbold\177\tend")" --tag "$(printf "t\001ag")" >id &&
	crm-task list --where id=$(cat id) --format ics >ctl.ics && check_ics ctl.ics >unfolded3 &&
	grep -E "^(SUMMARY|CATEGORIES)" unfolded3 >out &&
	printf "SUMMARY:ring [1mbold\tend\nCATEGORIES:tag\n" >expect && test_cmp expect out
'
test_expect_success 'ics: no task matched is an empty calendar and exit 1' '
	expect_exit 1 crm-task list --where id=999 --format ics >empty.ics &&
	check_ics empty.ics | grep -v "^PRODID:" >out &&
	printf "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n" >expect &&
	test_cmp expect out
'
test_expect_success 'ics: done_at given as a date is midnight UTC, COMPLETED a UTC time' '
	crm-task add --title old --done-at 2026-03-01 >id &&
	crm-task show "$(cat id)" -f status,done_at -H >out &&
	printf "done\t2026-03-01T00:00:00Z\n" >expect && test_cmp expect out &&
	crm-task list --where id=$(cat id) --format ics | tr -d "\r" | grep "^COMPLETED" >out &&
	echo "COMPLETED:20260301T000000Z" >expect && test_cmp expect out &&
	sqlite3 "$CRM_DB" "UPDATE tasks SET done_at = '"'"'2026-02-01'"'"' WHERE id = $(cat id)" &&
	crm-task list --where id=$(cat id) --format ics | tr -d "\r" | grep "^COMPLETED" >out &&
	echo "COMPLETED:20260201T000000Z" >expect && test_cmp expect out
'
test_expect_success 'ics: UNTIL takes the form of DUE' '
	crm-task add --title ut --due 2026-11-23T10:00:00Z --repeat "FREQ=DAILY;UNTIL=20261124" >id &&
	crm-task list --where id=$(cat id) --format ics | tr -d "\r" | grep -E "^(DTSTART|DUE|RRULE)" >out &&
	printf "DTSTART:20261123T100000Z\nDUE:20261123T100000Z\nRRULE:FREQ=DAILY;UNTIL=20261124T235959Z\n" >expect && test_cmp expect out
'

# --- bad input
export CRM_DB="$SCRATCH/crm.db"
bad_task 'an unreadable due date (exit 3)' 3 "due: invalid date 'someday'" crm-task add --title x --due someday
bad_task 'an impossible due date (exit 3)' 3 "due: invalid date '2026-02-30'" crm-task set 1 --due 2026-02-30
bad_task 'an unknown priority (exit 3)' 3 "priority: invalid priority 'urgent' \\(expected low, normal or high\\)" \
	crm-task add --title x --priority urgent
bad_task 'repeat garbage (exit 3)' 3 "repeat: invalid repeat 'every blue moon'" \
	crm-task add --title x --due 2026-12-01 --repeat "'every blue moon'"
bad_task 'an RRULE libical cannot read (exit 3)' 3 "repeat: invalid repeat 'FREQ=SOMETIMES'" \
	crm-task add --title x --due 2026-12-01 --repeat FREQ=SOMETIMES
bad_task 'every 0 days (exit 3)' 3 "repeat: invalid repeat 'every 0 days'" \
	crm-task add --title x --due 2026-12-01 --repeat "'every 0 days'"
bad_task 'repeat without a due date (exit 3)' 3 "repeat: a repeating task needs a due date" \
	crm-task add --title x --repeat weekly
bad_task 'taking the due date off a repeating task (exit 3)' 3 "repeat: a repeating task needs a due date" \
	crm-task set 3 --repeat weekly --due "''"
bad_task 'a missing deal by id (exit 3)' 3 "deal: no deal 99" crm-task add --title x --deal 99
bad_task 'a missing deal by title (exit 3)' 3 "deal: no deal 'No such deal'" crm-task add --title x --deal "'No such deal'"
bad_task 'a missing person (exit 3)' 3 "contact: no contact 'nobody@example.org'" \
	crm-task add --title x --contact nobody@example.org
bad_task 'a missing person by id on set (exit 3)' 3 "contact: no contact 42" crm-task set 1 --contact 42
bad_task 'a missing company (exit 3)' 3 "company: no company 'nowhere.example'" \
	crm-task add --title x --company nowhere.example
bad_task 'a task needs a title (exit 3)' 3 "title" crm-task add --due 2026-12-01
bad_task 'two of --today and --week (exit 2)' 2 "choose one of --today, --overdue, --week and --within" \
	crm-task due --today --week
bad_task 'two of --overdue and --within (exit 2)' 2 "choose one of" crm-task due --overdue --within 3d
bad_task 'a bad --within span (exit 2)' 2 "--within: invalid span '3x'" crm-task due --within 3x
bad_task 'a --within span without a number (exit 2)' 2 "--within: invalid span 'd'" crm-task due --within d
bad_task 'snooze without --until (exit 2)' 2 "snooze needs --until" crm-task snooze 1
bad_task 'snooze until an unreadable time (exit 3)' 3 "until: invalid date 'whenever'" crm-task snooze 1 --until whenever
bad_task 'done of a missing task, among others (exit 1, nothing written)' 1 "no task 99" crm-task done 1 99
bad_task 'a bad --due-before (exit 2)' 2 "--due-before: invalid date 'soon'" crm-task list --due-before soon
test_done
