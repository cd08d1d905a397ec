#!/bin/bash
# crm-feedback: responses and their generic verbs, bad input, import from
# a survey tool's export, NPS and CSAT figures (worked by hand below) per
# queue, assignee and month over periods, surveys (once per ticket, the
# cooldown, the sample, the dry run) and answers read back by
# crm-ticket mail-in.
. "$(dirname "$0")/lib.sh"

snapshot() {
	sqlite3 "$CRM_DB" "select * from responses; select * from surveys; select count(*) from audit" >"$1"
}

test_expect_success 'people and tickets to answer about' '
	crm-contact add -q --email ann@example.org --first-name Ann >/dev/null &&
	crm-contact add -q --email bo@example.org >/dev/null &&
	crm-contact add -q --email cy@example.org >/dev/null &&
	printf "queues: [support, billing]\n" >q.yaml &&
	CRM_CONFIG=q.yaml crm-ticket add -q --subject "Login fails" --requester ann@example.org --assignee dee </dev/null &&
	CRM_CONFIG=q.yaml crm-ticket add -q --subject "Invoice" --requester bo@example.org --queue billing --assignee eve </dev/null
'
test_expect_success 'add prints the id; the time defaults to now, the person to the requester' '
	crm-feedback add --kind nps --score 9 --person ann@example.org --comment "Great" >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-feedback add --kind csat --score 4 --ticket 2 --channel web >out &&
	echo 2 >expect && test_cmp expect out &&
	crm-feedback show 2 -f kind,score,person,ticket,channel,at,queue,assignee -H >out &&
	printf "csat\t4\tbo@example.org\t2\tweb\t2026-11-22T09:30:00Z\tbilling\teve\n" >expect &&
	test_cmp expect out
'
test_expect_success 'bad input is refused with exit 3 naming the field, nothing written' '
	snapshot before &&
	expect_exit 3 crm-feedback add --kind csat --score 6 2>err && grep -q "score: a csat score is a whole number from 1 to 5, not 6" err &&
	expect_exit 3 crm-feedback add --kind csat --score 0 2>err && grep -q "score" err &&
	expect_exit 3 crm-feedback add --kind nps --score 11 2>err && grep -q "invalid score .11." err &&
	expect_exit 3 crm-feedback add --kind nps --score -1 2>err && grep -q "score" err &&
	expect_exit 3 crm-feedback add --kind nps --score 7.5 2>err && grep -q "score" err &&
	expect_exit 3 crm-feedback add --kind ces --score 3 2>err && grep -q "invalid kind .ces. (expected nps or csat)" err &&
	expect_exit 3 crm-feedback add --score 3 2>err && grep -q "kind" err &&
	expect_exit 3 crm-feedback add --kind nps --score 3 --person 99 2>err && grep -q "person: no contact 99" err &&
	expect_exit 3 crm-feedback add --kind nps --score 3 --person nobody@example.org 2>err && grep -q "person" err &&
	expect_exit 3 crm-feedback add --kind nps --score 3 --ticket 99 2>err && grep -q "ticket: no ticket 99" err &&
	expect_exit 3 crm-feedback add --kind nps --score 3 --at yesteryear 2>err && grep -q "at" err &&
	expect_exit 3 crm-feedback set 2 --kind nps --score 11 2>err &&
	expect_exit 3 crm-feedback set 1 --kind csat 2>err && grep -q "not 9" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'set, tag, note, timeline, rm and restore' '
	crm-feedback set -q 1 --comment "Great, fast" &&
	crm-feedback tag -q add vip 1 && crm-feedback note -q 1 "called back" >/dev/null &&
	crm-feedback show 1 -f comment,tags -H >out && printf "Great, fast\tvip\n" >expect && test_cmp expect out &&
	crm-feedback timeline 1 -H | grep -q "called back" &&
	crm-feedback rm -q 2 && expect_exit 1 crm-feedback list --kind csat &&
	crm-feedback restore -q 2 && crm-feedback list --kind csat -f id -H >out && echo 2 >expect && test_cmp expect out
