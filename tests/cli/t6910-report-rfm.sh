#!/bin/bash
# crm-report rfm and cohorts: scores, segments and the summary worked out
# by hand below, --segment into crm-contact show, --as-of, the cohorts of
# first purchases, and the failures (nothing to report, a bad segment or
# day, an amount with no rate).
. "$(dirname "$0")/lib.sh"

test_expect_success 'nothing bought: exit 1 with a message and no output' '
	expect_exit 1 crm-report rfm >out 2>err && test ! -s out &&
	grep -q "nobody has a paid purchase by 2026-11-22" err &&
	expect_exit 1 crm-report rfm --summary >out && test ! -s out &&
	expect_exit 1 crm-report cohorts >out 2>err && test ! -s out &&
	grep -q "no first purchase in 2025-12-01..2026-11-22" err
'

# The shop, as of 2026-11-22 (the clock); a euro buys 1.25 dollars.
#   1 Ann  2026-06-01 25.00, 10-05 50.00, 11-20 100.00
#   2 Bo   2026-11-01 62.50 USD (/ 1.25 = 50.00)
#   3 Cy   2025-12-10 80.00; 2026-01-15 40.00, refunded whole on 02-01;
#          2026-03-03 2 x 10.00, one refunded on 03-10
#   4 Di   2025-11-22 300.00
#   5 Ed   2026-09-01 10.00, 11-22 08:00 10.00
#   6 Flo  2026-10-01 99.00, cancelled
#   7 Gil  2026-09-15 15.00
#   8 Hal  2026-11-10 12.00, archived today
test_expect_success 'the shop' '
	for p in "Ann Archer ann" "Bo Brown bo" "Cy Chen cy" "Di Diaz di" "Ed Evans ed" \
		"Flo Fox flo" "Gil Gray gil" "Hal Hunt hal"; do
		set -- $p
		crm-contact add -q --first-name $1 --last-name $2 --email $3@example.org >/dev/null
	done &&
	crm-db rates set 2026-01-01 USD 1.25 2>/dev/null &&
	crm-purchase add -q --person 1 --total 25.00 --at 2026-06-01 >/dev/null &&
	crm-purchase add -q --person 1 --total 50.00 --at 2026-10-05 >/dev/null &&
	crm-purchase add -q --person 1 --total 100.00 --at 2026-11-20 >/dev/null &&
	crm-purchase add -q --person 2 --total "62.50 USD" --at 2026-11-01 >/dev/null &&
	crm-purchase add -q --person 3 --total 80.00 --at 2025-12-10 >/dev/null &&
	whole=$(crm-purchase add --person 3 --total 40.00 --at 2026-01-15) &&
	CRM_NOW=2026-02-01T10:00:00Z crm-purchase refund $whole >/dev/null &&
	part=$(crm-purchase add --person 3 --line "A 2 10.00" --at 2026-03-03) &&
	CRM_NOW=2026-03-10T10:00:00Z crm-purchase refund $part --line A --qty 1 >/dev/null &&
	crm-purchase add -q --person 4 --total 300.00 --at 2025-11-22 >/dev/null &&
	crm-purchase add -q --person 5 --total 10.00 --at 2026-09-01 >/dev/null &&
	crm-purchase add -q --person 5 --total 10.00 --at 2026-11-22T08:00:00Z >/dev/null &&
	crm-purchase add -q --person 6 --total 99.00 --at 2026-10-01 --status cancelled >/dev/null &&
	crm-purchase add -q --person 7 --total 15.00 --at 2026-09-15 >/dev/null &&
	crm-purchase add -q --person 8 --total 12.00 --at 2026-11-10 >/dev/null &&
	crm-contact rm -q 8
'

