#!/bin/bash
# crm-db rates: importing the European Central Bank's reference rates (the
# history and the day's file), setting and listing rates, refusing a bad
# file whole, crossing the rates when the base currency is not the euro,
# and the rates conversions then use.
. "$(dirname "$0")/lib.sh"

rates() {
	sqlite3 "$CRM_DB" "SELECT date, currency, rate FROM rates ORDER BY 1, 2" >"$1"
}

# The layout of eurofxref-hist.csv: newest day first, a trailing comma,
# N/A where there was no fixing, CYP (withdrawn) still a column.
cat >hist.csv <<\EOF
Date,USD,JPY,BGN,CYP,
2026-12-02,1.0512,162.31,1.9558,N/A,
2026-12-01,1.0498,N/A,1.9558,N/A,
2026-11-30,1.0487,161.85,1.9558,N/A,
EOF

test_expect_success 'import the history: N/A cells and withdrawn currencies skipped, counted' '
	crm-db rates import -n hist.csv 2>err &&
	echo "crm-db: 3 days read, 8 rates would be stored, 4 cells without a rate" >expect &&
	test_cmp expect err && expect_exit 1 crm-db rates list >/dev/null &&
	crm-db rates import hist.csv 2>err &&
	echo "crm-db: 3 days read, 8 rates stored, 4 cells without a rate" >expect && test_cmp expect err &&
	crm-db rates list >out &&
	cat >expect <<-\EOF &&
	date	currency	rate
	2026-11-30	BGN	1.9558
	2026-11-30	JPY	161.85
	2026-11-30	USD	1.0487
	2026-12-01	BGN	1.9558
	2026-12-01	USD	1.0498
	2026-12-02	BGN	1.9558
	2026-12-02	JPY	162.31
	2026-12-02	USD	1.0512
	EOF
	test_cmp expect out
'
test_expect_success 'list --currency (any case) and -c; an unknown currency is a usage error' '
	crm-db rates list --currency jpy -H >out &&
	printf "2026-11-30\tJPY\t161.85\n2026-12-02\tJPY\t162.31\n" >expect && test_cmp expect out &&
	crm-db rates list -c USD --format jsonl -f date,rate >out &&
	printf "{\"date\":\"2026-11-30\",\"rate\":\"1.0487\"}\n{\"date\":\"2026-12-01\",\"rate\":\"1.0498\"}\n{\"date\":\"2026-12-02\",\"rate\":\"1.0512\"}\n" >expect &&
	test_cmp expect out &&
	expect_exit 2 crm-db rates list -c XYZ 2>err && grep -q "unknown currency .XYZ." err
'
test_expect_success 'the day'"'"'s file: "02 December 2026", a blank after each comma; a day imported again is replaced' '
	printf "Date, USD, JPY, \n02 December 2026, 1.0520, 162.31, \n" >daily.csv &&
	crm-db rates import daily.csv 2>err &&
	echo "crm-db: 1 day read, 2 rates stored, 0 cells without a rate" >expect && test_cmp expect err &&
	crm-db rates list -c USD -H >out &&
	printf "2026-11-30\tUSD\t1.0487\n2026-12-01\tUSD\t1.0498\n2026-12-02\tUSD\t1.052\n" >expect && test_cmp expect out
'
test_expect_success 'CR LF line ends are read as well' '
	printf "Date,USD,\r\n2026-11-27,1.0444,\r\n" >crlf.csv &&
	crm-db rates import -q crlf.csv &&
	crm-db rates list -c USD -H | head -1 >out && printf "2026-11-27\tUSD\t1.0444\n" >expect && test_cmp expect out
'
test_expect_success 'import from standard input with -' '
	crm-db rates import --db stdin.db - <hist.csv 2>err &&
	grep -q "3 days read, 8 rates stored" err &&
	crm-db rates list --db stdin.db -H | wc -l >out && echo 8 >expect && test_cmp expect out
'
test_expect_success 'set: units per one euro on a day, any case, read as any date; set again replaces' '
	crm-db rates set 2026-11-20 usd 1.05 &&
	crm-db rates set 2026-11-20 USD 1.0500 &&
	crm-db rates set yesterday GBP 0.8312 &&
	crm-db rates list -c USD -H | head -1 >out && printf "2026-11-20\tUSD\t1.05\n" >expect && test_cmp expect out &&
	crm-db rates list -c GBP -H >out && printf "2026-11-21\tGBP\t0.8312\n" >expect && test_cmp expect out
'
test_expect_success 'set: the base currency, an unknown one, a bad rate or date are refused (exit 3)' '
	rates before &&
	expect_exit 3 crm-db rates set 2026-11-20 EUR 1 2>err && grep -q "EUR is the base currency" err &&
	expect_exit 3 crm-db rates set 2026-11-20 XYZ 1.1 2>err && grep -q "unknown currency .XYZ." err &&
	expect_exit 3 crm-db rates set 2026-11-20 USD abc 2>err && grep -q "invalid rate .abc." err &&
	expect_exit 3 crm-db rates set 2026-11-20 USD 0 2>err && grep -q "rate not positive .0." err &&
	expect_exit 3 crm-db rates set 2026-02-30 USD 1.1 2>err && grep -q "invalid date .2026-02-30." err &&
	expect_exit 2 crm-db rates set 2026-11-20 USD 2>err && grep -q "expected set DATE CURRENCY RATE" err &&
	expect_exit 2 crm-db rates set --read-only 2026-11-20 USD 1.1 2>err && grep -q "read-only" err &&
	rates after && test_cmp before after
