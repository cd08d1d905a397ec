#!/bin/bash
# crm-report churn-risk: the snapshots and their churn counted again here
# with sqlite3, the list riskiest first and its filters, the model and
# its held-out AUC and calibration, --explain adding up to the printed
# probability, byte-identical reruns, nothing after --as-of leaking in,
# ids piped in and out, and the refusals (history too short, an amount
# without a rate, bad options).
. "$(dirname "$0")/lib.sh"

# 400 people over 2024-01-01 .. 2026-11-22 (day 1056).  Person i starts
# buying on day 37i mod 700, every g/2 to 3g/2 days (g = 60 + 13i mod
# 200), until day min(e, 1056), e = start + 60 + 53i mod 900; amounts
# 20.00 to 219.99 EUR.  Every fifth has a ticket (every tenth still open,
# every ninth with a missed target), every third an NPS answer, every
# twentieth withdrew email consent a month before their last purchase.
generate() {
	sqlite3 "$CRM_DB" <<'EOF'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
INSERT INTO contacts(id, first_name, last_name, email, email_norm, status, created_at, updated_at)
SELECT i, 'P' || i, 'Test', 'p' || i || '@example.org', 'p' || i || '@example.org', 'customer',
 '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM n;
CREATE TEMP TABLE life AS SELECT id AS i, (id * 37) % 700 AS s, 60 + (id * 13) % 200 AS g,
 min((id * 37) % 700 + 60 + (id * 53) % 900, 1056) AS e FROM contacts;
WITH RECURSIVE p(i, d, g, e) AS (SELECT i, s, g, e FROM life UNION ALL
 SELECT i, d + g / 2 + (i * 7919 + d * 104729) % g, g, e FROM p
 WHERE d + g / 2 + (i * 7919 + d * 104729) % g < e)
INSERT INTO purchases(contact_id, at, total, total_currency, status, created_at, updated_at)
SELECT i, strftime('%Y-%m-%dT10:00:00Z', '2024-01-01', '+' || d || ' days'),
 2000 + (i * 700 + d) % 20000, 'EUR', 'paid', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'
 FROM p ORDER BY d, i;
INSERT INTO tickets(id, subject, requester_id, status, sla_missed, created_at, updated_at, solved_at)
SELECT i, 'help', i, CASE WHEN i % 10 = 0 THEN 'new' ELSE 'solved' END, i % 9 = 0,
 strftime('%Y-%m-%dT09:00:00Z', '2024-01-01', '+' || min(s + (i * 17) % 300, 1050) || ' days'),
 '2024-01-01T00:00:00Z', CASE WHEN i % 10 = 0 THEN NULL ELSE strftime('%Y-%m-%dT09:00:00Z',
 '2024-01-01', '+' || (min(s + (i * 17) % 300, 1050) + 3) || ' days') END
 FROM life WHERE i % 5 = 0;
INSERT INTO ticket_status(ticket_id, status, at) SELECT id, 'new', created_at FROM tickets;
INSERT INTO ticket_status(ticket_id, status, at)
 SELECT id, 'solved', solved_at FROM tickets WHERE solved_at IS NOT NULL;
INSERT INTO responses(contact_id, kind, score, at, created_at, updated_at)
SELECT i, 'nps', (i * 7) % 11, strftime('%Y-%m-%dT12:00:00Z', '2024-01-01', '+' || (s + 40) || ' days'),
 '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM life WHERE i % 3 = 0;
INSERT INTO consents(contact_id, channel, status, at)
SELECT i, 'email', 'withdrawn', strftime('%Y-%m-%dT12:00:00Z', '2024-01-01', '+' || max(e - 30, s) || ' days')
 FROM life WHERE i % 20 = 0;
COMMIT;
EOF
}

# customers DAY: the ids of the customers at the start of DAY, counted
# here without the toolkit: a paid purchase in the 365 days before.
customers() {
	sqlite3 "$CRM_DB" "SELECT DISTINCT contact_id FROM purchases WHERE status = 'paid'
		AND at >= date('$1', '-365 days') AND at < '$1' ORDER BY 1"
}