'
test_expect_success 'import: a survey export with its own headers, a mapping for the kind' '
	cat >survey.csv <<-\EOF &&
	Respondent email,How likely are you to recommend us to a friend?,Comments,Submitted at,Name
	ann@example.org,10,Quick,2026-10-02T10:00:00Z,Ann
	bo@example.org,8,,2026-10-15,Bo
	cy@example.org,6,Slow,2026-11-03,Cy
	cy@example.org,0,Rude,2026-11-04,Cy
	bo@example.org,9,,2026-11-20,Bo
	EOF
	printf "set: { kind: nps }\n" >nps.yaml &&
	crm-import responses -q --map nps.yaml survey.csv &&
	crm-feedback list --kind nps -f id,at,score,person,comment -H >out &&
	cat >expect <<-\EOF &&
	3	2026-10-02T10:00:00Z	10	ann@example.org	Quick
	4	2026-10-15T00:00:00Z	8	bo@example.org	
	5	2026-11-03T00:00:00Z	6	cy@example.org	Slow
	6	2026-11-04T00:00:00Z	0	cy@example.org	Rude
	7	2026-11-20T00:00:00Z	9	bo@example.org	
	1	2026-11-22T09:30:00Z	9	ann@example.org	Great, fast
	EOF
	test_cmp expect out
'
# The Net Promoter question names its scale, and so does a CSAT one: no
# kind column or mapping is needed; the row's kind, or a mapping's, wins.
test_expect_success 'import: the question says the kind; the row'"'"'s or a mapping'"'"'s wins' '
	export CRM_DB="$PWD/implied.db" &&
	for p in ann bo cy; do crm-contact add -q --email $p@implied.example >/dev/null || return 1; done &&
	printf "Email,How likely are you to recommend us to a friend?\nann@implied.example,10\nbo@implied.example,6\n" >q1.csv &&
	printf "Email,How satisfied were you with our support?,Type\nann@implied.example,5,\ncy@implied.example,9,nps\n" >q2.csv &&
	printf "Email,Net Promoter Score\ncy@implied.example,3\n" >q3.csv &&
	printf "set: { kind: csat }\n" >csat.yaml &&
	printf "Email,Rating\nbo@implied.example,4\n" >q4.csv &&
	crm-import responses -q q1.csv && crm-import responses -q q2.csv &&
	crm-import responses -q --map csat.yaml q3.csv &&
	expect_exit 3 crm-import responses q4.csv 2>err &&
	grep -q "q4.csv:2: kind: a response needs a kind" err &&
	crm-feedback list -f person,kind,score -H >out &&
	cat >expect <<-\EOF &&
	ann@implied.example	nps	10
	bo@implied.example	nps	6
	ann@implied.example	csat	5
	cy@implied.example	nps	9
	cy@implied.example	csat	3
	EOF
	test_cmp expect out
'
test_expect_success 'import: the kind goes with the column that gives the score' '
	export CRM_DB="$PWD/implied.db" &&
	printf "Email,How likely are you to recommend us?,How satisfied were you with support?\nann@implied.example,9,4\n" >two.csv &&
	crm-import responses -q two.csv &&
	crm-feedback list --person ann@implied.example -f kind,score,custom.how_satisfied_were_you_with_support -H | tail -1 >out &&
	printf "nps\t9\t4\n" >expect && test_cmp expect out &&
	printf "columns: { NPS: custom.old_nps, Rating: score }\n" >old.yaml &&
	printf "Email,NPS,Rating\nbo@implied.example,8,3\n" >old.csv &&
	expect_exit 3 crm-import responses --map old.yaml old.csv 2>err &&
	grep -q "old.csv:2: kind: a response needs a kind" err
'
# A blank under the question: the kind is known, the score is missing.
test_expect_success 'import: a blank answer to the question is a response missing its score' '
	export CRM_DB="$PWD/implied.db" &&
	printf "Email,How likely are you to recommend us?\nann@implied.example,\n" >blank.csv &&
	expect_exit 3 crm-import responses blank.csv 2>err &&
	grep -q "blank.csv:2: score: a response needs a score" err
