#!/bin/bash
# crm-deal: every verb; list filters, stale deals and snoozing; the
# probability rules; pipelines, lost reasons and targets from a
# configuration; the board and the forecast in the base currency, as of
# today and as of an earlier day; deals seen from people and companies;
# and every kind of bad input, which must leave the database as it was.
. "$(dirname "$0")/lib.sh"

# The database's content, to show a refused command wrote nothing.
snapshot() {
	sqlite3 "$CRM_DB" .dump >"$1"
}

# bad_deal TITLE CODE PATTERN COMMAND...: COMMAND must exit CODE, say
# PATTERN (a grep -E expression) on standard error, and change nothing.
bad_deal() {
	title=$1 code=$2 pattern=$3
	shift 3
	test_expect_success "$title" "
		snapshot before &&
		expect_exit $code $* 2>err && grep -E -q -- \"$pattern\" err &&
		snapshot after && test_cmp before after
	"
}

# --- the built-in pipeline: default, lead 10, qualified 25, proposal 50,
# negotiation 75, each stale after 14 days.

test_expect_success 'setup: a person and a company' '
	crm-contact add --first-name Ada --last-name Lovelace --email ada@acme.example >out &&
	crm-company add --name "Acme Ltd" --domain acme.example >>out &&
	crm-contact add --first-name Bob --last-name Stone --email bob@stone.example >>out &&
	printf "1\n1\n2\n" >expect && test_cmp expect out
'
test_expect_success 'add prints the id; defaults: first pipeline and stage, its probability, the acting user' '
	crm-deal add --title "Acme renewal" --contact "Ada Lovelace <ada@acme.example>" \
		--company acme.example --amount "EUR 12000" --expected-close 2026-12-15 \
		--source referral --set region=north >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-deal show 1 -H -f title,contact,contact_name,contact_id,company,company_id,owner,pipeline,stage >out &&
	printf "Acme renewal\tada@acme.example\tAda Lovelace\t1\tAcme Ltd\t1\ttester\tdefault\tlead\n" >expect &&
	test_cmp expect out &&
	crm-deal show 1 -H -f amount,probability,probability_source,status,expected_close,source,custom.region,stage_since,closed_at,lost_reason >out &&
	printf "12000.00 EUR\t10\tstage\topen\t2026-12-15\treferral\tnorth\t2026-11-22T09:30:00Z\t\t\n" >expect &&
	test_cmp expect out
'
test_expect_success 'amounts: code before or after, any case, the base currency without one, the currency decimals' '
	crm-deal add --title Pilot --contact "Ada Lovelace" --amount 900 --expected-close +9d --owner alice >out &&
	crm-deal add --title "Support plan" --company "acme ltd" --amount "4800 usd" --stage Proposal \
		--expected-close 2027-01-31 --owner bob >>out &&
	crm-deal add --title Refund --amount "-12.5 USD" >>out &&
	crm-deal add --title "Tokyo office" --amount "1500 JPY" --contact bob@stone.example --expected-close tomorrow >>out &&
	printf "2\n3\n4\n5\n" >expect && test_cmp expect out &&
	crm-deal list -f id,amount,expected_close,stage,probability --format jsonl >out &&
	cat >expect <<-\EOF &&
	{"id":1,"amount":"12000.00 EUR","expected_close":"2026-12-15","stage":"lead","probability":10}
	{"id":2,"amount":"900.00 EUR","expected_close":"2026-12-01","stage":"lead","probability":10}
	{"id":3,"amount":"4800.00 USD","expected_close":"2027-01-31","stage":"proposal","probability":50}
	{"id":4,"amount":"-12.50 USD","expected_close":null,"stage":"lead","probability":10}
	{"id":5,"amount":"1500 JPY","expected_close":"2026-11-23","stage":"lead","probability":10}
	EOF
	test_cmp expect out
'
test_expect_success 'show of a missing deal exits 1' '
	expect_exit 1 crm-deal show 99 2>err && grep -q "no deal 99" err
'
test_expect_success 'probability: the stage'"'"'s, following moves; stage names in any case and spacing' '
	crm-deal move -q 1 "  Negotiation " &&
	crm-deal show 1 -f stage,probability,probability_source -H >out &&
	printf "negotiation\t75\tstage\n" >expect && test_cmp expect out &&
	crm-deal move -q 1 QUALIFIED &&
	crm-deal show 1 -f stage,probability,probability_source -H >out &&
	printf "qualified\t25\tstage\n" >expect && test_cmp expect out
'
test_expect_success 'probability set by hand is manual and survives moves' '
	crm-deal set -q 3 --probability 60 &&
	crm-deal move -q 3 negotiation &&
	crm-deal move -q 3 lead &&
	crm-deal show 3 -f stage,probability,probability_source -H >out &&
	printf "lead\t60\tmanual\n" >expect && test_cmp expect out &&
	crm-deal set -q 3 --probability 0 && crm-deal move -q 3 proposal &&
	crm-deal show 3 -f probability,probability_source -H >out &&
	printf "0\tmanual\n" >expect && test_cmp expect out
'
test_expect_success "probability '' clears it back to the current stage's" '
	crm-deal set -q 3 --probability "" &&
	crm-deal show 3 -f stage,probability,probability_source -H >out &&
	printf "proposal\t50\tstage\n" >expect && test_cmp expect out &&
	crm-deal move -q 3 negotiation &&
	crm-deal show 3 -f probability -H >out && echo 75 >expect && test_cmp expect out
'
test_expect_success 'a probability set by hand equal to the stage'"'"'s is manual too, and stays' '
	crm-deal add --db pin.db --title pinned --stage proposal >/dev/null &&
	crm-deal set --db pin.db -q 1 --probability 50 &&
	crm-deal show --db pin.db 1 -f probability,probability_source -H >out &&
	printf "50\tmanual\n" >expect && test_cmp expect out &&
	crm-deal move --db pin.db -q 1 lead &&
	crm-deal show --db pin.db 1 -f stage,probability,probability_source -H >out &&
	printf "lead\t50\tmanual\n" >expect && test_cmp expect out
'
test_expect_success 'won: status and closing time, the stage kept; reopen puts it back' '
	crm-deal won -q 2 &&
	crm-deal show 2 -f status,stage,closed_at,stage_since -H >out &&
	printf "won\tlead\t2026-11-22T09:30:00Z\t2026-11-22T09:30:00Z\n" >expect && test_cmp expect out &&
	CRM_NOW=2026-11-23T08:00:00Z crm-deal reopen -q 2 &&
	crm-deal show 2 -f status,stage,closed_at,stage_since -H >out &&
	printf "open\tlead\t\t2026-11-23T08:00:00Z\n" >expect && test_cmp expect out
'
test_expect_success 'a closing time given as a day is midnight UTC, and --where finds it so' '
	crm-deal add --db closed.db --title C >/dev/null && crm-deal won --db closed.db -q 1 &&
	crm-deal set --db closed.db -q 1 --closed-at 2026-11-20 &&
	crm-deal show --db closed.db 1 -f closed_at -H >out &&
	echo 2026-11-20T00:00:00Z >expect && test_cmp expect out &&
	crm-deal list --db closed.db --where closed_at=2026-11-20T00:00:00Z -f id -H >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-deal list --db closed.db --where closed_at=2026-11-20 -f id -H >out && test_cmp expect out