test_expect_success 'a generated history of 400 people' '
	crm-db info >/dev/null && generate &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from contacts")" = 400
'

test_expect_success 'the snapshots, a period apart back from the day after --as-of, and their churn' '
	crm-report churn-risk --model -q >model &&
	grep "^snapshot" model | cut -f2,3 >got &&
	printf "%s\t%s\n" 2026-11-23 score 2026-08-23 evaluate 2026-05-23 train 2026-02-23 train \
		2025-11-23 train 2025-08-23 train >expect &&
	test_cmp expect got &&
	: >expect && prev= &&
	for d in 2026-11-23 2026-08-23 2026-05-23 2026-02-23 2025-11-23 2025-08-23; do
		customers $d >now.$d &&
		n=$(wc -l <now.$d) &&
		if [ -z "$prev" ]; then
			printf "snapshot\t%s\t\t%d\n" $d $n >>expect
		else
			gone=$(comm -23 <(sort now.$d) <(sort now.$prev) | wc -l) &&
			printf "snapshot\t%s\t%s\t%d\n" $d $(awk "BEGIN { printf \"%.3f\", $gone / $n }") $n >>expect
		fi &&
		prev=$d
	done &&
	grep "^snapshot" model | cut -f1,2,7,8 >got &&
	test_cmp expect got
'

test_expect_success 'the model: coefficients of every feature, a held-out AUC well above chance, calibration' '
	grep "^coefficient" model | cut -f2 >got &&
	printf "%s\n" intercept recency frequency monetary trend open_tickets breached_tickets nps \
		nps_missing consent_withdrawn >expect &&
	test_cmp expect got &&
	auc=$(awk -F"\t" "\$1 == \"metric\" && \$2 == \"auc\" { print \$3 }" model) &&
	awk "BEGIN { exit !($auc > 0.8 && $auc <= 1) }" &&
	grep -c "^calibration" model >got && echo 10 >expect && test_cmp expect got &&
	n=$(customers 2026-08-23 | wc -l) &&
	awk -F"\t" "\$1 == \"calibration\" { n += \$8 } END { exit n != $n }" model
'

test_expect_success 'the list: every customer, riskiest first, then by id; AUC and calibration on stderr' '
	crm-report churn-risk >list 2>list.err &&
	head -1 list >got && printf "id\tname\tprobability\tband\ttop\n" >expect && test_cmp expect got &&
	sed 1d list | cut -f1 | sort -n >got && customers 2026-11-23 >expect && test_cmp expect got &&
	sed 1d list | sort -t"$(printf "\t")" -k3,3r -k1,1n >expect && sed 1d list >got && test_cmp expect got &&
	sed 1d list | awk -F"\t" "{ b = \$3 >= 0.5 ? \"high\" : \$3 >= 0.25 ? \"medium\" : \"low\";
		if (b != \$4) exit 1 }" &&
	grep -q "^crm-report: churn-risk: trained on 4 snapshots from 2025-08-23 to 2026-05-23" list.err &&
	grep -q "evaluated on 2026-08-23 ([0-9]* customers, [0-9]* churned): AUC [01]\.[0-9]*, Brier" list.err &&
	grep -q "^crm-report: churn-risk: calibration by tenth" list.err &&
	crm-report churn-risk -q >/dev/null 2>err && test ! -s err
'

test_expect_success '--limit and --min choose the riskiest' '
	crm-report churn-risk -q --limit 3 >got && sed -n 1,4p list >expect && test_cmp expect got &&
	crm-report churn-risk -q --min 0.5 -H >got &&
	awk -F"\t" "NR > 1 && \$3 >= 0.5" list >expect && test_cmp expect got
'