'
test_expect_success 'import: a score out of the scale and a respondent named by no one are rejected' '
	printf "Email,Rating,Type\nann@example.org,7,csat\nZed Unknown,4,csat\nbo@example.org,5,CSAT\n" >bad.csv &&
	expect_exit 3 crm-import responses bad.csv 2>err &&
	grep -q "bad.csv:2: score" err &&
	grep -q "bad.csv:3: person: no contact .Zed Unknown." err &&
	crm-feedback list --kind csat -f id,score,person -H >out &&
	printf "2\t4\tbo@example.org\n8\t5\tbo@example.org\n" >expect && test_cmp expect out
'
# Survey tools ask people the CRM may not have yet: a respondent's
# address nobody has adds the person, named by the export's Name, or
# First and Last name, columns, so every answer counts in the figures.
test_expect_success 'import: a respondent nobody has is added as a person' '
	export CRM_DB="$PWD/new-people.db" &&
	crm-contact add -q --email known@example.org --first-name Kim >/dev/null &&
	cat >delighted.csv <<-\EOF &&
	Response ID,Email,Name,Score,Comment,Date
	D1,known@example.org,Kim,9,,2026-11-02
	D2,Ingrid.Berg@Example.NO,Ingrid Berg,3,Too slow,2026-11-03
	D3,,Anonymous Visitor,10,,2026-11-04
	D4,ingrid.berg@example.no,,6,,2026-11-05
	EOF
	printf "set: { kind: nps }\n" >nps.yaml &&
	crm-import responses --map nps.yaml delighted.csv 2>err &&
	grep -q "created 4, .*rejected 0; 1 new person" err &&
	crm-contact list -f id,first_name,last_name,email -H >out &&
	printf "1\tKim\t\tknown@example.org\n2\tIngrid\tBerg\tIngrid.Berg@Example.NO\n" >expect &&
	test_cmp expect out &&
	crm-feedback list -f custom.response_id,person -H >out &&
	printf "D1\tknown@example.org\nD2\tIngrid.Berg@Example.NO\nD3\t\nD4\tIngrid.Berg@Example.NO\n" >expect &&
	test_cmp expect out &&
	crm-feedback nps --period 2026-11 -f responses,promoters,detractors,nps -H >out &&
	printf "4\t2\t2\t0.0\n" >expect && test_cmp expect out &&
	printf "Email Address,First Name,Last Name,How likely are you to recommend us?\nsvea@example.se,Svea,Åberg,8\n" >sm.csv &&
	crm-import responses -q sm.csv &&
	crm-contact show 3 -f first_name,last_name,email -H >out &&
	printf "Svea\tÅberg\tsvea@example.se\n" >expect && test_cmp expect out &&
	crm-import undo -q 2 && crm-contact list -f id -H >out && printf "1\n2\n" >expect &&
	test_cmp expect out && crm-feedback list -f id -H >out && printf "1\n2\n3\n4\n" >expect &&
	test_cmp expect out
'
test_expect_success 'list and import round-trip' '
	crm-feedback list --format csv >all.csv && snapshot before &&
	crm-import responses --format csv all.csv 2>err && grep -q "created 0, updated 0" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'import: the survey tool'"'"'s response ids are kept; the export again adds nothing' '
	CRM_DB=$PWD/rid.db crm-contact add -q --email rid@example.org >/dev/null &&
	printf "Response ID,Email,Score,Type\nR_1a,rid@example.org,9,nps\nR_1b,rid@example.org,3,nps\n" >rid.csv &&
	CRM_DB=$PWD/rid.db crm-import responses rid.csv 2>err &&
	grep -q "created 2, updated 0, unchanged 0, skipped 0" err &&
	CRM_DB=$PWD/rid.db crm-import responses rid.csv 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 2, rejected 0; nothing changed" err &&
	printf "Response ID,Email,Score,Type\nR_1b,rid@example.org,4,nps\n" >rid2.csv &&
	CRM_DB=$PWD/rid.db crm-import responses -q --on-conflict update rid2.csv &&
	CRM_DB=$PWD/rid.db crm-feedback list -f custom.response_id,score -H >out &&
	printf "R_1a\t9\nR_1b\t4\n" >expect && test_cmp expect out
