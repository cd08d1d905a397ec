#!/bin/bash
# crm-report kpi, sales, service, pipeline and forecast on a small history
# whose figures are worked out by hand below: customers at the start and
# end of October 2026 by purchase (and by status), CRR, churn, revenue in
# two currencies net of a refund, CLTV and its inputs, NPS and CSAT, win
# rate and the sales cycle (a median of an even count), the pipeline as it
# stood, response and resolution times in business hours, the backlog;
# periods, --by, --compare, --fail-if, --as-of, and bad input.
. "$(dirname "$0")/lib.sh"

at() { CRM_NOW="$1" "${@:2}"; }

test_expect_success 'people and what they bought' '
	crm-db rates set 2026-01-01 USD 1.25 2>/dev/null &&
	for p in p1 p2 p3 p4 p5 p6 p7; do crm-contact add -q --email $p@example.org >/dev/null || return 1; done &&
	# p1: bought once, 2025-10-15: a customer on 1 October, lost by 1 November
	crm-purchase add -q --person 1 --total "100 EUR" --at 2025-10-15 >/dev/null &&
	# p2: bought in March: a customer throughout; 20 EUR refunded in October
	crm-purchase add -q --person 2 --total "200 EUR" --at 2026-03-01 >/dev/null &&
	# p3: first bought in October, twice: new
	crm-purchase add -q --person 3 --total "50 EUR" --at 2026-10-05 >/dev/null &&
	crm-purchase add -q --person 3 --total "70 EUR" --at 2026-10-20 >/dev/null &&
	# p4: bought before the window of either day
	crm-purchase add -q --person 4 --total "1000 EUR" --at 2025-09-01 >/dev/null &&
	# p5: a customer throughout, in dollars (1 EUR = 1.25 USD)
	crm-purchase add -q --person 5 --total "110 USD" --at 2026-06-01 >/dev/null &&
	crm-purchase add -q --person 5 --total "100 USD" --at 2026-10-10 >/dev/null &&
	# p6: refunded whole before October: no customer; p7: cancelled
	crm-purchase add -q --person 6 --total "30 EUR" --at 2026-02-01 >/dev/null &&
	crm-purchase add -q --person 7 --total "40 EUR" --at 2026-05-01 --status cancelled >/dev/null &&
	at 2026-09-15T10:00:00Z crm-purchase refund -q 8 >/dev/null &&
	crm-purchase add -q --person 2 --refund-of 2 --total "-20 EUR" --at 2026-10-25 >/dev/null
'

# Customers on 2026-10-01 (a paid purchase in [2025-10-01, 2026-10-01)):
# p1, p2, p5 = 3.  On 2026-11-01 ([2025-11-01, 2026-11-01)): p2, p3, p5 = 3.
# New: p3 (1); lost: p1 (1).  CRR = (3 - 1) / 3 = 66.7 %; churn = 1/3 = 33.3 %.
# Revenue in October: 50 + 70 + 100 USD (80.00 EUR) - 20 = 180.00 EUR over
# 3 purchases (the refund is none) by 2 buyers: value 60.00; frequency
# 3 / 2 per month = 18.00 a year; lifespan = 1 / (12 x 1/3) = 0.25 years;
# CLTV = 60 x 18 x 0.25 = 270.00.
test_expect_success 'kpi: customers, CRR, churn, revenue and CLTV of October' '
	crm-report kpi --period 2026-10 -f measure,value,numerator,denominator >out &&
	sed -n "2,14p" out >got &&
	cat >expect <<-\EOF &&
	customers_start	3		
	customers_end	3		
	new_customers	1		
	lost_customers	1		
	crr	66.7	2	3
	churn	33.3	1	3
	revenue	180.00		
	purchases	3		
	buyers	2		
	purchase_value	60.00	180.00	3
	purchase_frequency	18.00	3	2
	lifespan	0.25		
	cltv	270.00		
	EOF
	test_cmp expect got &&
	grep "^lifespan" out | cut -f2 >/dev/null &&
	crm-report kpi --period 2026-10 -f measure,note -H | grep -qx "lifespan	1 / annual churn"
'

test_expect_success 'NPS and CSAT of the responses in the period' '
	for s in 10 9 9 7 0; do crm-feedback add -q --kind nps --score $s --at 2026-10-12 >/dev/null || return 1; done &&
	crm-feedback add -q --kind nps --score 0 --at 2026-11-02 >/dev/null &&
	for s in 5 4 3; do crm-feedback add -q --kind csat --score $s --at 2026-10-13 >/dev/null || return 1; done &&
	# NPS: 3 promoters, 1 passive, 1 detractor of 5: (3 - 1) / 5 = 40.0
	# CSAT: 2 of 3 gave 4 or 5: 66.7
	crm-report kpi --period 2026-10 -f measure,value,numerator,denominator,note -H >out &&
	grep "^nps	" out >got && grep "^csat	" out >>got &&
	printf "nps\t40.0\t2\t5\t3 promoters, 1 passives, 1 detractors\ncsat\t66.7\t2\t3\tresponses of 4 or 5 / responses\n" >expect &&
	test_cmp expect got
'