'
test_expect_success 'lost needs --reason (exit 2, nothing written)' '
	snapshot before &&
	expect_exit 2 crm-deal lost 2 2>err && grep -q -- "--reason" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'lost with a reason; reopen clears reason and closing time' '
	crm-deal lost -q 2 --reason "no budget" &&
	crm-deal show 2 -f status,stage,lost_reason,closed_at -H >out &&
	printf "lost\tlead\tno budget\t2026-11-22T09:30:00Z\n" >expect && test_cmp expect out &&
	crm-deal reopen -q 2 &&
	crm-deal show 2 -f status,stage,lost_reason,closed_at -H >out &&
	printf "open\tlead\t\t\n" >expect && test_cmp expect out
'
test_expect_success 'move of a won deal is refused: reopen puts it back in the stage it closed from' '
	crm-deal won -q 2 &&
	snapshot before &&
	expect_exit 3 crm-deal move 2 proposal 2>err &&
	echo "crm-deal: deal 2 is won; reopen it first" >expect && test_cmp expect err &&
	snapshot after && test_cmp before after &&
	crm-deal reopen -q 2 &&
	crm-deal show 2 -f status,stage -H >out && printf "open\tlead\n" >expect && test_cmp expect out
'
test_expect_success 'an outcome written as a stage sets the status, the stage is kept' '
	crm-deal move -q 5 "Closed Won" &&
	crm-deal show 5 -f status,stage -H >out && printf "won\tlead\n" >expect && test_cmp expect out &&
	crm-deal reopen -q 5 &&
	crm-deal show 5 -f status,stage -H >out && printf "open\tlead\n" >expect && test_cmp expect out &&
	: a new deal has no stage to keep: the last, the one deals close from &&
	crm-db init --db born.db >/dev/null &&
	crm-deal add --db born.db -q --title "Closed at birth" --stage "closed won" &&
	crm-deal show --db born.db 1 -f status,stage -H >out && printf "won\tnegotiation\n" >expect &&
	test_cmp expect out
'
test_expect_success 'history: the stretches in each stage, with days and who moved it' '
	export CRM_DB="$SCRATCH/history.db" &&
	CRM_NOW=2026-11-01T00:00:00Z crm-deal add --title H >/dev/null &&
	CRM_NOW=2026-11-04T12:00:00Z CRM_USER=alice crm-deal move -q 1 qualified &&
	CRM_NOW=2026-11-05T00:00:00Z crm-deal set -q 1 --amount 100 &&
	CRM_NOW=2026-11-10T07:12:00Z CRM_USER=bob crm-deal won -q 1 &&
	CRM_NOW=2026-11-12T12:00:00Z crm-deal history 1 >out &&
	cat >expect <<-\EOF &&
	stage	pipeline	entered	left	days	user
	lead	default	2026-11-01T00:00:00Z	2026-11-04T12:00:00Z	3.5	tester
	qualified	default	2026-11-04T12:00:00Z	2026-11-10T07:12:00Z	5.8	alice
	won	default	2026-11-10T07:12:00Z		2.2	bob
	EOF
	test_cmp expect out &&
	# days is a figure: a number in JSON, so that jq compares it as one.
	CRM_NOW=2026-11-12T12:00:00Z crm-deal history 1 --format jsonl | jq -r "select(.days > 3) | .stage" >out &&
	printf "lead\nqualified\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-deal history 2 2>err && grep -q "no deal 2" err
'
test_expect_success 'tag add and rm, list --tag' '
	crm-deal tag add hot 1 3 2>err && grep -q "tagged 2 of 2 deals" err &&
	crm-deal tag -q rm hot 1 &&
	crm-deal list --tag hot -f id,tags -H >out && printf "3\thot\n" >expect && test_cmp expect out
'
test_expect_success 'note prints its id; timeline: notes, changes, and the changes of its tasks' '
	crm-deal note --kind call --at "2026-11-21 10:00" 3 "Spoke to procurement" >out &&
	echo 1 >expect && test_cmp expect out &&
	echo "Sent the quote" | crm-deal note 3 >out && echo 2 >expect && test_cmp expect out &&
	crm-task add --title "Chase the quote" --deal "Support plan" --due 2026-11-25 >/dev/null &&
	crm-deal timeline 3 -f kind,text -H >out &&
	head -3 out >got &&
	printf "add\ttask 1: created: title=Chase the quote; deal=Support plan; due=2026-11-25\nnote\tSent the quote\ntag\ttags: → hot\n" >expect &&
	test_cmp expect got &&
	tail -1 out >got && printf "call\tSpoke to procurement\n" >expect && test_cmp expect got &&
	expect_exit 3 crm-deal note --kind fax 3 "x" 2>err && grep -q "invalid kind" err
'
test_expect_success 'list filters: --pipeline --stage --owner --contact --company --open --won --lost' '
	crm-deal won -q 4 && crm-deal lost -q 5 --reason timing &&
	crm-deal list --pipeline default -f id -H | paste -sd " " - >out && echo "1 2 3 4 5" >expect && test_cmp expect out &&
	crm-deal list --stage negotiation -f id -H >out && echo 3 >expect && test_cmp expect out &&
	crm-deal list --owner bob -f id -H >out && echo 3 >expect && test_cmp expect out &&
	crm-deal list --contact ada@acme.example -f id -H | paste -sd " " - >out && echo "1 2" >expect && test_cmp expect out &&
	crm-deal list --contact "Bob Stone" -f id -H >out && echo 5 >expect && test_cmp expect out &&
	crm-deal list --company acme.example -f id -H | paste -sd " " - >out && echo "1 3" >expect && test_cmp expect out &&
	crm-deal list --company "ACME LTD" -f id -H | paste -sd " " - >out && echo "1 3" >expect && test_cmp expect out &&
	crm-deal list --open -f id -H | paste -sd " " - >out && echo "1 2 3" >expect && test_cmp expect out &&
	crm-deal list --won -f id -H >out && echo 4 >expect && test_cmp expect out &&
	crm-deal list --lost -f id,lost_reason -H >out && printf "5\ttiming\n" >expect && test_cmp expect out
'
test_expect_success 'list --stage and --pipeline take names in any case, as the fields do' '
	crm-deal list --stage Negotiation -f id -H >out && echo 3 >expect && test_cmp expect out &&
	crm-deal list --pipeline DEFAULT --open -f id -H | paste -sd " " - >out && echo "1 2 3" >expect && test_cmp expect out
'
test_expect_success 'list --closing-before: open deals only, before the day' '
	crm-deal list --closing-before 2026-12-15 -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-deal list --closing-before 2026-12-16 -f id -H | paste -sd " " - >out && echo "1 2" >expect && test_cmp expect out &&
	expect_exit 1 crm-deal list --closing-before 2026-11-01 &&
	expect_exit 2 crm-deal list --closing-before someday 2>err && grep -q "someday" err