# Six people count (Flo bought nothing paid, Hal is archived):
#        recency (days to 11-22)              freq  monetary
#   Ann  2                                    3     175.00
#   Bo   21                                   1     50.00
#   Cy   264 (03-03: 28+30+31+30+31+31+30+31+22)  2  80 + 20 - 10 = 90.00
#   Di   365                                  1     300.00
#   Ed   0                                    2     20.00
#   Gil  68 (09-15: 15+31+22)                 1     15.00
# Score 1 + floor(5 x worse / 6), worse = how many are strictly worse:
#   R: Ed 5 -> 5, Ann 4 -> 4, Bo 3 -> 3, Gil 2 -> 2, Cy 1 -> 1, Di 0 -> 1
#   F: Ann 5 -> 5, Cy and Ed 3 -> 3, Bo, Di and Gil 0 -> 1
#   M: Di 5 -> 5, Ann 4 -> 4, Cy 3 -> 3, Bo 2 -> 2, Ed 1 -> 1, Gil 0 -> 1
# (R, F): Ann (4,5) loyal, Bo (3,1) about-to-sleep, Cy (1,3) at-risk,
# Di (1,1) lost, Ed (5,3) potential-loyalists, Gil (2,1) hibernating.
test_expect_success 'rfm: figures, scores and segments by id' '
	crm-report rfm >out &&
	cat >expect <<-\EOF &&
	id	name	recency	frequency	monetary	r	f	m	score	segment
	1	Ann Archer	2	3	175.00	4	5	4	454	loyal
	2	Bo Brown	21	1	50.00	3	1	2	312	about-to-sleep
	3	Cy Chen	264	2	90.00	1	3	3	133	at-risk
	4	Di Diaz	365	1	300.00	1	1	5	115	lost
	5	Ed Evans	0	2	20.00	5	3	1	531	potential-loyalists
	7	Gil Gray	68	1	15.00	2	1	1	211	hibernating
	EOF
	test_cmp expect out
'
test_expect_success 'rfm --summary: every segment, shares of 6 (1 = 16.7 %)' '
	crm-report rfm --summary >out &&
	cat >expect <<-\EOF &&
	segment	people	share	monetary
	champions	0	0.0	0.00
	loyal	1	16.7	175.00
	potential-loyalists	1	16.7	20.00
	new-customers	0	0.0	0.00
	promising	0	0.0	0.00
	need-attention	0	0.0	0.00
	about-to-sleep	1	16.7	50.00
	at-risk	1	16.7	90.00
	cant-lose-them	0	0.0	0.00
	hibernating	1	16.7	15.00
	lost	1	16.7	300.00
	EOF
	test_cmp expect out &&
	crm-report rfm --summary --segment lost -H >out &&
	printf "lost\t1\t16.7\t300.00\n" >expect && test_cmp expect out
'
test_expect_success 'rfm --segment -f id pipes into crm-contact show' '
	crm-report rfm --segment at-risk -f id -H >out && echo 3 >expect && test_cmp expect out &&
	crm-report rfm --segment at-risk -f id -H | crm-contact show - -f id,email -H >out &&
	printf "3\tcy@example.org\n" >expect && test_cmp expect out &&
	crm-report rfm -s lost -f name,score --format csv >out &&
	printf "name,score\r\nDi Diaz,115\r\n" >expect && test_cmp expect out
'
test_expect_success 'rfm: nobody in the segment is exit 1' '
	expect_exit 1 crm-report rfm --segment champions >out 2>err && test ! -s out &&
	grep -q "nobody is in segment champions on 2026-11-22" err
'

# As of 2026-10-31 Bo had not bought, nor had Ann on 11-20 or Ed on 11-22:
#        recency                freq  monetary
#   Ann  26 (10-05)            2     75.00
#   Cy   242 (03-03)           2     90.00
#   Di   343 (365 - 22)        1     300.00
#   Ed   60 (09-01: 29+31)     1     10.00
#   Gil  46 (09-15: 15+31)     1     15.00
# n = 5, score 1 + floor(worse):
#   R: Ann 4 -> 5, Gil 3 -> 4, Ed 2 -> 3, Cy 1 -> 2, Di 0 -> 1
#   F: Ann and Cy 3 -> 4, the others 0 -> 1
#   M: Di 4 -> 5, Cy 3 -> 4, Ann 2 -> 3, Gil 1 -> 2, Ed 0 -> 1
test_expect_success 'rfm --as-of a past day; twice the same bytes' '
	crm-report rfm --as-of 2026-10-31 >out &&
	cat >expect <<-\EOF &&
	id	name	recency	frequency	monetary	r	f	m	score	segment
	1	Ann Archer	26	2	75.00	5	4	3	543	champions
	3	Cy Chen	242	2	90.00	2	4	4	244	at-risk
	4	Di Diaz	343	1	300.00	1	1	5	115	lost
	5	Ed Evans	60	1	10.00	3	1	1	311	about-to-sleep
	7	Gil Gray	46	1	15.00	4	1	2	412	promising
	EOF
	test_cmp expect out &&
	crm-report rfm --as-of 2026-10-31 --format json >one &&
	crm-report rfm --as-of 2026-10-31 --format json >two && cmp one two &&
	crm-report cohorts --as-of 2026-10-31 >one && crm-report cohorts --as-of 2026-10-31 >two &&
	cmp one two