test_expect_success 'deals closed in October and the pipeline at its end' '
	at 2026-09-21T10:00:00Z crm-deal add -q --title d1 --amount "1000 EUR" >/dev/null &&
	at 2026-10-01T10:00:00Z crm-deal add -q --title d2 --amount "300 EUR" >/dev/null &&
	at 2026-10-02T10:00:00Z crm-deal add -q --title d3 --amount "400 USD" >/dev/null &&
	at 2026-10-03T10:00:00Z crm-deal add -q --title d4 --amount "100 EUR" >/dev/null &&
	at 2026-10-04T10:00:00Z crm-deal add -q --title d5 --amount "200 EUR" --stage proposal >/dev/null &&
	at 2026-08-01T10:00:00Z crm-deal add -q --title d6 --amount "400 EUR" >/dev/null &&
	at 2026-10-11T10:00:00Z crm-deal won -q 1 &&
	at 2026-10-05T10:00:00Z crm-deal lost -q 2 --reason price &&
	at 2026-10-12T10:00:00Z crm-deal won -q 3 &&
	at 2026-10-09T10:00:00Z crm-deal lost -q 4 --reason price &&
	at 2026-10-20T10:00:00Z crm-deal won -q 5 &&
	at 2026-10-25T10:00:00Z crm-deal reopen -q 5 &&
	at 2026-11-05T10:00:00Z crm-deal won -q 6 &&
	# Closed in October, as they stood at its end: d1 won (20 days),
	# d2 lost (4), d3 won (10), d4 lost (6); d5 was open again, d6 open.
	# Win rate 2 / 4 = 50.0; cycle 40 / 4 = 10.0 days; median of 4 6 10 20
	# = (6 + 10) / 2 = 8.0; won 1000 + 400 USD (320.00) = 1320.00.
	# Open at the end: d5 200 at 50 % and d6 400 at 10 %: 600.00, 140.00.
	crm-report sales --period 2026-10 -f measure,value,numerator,denominator >out &&
	cat >expect <<-\EOF &&
	measure	value	numerator	denominator
	deals_won	2		
	deals_lost	2		
	win_rate	50.0	2	4
	won_value	1320.00		
	sales_cycle_avg	10.0	40	4
	sales_cycle_median	8.0		4
	pipeline_deals	2		
	pipeline_value	600.00		
	pipeline_weighted	140.00		
	EOF
	test_cmp expect out
'

# A win entered in November with its closing time in October: won in
# October, its cycle not known (created after it closed), so the cycle
# stays 40 / 4 while the win rate takes it in: 3 / 5.
test_expect_success 'sales: a deal recorded after it closed counts as won, not in the cycle' '
	cp "$CRM_DB" late.db &&
	id=$(at 2026-11-10T09:00:00Z crm-deal add --db late.db --title Late --amount 100) &&
	at 2026-11-10T09:00:00Z crm-deal set --db late.db -q "$id" --status won --closed-at 2026-10-15 &&
	crm-report sales --db late.db --period 2026-10 -f measure,value,numerator,denominator -H |
		grep -E "^(win_rate|sales_cycle)" >out &&
	printf "win_rate\t60.0\t3\t5\nsales_cycle_avg\t10.0\t40\t4\nsales_cycle_median\t8.0\t\t4\n" >expect &&
	test_cmp expect out
'
test_expect_success 'pipeline as it stood at the end of a day, and today' '
	crm-report pipeline --as-of 2026-10-31 >out &&
	printf "pipeline\tstage\tdeals\tamount\tweighted\ndefault\tlead\t1\t400.00\t40.00\ndefault\tproposal\t1\t200.00\t100.00\ntotal\t\t2\t600.00\t140.00\n" >expect &&
	test_cmp expect out &&
	crm-report pipeline -H >out &&
	printf "default\tproposal\t1\t200.00\t100.00\ntotal\t\t1\t200.00\t100.00\n" >expect &&
	test_cmp expect out &&
	expect_exit 1 crm-report pipeline --as-of 2026-07-01 2>err &&
	grep -q "no open deals at the end of 2026-07-01" err
'