'
test_expect_success 'list --no-next-step: open deals without an open task' '
	crm-deal list --no-next-step -f id -H | paste -sd " " - >out && echo "1 2" >expect && test_cmp expect out &&
	crm-task done -q 1 &&
	crm-deal list --no-next-step -f id -H | paste -sd " " - >out && echo "1 2 3" >expect && test_cmp expect out &&
	crm-task add --title "Call Ada" --deal 1 >/dev/null &&
	crm-deal list --no-next-step -f id -H | paste -sd " " - >out && echo "2 3" >expect && test_cmp expect out
'
test_expect_success 'list --sort amount orders by the amount, not its text' '
	export CRM_DB="$SCRATCH/sort.db" &&
	crm-deal add --title nine --amount 9 >/dev/null &&
	crm-deal add --title thousand --amount 1000 >/dev/null &&
	crm-deal add --title two-hundred --amount 200 >/dev/null &&
	crm-deal list --sort -amount -f title -H | paste -sd " " - >out &&
	echo "thousand two-hundred nine" >expect && test_cmp expect out &&
	crm-deal list --sort amount -f title -H | paste -sd " " - >out &&
	echo "nine two-hundred thousand" >expect && test_cmp expect out &&
	crm-deal list --where "amount>100" -f title -H | paste -sd " " - >out &&
	echo "thousand two-hundred" >expect && test_cmp expect out &&
	: != keeps a deal with no amount, as it keeps any empty field &&
	crm-deal add --title none >/dev/null &&
	crm-deal list --where "amount!=1000 EUR" -f title -H | paste -sd " " - >out &&
	echo "nine two-hundred none" >expect && test_cmp expect out
'
test_expect_success 'rm archives, restore brings back, --purge deletes and detaches its tasks' '
	crm-deal rm 1 2>err && grep -q "archived 1 of 1 deal" err &&
	expect_exit 1 crm-deal list --where id=1 &&
	crm-deal list --archived -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-deal restore -q 1 && crm-deal list --where id=1 -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-deal rm -q --purge 2 && expect_exit 1 crm-deal show 2 &&
	crm-task add --title "About Refund" --deal 4 >/dev/null &&
	crm-deal rm -q --purge 4 &&
	crm-task show 3 -f deal,deal_id --format jsonl >out && echo "{\"deal\":null,\"deal_id\":null}" >expect &&
	test_cmp expect out && crm-db check -q
'
test_expect_success 'dry run (-n) reports and writes nothing; ids from standard input' '
	snapshot before &&
	crm-deal move -n 3 proposal 2>err && grep -q "would have updated 1 of 1 deal" err &&
	crm-deal won -n 1 3 2>err && grep -q "would have updated 2 of 2 deals" err &&
	snapshot after && test_cmp before after &&
	printf "1\n3\n" | crm-deal tag add piped - 2>err && grep -q "tagged 2 of 2 deals" err &&
	crm-deal list --tag piped -f id -H | paste -sd " " - >out && echo "1 3" >expect && test_cmp expect out
'

# --- going stale: a deal idle longer than its stage's rot_days.
cat >"$SCRATCH/rot.yaml" <<\EOF
pipelines:
  sales:
    - { stage: lead, probability: 10, rot_days: 7 }
    - { stage: demo, probability: 30 }
    - { stage: contract, probability: 90, rot_days: 0 }
EOF
export CRM_DB="$SCRATCH/stale.db" CRM_CONFIG="$SCRATCH/rot.yaml"

test_expect_success 'stale: setup, deals entering their stages on 2026-11-01 10:00' '
	for s in lead demo contract lead lead; do
		CRM_NOW=2026-11-01T10:00:00Z crm-deal add --title "d-$s" --stage $s >/dev/null || exit 1
	done &&
	crm-deal list -f id,stage -H | paste -sd " " - >out &&
	printf "1\tlead 2\tdemo 3\tcontract 4\tlead 5\tlead\n" >expect && test_cmp expect out
'
test_expect_success 'nothing is stale within rot_days: exit 1, nothing printed' '
	CRM_NOW=2026-11-08T10:00:00Z expect_exit 1 crm-deal list --stale -f id -H >out &&
	test ! -s out
'
test_expect_success 'past rot_days a lead is stale; a stage with rot_days 0 never' '
	CRM_NOW=2026-11-08T10:00:01Z crm-deal list --stale -f id -H | paste -sd " " - >out &&
	echo "1 4 5" >expect && test_cmp expect out &&
	CRM_NOW=2026-11-15T10:00:01Z crm-deal list --stale -f id -H | paste -sd " " - >out &&
	echo "1 2 4 5" >expect && test_cmp expect out &&
	CRM_NOW=2027-06-01 crm-deal list --stale -f id -H >out && ! grep -qx 3 out
'
test_expect_success 'a note, a finished task or a stage change makes it fresh again' '
	CRM_NOW=2026-11-10T00:00:00Z crm-deal note 1 "called them" >/dev/null &&
	CRM_NOW=2026-11-02T00:00:00Z crm-task add --title "demo prep" --deal 4 >/dev/null &&
	CRM_NOW=2026-11-12T00:00:00Z crm-task done -q 1 &&
	CRM_NOW=2026-11-13T00:00:00Z crm-deal move -q 5 demo &&
	CRM_NOW=2026-11-16T12:00:00Z crm-deal list --stale -f id -H | paste -sd " " - >out &&
	echo "2" >expect && test_cmp expect out &&
	CRM_NOW=2026-11-17T00:00:01Z crm-deal list --stale -f id -H | paste -sd " " - >out &&
	echo "1 2" >expect && test_cmp expect out
'
test_expect_success 'a cancelled task does not count' '
	CRM_NOW=2026-11-02T00:00:00Z crm-task add --title "call" --deal 2 >/dev/null &&
	CRM_NOW=2026-11-14T00:00:00Z crm-task cancel -q 2 &&
	CRM_NOW=2026-11-16T12:00:00Z crm-deal list --stale -f id -H | grep -qx 2
'
test_expect_success 'snooze needs --until and --reason (exit 2)' '
	snapshot before &&
	expect_exit 2 crm-deal snooze 2 --until 2026-12-01 2>err && grep -q -- "--reason" err &&
	expect_exit 2 crm-deal snooze 2 --reason later 2>err && grep -q -- "--until" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'snooze with a bad date is bad input (a field value), nothing written' '
	snapshot before &&
	expect_exit 3 crm-deal snooze 2 --until "next blursday" --reason x 2>err && grep -q "next blursday" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'a snoozed deal is left out until the day' '
	CRM_NOW=2026-11-16T12:00:00Z crm-deal snooze -q 2 --until 2026-11-30 --reason "on holiday" &&
	crm-deal show 2 -f snoozed_until,snooze_reason -H >out && printf "2026-11-30\ton holiday\n" >expect &&
	test_cmp expect out &&
	CRM_NOW=2026-11-29T23:59:59Z crm-deal list --stale -f id -H | paste -sd " " - >out &&
	echo "1 4 5" >expect && test_cmp expect out &&
	CRM_NOW=2026-11-30T00:00:00Z crm-deal list --stale -f id -H | paste -sd " " - >out &&
	echo "1 2 4 5" >expect && test_cmp expect out