'
test_expect_success 'list filters: --since/--until on the response time, --person, --ticket, --detractors' '
	crm-feedback list --kind nps --since 2026-11-01 --until 2026-11-20 -f id -H >out &&
	printf "5\n6\n" >expect && test_cmp expect out &&
	crm-feedback list --person cy@example.org -f id -H >out && printf "5\n6\n" >expect && test_cmp expect out &&
	crm-feedback list --ticket 2 -f id -H >out && printf "2\n" >expect && test_cmp expect out &&
	crm-feedback list --detractors -f id -H >out && printf "5\n6\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-feedback list --person ann@example.org --kind csat
'
# NPS responses: 10 (Oct), 8 (Oct), 6 (Nov), 0 (Nov), 9 (Nov), 9 (Nov, now).
#   promoters 10 9 9 = 3, passives 8 = 1, detractors 6 0 = 2, of 6:
#   (3 - 2) / 6 x 100 = 16.666... = 16.7
#   October: 1 promoter, 1 passive of 2: (1 - 0) / 2 x 100 = 50.0
#   November: 2 promoters, 2 detractors of 4: 0.0
test_expect_success 'nps: the figure and its counts, in total and per month' '
	crm-feedback nps >out &&
	printf "group\tresponses\tpromoters\tpassives\tdetractors\tnps\ntotal\t6\t3\t1\t2\t16.7\n" >expect &&
	test_cmp expect out &&
	crm-feedback nps --by month -H >out &&
	printf "2026-10\t2\t1\t1\t0\t50.0\n2026-11\t4\t2\t0\t2\t0.0\ntotal\t6\t3\t1\t2\t16.7\n" >expect &&
	test_cmp expect out
'
test_expect_success 'nps --period: the same periods as crm-deal forecast' '
	crm-feedback nps --period 2026-10 -f nps -H >out && echo 50.0 >expect && test_cmp expect out &&
	crm-feedback nps --period this-month -f responses,nps -H >out && printf "4\t0.0\n" >expect && test_cmp expect out &&
	crm-feedback nps --period 2026-Q4 -f responses -H >out && echo 6 >expect && test_cmp expect out &&
	crm-feedback nps --period 2026 -f responses -H >out && echo 6 >expect && test_cmp expect out &&
	expect_exit 1 crm-feedback nps --period 2025 >out 2>err && test ! -s out &&
	grep -q "no nps responses in 2025" err &&
	expect_exit 2 crm-feedback nps --period someday 2>err && grep -q "invalid period" err &&
	expect_exit 2 crm-feedback nps --by weekday 2>err
'
# CSAT: ticket 2 (billing, eve) 4; bo 5 without a ticket; ticket 1
# (support, dee) 3 and 5, added now.
#   satisfied 4 5 5 = 3 of 4 = 75.0
#   billing 1 of 1 = 100.0; support 1 of 2 = 50.0; no ticket 1 of 1 = 100.0
test_expect_success 'csat: per queue and per assignee of the ticket, no ticket last' '
	crm-feedback add -q --kind csat --score 3 --ticket 1 >/dev/null &&
	crm-feedback add -q --kind csat --score 5 --ticket 1 >/dev/null &&
	crm-feedback csat -H >out && printf "total\t4\t3\t75.0\n" >expect && test_cmp expect out &&
	crm-feedback csat --by queue -H >out &&
	printf "billing\t1\t1\t100.0\nsupport\t2\t1\t50.0\n\t1\t1\t100.0\ntotal\t4\t3\t75.0\n" >expect &&
	test_cmp expect out &&
	crm-feedback csat --by assignee --format jsonl >out &&
	cat >expect <<-\EOF &&
	{"group":"dee","responses":2,"satisfied":1,"csat":50.0}
	{"group":"eve","responses":1,"satisfied":1,"csat":100.0}
	{"group":null,"responses":1,"satisfied":1,"csat":100.0}
	{"group":"total","responses":4,"satisfied":3,"csat":75.0}
	EOF
	test_cmp expect out
'
test_expect_success 'archived responses do not count' '
	crm-feedback rm -q 2 && crm-feedback csat -H >out && printf "total\t3\t2\t66.7\n" >expect &&
	test_cmp expect out && crm-feedback restore -q 2