test_expect_success 'service: business hours, SLA attainment, backlog' '
	cat >desk.yaml <<-\EOF &&
	calendars:
	  office:
	    timezone: UTC
	    hours:
	      weekdays: "09:00-17:00"
	sla:
	  - name: standard
	    calendar: office
	    first_response: 4h
	    resolution: 16h
	EOF
	export CRM_CONFIG=$PWD/desk.yaml &&
	# t1: opened Monday 5 October 09:00, answered 11:00 (2 business
	# hours), solved Tuesday 09:00 (8 hours): within both targets.
	at 2026-10-05T09:00:00Z crm-ticket add -q --subject t1 --requester p1@example.org </dev/null >/dev/null &&
	at 2026-10-05T11:00:00Z crm-ticket reply -q 1 "on it" >/dev/null &&
	at 2026-10-06T09:00:00Z crm-ticket solve -q 1 &&
	# t2: opened Friday 9 October 10:00, answered Monday 12 at 10:00
	# (7 + 1 = 8 hours: the first-response target missed), solved
	# Wednesday 14 at 17:00 (7 + 8 + 8 + 8 = 31 hours).
	at 2026-10-09T10:00:00Z crm-ticket add -q --subject t2 --requester p2@example.org </dev/null >/dev/null &&
	at 2026-10-12T10:00:00Z crm-ticket reply -q 2 "looking" >/dev/null &&
	at 2026-10-14T17:00:00Z crm-ticket solve -q 2 &&
	# t3: opened Friday 30 October, answered in November: the backlog.
	at 2026-10-30T10:00:00Z crm-ticket add -q --subject t3 --requester p3@example.org </dev/null >/dev/null &&
	at 2026-11-02T10:00:00Z crm-ticket reply -q 3 "later" >/dev/null &&
	# t4: opened Wednesday 30 September 16:00, answered Thursday 1
	# October 10:00 (1 + 1 = 2 hours), solved Friday 2 October 12:00
	# (1 + 8 + 3 = 12 hours).
	at 2026-09-30T16:00:00Z crm-ticket add -q --subject t4 --requester p4@example.org </dev/null >/dev/null &&
	at 2026-10-01T10:00:00Z crm-ticket reply -q 4 "yes" >/dev/null &&
	at 2026-10-02T12:00:00Z crm-ticket solve -q 4 &&
	# Opened in October: t1 t2 t3.  First replies in October: 2, 8, 2 h:
	# median 2.0.  Solved: 8, 31, 12 h: median 12.0; every target met by
	# t1 and t4: 2 / 3.
	crm-report service --period 2026-10 -f measure,value,numerator,denominator >out &&
	cat >expect <<-\EOF &&
	measure	value	numerator	denominator
	tickets	3		
	first_response_median	2.0		3
	resolution_median	12.0		3
	sla_attainment	66.7	2	3
	backlog	1		
	EOF
	test_cmp expect out &&
	crm-report service --period 2026-10 --by queue -f group,measure,value -H >out &&
	grep -qx "support	tickets	3" out
'
unset CRM_CONFIG

test_expect_success 'service: a period whose only data is its backlog reports it' '
	crm-report service --from 2026-11-10 --to 2026-11-20 -f measure,value -H >out &&
	grep -qx "backlog	1" out &&
	expect_exit 1 crm-report service --from 2026-11-10 --to 2026-11-20 --fail-if "backlog>0" >out 2>err &&
	grep -qx "crm-report: backlog 1 > 0" err && grep -q "	backlog	1	" out
'

test_expect_success '--by month: each month its own start and end' '
	# On 1 September ([2025-09-01, 2026-09-01)): p1 p2 p4 (bought on
	# 2025-09-01 itself) p5 p6 (refunded only on 15 September) = 5; on 1
	# October p1 p2 p5 = 3: p4 and p6 lost, none new.
	crm-report kpi --from 2026-09-01 --to 2026-10-31 --by month -f group,measure,value -H >out &&
	grep -E "	(customers_start|customers_end|lost_customers|new_customers)	" out >got &&
	cat >expect <<-\EOF &&
	2026-09	customers_start	5
	2026-09	customers_end	3
	2026-09	new_customers	0
	2026-09	lost_customers	2
	2026-10	customers_start	3
	2026-10	customers_end	3
	2026-10	new_customers	1
	2026-10	lost_customers	1
	EOF
	test_cmp expect got
'

test_expect_success '--compare previous adds the figure before and the change' '
	crm-report kpi --period 2026-10 --compare previous -f measure,value,previous,change -H >out &&
	grep -x "churn	33.3	40.0	-6.7" out &&
	grep -x "customers_start	3	5	-2" out &&
	# A change is a number in JSON, up or down: jq adds them.
	crm-report kpi --period 2026-10 --compare previous --format json -f measure,change >out &&
	jq -e "[.[].change | select(. != null) | type] | unique == [\"number\"]" out >/dev/null &&
	# and in a spreadsheet: --csv-safe marks neither a rise nor a fall as text.
	crm-report kpi --period 2026-10 --compare previous --format csv --csv-safe -f measure,change -H |
	tr -d "\r" >out && ! grep -vx "[a-z_]*,[-+]\{0,1\}[0-9.]*" out && grep -qx "customers_start,-2" out &&
	grep -qx "revenue,+210.00" out
'

# A month beside the whole month before, longer or not: 10 EUR on 31
# October, 5 on 2 November, 7 on 20 November, 4 on 31 December 2025.
test_expect_success '--compare previous: whole months beside whole months, a running one like for like' '
	crm-contact add --db cmp.db -q --email c@example.org >/dev/null &&
	crm-purchase add --db cmp.db -q --person c@example.org --total "4 EUR" --at 2025-12-31 >/dev/null &&
	crm-purchase add --db cmp.db -q --person c@example.org --total "10 EUR" --at 2026-10-31 >/dev/null &&
	crm-purchase add --db cmp.db -q --person c@example.org --total "5 EUR" --at 2026-11-02 >/dev/null &&
	crm-purchase add --db cmp.db -q --person c@example.org --total "7 EUR" --at 2026-11-20 >/dev/null &&
	crm-report kpi --db cmp.db --period 2026-11 --as-of 2026-11-30 --compare previous -f measure,value,previous -H >out &&
	grep -x "revenue	12.00	10.00" out &&
	crm-report kpi --db cmp.db --period 2026-Q1 --as-of 2026-11-30 --compare previous -f measure,value,previous -H >out &&
	grep -x "revenue	0.00	4.00" out &&
	crm-report kpi --db cmp.db --period this-month --as-of 2026-11-15 --compare previous -f measure,value,previous -H >out &&
	grep -x "revenue	5.00	0.00" out