'
test_expect_success 'rfm --as-of: Hal counts on a day before he was archived' '
	crm-report rfm --as-of 2026-11-21 -f id,recency,monetary -H >out &&
	grep -qx "$(printf "8\t11\t12.00")" out &&
	crm-report rfm --as-of 2025-11-22 -f id,recency,score,segment -H >out &&
	printf "4\t0\t111\tlost\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-report rfm --as-of 2025-11-21 2>err &&
	grep -q "nobody has a paid purchase by 2025-11-21" err
'
test_expect_success 'rfm: a bad segment or day is a usage error' '
	expect_exit 2 crm-report rfm --segment gold >out 2>err && test ! -s out &&
	grep -q "unknown segment .gold. (champions, loyal, potential-loyalists, new-customers," err &&
	grep -q "cant-lose-them, hibernating, lost)" err &&
	expect_exit 2 crm-report rfm --as-of 2026-02-30 2>err && grep -q "invalid date .2026-02-30." err &&
	expect_exit 2 crm-report rfm --as-of soon 2>err && grep -q "invalid date .soon." err &&
	expect_exit 2 crm-report rfm extra &&
	expect_exit 2 crm-report rfm -f id,colour 2>err && grep -q "unknown field .colour." err
'
test_expect_success 'rfm: an amount with no rate is exit 3 naming the currency' '
	gbp=$(crm-purchase add --person 6 --total "9.00 GBP" --at 2026-11-02) &&
	expect_exit 3 crm-report rfm >out 2>err && test ! -s out &&
	grep -q "no rate for GBP on or before 2026-11-02" err &&
	expect_exit 3 crm-report rfm --summary 2>err && grep -q GBP err &&
	crm-purchase rm -q $gbp && crm-report rfm >/dev/null
'

# Cohorts: first purchases Di 2025-11, Cy 2025-12, Ann 2026-06, Ed and Gil
# 2026-09, Bo 2026-11 (Hal is archived).  Of September's two, Ed bought
# again in November: 1 of 2 = 50.0 %.
test_expect_success 'cohorts of a quarter: every month to the as-of day' '
	crm-report cohorts --period 2026-Q3 >out &&
	cat >expect <<-\EOF &&
	cohort	size	month	period	buyers	share
	2026-09	2	0	2026-09	2	100.0
	2026-09	2	1	2026-10	0	0.0
	2026-09	2	2	2026-11	1	50.0
	EOF
	test_cmp expect out &&
	crm-report cohorts --period 2026-Q3 --as-of 2026-11-21 -f month,buyers,share -H >out &&
	printf "0\t2\t100.0\n1\t0\t0.0\n2\t0\t0.0\n" >expect && test_cmp expect out
'
test_expect_success 'cohorts: by default the twelve months to the as-of day' '
	crm-report cohorts -f cohort -H | uniq >out &&
	printf "2025-12\n2026-06\n2026-09\n2026-11\n" >expect && test_cmp expect out &&
	crm-report cohorts -H | wc -l >out && echo 22 >expect && test_cmp expect out &&
	crm-report cohorts --as-of 2026-12-01 -f cohort -H | uniq >out &&
	printf "2026-06\n2026-09\n2026-11\n" >expect && test_cmp expect out
'
test_expect_success 'cohorts: Cy bought again three months after, not in January (refunded)' '
	crm-report cohorts --from 2025-12-01 --to 2025-12-31 -f month,period,buyers,share -H >out &&
	cat >expect <<-\EOF &&
	0	2025-12	1	100.0
	1	2026-01	0	0.0
	2	2026-02	0	0.0
	3	2026-03	1	100.0
	4	2026-04	0	0.0
	5	2026-05	0	0.0
	6	2026-06	0	0.0
	7	2026-07	0	0.0
	8	2026-08	0	0.0
	9	2026-09	0	0.0
	10	2026-10	0	0.0
	11	2026-11	0	0.0
	EOF
	test_cmp expect out
'
test_expect_success 'cohorts: none in the period is exit 1; bad periods exit 2' '
	expect_exit 1 crm-report cohorts --period 2026-Q1 >out 2>err && test ! -s out &&
	grep -q "no first purchase in 2026-Q1" err &&
	expect_exit 2 crm-report cohorts --period 2026-Q5 &&
	expect_exit 2 crm-report cohorts --from 2026-01-01 &&
	expect_exit 2 crm-report cohorts --period 2026 --from 2026-01-01 --to 2026-02-01 &&
	expect_exit 2 crm-report cohorts --as-of yesteryear
'
test_done