'

# A bad row stops the import: file and line and the currency in the
# message, nothing stored.
bad_import() {
	title=$1 file=$2 pattern=$3
	test_expect_success "$title" "
		rates before &&
		expect_exit 3 crm-db rates import $file 2>err && grep -q -- \"$pattern\" err &&
		rates after && test_cmp before after
	"
}
printf 'Date,USD,JPY,\n2026-10-02,1.0512,162.31,\n2026-10-01,1.0498,abc,\n' >bad-rate.csv
bad_import 'a rate that is not a number' bad-rate.csv "bad-rate.csv:3: JPY: invalid rate 'abc'"
printf 'Date,USD,JPY,\n2026-10-02,1.0512,162.31,\n2026-10-01,-1.0498,160,\n' >neg.csv
bad_import 'a negative rate' neg.csv "neg.csv:3: USD: rate not positive '-1.0498'"
printf 'Date,USD\n2026-10-03,1.1234567890123456789\n' >digits.csv
bad_import 'a rate of too many digits' digits.csv "digits.csv:2: USD: more than 18 significant digits"
printf 'Date,USD,JPY,\n2026-10-02,1.0512,162.31,\n2026-13-01,1.0498,160,\n' >bad-date.csv
bad_import 'a date that cannot be read' bad-date.csv "bad-date.csv:3: invalid date '2026-13-01'"
printf 'Date,USD,JPY,\n2026-10-02,1.0512,162.31,\n2026-10-01,1.0498\n' >short.csv
bad_import 'a row of too few fields' short.csv "short.csv:3: "
test_expect_success 'a missing file is a usage error; so is no file' '
	expect_exit 2 crm-db rates import missing.csv 2>err && grep -q "cannot open .missing.csv." err &&
	expect_exit 2 crm-db rates import 2>err && grep -q "expected one file" err &&
	expect_exit 2 crm-db rates frobnicate 2>err && grep -q "expected import, set or list" err
'

# With the dollar as base, each rate is crossed through the dollar's own
# rate of the day, to 12 significant digits: EUR 1/1.0512, JPY
# 162.31/1.0512, BGN 1.9558/1.0512 ...
printf 'base_currency: USD\n' >usd.yaml
test_expect_success 'base_currency USD: rates per dollar, the euro included, crossed to 12 digits' '
	CRM_CONFIG=usd.yaml crm-db rates import --db usd.db hist.csv 2>err &&
	echo "crm-db: 3 days read, 8 rates stored, 4 cells without a rate" >expect && test_cmp expect err &&
	CRM_CONFIG=usd.yaml crm-db rates list --db usd.db -H >out &&
	cat >expect <<-\EOF &&
	2026-11-30	BGN	1.86497568418
	2026-11-30	EUR	0.953561552398
	2026-11-30	JPY	154.333937256
	2026-12-01	BGN	1.86302152791
	2026-12-01	EUR	0.952562392837
	2026-12-02	BGN	1.86054033486
	2026-12-02	EUR	0.951293759513
	2026-12-02	JPY	154.404490107
	EOF
	test_cmp expect out
'
test_expect_success 'base_currency USD: a day without a dollar rate gives no rates' '
	printf "Date,USD,JPY,\n2026-11-27,N/A,160.00,\n" >nousd.csv &&
	CRM_CONFIG=usd.yaml crm-db rates import --db usd.db nousd.csv 2>err &&
	echo "crm-db: 1 day read, 0 rates stored, 2 cells without a rate" >expect && test_cmp expect err &&
	CRM_CONFIG=usd.yaml crm-db rates list --db usd.db -H >out && ! grep -q 2026-11-27 out
'
test_expect_success 'base_currency USD: a euro deal is converted through the crossed rate' '
	CRM_CONFIG=usd.yaml crm-deal add --db usd.db --title E --amount "1000 EUR" >/dev/null &&
	CRM_CONFIG=usd.yaml CRM_NOW=2026-12-02T12:00:00Z crm-deal board --db usd.db -H >out &&
	printf "lead\t1\t1051.20\t105.12\n" >expect && head -1 out | test_cmp expect -
'

# Conversions use the latest rate on or before their day.
test_expect_success 'conversion: the rate on or before the day, an error before the first' '
	crm-db rates set --db conv.db 2026-11-01 USD 1.25 &&
	crm-db rates set --db conv.db 2026-11-20 USD 1.6 &&
	crm-deal add --db conv.db --title U --amount "1000 USD" >/dev/null &&
	CRM_NOW=2026-11-19T23:59:59Z crm-deal board --db conv.db -H -f count,amount | head -1 >out &&
	printf "1\t800.00\n" >expect && test_cmp expect out &&
	CRM_NOW=2026-11-20T00:00:00Z crm-deal board --db conv.db -H -f count,amount | head -1 >out &&
	printf "1\t625.00\n" >expect && test_cmp expect out &&
	CRM_NOW=2026-10-31T12:00:00Z expect_exit 3 crm-deal board --db conv.db 2>err &&
	grep -q "no rate for USD on or before 2026-10-31" err
'
test_done