'

# A day or days that start a month are no month: 1 November stands beside
# 31 October, 1-2 November beside 30-31 October; a quarter still running
# beside as many days of the quarter before, not of its last month.
test_expect_success '--compare previous: days beside the days just before, starting a month or not' '
	crm-report kpi --db cmp.db --period 2026-11-01 --as-of 2026-11-30 --compare previous \
		-f measure,value,previous -H >out &&
	grep -x "revenue	0.00	10.00" out &&
	crm-report kpi --db cmp.db --from 2026-11-01 --to 2026-11-02 --as-of 2026-11-30 \
		--compare previous -f measure,value,previous -H >out &&
	grep -x "revenue	5.00	10.00" out &&
	crm-report kpi --db cmp.db --period 2026-Q1 --as-of 2026-01-31 --compare previous \
		-f measure,value,previous -H >out &&
	grep -x "revenue	0.00	0.00" out &&
	crm-report kpi --db cmp.db --period 2026-Q4 --as-of 2026-11-30 --compare previous \
		-f measure,value,previous -H >out &&
	grep -x "revenue	22.00	0.00" out
'

test_expect_success '--compare with --by month or quarter: each group beside the same one back' '
	# September and October beside July and August (previous), and
	# beside the same months of 2025 (year): each previous value is the
	# one the earlier month reports on its own.
	crm-report kpi --from 2026-09-01 --to 2026-10-31 --by month --compare previous \
		-f group,measure,previous -H | grep -E "	(revenue|customers_end|purchases)	" >got &&
	for m in 2026-07 2026-08; do
		crm-report kpi --period $m -f measure,value -H |
			grep -E "^(revenue|customers_end|purchases)	" | sed "s/^/$m	/" || return 1
	done >want &&
	sed "s/^2026-09/2026-07/; s/^2026-10/2026-08/" got | sort >got.back && sort want >want.s &&
	test_cmp want.s got.back &&
	crm-report kpi --period 2026-Q4 --by quarter --compare year -f group,measure,value,previous -H >out &&
	crm-report kpi --period 2025-Q4 -f measure,value -H | grep "^revenue	" | cut -f2 >want &&
	grep "^2026-Q4	revenue	" out | cut -f4 >got && test_cmp want got && test -s got
'

test_expect_success '--fail-if: exit 1 naming what crossed, 0 when nothing did' '
	expect_exit 1 crm-report kpi --period 2026-10 --fail-if "churn>5" --fail-if "nps<30" >/dev/null 2>err &&
	grep -qx "crm-report: churn 33.3 > 5" err && ! grep -q nps err &&
	crm-report kpi --period 2026-10 --fail-if "churn>50" --fail-if "nps<30" >/dev/null 2>err &&
	test ! -s err
'

test_expect_success 'no customers at start: CRR and churn empty, saying why' '
	crm-report kpi --period 2025-09 -f measure,value,note -H >out &&
	grep -qx "crr		no customers at start" out &&
	grep -qx "churn		no customers at start" out &&
	grep -qx "customers_end	1	" out
'

test_expect_success 'a period with no data at all exits 1' '
	expect_exit 1 crm-report kpi --period 2020-03 >out 2>err &&
	grep -q "nothing to report in 2020-03" err && test ! -s out
'

test_expect_success 'customers by status history, from the audit log' '
	printf "report:\n  customer_definition: status\n" >status.yaml &&
	at 2026-09-10T10:00:00Z crm-contact add -q --email s1@example.org --status customer >/dev/null &&
	at 2026-09-12T10:00:00Z crm-contact add -q --email s2@example.org --status customer >/dev/null &&
	at 2026-10-15T10:00:00Z crm-contact set -q 9 --status inactive &&
	at 2026-10-20T10:00:00Z crm-contact add -q --email s3@example.org --status customer >/dev/null &&
	at 2026-10-21T10:00:00Z crm-contact set -q 1 --status customer &&
	# 1 October: s1 s2; 1 November: s1 s3 p1: new s3 p1, lost s2.
	CRM_CONFIG=status.yaml crm-report kpi --period 2026-10 -f measure,value,numerator,denominator -H >out &&
	sed -n "1,6p" out >got &&
	printf "customers_start\t2\t\t\ncustomers_end\t3\t\t\nnew_customers\t2\t\t\nlost_customers\t1\t\t\ncrr\t50.0\t1\t2\nchurn\t50.0\t1\t2\n" >expect &&
	test_cmp expect got
'