'
test_expect_success 'closed deals are never stale' '
	crm-deal won -q 1 && CRM_NOW=2026-11-30 crm-deal list --stale -f id -H >out && ! grep -qx 1 out
'


# --- pipelines and lost reasons from a configuration file.
cat >"$SCRATCH/sales.yaml" <<\EOF
pipelines:
  new:
    - { stage: lead, probability: 20 }
    - { stage: Demo Booked, probability: 40 }
    - { stage: proposal, probability: 50 }
  renewal:
    - { stage: due, probability: 80 }
    - { stage: proposal, probability: 90 }
lost_reasons: [price, timing, No Budget]
EOF
export CRM_DB="$SCRATCH/sales.db" CRM_CONFIG="$SCRATCH/sales.yaml"

test_expect_success 'configured pipelines: the first by default, names in any case, the stage spelt as configured' '
	crm-contact add --first-name Ada --email ada@acme.example >/dev/null &&
	crm-deal add --title one --amount 1000 --contact 1 >out &&
	crm-deal add --title two --pipeline RENEWAL >>out &&
	crm-deal add --title three --stage "demo  booked" >>out &&
	crm-deal add --title four --stage PROPOSAL >>out &&
	printf "1\n2\n3\n4\n" >expect && test_cmp expect out &&
	crm-deal list -f id,pipeline,stage,probability -H >out &&
	printf "1\tnew\tlead\t20\n2\trenewal\tdue\t80\n3\tnew\tDemo Booked\t40\n4\tnew\tproposal\t50\n" >expect &&
	test_cmp expect out
'
test_expect_success 'a new pipeline alone: the same stage when it has one, else its first' '
	crm-deal set -q 4 --pipeline renewal && crm-deal set -q 3 --pipeline renewal &&
	crm-deal show 4 -f pipeline,stage,probability -H >out && printf "renewal\tproposal\t90\n" >expect && test_cmp expect out &&
	crm-deal show 3 -f pipeline,stage,probability -H >out && printf "renewal\tdue\t80\n" >expect && test_cmp expect out &&
	crm-deal set -q 3 --pipeline new &&
	crm-deal show 3 -f pipeline,stage,probability -H >out && printf "new\tlead\t20\n" >expect && test_cmp expect out
'
test_expect_success 'lost reasons: matched in any case and stored as configured' '
	crm-deal lost -q 3 --reason "NO budget" &&
	crm-deal show 3 -f status,lost_reason -H >out && printf "lost\tNo Budget\n" >expect && test_cmp expect out &&
	crm-deal set -q 2 --status lost --lost-reason Price &&
	crm-deal show 2 -f status,lost_reason -H >out && printf "lost\tprice\n" >expect && test_cmp expect out
'
test_expect_success 'history names the pipeline of each stretch' '
	crm-deal history 3 -f stage,pipeline -H >out &&
	printf "Demo Booked\tnew\ndue\trenewal\nlead\tnew\nlost\tnew\n" >expect && test_cmp expect out
'

# Bad input: exit status, a message naming field and value, nothing written.
bad_deal 'a reason not configured is refused (exit 3)' 3 \
	"lost_reason: 'weather' is not one of the reasons configured \\(price, timing, No Budget\\)" \
	crm-deal lost 1 --reason weather
bad_deal 'lost without --reason is a usage error (exit 2)' 2 "--reason" crm-deal lost 1
bad_deal 'set --status lost without lost_reason (exit 3)' 3 "lost_reason: a lost deal needs a reason" \
	crm-deal set 1 --status lost
bad_deal 'an empty status is bad input, not a database error (exit 3)' 3 "status" \
	crm-deal set 1 --status "''"
bad_deal 'an unknown stage of the pipeline (exit 3)' 3 \
	"stage: no stage 'due' in pipeline 'new' \\(stages: lead, Demo Booked, proposal\\)" \
	crm-deal add --title x --stage due
bad_deal 'move to an unknown stage (exit 3), even among several deals' 3 "stage: no stage 'won it'" \
	crm-deal move 1 4 "'won it'"
bad_deal 'an unknown pipeline (exit 3)' 3 "pipeline: no pipeline 'enterprise' \\(pipelines: new, renewal\\)" \
	crm-deal add --title x --pipeline enterprise
bad_deal 'an unknown currency (exit 3)' 3 "amount: unknown currency 'XYZ'" \
	crm-deal add --title x --amount "'12 XYZ'"
bad_deal 'more decimals than the currency has (exit 3)' 3 "amount: '12.3456 EUR' has more decimals than EUR's 2" \
	crm-deal add --title x --amount "'12.3456 EUR'"
bad_deal 'a point that may separate thousands (exit 3)' 3 "amount: ambiguous amount '12.345 EUR': EUR has 2 decimals" \
	crm-deal add --title x --amount "'12.345 EUR'"
bad_deal 'decimals on a currency without minor units (exit 3)' 3 "amount: '1500.5 JPY' has more decimals than JPY's 0" \
	crm-deal set 1 --amount "'1500.5 JPY'"
bad_deal 'an amount too large (exit 3)' 3 "amount: amount out of range '99999999999999999999 EUR'" \
	crm-deal add --title x --amount "'99999999999999999999 EUR'"
bad_deal 'one past the largest amount (exit 3)' 3 "amount: amount out of range '92233720368547758.08 EUR'" \
	crm-deal set 1 --amount "'92233720368547758.08 EUR'"
bad_deal 'an amount with two currencies (exit 3)' 3 "amount: more than one currency in '12 EUR USD'" \
	crm-deal add --title x --amount "'12 EUR USD'"
bad_deal 'a missing person by id (exit 3)' 3 "contact: no contact 99" crm-deal add --title x --contact 99
bad_deal 'a missing person by email (exit 3)' 3 "contact: no contact 'nobody@example.org'" \
	crm-deal add --title x --contact nobody@example.org
bad_deal 'a missing person on set (exit 3)' 3 "contact: no contact 'Nobody Here'" \
	crm-deal set 1 --contact "'Nobody Here'"
bad_deal 'a missing company (exit 3)' 3 "company: no company 'nowhere.example'" \
	crm-deal add --title x --company nowhere.example
bad_deal 'an impossible expected_close (exit 3)' 3 "expected_close: invalid date '2026-02-30'" \
	crm-deal add --title x --expected-close 2026-02-30
bad_deal 'an unreadable expected_close (exit 3)' 3 "expected_close: invalid date 'next blursday'" \
	crm-deal set 1 --expected-close "'next blursday'"
bad_deal 'a probability past 100 (exit 3)' 3 "probability: invalid probability '101'" \
	crm-deal set 1 --probability 101
bad_deal 'a deal needs a title (exit 3)' 3 "title" crm-deal add --amount 5
bad_deal 'set on several deals, one missing: nothing written (exit 1)' 1 "no deal 99" \
	crm-deal set 1 99 --amount 5
bad_deal 'move of a lost deal: it keeps the stage it closed from (exit 3)' 3 \
	"deal 3 is lost; reopen it first" crm-deal move 3 proposal
bad_deal 'set --stage or --pipeline of a lost deal (exit 3)' 3 \
	"deal 3 is lost; reopen it first" crm-deal set 3 --pipeline renewal