'

# Surveys: mail goes to a file, through a command that talks as
# sendmail -v does (to standard error, never into the output).
export CRM_CONFIG="$SCRATCH/desk.yaml"
cat >"$CRM_CONFIG" <<EOF
queues: [support, billing]
mail:
  from: "Acme Support <support@acme.example>"
  send: cat >>"$SCRATCH/sent.mbox"; echo queued
EOF

test_expect_success 'survey: nothing solved, nothing due (exit 1)' '
	expect_exit 1 crm-feedback survey --solved-since 1d >out && test ! -s out &&
	expect_exit 2 crm-feedback survey 2>err && grep -q "solved-since" err &&
	expect_exit 2 crm-feedback survey --solved-since 1d --sample 101 2>err &&
	expect_exit 2 crm-feedback survey --solved-since soon 2>err &&
	expect_exit 2 crm-feedback survey --solved-since 1d --cooldown ever 2>err
'
test_expect_success 'survey --dry-run prints what is due, sends and records nothing' '
	crm-ticket solve -q 1 2 &&
	crm-ticket add -q --subject "Third" --requester ann@example.org </dev/null >/dev/null &&
	crm-ticket close -q 3 &&
	snapshot before &&
	crm-feedback survey --solved-since 1d -n -f ticket,person -H >out 2>err &&
	printf "1\tann@example.org\n2\tbo@example.org\n" >expect && test_cmp expect out &&
	grep -q "would have sent 2 surveys" err &&
	test ! -e sent.mbox && snapshot after && test_cmp before after