# The same by status, the people imported: an import's audit entries keep
# no values, so the status each was made with is read back from the
# changes after it.  q1 and q2 come in customers on 10 September, q3 a
# lead; q2 goes inactive on 15 October, q3 a customer on 21 October, and
# q1 only moves city.  1 October: q1 q2; 1 November: q1 q3: new q3, lost
# q2, CRR (2 - 1) / 2.
test_expect_success 'customers by status history, the people imported' '
	printf "email,status\nq1@example.org,customer\nq2@example.org,Customer\nq3@example.org,lead\n" >q.csv &&
	for mode in row bulk; do
		db=q-$mode.db &&
		at 2026-09-10T10:00:00Z crm-import contacts -q --db $db --mode $mode q.csv &&
		at 2026-10-15T10:00:00Z crm-contact set -q --db $db 2 --status inactive &&
		at 2026-10-21T10:00:00Z crm-contact set -q --db $db 3 --status customer &&
		at 2026-10-25T10:00:00Z crm-contact set -q --db $db 1 --city Oslo &&
		CRM_CONFIG=status.yaml crm-report kpi --db $db --period 2026-10 -f measure,value -H >out &&
		sed -n "1,5p" out >got &&
		printf "customers_start\t2\ncustomers_end\t2\nnew_customers\t1\nlost_customers\t1\ncrr\t50.0\n" >expect &&
		test_cmp expect got || return 1
	done
'

test_expect_success 'a leap February: 29 days, one twelfth of a year' '
	crm-contact add -q --email leap@example.org >/dev/null &&
	crm-purchase add -q --person 11 --total "29 EUR" --at 2024-02-29T23:00:00Z >/dev/null &&
	crm-report kpi --period 2024-02 -f measure,value -H >out &&
	grep -qx "revenue	29.00" out && grep -qx "purchase_frequency	12.00" out &&
	crm-report kpi --period 2024-03 -f measure,value -H >out &&
	grep -qx "customers_start	1" out
'

# 28 February 2027 and 2028, each with a purchase and a deal won: a
# period ending on 28 February 2028 stands beside one ending on 28
# February 2027, not the 27th (the day after 2028-02-28, moved back a
# year, is 1 March 2027); a leap day stands beside the 28th.
test_expect_success '--compare year: a period ending on 28 February beside all of February before' '
	export CRM_DB="$SCRATCH/feb.db" CRM_NOW=2029-01-01 &&
	crm-contact add -q --email feb@example.org >/dev/null &&
	crm-purchase add -q --person feb@example.org --total "7 EUR" --at 2027-02-28T12:00:00Z >/dev/null &&
	crm-purchase add -q --person feb@example.org --total "5 EUR" --at 2028-02-28T12:00:00Z >/dev/null &&
	at 2027-01-01 crm-deal add -q --title A --amount 100 >/dev/null &&
	at 2027-02-28T12:00:00Z crm-deal won -q 1 &&
	at 2028-01-01 crm-deal add -q --title B --amount 100 >/dev/null &&
	at 2028-02-28T12:00:00Z crm-deal won -q 2 &&
	for p in "--period 2028-02-28" "--from 2028-02-01 --to 2028-02-28" \
		"--period 2028-02 --as-of 2028-02-28" "--period 2028-02-29"; do
		crm-report kpi $p --compare year -f measure,value,previous -H |
			grep -E "^(customers_end|revenue|deals_won)	" | paste -sd " " - || return 1
	done >out &&
	line="customers_end	1	1 revenue	5.00	7.00 deals_won	1	1" &&
	printf "%s\n%s\n%s\n" "$line" "$line" "$line" >expect &&
	echo "customers_end	1	1 revenue	0.00	7.00 deals_won	0	1" >>expect &&
	test_cmp expect out
'

test_expect_success 'purchase frequency counts the purchases of known buyers only' '
	# May 2023: one purchase of a company alone, one of a person, one of
	# a person then erased: 3 purchases, 1 buyer, who bought once in a
	# twelfth of a year: 12 a year, whatever the erasure.
	crm-company add -q --name "Freq Co" >/dev/null &&
	crm-contact add -q --email freq1@example.org >/dev/null &&
	gone=$(crm-contact add -q --email freq2@example.org) &&
	crm-purchase add -q --company "Freq Co" --total "100 EUR" --at 2023-05-10 >/dev/null &&
	crm-purchase add -q --person freq1@example.org --total "100 EUR" --at 2023-05-11 >/dev/null &&
	crm-purchase add -q --person freq2@example.org --total "100 EUR" --at 2023-05-12 >/dev/null &&
	crm-contact erase "$gone" 2>/dev/null &&
	crm-report kpi --period 2023-05 -f measure,value,numerator,denominator -H >out &&
	grep -qx "purchases	3		" out && grep -qx "buyers	1		" out &&
	grep -qx "purchase_frequency	12.00	1	1" out
'

test_expect_success 'rates and percentages are rounded once, halves away from zero' '
	# 9 purchases by 8 buyers in 2019, a year: 1.125 a year, 1.13.  A
	# target of 36,800 and 2,300 won: 6.25%, 6.3.
	for i in 1 2 3 4 5 6 7 8; do
		crm-contact add -q --email round$i@example.org >/dev/null &&
		crm-purchase add -q --person round$i@example.org --total "10 EUR" --at 2019-0$i-05 >/dev/null ||
		return 1
	done &&
	crm-purchase add -q --person round1@example.org --total "10 EUR" --at 2019-09-09 >/dev/null &&
	crm-report kpi --period 2019 -f measure,value,numerator,denominator -H >out &&
	grep -qx "purchase_frequency	1.13	9	8" out &&
	printf "base_currency: EUR\ntargets:\n  - { period: 2019-09, amount: 36800 EUR }\n" >round.yaml &&
	id=$(at 2019-09-10T10:00:00Z crm-deal add -q --title Round --amount "2300 EUR") &&
	at 2019-09-15T10:00:00Z crm-deal won -q "$id" &&
	CRM_CONFIG=$PWD/round.yaml crm-report forecast --period 2019-09 -f group,won,target,attainment -H >out &&
	printf "2019-09\t2300.00\t36800.00\t6.3\ntotal\t2300.00\t36800.00\t6.3\n" >expect && test_cmp expect out