bad_deal 'a closing time for an open deal (exit 3)' 3 \
	"closed_at: deal 1 is open; only a won or lost deal has a closing time" \
	crm-deal set 1 --closed-at 2026-03-01
bad_deal 'a closing time for a deal added open (exit 3)' 3 "closed_at: the deal is open" \
	crm-deal add --title x --closed-at 2026-03-01
bad_deal 'a closing time for a deal reopened in the same write (exit 3)' 3 \
	"closed_at: deal 3 is open" crm-deal set 3 --status open --closed-at 2026-03-01


# A stage the configuration no longer names: the deal keeps it, the board
# shows it in a column of its own, and editing another field leaves it.
cat >"$SCRATCH/old.yaml" <<\EOF
pipelines:
  new:
    - { stage: lead, probability: 20 }
    - { stage: demo, probability: 40 }
EOF
cat >"$SCRATCH/renamed.yaml" <<\EOF
pipelines:
  new:
    - { stage: lead, probability: 20 }
    - { stage: proposal, probability: 60 }
EOF
unset CRM_CONFIG
export CRM_DB="$SCRATCH/renamed.db"
test_expect_success 'a stage no longer configured: a board column of its own at the end' '
	CRM_CONFIG="$SCRATCH/old.yaml" crm-deal add --title kept --stage demo --amount 100 >/dev/null &&
	CRM_CONFIG="$SCRATCH/renamed.yaml" crm-deal board -H >out &&
	printf "lead\t0\t0.00\t0.00\nproposal\t0\t0.00\t0.00\ndemo\t1\t100.00\t40.00\n" >expect && test_cmp expect out
'
test_expect_success 'a stage no longer configured stays when another field changes' '
	CRM_CONFIG="$SCRATCH/renamed.yaml" crm-deal set -q 1 --amount 200 &&
	crm-deal show 1 -f stage,amount -H >out && printf "demo\t200.00 EUR\n" >expect && test_cmp expect out
'

# --- the board and the forecast.  Amounts are converted to EUR: USD at
# 1.25 from 2026-10-01 and at 1.6 from 2026-11-20, so 8000 USD is 6400 EUR
# until 2026-11-19 and 5000 EUR from then; 4000 USD won on 2026-11-10 is
# 3200 EUR.  The history is written under the clock of each day.
cat >"$SCRATCH/fc.yaml" <<\EOF
pipelines:
  new:
    - { stage: lead, probability: 20 }
    - { stage: proposal, probability: 50 }
  renewal:
    - { stage: due, probability: 80 }
targets:
  - { period: 2026-Q4, amount: 30000 EUR }
  - { period: 2026-11, amount: 10000 EUR }
  - { period: 2026-12, owner: alice, amount: 6000 EUR }
  - { period: 2026-12, owner: bob, amount: 4000 EUR }
  - { period: 2027-01, owner: alice, amount: 3000 }
EOF
export CRM_DB="$SCRATCH/fc.db" CRM_CONFIG="$SCRATCH/fc.yaml"

test_expect_success 'forecast: setup, a history written day by day' '
	export CRM_NOW=2026-10-05T09:00:00Z &&
	crm-deal add --title N1 --owner alice --amount "8000 EUR" --expected-close 2026-12-15 >ids &&
	crm-deal add --title N2 --owner bob --amount "8000 USD" --expected-close 2026-12-05 >>ids &&
	crm-deal add --title W1 --owner bob --amount "4000 USD" --stage proposal --expected-close 2026-11-10 >>ids &&
	crm-deal add --title W2 --owner alice --amount "1000 EUR" --pipeline renewal --expected-close 2026-10-31 >>ids &&
	crm-deal add --title L1 --owner bob --amount "700 EUR" --expected-close 2026-11-30 >>ids &&
	crm-deal add --title X --owner alice --amount "5000 EUR" >>ids &&
	CRM_NOW=2026-10-08T09:00:00Z crm-deal lost -q 5 --reason price &&
	CRM_NOW=2026-10-15T12:00:00Z crm-deal won -q 4 &&
	CRM_NOW=2026-11-02T09:00:00Z crm-deal set -q 1 --amount 10000 --expected-close 2026-11-20 &&
	CRM_NOW=2026-11-10T15:00:00Z crm-deal won -q 3 &&
	CRM_NOW=2026-11-10T16:00:00Z crm-deal move -q 2 proposal &&
	CRM_NOW=2026-11-12T09:00:00Z crm-deal add --title R1 --owner alice --amount 3000 --pipeline renewal --expected-close 2026-12-31 >>ids &&
	CRM_NOW=2026-11-12T09:00:00Z crm-deal add --title F --owner alice --amount 1000 --expected-close 2027-01-15 >>ids &&
	seq 8 >expect && test_cmp expect ids
'
bad_deal 'board: a missing rate is an error naming currency and day (exit 3)' 3 \
	"no rate for USD on or before 2026-11-22" crm-deal board --format tsv
bad_deal 'forecast: a missing rate is an error naming currency and day (exit 3)' 3 \
	"no rate for USD on or before 2026-11-22" crm-deal forecast
test_expect_success 'board --skip-missing-rates leaves the amount out and counts it on stderr' '
	crm-deal board --skip-missing-rates >out 2>err &&
	printf "stage\tcount\tamount\tweighted\nlead\t3\t16000.00\t3200.00\nproposal\t0\t0.00\t0.00\n" >expect &&
	test_cmp expect out &&
	echo "crm-deal: left out 1 amount no rate converts" >expect && test_cmp expect err
'
test_expect_success 'forecast --skip-missing-rates leaves out open and won amounts, and counts them' '
	crm-deal forecast --skip-missing-rates --from 2026-10 --to 2027-01 >out 2>err &&
	cat >expect <<-\EOF &&
	period	open	amount	weighted	won	target	attainment	coverage
	2026-10	0	0.00	0.00	1000.00			
	2026-11	1	10000.00	2000.00	0.00	10000.00	0.0	20.0
	2026-12	1	3000.00	2400.00	0.00	10000.00	0.0	24.0
	2027-01	1	1000.00	200.00	0.00	3000.00	0.0	6.7
	total	3	14000.00	4600.00	1000.00	23000.00	4.3	24.3
	EOF
	test_cmp expect out &&
	echo "crm-deal: left out 2 amounts no rate converts" >expect && test_cmp expect err
'
test_expect_success 'board: one line per stage of the first pipeline, amounts in the base currency' '
	crm-db rates set 2026-10-01 USD 1.25 && crm-db rates set 2026-11-20 USD 1.6 &&
	crm-deal board >out 2>err &&
	printf "stage\tcount\tamount\tweighted\nlead\t3\t16000.00\t3200.00\nproposal\t1\t5000.00\t2500.00\n" >expect &&
	test_cmp expect out && test ! -s err
