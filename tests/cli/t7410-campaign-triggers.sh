#!/bin/bash
# crm-campaign triggers: birthdays over leap years (29 February greeted on
# 28 February in other years), a repeated run, a missed day caught up
# with --date, days ahead, anniversaries of the first purchase, a custom
# date field, bonus points once a year, consent, and bad input.
. "$(dirname "$0")/lib.sh"

fields() { "$TOP/tests/cli/mail-fields" "$@"; }
greeted() { fields mbox:greet.mbox to,subject; }

printf "mail:\n  from: Shop <shop@example.org>\n" >cfg.yaml
export CRM_CONFIG=$SCRATCH/cfg.yaml

test_expect_success 'people with birthdays, one on 29 February' '
	crm-contact add -q --first-name Lea --email lea@example.org --birth-date 2000-02-29 >/dev/null &&
	crm-contact add -q --first-name Max --email max@example.org --birth-date 1990-02-28 >/dev/null &&
	crm-contact add -q --first-name Ned --email ned@example.org --birth-date 1985-03-01 >/dev/null &&
	crm-contact add -q --first-name Ola --email ola@example.org --birth-date 1970-11-22 >/dev/null &&
	crm-contact add -q --first-name Pia --email pia@example.org --birth-date 1999-11-22 >/dev/null &&
	crm-contact add -q --first-name Quy --birth-date 1980-11-22 >/dev/null &&
	printf "1\n2\n3\n4\n6\n" | crm-contact consent set - email granted &&
	crm-contact consent set 5 email withdrawn &&
	printf "Happy birthday, {{first_name}}: {{years}} on {{occasion}}!\n" >bday.txt &&
	crm-campaign template add bday --subject "Happy birthday, {{first_name}}" --text bday.txt
'
test_expect_success 'trigger add prints the id; the trigger is active' '
	crm-campaign trigger add --on birthday --template bday --points 100 >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-campaign show 1 -f name,kind,on,status,points -H >out &&
	printf "birthday\ttrigger\tbirthday\tactive\t100\n" >expect && test_cmp expect out
'
test_expect_success 'today (22 November): the consenting are greeted, points to everyone greeted' '
	crm-campaign triggers run --to mbox:greet.mbox -H >out 2>err &&
	cut -f2,3,5,6 out >got && printf "4\tola@example.org\t2026\tsent\n" >expect && test_cmp expect got &&
	grep -q "3 people, sent 1" err && grep -q "consent-withdrawn 1" err && grep -q "no-email 1" err &&
	grep -q "points given 300" err &&
	fields mbox:greet.mbox text >out && printf "Happy birthday, Ola: 56 on 2026-11-22!\\\\n\n" >expect && test_cmp expect out &&
	crm-loyalty balance 4 >out && echo 100 >expect && test_cmp expect out &&
	crm-loyalty balance 5 >out && test_cmp expect out
'
test_expect_success 'a second run the same day sends nothing and gives nothing (exit 1)' '
	expect_exit 1 crm-campaign triggers run --to mbox:greet.mbox -H >out 2>err && test ! -s out &&
	grep -q "already sent 1" err && test "$(greeted | wc -l)" = 1 &&
	crm-loyalty balance 4 >out && echo 100 >expect && test_cmp expect out
'
test_expect_success 'a non-leap year: 28 February greets the 28th and the 29th; 1 March only the 1st' '
	crm-campaign triggers run --date 2026-02-28 --to mbox:greet.mbox -H >out 2>/dev/null &&
	cut -f3,5 out >got && printf "lea@example.org\t2026\nmax@example.org\t2026\n" >expect && test_cmp expect got &&
	crm-campaign triggers run --date 2026-03-01 --to mbox:greet.mbox -H >out 2>/dev/null &&
	cut -f3 out >got && echo ned@example.org >expect && test_cmp expect got
'
test_expect_success 'a leap year: 29 February greets its own; 28 February does not greet them' '
	crm-campaign triggers run --date 2024-02-28 --to mbox:greet.mbox -H >out 2>/dev/null &&
	cut -f3 out >got && echo max@example.org >expect && test_cmp expect got &&
	crm-campaign triggers run --date 2024-02-29 --to mbox:greet.mbox -H >out 2>/dev/null &&
	cut -f3,5 out >got && printf "lea@example.org\t2024\n" >expect && test_cmp expect got &&
	fields mbox:greet.mbox text | grep -c "Lea: 24 on 2024-02-29" >out && echo 1 >expect && test_cmp expect out