test_expect_success 'ids piped out and back in' '
	crm-report churn-risk -q -f id -H --limit 2 >ids &&
	sed -n 2,3p list | cut -f1 >expect && test_cmp expect ids &&
	crm-contact show - -f email <ids >got &&
	printf "email\np%s@example.org\np%s@example.org\n" $(cat ids) >expect && test_cmp expect got &&
	crm-report churn-risk -q -H - <ids >got && sed -n 2,3p list >expect && test_cmp expect got &&
	# None piped in is no one, not everyone.
	printf "id\n" >none && expect_exit 1 crm-report churn-risk -q -H - <none >got && test ! -s got
'

test_expect_success '--explain: the contributions add up to the log-odds and the printed probability' '
	id=$(sed -n 20p list | cut -f1) && p=$(sed -n 20p list | cut -f3) &&
	crm-report churn-risk -q --explain $id >explain &&
	cut -f1 explain >got &&
	printf "%s\n" feature intercept recency frequency monetary trend open_tickets breached_tickets \
		nps nps_missing consent_withdrawn log_odds probability >expect &&
	test_cmp expect got &&
	awk -F"\t" "NR > 1 && NR < 12 { sum += \$5 } \$1 == \"log_odds\" { l = \$5 }
		\$1 == \"probability\" { q = \$2 }
		NR > 2 && NR < 12 { e = \$5 - \$3 * \$4; if (e > 0.001 || e < -0.001) bad = 1 }
		END { d = sum - l; if (d < 0) d = -d; e = 1 / (1 + exp(-l)) - q; if (e < 0) e = -e;
		      exit bad || d > 0.0006 || e > 0.001 || q != \"$p\" }" explain &&
	recency=$(awk -F"\t" "\$1 == \"recency\" { print \$2 }" explain) &&
	last=$(sqlite3 "$CRM_DB" "select cast(julianday(\"2026-11-23\") - julianday(substr(max(at), 1, 10)) as integer) from purchases where contact_id = $id") &&
	test "$recency" = "$last"
'

test_expect_success 'the same database and --as-of give the same bytes' '
	crm-report churn-risk >again 2>again.err && test_cmp list again && test_cmp list.err again.err &&
	crm-report churn-risk --model >again && test_cmp model again &&
	crm-report churn-risk --format json --limit 2 >j1 && crm-report churn-risk --format json --limit 2 >j2 &&
	test_cmp j1 j2 && grep -q "\"probability\":[01]\.[0-9][0-9][0-9]" j1
'

test_expect_success 'nothing after --as-of counts: later purchases, tickets, answers and consents' '
	crm-report churn-risk --as-of 2026-08-22 --model -q >before &&
	crm-report churn-risk --as-of 2026-08-22 -q >before.list &&
	grep "^snapshot" before | head -2 | cut -f2,3 >got && printf "2026-08-23\tscore\n2026-05-23\tevaluate\n" >expect &&
	test_cmp expect got &&
	sqlite3 "$CRM_DB" "
		INSERT INTO purchases(contact_id, at, total, total_currency, status, created_at, updated_at)
		 SELECT id, \"2026-08-23T00:00:00Z\", 99900, \"EUR\", \"paid\", \"2026-08-23T00:00:00Z\",
		 \"2026-08-23T00:00:00Z\" FROM contacts WHERE id % 4 = 0;
		UPDATE tickets SET status = \"solved\", solved_at = \"2026-09-01T00:00:00Z\" WHERE status = \"new\";
		INSERT INTO ticket_status(ticket_id, status, at) SELECT id, \"solved\", solved_at FROM tickets
		 WHERE solved_at = \"2026-09-01T00:00:00Z\";
		INSERT INTO tickets(subject, requester_id, status, sla_missed, created_at, updated_at)
		 SELECT \"later\", id, \"new\", 1, \"2026-09-02T00:00:00Z\", \"2026-09-02T00:00:00Z\" FROM contacts;
		INSERT INTO responses(contact_id, kind, score, at, created_at, updated_at)
		 SELECT id, \"nps\", 0, \"2026-08-23T00:00:00Z\", \"2026-08-23T00:00:00Z\", \"2026-08-23T00:00:00Z\" FROM contacts;
		INSERT OR IGNORE INTO consents(contact_id, channel, status, at)
		 SELECT id, \"sms\", \"withdrawn\", \"2026-09-01T00:00:00Z\" FROM contacts;" &&
	crm-report churn-risk --as-of 2026-08-22 --model -q >after && test_cmp before after &&
	crm-report churn-risk --as-of 2026-08-22 -q >after.list && test_cmp before.list after.list &&
	crm-report churn-risk --model -q >now && ! cmp -s model now
'

test_expect_success 'history too short: exit 3 saying which snapshot' '
	# --as-of 2024-03-01: evaluated on 2023-12-02, before the first purchase.
	expect_exit 3 crm-report churn-risk --as-of 2024-03-01 2>err &&
	echo "crm-report: history too short: no customers at 2023-12-02 (the snapshot the model is evaluated on)" >expect &&
	test_cmp expect err &&
	# --as-of 2024-06-30: evaluated on 2024-04-01, whose customers cannot
	# have gone a year without buying by 2024-07-01.
	n=$(customers 2024-04-01 | wc -l) && test $n -gt 0 &&
	expect_exit 3 crm-report churn-risk --as-of 2024-06-30 2>err &&
	echo "crm-report: history too short: none of the $n customers at 2024-04-01 (the snapshot the model is evaluated on) churned" >expect &&
	test_cmp expect err &&
	# Periods of a year as of 2025-12-31: evaluated on 2025-01-01, trained
	# on 2024-01-01 (and 2023-01-01), when nobody had bought yet.
	expect_exit 3 crm-report churn-risk --as-of 2025-12-31 --period-months 12 --snapshots 1 2>err &&
	echo "crm-report: history too short: no customers at 2024-01-01 (the training snapshot)" >expect &&
	test_cmp expect err &&
	expect_exit 3 crm-report churn-risk --as-of 2025-12-31 --period-months 12 --snapshots 2 2>err &&
	echo "crm-report: history too short: no customers at the training snapshots 2023-01-01 to 2024-01-01" >expect &&
	test_cmp expect err
'

test_expect_success 'an amount without a rate: exit 3 naming the currency' '
	sqlite3 "$CRM_DB" "INSERT INTO purchases(id, contact_id, at, total, total_currency, status, created_at, updated_at)
		VALUES (999999, 1, \"2026-01-05T10:00:00Z\", 1000, \"GBP\", \"paid\", \"2026-01-05T10:00:00Z\", \"2026-01-05T10:00:00Z\")" &&
	expect_exit 3 crm-report churn-risk 2>err && grep -q "^crm-report: .*GBP" err &&
	sqlite3 "$CRM_DB" "DELETE FROM purchases WHERE id = 999999"
'

test_expect_success 'no such customer, nothing to list, bad options' '
	expect_exit 1 crm-report churn-risk -q --explain 99999 2>err &&
	echo "crm-report: contact 99999 is not a customer at the end of 2026-11-22" >expect && test_cmp expect err &&
	expect_exit 1 crm-report churn-risk -q 99999 >out && test "$(cat out)" = "$(head -1 list)" &&
	expect_exit 2 crm-report churn-risk --period-months 0 2>err && grep -q "period-months" err &&
	expect_exit 2 crm-report churn-risk --period-months 13 2>/dev/null &&
	expect_exit 2 crm-report churn-risk --snapshots 0 2>/dev/null &&
	expect_exit 2 crm-report churn-risk --min 1.5 2>err && grep -q "probability" err &&
	expect_exit 2 crm-report churn-risk --limit 0 2>/dev/null &&
	expect_exit 2 crm-report churn-risk --explain x 2>/dev/null &&
	expect_exit 2 crm-report churn-risk --model --explain 3 2>/dev/null &&
	expect_exit 2 crm-report churn-risk --model --limit 3 2>/dev/null &&
	expect_exit 2 crm-report churn-risk --as-of nonsense 2>/dev/null
'

test_done