'

test_expect_success 'sales --by owner: each deal under the owner it had at the end of the period' '
	# Alice owns both through Q3 2018 (one won in July); both go to Bob
	# in October: Q3 is all Alice'"'"'s, Q4 Bob'"'"'s.
	a=$(at 2018-07-01T09:00:00Z crm-deal add -q --title OwnA --amount "1000 EUR" --owner alice) &&
	b=$(at 2018-07-01T09:00:00Z crm-deal add -q --title OwnB --amount "500 EUR" --owner alice) &&
	at 2018-07-10T09:00:00Z crm-deal won -q "$a" &&
	at 2018-10-05T09:00:00Z crm-deal set -q --owner bob "$a" "$b" &&
	crm-report sales --period 2018-Q3 --by owner -f group,measure,value -H |
		grep -E "	(deals_won|pipeline_deals)	" >out &&
	printf "alice\tdeals_won\t1\nalice\tpipeline_deals\t1\n" >expect && test_cmp expect out &&
	crm-report sales --period 2018-Q4 --by owner -f group,measure,value -H |
		grep -E "	pipeline_deals	" >out &&
	printf "bob\tpipeline_deals\t1\n" >expect && test_cmp expect out
'

test_expect_success '--by with --compare: every count of a group of either period, 0 where none' '
	# Alice had a deal won and one open in Q3 and none in Q4; Bob the
	# other way round: each has all of them in both, at 0 where none.
	crm-report sales --period 2018-Q4 --by owner --compare previous \
		-f group,measure,value,previous,change -H | grep -E "	(deals_won|win_rate|pipeline_deals)	" >out &&
	cat >expect <<-\EOF &&
	alice	deals_won	0	1	-1
	alice	win_rate		100.0	
	alice	pipeline_deals	0	1	-1
	bob	deals_won	0	0	0
	bob	win_rate			
	bob	pipeline_deals	1	0	+1
	EOF
	test_cmp expect out
'

test_expect_success '--by queue: a queue that fell to 0 tickets, and one with no backlog' '
	printf "queues: [support, billing]\n" >queues.yaml &&
	export CRM_CONFIG=$PWD/queues.yaml CRM_DB=$PWD/queues.db &&
	at 2026-10-05T10:00:00Z crm-ticket add -q --subject a --requester a@example.org </dev/null >/dev/null &&
	at 2026-11-05T10:00:00Z crm-ticket add -q --subject b --queue billing --requester b@example.org </dev/null >/dev/null &&
	at 2026-11-05T12:00:00Z crm-ticket reply -q 2 hi >/dev/null &&
	at 2026-11-05T13:00:00Z crm-ticket solve -q 2 &&
	at 2026-12-01 crm-report service --period 2026-11 --by queue --compare previous \
		-f group,measure,value,previous,change -H >out &&
	cat >expect <<-\EOF &&
	billing	tickets	1	0	+1
	billing	first_response_median	2.0		
	billing	resolution_median	3.0		
	billing	sla_attainment			
	billing	backlog	0	0	0
	support	tickets	0	1	-1
	support	first_response_median			
	support	resolution_median			
	support	sla_attainment			
	support	backlog	1	1	0
	EOF
	test_cmp expect out &&
	at 2026-12-01 crm-report kpi --period 2026-11 --by queue -f group,measure,value -H >out &&
	grep -qx "support	tickets	0" out && grep -qx "billing	backlog	0" out &&
	! grep -q customers_start out
'
export CRM_DB="$SCRATCH/crm.db"
unset CRM_CONFIG

test_expect_success 'a ticket solved the second it was opened took 0.0 hours, not none' '
	crm-db init --db instant.db >/dev/null &&
	CRM_NOW=2026-11-02T10:00:00Z crm-ticket add --db instant.db -q --subject s </dev/null >/dev/null &&
	CRM_NOW=2026-11-02T10:00:00Z crm-ticket solve --db instant.db -q 1 &&
	crm-report kpi --db instant.db --period 2026-11 -f measure,value,denominator -H | grep "^resolution_median" >out &&
	printf "resolution_median\t0.0\t1\n" >expect && test_cmp expect out