'
test_expect_success 'once per person and year, whatever day is run' '
	expect_exit 1 crm-campaign triggers run --date 2024-02-29 --to mbox:greet.mbox 2>/dev/null >/dev/null &&
	sqlite3 "$CRM_DB" "select contact_id, occurrence, count(*) from campaign_sends where state = '\''sent'\'' group by 1, 2 order by 1, 2" >out &&
	printf "1|2024|1\n1|2026|1\n2|2024|1\n2|2026|1\n3|2026|1\n4|2026|1\n" >expect && test_cmp expect out
'
test_expect_success 'a day to come is refused; a bad date is a usage error' '
	expect_exit 2 crm-campaign triggers run --date 2026-11-23 2>err && grep -q "is to come" err &&
	expect_exit 2 crm-campaign triggers run --date 2026-02-30 2>err && grep -q "invalid date" err &&
	expect_exit 2 crm-campaign triggers go 2>err
'
test_expect_success 'days before: the greeting goes that many days ahead of the date' '
	crm-campaign set -q 1 --status paused &&
	crm-campaign trigger add --on birthday --days-before 7 --template bday --name early >/dev/null &&
	crm-campaign triggers run --date 2026-02-21 --to mbox:early.mbox -H >out 2>/dev/null &&
	cut -f3,5 out >got && printf "lea@example.org\t2026\nmax@example.org\t2026\n" >expect && test_cmp expect got &&
	fields mbox:early.mbox text | sed -n 1p >out && grep -q "on 2026-02-28!" out &&
	crm-campaign set -q 2 --status paused
'
test_expect_success 'anniversary of the first purchase: in a later year, not in its own' '
	crm-purchase add -q --person 3 --at 2025-11-22T10:00:00Z --line "A 1 10" >/dev/null &&
	crm-purchase add -q --person 3 --at 2026-01-05 --line "A 1 10" >/dev/null &&
	crm-purchase add -q --person 6 --at 2026-11-22T08:00:00Z --line "A 1 10" >/dev/null &&
	printf "{{years}} year(s) with us, {{first_name}}!\n" >anniv.txt &&
	crm-campaign template add anniv --subject "Thank you" --text anniv.txt &&
	crm-campaign trigger add --on anniversary --template anniv >/dev/null &&
	crm-campaign triggers run --to mbox:anniv.mbox -H >out 2>/dev/null &&
	cut -f2 out >got && echo 3 >expect && test_cmp expect got &&
	fields mbox:anniv.mbox text >out && printf "1 year(s) with us, Ned!\\\\n\n" >expect && test_cmp expect out
'
test_expect_success 'date-field: a custom date of the person' '
	crm-contact set -q 1 --set joined=2019-06-15 &&
	crm-contact set -q 2 --set joined=not-a-date &&
	crm-campaign trigger add --on date-field joined --template anniv --name joined >/dev/null &&
	crm-campaign triggers run --date 2026-06-15 --to mbox:joined.mbox -H >out 2>/dev/null &&
	cut -f2 out >got && echo 1 >expect && test_cmp expect got &&
	crm-campaign show 4 -f on -H >out && echo date-field:joined >expect && test_cmp expect out
'
test_expect_success 'trigger bad input: nothing is created' '
	n=$(sqlite3 "$CRM_DB" "select count(*) from campaigns") &&
	expect_exit 2 crm-campaign trigger add --on wedding --template bday 2>err && grep -q "invalid trigger .wedding." err &&
	expect_exit 2 crm-campaign trigger add --on date-field --template bday 2>err && grep -q "needs the FIELD" err &&
	expect_exit 2 crm-campaign trigger add --template bday 2>err && grep -q "needs --on" err &&
	expect_exit 2 crm-campaign trigger add --on birthday --days-before 400 --template bday 2>err && grep -q "0 to 365" err &&
	expect_exit 2 crm-campaign trigger add --on birthday --points -5 --template bday 2>err &&
	expect_exit 3 crm-campaign trigger add --on birthday --template nosuch 2>err && grep -q "no template .nosuch." err &&
	expect_exit 2 crm-campaign send 1 2>err && grep -q "is a trigger" err &&
	expect_exit 3 crm-campaign add-recipients 1 2 2>err && grep -q "campaign 1 is a trigger" err &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from campaigns")" = "$n"
'
test_done