'
test_expect_success 'board --pipeline, --owner, -f and --format' '
	crm-deal board -p renewal -H >out && printf "due\t1\t3000.00\t2400.00\n" >expect && test_cmp expect out &&
	crm-deal board --owner bob -f stage,count,weighted -H >out &&
	printf "lead\t0\t0.00\nproposal\t1\t2500.00\n" >expect && test_cmp expect out &&
	crm-deal board --format jsonl >out &&
	printf "{\"stage\":\"lead\",\"count\":3,\"amount\":\"16000.00\",\"weighted\":\"3200.00\"}\n{\"stage\":\"proposal\",\"count\":1,\"amount\":\"5000.00\",\"weighted\":\"2500.00\"}\n" >expect &&
	test_cmp expect out
'
test_expect_success 'board --pipeline takes the name in any case; an unknown one is a usage error' '
	crm-deal board -p RENEWAL -H >out && printf "due\t1\t3000.00\t2400.00\n" >expect && test_cmp expect out &&
	expect_exit 2 crm-deal board -p enterprise 2>err && grep -q "no pipeline .enterprise." err
'
test_expect_success 'board on a terminal: a column per stage with count, total, weighted and largest deals' '
	script -qec "stty cols 60; crm-deal board --titles 2" /dev/null | tr -d "\r" >out &&
	sed -n "1p" out >got && echo "new (EUR)" >expect && test_cmp expect got &&
	sed -n "2p" out | grep -q "^lead (3) *proposal (1)$" &&
	sed -n "3p" out | grep -q "^16000.00 *5000.00$" &&
	sed -n "4p" out | grep -q "^weighted 3200.00 *weighted 2500.00$" &&
	sed -n "6p" out | grep -q "^N1 *N2 *$" &&
	sed -n "7p" out | grep -q "^X *$" &&
	sed -n "8p" out | grep -q "^+1 more *$"
'
test_expect_success 'forecast by month: open, weighted, won, team and owner targets, attainment, coverage' '
	crm-deal forecast --from 2026-10 --to 2027-01 >out 2>err &&
	cat >expect <<-\EOF &&
	period	open	amount	weighted	won	target	attainment	coverage
	2026-10	0	0.00	0.00	1000.00			
	2026-11	1	10000.00	2000.00	3200.00	10000.00	32.0	52.0
	2026-12	2	8000.00	4900.00	0.00	10000.00	0.0	49.0
	2027-01	1	1000.00	200.00	0.00	3000.00	0.0	6.7
	total	4	19000.00	7100.00	4200.00	23000.00	18.3	49.1
	EOF
	test_cmp expect out && test ! -s err &&
	crm-deal forecast --from 2026-11 --to 2026-11 -f period,attainment,coverage --format jsonl >out &&
	printf "{\"period\":\"2026-11\",\"attainment\":32.0,\"coverage\":52.0}\n" >expect &&
	printf "{\"period\":\"total\",\"attainment\":32.0,\"coverage\":52.0}\n" >>expect &&
	test_cmp expect out
'
test_expect_success 'forecast: the default range is the year; a missing end or start is its year'"'"'s' '
	crm-deal forecast -H >out &&
	printf "2026-10\t0\t0.00\t0.00\t1000.00\t\t\t\n" >expect &&
	printf "2026-11\t1\t10000.00\t2000.00\t3200.00\t10000.00\t32.0\t52.0\n" >>expect &&
	printf "2026-12\t2\t8000.00\t4900.00\t0.00\t10000.00\t0.0\t49.0\n" >>expect &&
	printf "total\t3\t18000.00\t6900.00\t4200.00\t20000.00\t21.0\t55.5\n" >>expect &&
	test_cmp expect out &&
	crm-deal forecast --from 2026-11 -f period,open,won,coverage -H >out &&
	printf "2026-11\t1\t3200.00\t52.0\n2026-12\t2\t0.00\t49.0\ntotal\t3\t3200.00\t50.5\n" >expect &&
	test_cmp expect out &&
	crm-deal forecast --to 2026-11 -f period,open,won,coverage -H >out &&
	printf "2026-10\t0\t1000.00\t\n2026-11\t1\t3200.00\t52.0\ntotal\t1\t4200.00\t62.0\n" >expect &&
	test_cmp expect out
'
test_expect_success 'forecast by quarter and by year' '
	crm-deal forecast --by quarter --from 2026-Q4 --to 2027-Q1 >out &&
	cat >expect <<-\EOF &&
	period	open	amount	weighted	won	target	attainment	coverage
	2026-Q4	3	18000.00	6900.00	4200.00	30000.00	14.0	37.0
	2027-Q1	1	1000.00	200.00	0.00			
	total	4	19000.00	7100.00	4200.00	30000.00	14.0	37.7
	EOF
	test_cmp expect out &&
	crm-deal forecast --by year --from 2026 --to 2027 -H >out &&
	printf "2026\t3\t18000.00\t6900.00\t4200.00\t\t\t\n2027\t1\t1000.00\t200.00\t0.00\t\t\t\ntotal\t4\t19000.00\t7100.00\t4200.00\t\t\t\n" >expect &&
	test_cmp expect out
'
test_expect_success 'forecast by owner: the sum of each owner'"'"'s targets in the range' '
	crm-deal forecast --by owner --from 2026-10 --to 2027-01 >out &&
	cat >expect <<-\EOF &&
	owner	open	amount	weighted	won	target	attainment	coverage
	alice	3	14000.00	4600.00	1000.00	9000.00	11.1	62.2
	bob	1	5000.00	2500.00	3200.00	4000.00	80.0	142.5
	total	4	19000.00	7100.00	4200.00	13000.00	32.3	86.9
	EOF
	test_cmp expect out
'
test_expect_success 'forecast by pipeline: no targets' '
	crm-deal forecast --by pipeline --from 2026-10 --to 2027-01 >out &&
	cat >expect <<-\EOF &&
	pipeline	open	amount	weighted	won	target	attainment	coverage
	new	3	16000.00	4700.00	3200.00			
	renewal	1	3000.00	2400.00	1000.00			
	total	4	19000.00	7100.00	4200.00			
	EOF
	test_cmp expect out &&
	crm-deal forecast --by pipeline -p renewal --from 2026-10 --to 2027-01 -H >out &&
	printf "renewal\t1\t3000.00\t2400.00\t1000.00\t\t\t\ntotal\t1\t3000.00\t2400.00\t1000.00\t\t\t\n" >expect &&
	test_cmp expect out
'
test_expect_success 'forecast --owner: that owner'"'"'s deals and targets' '
	crm-deal forecast --owner alice --from 2026-10 --to 2027-01 -H >out &&
	printf "2026-10\t0\t0.00\t0.00\t1000.00\t\t\t\n" >expect &&
	printf "2026-11\t1\t10000.00\t2000.00\t0.00\t\t\t\n" >>expect &&
	printf "2026-12\t1\t3000.00\t2400.00\t0.00\t6000.00\t0.0\t40.0\n" >>expect &&
	printf "2027-01\t1\t1000.00\t200.00\t0.00\t3000.00\t0.0\t6.7\n" >>expect &&
	printf "total\t3\t14000.00\t4600.00\t1000.00\t9000.00\t11.1\t62.2\n" >>expect &&
	test_cmp expect out