'
test_expect_success 'survey: one mail per ticket, nobody twice within the cooldown' '
	crm-feedback survey --solved-since 1d >out 2>err &&
	cut -f1,2 out >got && printf "ticket\tperson\n1\tann@example.org\n2\tbo@example.org\n" >expect &&
	test_cmp expect got && printf "queued\nqueued\n" >expect && test_cmp expect err &&
	test "$(grep -c "^Subject: How did we do? \[#" sent.mbox)" = 2 &&
	grep -q "^Subject: How did we do? \[#1\] Login fails" sent.mbox &&
	grep -q "^To: Ann <ann@example.org>" sent.mbox &&
	grep -q "^From: Acme Support <support@acme.example>" sent.mbox &&
	grep -q "^Auto-Submitted: auto-generated" sent.mbox &&
	grep -q "reply with a number from 1 to 5" sent.mbox &&
	test "$(sqlite3 "$CRM_DB" "select ticket_id, contact_id from surveys order by id" | tr "\n" " ")" = "1|1 2|2 " &&
	expect_exit 1 crm-feedback survey --solved-since 1d >out && test ! -s out
'
test_expect_success 'survey: after the cooldown the other ticket is due; never a ticket twice' '
	CRM_NOW=2026-12-23T09:30:00Z crm-feedback survey --solved-since 40d -f ticket -H >out &&
	echo 3 >expect && test_cmp expect out &&
	CRM_NOW=2027-06-01T09:30:00Z expect_exit 1 crm-feedback survey --solved-since 400d
'
test_expect_success 'survey --cooldown 0d surveys the same person twice in a run' '
	crm-contact add -q --email dan@example.org >/dev/null &&
	for s in A B; do crm-ticket add -q --subject "$s" --requester dan@example.org </dev/null >/dev/null; done &&
	crm-ticket solve -q 4 5 &&
	crm-feedback survey --solved-since 1d -n -f ticket -H >out && echo 4 >expect && test_cmp expect out &&
	crm-feedback survey --solved-since 1d --cooldown 0d -n -f ticket -H >out 2>/dev/null &&
	printf "4\n5\n" >expect && test_cmp expect out
'
test_expect_success 'survey --sample: the same tickets every run, none at 0' '
	expect_exit 1 crm-feedback survey --solved-since 1d --cooldown 0d --sample 0 -n 2>/dev/null &&
	crm-feedback survey --solved-since 1d --cooldown 0d --sample 50 -n -f ticket -H >a 2>/dev/null;
	crm-feedback survey --solved-since 1d --cooldown 0d --sample 50 -n -f ticket -H >b 2>/dev/null;
	test_cmp a b && test "$(wc -l <a)" -le 2
'
test_expect_success 'survey: a person who withdrew email consent is not surveyed' '
	crm-contact consent -q set 4 email withdrawn &&
	expect_exit 1 crm-feedback survey --solved-since 1d --cooldown 0d -n 2>/dev/null
'
test_expect_success 'survey: mail that cannot be sent records nothing' '
	crm-contact consent -q set 4 email granted &&
	sed "s/^  send: .*/  send: exit 1/" "$CRM_CONFIG" >fail.yaml && snapshot before &&
	CRM_CONFIG=fail.yaml expect_exit 1 crm-feedback survey --solved-since 1d 2>err &&
	snapshot after && test_cmp before after
'

# An answer to the survey of ticket 1 (Ann), built from the mail sent.
mid=$(sed -n "/^Subject: How did we do? \[#1\]/,/^$/s/^Message-I[Dd]: <\(.*\)>/\1/p" sent.mbox)
export MID="$mid"
test_expect_success 'mail-in: an answer with a score is a csat response, not a message' '
	test -n "$MID" &&
	printf "From: Ann <ann@example.org>\nSubject: Re: How did we do? [#1] Login fails\nMessage-ID: <ans1@example.org>\nIn-Reply-To: <%s>\n\n4 - quick, thanks\nthe second mail was late\n\nOn Sun, Acme Support wrote:\n> Please reply with a number from 1 to 5\n" "$MID" >ans.eml &&
	crm-ticket mail-in ans.eml >out && printf "ans.eml\tfeedback\t1\n" >expect && test_cmp expect out &&
	crm-feedback list --ticket 1 -f ticket --format jsonl | jq -e "select(.ticket == 1)" >/dev/null &&
	crm-feedback list --ticket 1 --channel email -f kind,score,person,comment --format jsonl >out &&
	echo "{\"kind\":\"csat\",\"score\":4,\"person\":\"ann@example.org\",\"comment\":\"quick, thanks\\nthe second mail was late\"}" >expect &&
	test_cmp expect out &&
	crm-ticket show 1 -f status,messages -H >out && printf "solved\t0\n" >expect && test_cmp expect out &&
	crm-ticket mail-in ans.eml >out && printf "ans.eml\tseen\t\n" >expect && test_cmp expect out
'
test_expect_success 'mail-in: a second answer to the same survey is filed on the ticket' '
	printf "From: ann@example.org\nSubject: Re: How did we do?\nMessage-ID: <ans2@example.org>\nReferences: <%s>\n\n5, sorry, I meant 5\n" "$MID" >ans2.eml &&
	crm-ticket mail-in ans2.eml >out && printf "ans2.eml\tadded\t1\n" >expect && test_cmp expect out &&
	test "$(crm-feedback list --ticket 1 --channel email -H | wc -l)" = 1
'
test_expect_success 'mail-in: an answer without a score, and an auto-reply (kept as a comment), are no feedback' '
	mid2=$(sed -n "/^Subject: How did we do? \[#2\]/,/^$/s/^Message-I[Dd]: <\(.*\)>/\1/p" sent.mbox) &&
	printf "From: bo@example.org\nAuto-Submitted: auto-replied\nSubject: Away\nMessage-ID: <auto@example.org>\nIn-Reply-To: <%s>\n\n5\n" "$mid2" >auto.eml &&
	crm-ticket mail-in auto.eml >out && printf "auto.eml\tcomment\t2\n" >expect && test_cmp expect out &&
	printf "From: bo@example.org\nSubject: Re: How did we do? [#2] Invoice\nMessage-ID: <ans3@example.org>\nIn-Reply-To: <%s>\n\n10!\n" "$mid2" >ans3.eml &&
	crm-ticket mail-in ans3.eml >out && printf "ans3.eml\tadded\t2\n" >expect && test_cmp expect out &&
	test "$(crm-feedback list --ticket 2 --channel email -H | wc -l)" = 0
'
test_expect_success 'mail-in: an HTML answer that quotes the survey in a blockquote' '
	mid3=$(sed -n "/^Subject: How did we do? \[#3\]/,/^$/s/^Message-I[Dd]: <\(.*\)>/\1/p" sent.mbox) &&
	test -n "$mid3" &&
	printf "From: ann@example.org\nSubject: Re: How did we do?\nMessage-ID: <ans4@example.org>\nIn-Reply-To: <%s>\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html; charset=utf-8\n\n<div>5 \342\200\223 sehr gut</div><blockquote>Please reply with a number from 1 to 5</blockquote>\n--b--\n" "$mid3" >ans4.eml &&
	crm-ticket mail-in ans4.eml >out && printf "ans4.eml\tfeedback\t3\n" >expect && test_cmp expect out &&
	crm-feedback list --ticket 3 -f score,comment --format jsonl >out &&
	echo "{\"score\":5,\"comment\":\"sehr gut\"}" >expect && test_cmp expect out
'
test_expect_success 'erasing a person keeps the scores, drops the comments' '
	crm-contact erase -q 3 &&
	crm-feedback show 5 -f score,comment -H >out && printf "6\t\n" >expect && test_cmp expect out
'
# Google Forms writes "5/1/2023 14:22:05", SurveyMonkey "05/01/2023
# 02:22:05 PM", Typeform a "Submit Date (UTC)": --date-format or a map's
# date_format reads the date, and the time of day after it is read too.
test_expect_success 'import: survey times in the tools'"'"' own formats' '
	export CRM_DB="$PWD/forms.db" &&
	for p in ann bo cy; do crm-contact add -q --email $p@forms.example >/dev/null || return 1; done &&
	printf "set: { kind: nps }\n" >nps.yaml &&
	printf "Timestamp,Email Address,How likely are you to recommend us to a friend?\n" >gf.csv &&
	printf "5/1/2023 14:22:05,ann@forms.example,10\n5/2/2023,bo@forms.example,7\n" >>gf.csv &&
	printf "13/1/2023 09:00,cy@forms.example,9\n" >>gf.csv &&
	expect_exit 3 crm-import responses --map nps.yaml --date-format %m/%d/%Y gf.csv 2>err &&
	grep -q "gf.csv:4: at: .13/1/2023 09:00. is not a date in format .%m/%d/%Y." err &&
	printf "Respondent Email,Date,NPS\ncy@forms.example,05/03/2023 02:22:05 PM,9\n" >sm.csv &&
	crm-import responses -q --map nps.yaml --date-format %m/%d/%Y sm.csv &&
	printf "columns:\n  Submit Date (UTC): { field: at, date_format: \"%%d.%%m.%%Y\" }\nset: { kind: nps }\n" >tf.yaml &&
	printf "Submit Date (UTC),Email,NPS\n04.05.2023 10:00:00,ann@forms.example,5\n" >tf.csv &&
	crm-import responses -q --map tf.yaml tf.csv &&
	crm-feedback list -f person,at,score -H >out &&
	cat >expect <<-\EOF &&
	ann@forms.example	2023-05-01T14:22:05Z	10
	bo@forms.example	2023-05-02T00:00:00Z	7
	cy@forms.example	2023-05-03T14:22:05Z	9
	ann@forms.example	2023-05-04T10:00:00Z	5
	EOF
	test_cmp expect out
'
test_expect_success 'list -f all into crm-import responses round-trips, tags and custom fields too' '
	crm-contact add -q --db rt.db --email bo@example.org >/dev/null &&
	crm-feedback add -q --db rt.db --kind nps --score 9 --person bo@example.org --set survey=q4 >/dev/null &&
	crm-feedback tag add -q --db rt.db "follow up" 1 &&
	crm-contact list --db rt.db --format jsonl >c.jsonl && crm-import contacts -q --db rt2.db c.jsonl &&
	crm-feedback list --db rt.db -f all --format jsonl >fb.jsonl &&
	crm-import responses -q --db rt2.db --format jsonl fb.jsonl &&
	crm-feedback list --db rt.db -f at,kind,score,person,tags,custom.survey -H >expect &&
	crm-feedback list --db rt2.db -f at,kind,score,person,tags,custom.survey -H >out &&
	test_cmp expect out && grep -q "follow up	q4" out
'
test_done