'
test_expect_success 'a won deal whose closing time is set earlier counts in that month once' '
	at 2026-01-05 crm-deal add --db back.db -q --title U --amount 1000 >/dev/null &&
	at 2026-06-01 crm-deal move --db back.db -q 1 proposal &&
	crm-deal won --db back.db -q 1 &&
	crm-deal set --db back.db -q 1 --closed-at 2026-03-01 &&
	for p in 2026 2026-Q1 2026-03; do
		crm-report sales --db back.db --period $p -f measure,value -H | grep "^deals_won	" || return 1
	done >out &&
	printf "deals_won\t1\ndeals_won\t1\ndeals_won\t1\n" >expect && test_cmp expect out &&
	crm-report sales --db back.db --period 2026 --by quarter -f group,measure,value -H |
		grep "	deals_won	" >out &&
	printf "2026-Q1\tdeals_won\t1\n2026-Q2\tdeals_won\t0\n2026-Q3\tdeals_won\t0\n2026-Q4\tdeals_won\t0\n" >expect &&
	test_cmp expect out &&
	crm-report sales --db back.db --period 2026-03 -f measure,value -H | grep "^pipeline_deals	0$" &&
	crm-deal forecast --db back.db -f period,won -H >out &&
	printf "2026-03\t1000.00\ntotal\t1000.00\n" >expect && test_cmp expect out &&
	crm-deal history --db back.db 1 -f stage,entered,left -H >out &&
	printf "lead\t2026-01-05T00:00:00Z\t2026-03-01T00:00:00Z\n" >expect &&
	printf "proposal\t2026-03-01T00:00:00Z\t2026-03-01T00:00:00Z\n" >>expect &&
	printf "won\t2026-03-01T00:00:00Z\t\n" >>expect && test_cmp expect out
'