'
test_expect_success 'forecast --pipeline with an unknown pipeline is an error, not an empty forecast' '
	expect_exit 2 crm-deal forecast -p enterprise 2>err && grep -q "no pipeline .enterprise." err &&
	crm-deal forecast -p NEW --by pipeline --from 2026-10 --to 2027-01 -f pipeline,open -H >out &&
	printf "new\t3\ntotal\t3\n" >expect && test_cmp expect out
'
test_expect_success 'forecast --as-of 2026-10-20: the pipeline as it stood, at that day'"'"'s rate' '
	crm-deal forecast --as-of 2026-10-20 --from 2026-10 --to 2027-01 >out &&
	cat >expect <<-\EOF &&
	period	open	amount	weighted	won	target	attainment	coverage
	2026-10	0	0.00	0.00	1000.00			
	2026-11	1	3200.00	1600.00	0.00	10000.00	0.0	16.0
	2026-12	2	14400.00	2880.00	0.00	10000.00	0.0	28.8
	2027-01	0	0.00	0.00	0.00	3000.00	0.0	0.0
	total	3	17600.00	4480.00	1000.00	23000.00	4.3	23.8
	EOF
	test_cmp expect out
'
test_expect_success 'forecast --as-of 2026-11-10: a deal won and a deal moved that day' '
	crm-deal forecast --as-of 2026-11-10 --from 2026-10 --to 2027-01 -H >out &&
	printf "2026-10\t0\t0.00\t0.00\t1000.00\t\t\t\n" >expect &&
	printf "2026-11\t1\t10000.00\t2000.00\t3200.00\t10000.00\t32.0\t52.0\n" >>expect &&
	printf "2026-12\t1\t6400.00\t3200.00\t0.00\t10000.00\t0.0\t32.0\n" >>expect &&
	printf "2027-01\t0\t0.00\t0.00\t0.00\t3000.00\t0.0\t0.0\n" >>expect &&
	printf "total\t2\t16400.00\t5200.00\t4200.00\t23000.00\t18.3\t40.9\n" >>expect &&
	test_cmp expect out
'
test_expect_success 'forecast --as-of: deals archived since are left out' '
	crm-deal rm -q 2 &&
	crm-deal forecast --as-of 2026-10-20 --from 2026-10 --to 2027-01 -f period,open,amount,weighted -H >out &&
	crm-deal restore -q 2 &&
	printf "2026-10\t0\t0.00\t0.00\n2026-11\t1\t3200.00\t1600.00\n2026-12\t1\t8000.00\t1600.00\n2027-01\t0\t0.00\t0.00\ntotal\t2\t11200.00\t3200.00\n" >expect &&
	test_cmp expect out
'
test_expect_success 'forecast: a target in a currency with no rate is named' '
	printf "targets:\n  - { period: 2026-Q4, owner: carol, amount: 500 GBP }\n" >gbp.yaml &&
	CRM_CONFIG=gbp.yaml expect_exit 3 crm-deal forecast --by quarter --from 2026-Q4 2>err &&
	grep -q "the sales target of 2026-Q4 for carol in crm-config(5): no rate for GBP" err
'
test_expect_success 'forecast options: bad --by, period, range or --as-of are usage errors' '
	expect_exit 2 crm-deal forecast --by week 2>err && grep -q "week" err &&
	expect_exit 2 crm-deal forecast --from 2026-13 2>err && grep -q "2026-13" err &&
	expect_exit 2 crm-deal forecast --from 2027 --to 2026 2>err &&
	grep -q "the range starts (2027-01-01) after it ends (2026-12-31)" err &&
	expect_exit 2 crm-deal forecast --from 2028-03 --to 2028-02 2>err &&
	grep -q "the range starts (2028-03-01) after it ends (2028-02-29)" err &&
	expect_exit 2 crm-deal forecast --as-of yesterdayish 2>err && grep -q "yesterdayish" err
'
unset CRM_CONFIG
export CRM_DB="$SCRATCH/round.db"
test_expect_success 'weighted sums are exact and rounded once' '
	for i in 1 2 3; do crm-deal add --title "r$i" --amount 0.05 --expected-close 2026-12-01 >/dev/null || exit 1; done &&
	crm-deal board -H >out &&
	printf "lead\t3\t0.15\t0.02\nqualified\t0\t0.00\t0.00\nproposal\t0\t0.00\t0.00\nnegotiation\t0\t0.00\t0.00\n" >expect &&
	test_cmp expect out &&
	crm-deal forecast --from 2026-12 --to 2026-12 -f period,amount,weighted -H >out &&
	printf "2026-12\t0.15\t0.02\ntotal\t0.15\t0.02\n" >expect && test_cmp expect out
'
export CRM_DB="$SCRATCH/rewon.db"
test_expect_success 'forecast --as-of: a deal won, reopened and won again counts in the month of its first win' '
	CRM_NOW=2026-10-01T10:00:00Z crm-deal add --title A --amount 10000 --expected-close 2026-12-10 >/dev/null &&
	CRM_NOW=2026-10-10T10:00:00Z crm-deal won -q 1 &&
	CRM_NOW=2026-10-20T10:00:00Z crm-deal reopen -q 1 &&
	CRM_NOW=2026-11-15T10:00:00Z crm-deal won -q 1 &&
	crm-deal forecast --from 2026-10 --to 2026-12 -f period,open,won -H >out &&
	printf "2026-11\t0\t10000.00\ntotal\t0\t10000.00\n" >expect && test_cmp expect out &&
	crm-deal forecast --as-of 2026-10-25 --from 2026-10 --to 2026-12 -f period,open,won -H >out &&
	printf "2026-12\t1\t0.00\ntotal\t1\t0.00\n" >expect && test_cmp expect out &&
	crm-deal forecast --as-of 2026-10-15 --from 2026-10 --to 2026-12 -f period,open,won -H >out &&
	printf "2026-10\t0\t10000.00\ntotal\t0\t10000.00\n" >expect && test_cmp expect out
'

test_expect_success 'forecast --as-of: changing a won deal'"'"'s amount later does not move its win' '
	CRM_NOW=2026-10-01T10:00:00Z crm-deal add --title B --amount 10000 --expected-close 2026-12-10 >/dev/null &&
	CRM_NOW=2026-10-10T10:00:00Z crm-deal won -q 2 &&
	CRM_NOW=2026-11-05T10:00:00Z crm-deal set -q 2 --amount 12000 &&
	crm-deal forecast --from 2026-10 --to 2026-10 -f period,won -H >now &&
	printf "2026-10\t12000.00\ntotal\t12000.00\n" >expect && test_cmp expect now &&
	crm-deal forecast --as-of 2026-11-22 --from 2026-10 --to 2026-10 -f period,won -H >out &&
	test_cmp now out &&
	crm-deal forecast --as-of 2026-11-10 --from 2026-10 --to 2026-10 -f period,won -H >out &&
	test_cmp now out &&
	crm-deal forecast --as-of 2026-11-01 --from 2026-10 --to 2026-10 -f period,won -H >out &&
	printf "2026-10\t10000.00\ntotal\t10000.00\n" >expect && test_cmp expect out
'