test_expect_success 'the period column names the dates a word stands for, as kept reports need' '
	crm-report kpi --period last-month -f period,measure,value >out &&
	crm-report kpi --period 2026-10 -f period,measure,value >expect && test_cmp expect out &&
	crm-report kpi --period last-month -f period -H | sort -u >out &&
	echo 2026-10 >expect && test_cmp expect out &&
	crm-report kpi --period ytd --as-of 2026-10-10 -f period,measure,value >out &&
	crm-report kpi --from 2026-01-01 --to 2026-10-10 --as-of 2026-10-10 -f period,measure,value >expect &&
	test_cmp expect out && grep -q "^2026-01-01..2026-10-10	revenue	" out &&
	# One still running is named by the days it covers so far.
	for p in this-month:2026-11-01..2026-11-22 last-year:2025 this-quarter:2026-10-01..2026-11-22 \
		this-year:2026-01-01..2026-11-22 yesterday:2026-11-21 \
		last-week:2026-11-09..2026-11-15; do
		crm-report sales --period ${p%%:*} -f period -H | sort -u >out &&
		echo ${p#*:} >expect && test_cmp expect out || return 1
	done
'

test_expect_success 'a period that begins after the as-of day has nothing to report (exit 1)' '
	expect_exit 1 crm-report kpi --period 2026-12 --as-of 2026-11-22 >out 2>err &&
	grep -qx "crm-report: nothing to report in 2026-12: it begins after 2026-11-22" err &&
	test ! -s out &&
	expect_exit 1 crm-report service --from 2027-01-01 --to 2027-01-31 2>err &&
	grep -q "nothing to report in 2027-01: it begins after" err &&
	expect_exit 1 crm-report service --from 2027-01-05 --to 2027-01-05 2>err &&
	grep -q "nothing to report in 2027-01-05: it begins after" err &&
	expect_exit 1 crm-report service --from 2027-01-05 --to 2027-01-09 2>err &&
	grep -q "nothing to report in 2027-01-05..2027-01-09: it begins after" err
'

test_expect_success '--as-of: a running period up to that day; the same bytes twice' '
	crm-report kpi --period this-month --as-of 2026-10-10 -f measure,value -H >out &&
	# October 1-10: p5 bought on the 10th, p3 on the 5th.
	grep -qx "purchases	2" out &&
	crm-report kpi --as-of 2026-10-31 --compare year >a &&
	crm-report kpi --as-of 2026-10-31 --compare year >b &&
	test_cmp a b && test -s a
'

test_expect_success 'forecast: crm-deal forecast over a period' '
	at 2026-11-10T10:00:00Z crm-deal set -q 5 --expected-close 2026-12-15 &&
	crm-report forecast --period 2026-Q4 --by quarter -f group,open,amount,weighted -H >out &&
	printf "2026-Q4\t1\t200.00\t100.00\ntotal\t1\t200.00\t100.00\n" >expect && test_cmp expect out
'

test_expect_success 'bad input exits 2 naming it' '
	expect_exit 2 crm-report kpi --period 2026-13 2>err && grep -q "invalid period .2026-13." err &&
	expect_exit 2 crm-report kpi --period someday 2>err && grep -q "someday" err &&
	expect_exit 2 crm-report kpi --from 2026-10-05 --to 2026-10-01 2>err &&
	grep -q "from 2026-10-05 is after --to 2026-10-01" err &&
	expect_exit 2 crm-report kpi --from 2026-10-05 2>err && grep -q "go together" err &&
	expect_exit 2 crm-report kpi --by planet 2>err && grep -q "planet" err &&
	expect_exit 2 crm-report kpi --fail-if "churn>>5" 2>err && grep -q "churn>>5" err &&
	expect_exit 2 crm-report kpi --fail-if "happiness>5" 2>err && grep -q "happiness" err &&
	expect_exit 2 crm-report kpi --fail-if "churn>" 2>err &&
	expect_exit 2 crm-report service --period 2026-10 --fail-if "churn>5" >out 2>err &&
	grep -q "service does not compute .churn.; its measures are tickets, .*backlog$" err &&
	test ! -s out &&
	expect_exit 2 crm-report sales --period 2026-10 --fail-if "backlog>0" 2>err &&
	grep -q "sales does not compute .backlog.; its measures are deals_won, .*pipeline_weighted$" err &&
	expect_exit 2 crm-report kpi --compare never 2>err && grep -q "never" err &&
	expect_exit 2 crm-report kpi --as-of soon 2>err && grep -q "soon" err &&
	expect_exit 2 crm-report kpi extra 2>err
'

test_expect_success 'a bad report: key names file and line' '
	printf "report:\n  active_window: forever\n" >bad.yaml &&
	expect_exit 2 env CRM_CONFIG=bad.yaml crm-report kpi 2>err && grep -q "bad.yaml:2:.*active_window" err &&
	printf "report:\n  customer_definition: vibes\n" >bad.yaml &&
	expect_exit 2 env CRM_CONFIG=bad.yaml crm-report kpi 2>err && grep -q "purchase or status" err
'

test_expect_success 'JSON output: every figure with its parts' '
	crm-report kpi --period 2026-10 --format jsonl | grep "\"measure\":\"churn\"" >got &&
	grep -q "\"value\":33.3" got && grep -q "\"numerator\":1" got
'

test_expect_success '--html: one page that validates and renders in Chromium' '
	crm-report kpi --period 2026-10 --as-of 2026-11-20 --html >page.html &&
	"$TOP/tests/cli/html-check" page.html &&
	grep -q "<h1>Report for 2026-10</h1>" page.html &&
	grep -c "<svg" page.html >n && test "$(cat n)" -ge 6 &&
	# the headline of churn, with the change from September (40.0)
	grep -q "<h3>Churn</h3><p class=\"v\">33.3 %</p><p class=\"d\">was 40.0: -6.7</p>" page.html &&
	"$TOP/tests/cli/chromium-shot" page.html page.png &&
	crm-report kpi --period 2026-10 --as-of 2026-11-20 --html >again.html &&
	test_cmp page.html again.html &&
	expect_exit 2 crm-report kpi --html --by owner 2>err && grep -q "no --by" err
'

test_expect_success 'the crontab line of crm-report(1) keeps the last good page when a report fails' '
	sed -n "s/^30 6 \* \* \* //p" "$TOP/man/man1/crm-report.1" |
		sed -e "s/\\\\-/-/g" -e "s/\\\\(aq/\\x27/g" -e "s|/srv/www/crm|$PWD/www|g" >cron.sh &&
	test "$(wc -l <cron.sh)" = 1 && mkdir -p www && crm-db backup cron.db &&
	# The alert fires (churn 33.3 > 5): the line exits 1 either way.
	{ CRM_DB=$PWD/cron.db sh cron.sh 2>/dev/null || :; } &&
	grep -q "<h1>Report for 2026-10</h1>" www/nightly.html &&
	cp www/nightly.html good.html &&
	# An amount no rate converts: the report fails, exit 3.
	crm-purchase add --db cron.db -q --person 2 --total "1000 JPY" --at 2026-10-12 >/dev/null &&
	expect_exit 3 crm-report kpi --db cron.db --period last-month --html >/dev/null 2>&1 &&
	{ CRM_DB=$PWD/cron.db sh cron.sh 2>/dev/null || :; } && cmp good.html www/nightly.html
'

test_expect_success 'campaigns: exit 1 when no campaign sent in the period' '
	expect_exit 1 crm-report campaigns --period 2026-11 2>err &&
	grep -q "no campaign sent anything in 2026-11" err
'
test_expect_success 'amounts too large to add up are bad data (exit 3), not a failure' '
	crm-contact add -q --db big.db --email a@example.org >/dev/null &&
	crm-contact add -q --db big.db --email b@example.org >/dev/null &&
	crm-purchase add -q --db big.db --person 1 --at 2026-11-01 --total "92233720368547758.07 EUR" >/dev/null &&
	crm-purchase add -q --db big.db --person 2 --at 2026-11-02 --total "1.00 EUR" >/dev/null &&
	expect_exit 3 crm-report kpi --db big.db --period 2026-11 >out 2>err &&
	grep -q "^crm-report: a sum is out of range" err && test ! -s out
'

# Ann and Bo each bought on 29 February 2024 (40.00 and 60.00): February
# 2025 beside all of February 2024 is 100.00 from 2 purchases, whether
# the report is of the month alone or of the quarter by month.
test_expect_success '--compare year: a February beside all of the leap February before' '
	crm-contact add -q --db leap.db --email ann@example.org >/dev/null &&
	crm-contact add -q --db leap.db --email bo@example.org >/dev/null &&
	crm-purchase add -q --db leap.db --person 1 --at 2024-02-29T12:00:00Z --total 40 >/dev/null &&
	crm-purchase add -q --db leap.db --person 2 --at 2024-02-29T13:00:00Z --total 60 >/dev/null &&
	for p in "--period 2025-02" "--period 2025-Q1" "--from 2025-02-01 --to 2025-02-28"; do
		crm-report kpi --db leap.db $p --by month --compare year -f group,measure,previous -H |
			grep -E "^2025-02	(revenue|purchases)	" || return 1
	done >out &&
	printf "2025-02\trevenue\t100.00\n2025-02\tpurchases\t2\n" >one &&
	cat one one one >expect && test_cmp expect out
'

test_done