# --- deals seen from the people and companies they belong to.
export CRM_DB="$SCRATCH/people.db"
test_expect_success 'people: setup, two records of one person with deals in two currencies' '
	crm-contact add --first-name Ada --last-name Lovelace --email ada@acme.example >/dev/null &&
	crm-contact add --first-name Ada --last-name Lovelace --email ada@home.example >/dev/null &&
	crm-company add --name Acme --domain acme.example >/dev/null &&
	crm-deal add --title D1 --contact 1 --company Acme --amount "1000 EUR" --expected-close 2026-12-01 >ids &&
	crm-deal add --title D2 --contact ada@home.example --company acme.example --amount "200.50 USD" >>ids &&
	crm-deal add --title D3 --contact 1 --amount "50 EUR" >>ids &&
	crm-deal add --title D4 --contact 1 --amount "25 EUR" >>ids &&
	crm-deal lost -q 3 --reason "no budget" && crm-deal rm -q 4 &&
	seq 4 >expect && test_cmp expect ids
'
test_expect_success 'contact and company: deals (live ones) and open_deals (open amounts per currency)' '
	crm-contact show 1 -f deals,open_deals --format jsonl >out &&
	echo "{\"deals\":2,\"open_deals\":\"1000.00 EUR\"}" >expect && test_cmp expect out &&
	crm-contact show 2 -f deals,open_deals --format jsonl >out &&
	echo "{\"deals\":1,\"open_deals\":\"200.50 USD\"}" >expect && test_cmp expect out &&
	crm-company show 1 -f deals,open_deals --format jsonl >out &&
	echo "{\"deals\":2,\"open_deals\":\"1000.00 EUR, 200.50 USD\"}" >expect && test_cmp expect out &&
	crm-deal add --title D5 --contact 1 --amount "0.5 EUR" >/dev/null &&
	crm-contact show 1 -f open_deals -H >out && echo "1000.50 EUR" >expect && test_cmp expect out
'
test_expect_success 'the person'"'"'s timeline shows what happened to their deals' '
	crm-contact timeline 1 -f kind,text -H >out &&
	grep -q "^set	deal 3: lost_reason: → no budget; status: open → lost" out &&
	grep -q "^add	deal 1: created: title=D1; contact=ada@acme.example; company=Acme; amount=1000.00 EUR; expected_close=2026-12-01$" out &&
	grep -q "^archive	deal 4: " out &&
	! grep -q "deal 2:" out &&
	tail -1 out | grep -q "^add	created: first_name=Ada"
'
test_expect_success 'merging two people moves the deals of both to the survivor' '
	crm-contact merge 1 2 >out && echo 1 >expect && test_cmp expect out &&
	crm-deal list --all -f id,contact_id -H >out &&
	printf "1\t1\n2\t1\n3\t1\n4\t1\n5\t1\n" >expect && test_cmp expect out &&
	crm-contact show 1 -f deals,open_deals --format jsonl >out &&
	echo "{\"deals\":4,\"open_deals\":\"1000.50 EUR, 200.50 USD\"}" >expect && test_cmp expect out &&
	crm-deal list --contact 1 -f title -H | paste -sd " " - >out && echo "D1 D2 D3 D5" >expect && test_cmp expect out
'
test_expect_success 'unmerge gives the deals back' '
	crm-dedup unmerge 1 &&
	crm-deal list --all -f id,contact_id -H >out &&
	printf "1\t1\n2\t2\n3\t1\n4\t1\n5\t1\n" >expect && test_cmp expect out
'
test_expect_success 'erasing a person keeps the deal: amount, dates, company' '
	crm-contact erase 2 2>/dev/null &&
	crm-deal show 2 -f title,contact_id,amount,created_at,company,status --format jsonl >out &&
	echo "{\"title\":\"D2\",\"contact_id\":2,\"amount\":\"200.50 USD\",\"created_at\":\"2026-11-22T09:30:00Z\",\"company\":\"Acme\",\"status\":\"open\"}" >expect &&
	test_cmp expect out &&
	crm-deal show 2 -f contact_name -H >out && echo >expect && test_cmp expect out
'
test_expect_success 'erasing a person leaves nothing of them in the deals'"'"' history or search' '
	expect_exit 1 crm-deal list --search home -f id -H &&
	crm-db audit -e deal -f changes -H >out && ! grep -q "ada@home" out &&
	crm-deal timeline 2 -f text -H >out && ! grep -q "ada@home" out &&
	if grep -a -q "ada@home" "$CRM_DB" "$CRM_DB"-wal 2>/dev/null; then echo "found ada@home"; exit 1; fi
'
test_expect_success 'purging a person detaches their deals' '
	crm-contact rm -q --purge 1 &&
	crm-deal list --all -f id,contact,contact_id -H >out &&
	printf "1\t\t\n2\t2\t2\n3\t\t\n4\t\t\n5\t\t\n" >expect && test_cmp expect out &&
	crm-deal show 1 -f amount,company,expected_close -H >out && printf "1000.00 EUR\tAcme\t2026-12-01\n" >expect &&
	test_cmp expect out && crm-db check -q
'
test_expect_success 'purging a company detaches its deals' '
	crm-company rm -q --purge 1 &&
	crm-deal list --all -f id,company -H >out &&
	printf "1\t\n2\t\n3\t\n4\t\n5\t\n" >expect && test_cmp expect out
'
export CRM_DB="$SCRATCH/renames.db"
test_expect_success 'renaming a person or a company keeps their deals and tasks found by the new name' '
	crm-contact add --first-name Grace --last-name Hopper --email grace@navy.example >/dev/null &&
	crm-company add --name "Navy Labs" >/dev/null &&
	crm-deal add --title Compiler --contact 1 --company 1 >/dev/null &&
	crm-task add --title "Call back" --contact 1 >/dev/null &&
	crm-contact set -q 1 --last-name Murray &&
	crm-company set -q 1 --name "Fleet Computing" &&
	crm-deal list --search murray -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-deal list --search fleet -f id -H >out && test_cmp expect out &&
	crm-task list --search murray -f id -H >out && test_cmp expect out &&
	expect_exit 1 crm-deal list --search hopper -f id -H &&
	expect_exit 1 crm-task list --search hopper -f id -H
'

# A won deal found lost later was lost then, not when it was won: the
# won days stay in its history, and a report of a day between sees it won.
test_expect_success 'won turned lost without a time: closed when so marked, the won days kept' '
	export CRM_DB="$SCRATCH/won-lost.db" &&
	CRM_NOW=2026-11-01T10:00:00Z crm-deal add -q --title D --amount 100 >/dev/null &&
	CRM_NOW=2026-11-05T10:00:00Z crm-deal won -q 1 &&
	CRM_NOW=2026-11-10T10:00:00Z crm-deal set -q 1 --status lost --lost-reason price &&
	crm-deal show 1 -f status,closed_at -H >out &&
	printf "lost\t2026-11-10T10:00:00Z\n" >expect && test_cmp expect out &&
	crm-deal history 1 -f stage,entered,left -H >out &&
	printf "lead\t2026-11-01T10:00:00Z\t2026-11-05T10:00:00Z\n" >expect &&
	printf "won\t2026-11-05T10:00:00Z\t2026-11-10T10:00:00Z\n" >>expect &&
	printf "lost\t2026-11-10T10:00:00Z\t\n" >>expect && test_cmp expect out
'

test_done
