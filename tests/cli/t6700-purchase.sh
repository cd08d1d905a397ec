#!/bin/bash
# crm-purchase: purchases with lines, their totals, refunds whole and in
# part, the list filters, the summary (worked by hand below), import of
# Shopify and WooCommerce order exports, and what people show, merge and
# erasure do to purchases.
. "$(dirname "$0")/lib.sh"

snapshot() {
	sqlite3 "$CRM_DB" "select * from purchases; select * from purchase_lines; select count(*) from contacts; select count(*) from audit" >"$1"
}

test_expect_success 'people, and a rate for dollars' '
	crm-contact add -q --email ann@example.org --first-name Ann >/dev/null &&
	crm-contact add -q --email bo@example.org >/dev/null &&
	crm-contact add -q --email cy@example.org >/dev/null &&
	crm-db rates set 2026-10-01 USD 1.25 2>/dev/null
'
test_expect_success 'add with --line: the total is the sum of the lines' '
	crm-purchase add --person ann@example.org --line "MUG 2 9.95 Blue mug" --line "POS 1 24.90 Poster" \
		--at 2026-10-05 --order-ref 1001 --source web >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-purchase show 1 -f person,at,order_ref,source,total,status -H >out &&
	printf "ann@example.org\t2026-10-05T00:00:00Z\t1001\tweb\t44.80 EUR\tpaid\n" >expect &&
	test_cmp expect out &&
	crm-purchase lines 1 >out &&
	printf "line\tsku\tname\tcategory\tquantity\tunit_price\tamount\n1\tMUG\tBlue mug\t\t2\t9.95 EUR\t19.90 EUR\n2\tPOS\tPoster\t\t1\t24.90 EUR\t24.90 EUR\n" >expect &&
	test_cmp expect out
'
test_expect_success 'a total in another currency that agrees with the lines' '
	crm-purchase add --person 2 --total "30.00 USD" --line "STK 3 10 Stickers" --at 2026-11-02 --source shop >out &&
	echo 2 >expect && test_cmp expect out &&
	crm-purchase lines 2 -f unit_price,amount -H >out && printf "10.00 USD\t30.00 USD\n" >expect && test_cmp expect out
'
test_expect_success 'lines as JSON on stdin, with categories; numbers and strings as prices' '
	echo "[{\"sku\":\"TEA\",\"quantity\":3,\"price\":\"12.00\",\"category\":\"tea\"},{\"sku\":\"POT\",\"name\":\"Teapot\",\"quantity\":1,\"unit_price\":21,\"category\":\"ware\"}]" |
		crm-purchase add --person ann@example.org --lines-json - --at 2026-11-10 --order-ref 501 --source web >out &&
	echo 3 >expect && test_cmp expect out &&
	crm-purchase show 3 -f total,lines -H >out && printf "57.00 EUR\t2\n" >expect && test_cmp expect out &&
	echo "[{\"sku\":\"X\",\"quantity\":2,\"price\":1.5}]" | crm-purchase add --lines-json - --currency usd >out &&
	crm-purchase show 4 -f total -H >out && echo "3.00 USD" >expect && test_cmp expect out &&
	crm-purchase rm -q 4
'
test_expect_success 'bad input is refused with exit 3 naming what is wrong, nothing written' '
	snapshot before &&
	expect_exit 3 crm-purchase add --person 99 --total 5 2>err && grep -q "person: no contact 99" err &&
	expect_exit 3 crm-purchase add --total "30.00 EUR" --line "A 2 9.95" 2>err &&
	grep -q "total: 30.00 EUR is not the sum of the lines, 19.90 EUR" err &&
	expect_exit 3 crm-purchase add --total "19.90 USD" --currency EUR --line "A 2 9.95" 2>err && grep -q "total" err &&
	expect_exit 3 crm-purchase add --line "A -1 2" 2>err && grep -q "quantity: invalid quantity .-1." err &&
	expect_exit 3 crm-purchase add --line "A 0 2" 2>err && grep -q "quantity" err &&
	expect_exit 3 crm-purchase add --line "A 1.5 2" 2>err && grep -q "quantity" err &&
	expect_exit 3 crm-purchase add --line "A x 2" 2>err && grep -q "quantity" err &&
	expect_exit 3 crm-purchase add --line "A 99999999999 2" 2>err && grep -q "quantity" err &&
	expect_exit 3 crm-purchase add --line "A 1 -2" 2>err && grep -q "price: .-2. is negative" err &&
	expect_exit 3 crm-purchase add --line "A 1 9,99" 2>err && grep -q "price: invalid price" err &&
	expect_exit 3 crm-purchase add --line "A 1 9.999" 2>err && grep -q "price" err &&
	expect_exit 3 crm-purchase add --line "A 1 1e3" 2>err && grep -q "price" err &&
	expect_exit 3 crm-purchase add --line "A 1" 2>err && grep -q "line: .A 1. is not .SKU QTY PRICE \[NAME\]." err &&
	expect_exit 3 crm-purchase add --line "A 1 99999999999999999999" 2>err && grep -q "price" err &&
	expect_exit 3 crm-purchase add --line "A 1000000000 9000000000" 2>err && grep -q "out of range" err &&
	echo "{}" | expect_exit 3 crm-purchase add --lines-json - 2>err && grep -q "JSON array" err &&
	echo "[{\"sku\":\"A\",\"price\":1}]" | expect_exit 3 crm-purchase add --lines-json - 2>err &&
	grep -q "line 1: quantity: missing" err &&
	echo "[{\"sku\":\"A\",\"quantity\":1,\"price\":1},{\"quantity\":1,\"price\":9.999}]" |
		expect_exit 3 crm-purchase add --lines-json - 2>err && grep -q "line 2: price" err &&
	echo "[{\"quantity\":-2,\"price\":1}]" | expect_exit 3 crm-purchase add --lines-json - 2>err && grep -q "quantity" err &&
	echo "[{\"quantity\":1,\"price\":-1}]" | expect_exit 3 crm-purchase add --lines-json - 2>err && grep -q "price" err &&
	echo "[oops" | expect_exit 3 crm-purchase add --lines-json - 2>err && grep -q "invalid JSON" err &&
	expect_exit 3 crm-purchase add --total "-5 EUR" 2>err && grep -q "not negative" err &&
	expect_exit 3 crm-purchase add --total "5 XYZ" 2>err && grep -q "total" err &&
	expect_exit 3 crm-purchase add --person 1 2>err && grep -q "total: a purchase needs a total or lines" err &&
	expect_exit 3 crm-purchase add --total 5 --order-ref 1001 --source web 2>err &&
	grep -q "order_ref: another purchase (1) has this order number from this source" err &&
	expect_exit 3 crm-purchase add --total 5 --status gone 2>err && grep -q "status" err &&
	expect_exit 3 crm-purchase add --total 5 --at yesteryear 2>err && grep -q "at" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'the same order number from another store is another purchase' '
	crm-purchase add -q --total 5 --order-ref 1001 --source shop >out && echo 5 >expect && test_cmp expect out &&
	crm-purchase rm -q --purge 5
'
test_expect_success 'list filters: person, since/until on the time bought, sku, category, min/max in the base currency' '
	crm-purchase list --person ann@example.org -f id -H >out && printf "1\n3\n" >expect && test_cmp expect out &&
	crm-purchase list --since 2026-11-01 --until 2026-11-05 -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-purchase list --sku TEA -f id -H >out && echo 3 >expect && test_cmp expect out &&
	crm-purchase list --category ware -f id -H >out && echo 3 >expect && test_cmp expect out &&
	crm-purchase list --min 44.80 -f id -H >out && printf "1\n3\n" >expect && test_cmp expect out &&
	crm-purchase list --max 24 -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-purchase list --min "30 USD" --max 44.79 -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-purchase list --search mug -f id -H >out && echo 1 >expect && test_cmp expect out &&
	expect_exit 1 crm-purchase list --sku NOPE &&
	expect_exit 2 crm-purchase list --min lots
'
test_expect_success 'a partial refund: a linked negative purchase; the original stays paid' '
	crm-purchase refund 3 --line TEA --qty 1 >out && echo 6 >expect && test_cmp expect out &&
	crm-purchase show 6 -f person,total,refund_of,source,status -H >out &&
	printf "ann@example.org\t-12.00 EUR\t3\tweb\tpaid\n" >expect && test_cmp expect out &&
	crm-purchase lines 6 -f sku,quantity,amount -H >out && printf "TEA\t-1\t-12.00 EUR\n" >expect && test_cmp expect out &&
	crm-purchase show 3 -f status -H >out && echo paid >expect && test_cmp expect out
'
test_expect_success 'never more than was bought, per line or in total; nothing written' '
	snapshot before &&
	expect_exit 3 crm-purchase refund 3 --line TEA --qty 3 2>err &&
	grep -q "qty: 3 is more than the 2 left to refund of 3 bought" err &&
	expect_exit 3 crm-purchase refund 3 --line NOPE 2>err && grep -q "no line of sku .NOPE." err &&
	expect_exit 3 crm-purchase refund 3 --line TEA --qty 0 2>err && grep -q "qty" err &&
	expect_exit 3 crm-purchase refund 3 --line TEA --qty -1 2>err && grep -q "qty" err &&
	expect_exit 3 crm-purchase refund 6 2>err && grep -q "purchase 6 is a refund" err &&
	expect_exit 3 crm-purchase add --refund-of 3 --total "-45.01 EUR" 2>err &&
	grep -q "refund: more than was bought: 45.00 EUR remains of purchase 3" err &&
	expect_exit 3 crm-purchase add --refund-of 3 --total "-1.00 USD" 2>err && grep -q "in EUR, not USD" err &&
	expect_exit 2 crm-purchase refund 3 --qty 1 &&
	expect_exit 1 crm-purchase refund 99 &&
	snapshot after && test_cmp before after
'
test_expect_success 'summary: count, revenue net of refunds in the base currency, average, first and last' '
	# 44.80 + 30.00 USD / 1.25 (24.00) + 57.00 - 12.00 = 113.80 EUR over 3 purchases: 37.9333 -> 37.93
	crm-purchase summary >out &&
	printf "group\tpurchases\trevenue\taverage\tfirst\tlast\ntotal\t3\t113.80\t37.93\t2026-10-05T00:00:00Z\t2026-11-10T00:00:00Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'summary by person, month, category and store' '
	crm-purchase summary --by person -f group,purchases,revenue,average -H >out &&
	printf "ann@example.org\t2\t89.80\t44.90\nbo@example.org\t1\t24.00\t24.00\ntotal\t3\t113.80\t37.93\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary --by month -f group,purchases,revenue,average -H >out &&
	printf "2026-10\t1\t44.80\t44.80\n2026-11\t2\t69.00\t34.50\ntotal\t3\t113.80\t37.93\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary --by category -f group,purchases,revenue -H >out &&
	printf "tea\t1\t24.00\nware\t1\t21.00\n\t2\t68.80\ntotal\t3\t113.80\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary --by store -f group,purchases,revenue -H >out &&
	printf "shop\t1\t24.00\nweb\t2\t89.80\ntotal\t3\t113.80\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary --period 2026-10 -f purchases,revenue -H >out && printf "1\t44.80\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-purchase summary --period 2026-12 2>err && grep -q "no purchases in 2026-12" err &&
	expect_exit 2 crm-purchase summary --by colour
'
test_expect_success 'summary: a period of refunds alone is a row of negative revenue, not nothing' '
	db=refunds.db && crm-db init --db $db >/dev/null &&
	crm-contact add --db $db -q --email ann@example.org &&
	crm-purchase add --db $db -q --person 1 --total "40 EUR" --at 2026-10-05 &&
	CRM_NOW=2026-11-02T10:00:00Z crm-purchase refund --db $db 1 >/dev/null &&
	crm-purchase summary --db $db --period 2026-11 -H >out &&
	printf "total\t0\t-40.00\t\t\t\n" >expect && test_cmp expect out &&
	crm-purchase summary --db $db --period 2026-11 --by month -f group,purchases,revenue -H >out &&
	printf "2026-11\t0\t-40.00\ntotal\t0\t-40.00\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-purchase summary --db $db --period 2026-12
'
# A listing that fails prints no record: a pipeline would act on part of it.
test_expect_success 'a currency without a rate for its date is an error naming it' '
	crm-purchase add -q --total "10 GBP" --at 2026-11-01 >/dev/null &&
	expect_exit 3 crm-purchase summary 2>err && grep -q "no rate for GBP on or before 2026-11-01" err &&
	expect_exit 3 crm-purchase list --min 10 >out 2>err && grep -q "no rate for GBP" err &&
	test ! -s out &&
	crm-purchase rm -q 7 && crm-purchase summary >/dev/null
'
test_expect_success 'people show their purchases, revenue and last purchase' '
	crm-contact show 1 -f purchases,revenue,last_purchase -H >out &&
	printf "2\t89.80 EUR\t2026-11-10T00:00:00Z\n" >expect && test_cmp expect out &&
	crm-contact timeline 1 | grep -q "purchase 3: created"
'
test_expect_success 'a whole refund gives back what remains; the purchase is refunded' '
	crm-purchase refund 3 >out && echo 8 >expect && test_cmp expect out &&
	crm-purchase show 8 -f total -H >out && echo "-45.00 EUR" >expect && test_cmp expect out &&
	crm-purchase lines 8 -f sku,quantity -H >out && printf "TEA\t-2\nPOT\t-1\n" >expect && test_cmp expect out &&
	crm-purchase show 3 -f status -H >out && echo refunded >expect && test_cmp expect out &&
	expect_exit 3 crm-purchase refund 3 2>err && grep -q "refunded wholly already" err &&
	crm-purchase summary -f revenue -H >out && echo 68.80 >expect && test_cmp expect out
'
test_expect_success 'a purchase of 0.00 has nothing to refund, and says so' '
	crm-purchase add -q --db zero.db --total "0.00 EUR" >/dev/null &&
	expect_exit 3 crm-purchase refund --db zero.db 1 2>err &&
	grep -q "purchase 1 has nothing to refund (its total is 0)" err &&
	crm-purchase show --db zero.db 1 -f status -H >out && echo paid >expect && test_cmp expect out
'
test_expect_success 'lines printed with their currency go back in as that currency, never as another' '
	crm-db rates set --db yen.db 2026-11-01 JPY 160 2>/dev/null &&
	crm-contact add -q --db yen.db --email jp@example.org >/dev/null &&
	crm-purchase add -q --db yen.db --person 1 --at 2026-11-05 --currency JPY --line "TEA 3 500 Green tea" >/dev/null &&
	crm-purchase lines --db yen.db 1 -f unit_price,amount -H >out && printf "500 JPY\t1500 JPY\n" >expect &&
	test_cmp expect out &&
	crm-purchase lines --db yen.db 1 --format json >l.json &&
	expect_exit 3 crm-purchase add --db yen.db --person 1 --lines-json l.json 2>err &&
	grep -q "price: .500 JPY. is in JPY, not EUR (give --currency JPY)" err &&
	crm-purchase add -q --db yen.db --person 1 --currency JPY --lines-json l.json >/dev/null &&
	crm-purchase show --db yen.db 2 -f total -H >out && echo "1500 JPY" >expect && test_cmp expect out
'
test_expect_success 'a cancelled purchase is left out and cannot be refunded' '
	crm-purchase set -q 2 --status cancelled &&
	expect_exit 3 crm-purchase refund 2 2>err && grep -q "cancelled" err &&
	crm-purchase summary -f purchases,revenue -H >out && printf "2\t44.80\n" >expect && test_cmp expect out &&
	crm-purchase set -q 2 --status paid
'
test_expect_success 'tag, note, timeline' '
	crm-purchase tag -q add gift 1 && crm-purchase note -q 1 "wrapped" >/dev/null &&
	crm-purchase list --tag gift -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-purchase timeline 1 -H | grep -q wrapped
'
test_expect_success 'merging people moves their purchases' '
	crm-purchase add -q --person cy@example.org --total 10 --at 2026-11-15 >out && echo 9 >expect && test_cmp expect out &&
	crm-contact merge 2 3 >/dev/null &&
	crm-purchase show 9 -f contact_id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-contact show 2 -f purchases -H >out && echo 2 >expect && test_cmp expect out
'
test_expect_success 'erasing a person keeps amounts, dates and lines, not who bought' '
	crm-purchase summary -f revenue -H >before &&
	crm-contact erase 2 2>/dev/null &&
	crm-purchase show 2 -f person,total,at -H >out && printf "\t30.00 USD\t2026-11-02T00:00:00Z\n" >expect && test_cmp expect out &&
	crm-purchase lines 2 -f sku -H >out && echo STK >expect && test_cmp expect out &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from purchases where contact_id = 2")" = 0 &&
	crm-purchase summary -f revenue -H >after && test_cmp before after &&
	! crm-purchase list --search cy -f id -H | grep -q . &&
	! sqlite3 "$CRM_DB" "select changes from audit where entity = '\''purchase'\''" | grep -q "bo@example.org\|cy@example.org"
'
test_expect_success 'import: a Shopify export, one row per line item, grouped by order; buyers created' '
	crm-import purchases "$TOP/tests/cli/data/shopify-orders.csv" 2>err &&
	grep -q "read 3, created 2, updated 1, unchanged 0, skipped 0, rejected 0; 1 new person" err &&
	crm-purchase list --order-ref "#1001" -f id,person,at,total,lines -H >out &&
	printf "10\tann@example.org\t2026-10-05T12:02:11Z\t44.80 EUR\t2\n" >expect && test_cmp expect out &&
	crm-purchase list --order-ref "#1002" -f person,total,lines -H >out &&
	printf "new@example.org\t30.00 USD\t1\n" >expect && test_cmp expect out &&
	# The order'"'"'s second row adds its line: search finds the order by it.
	crm-purchase list --search poster --order-ref "#1001" -f id -H >out &&
	echo 10 >expect && test_cmp expect out
'
# Shopify's whole export: 79 columns, most of them of no field here; the
# buyers the import creates are named by Billing Name; #3002's Refunded
# Amount is a refund of it.  Each was placed when Created at says, not
# when Paid at (written first) says it was paid, which is kept beside.
test_expect_success 'import: Shopify'"'"'s whole export, buyers named by Billing Name' '
	full=$TOP/tests/cli/data/shopify-orders-full.csv &&
	expect_exit 3 env CRM_DB=full.db crm-import purchases "$full" 2>err &&
	grep -q "unknown columns .Fulfillment Status., .Fulfilled at." err &&
	CRM_DB=full.db crm-import purchases --ignore-unknown "$full" 2>err &&
	grep -q "read 3, created 2, updated 1, unchanged 0, skipped 0, rejected 0; 2 new people; 1 refund" err &&
	CRM_DB=full.db crm-contact list -f first_name,last_name,email -H >out &&
	printf "Jana\tNováková\tjana.novakova@example.cz\nOisín\tÓ Briain\toisin@example.ie\n" >expect &&
	test_cmp expect out &&
	CRM_DB=full.db crm-purchase list -f order_ref,person,at,total,status,lines -H >out &&
	printf "#3001\tjana.novakova@example.cz\t2026-10-05T12:02:11Z\t49.70 EUR\tpaid\t2\n" >expect &&
	printf "#3002\toisin@example.ie\t2026-10-07T08:14:58Z\t30.00 EUR\tpaid\t1\n" >>expect &&
	printf "\toisin@example.ie\t2026-10-07T08:14:58Z\t-10.00 EUR\tpaid\t0\n" >>expect &&
	test_cmp expect out &&
	CRM_DB=full.db crm-purchase list --no-refunds -f order_ref,custom.paid_at -H >out &&
	printf "#3001\t2026-10-05 14:02:15 +0200\n#3002\t2026-10-07 09:15:00 +0100\n" >expect &&
	test_cmp expect out
'
# Stripe's payments export: a purchase each, its amount the total, its
# description a note, its id (no id of this toolkit's) kept as
# custom.source_id, which purchases match on by default; a failed payment
# is no revenue.
test_expect_success 'import: Stripe'"'"'s payments, matched again on their ids' '
	printf "%s\n" "id,Description,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email,Card ID" >stripe.csv &&
	printf "%s\n" "ch_3MxA,Order 1001,2026-11-03 10:15,49.90,0.00,eur,Paid,cus_Q1,jenny@example.com,card_1" >>stripe.csv &&
	printf "%s\n" "ch_3MxB,,2026-11-05 12:00,\"1,200.00\",0.00,usd,Paid,cus_Q2,bo@example.org,card_2" >>stripe.csv &&
	printf "%s\n" "ch_3MxC,,2026-11-06 08:00,10.00,0.00,eur,Failed,,cy@example.org,card_3" >>stripe.csv &&
	crm-import purchases --db stripe.db --ignore-unknown stripe.csv 2>err &&
	grep -q "read 3, created 3, updated 0, unchanged 0, skipped 0, rejected 0; 3 new people" err &&
	crm-purchase list --db stripe.db -f at,person,total,status,custom.source_id -H >out &&
	printf "2026-11-03T10:15:00Z\tjenny@example.com\t49.90 EUR\tpaid\tch_3MxA\n" >expect &&
	printf "2026-11-05T12:00:00Z\tbo@example.org\t1200.00 USD\tpaid\tch_3MxB\n" >>expect &&
	printf "2026-11-06T08:00:00Z\tcy@example.org\t10.00 EUR\tcancelled\tch_3MxC\n" >>expect &&
	test_cmp expect out &&
	sqlite3 stripe.db "SELECT purchase_id, body FROM purchase_notes" >out &&
	echo "1|Order 1001" >expect && test_cmp expect out &&
	crm-import purchases --db stripe.db --ignore-unknown stripe.csv 2>err &&
	grep -q "read 3, created 0, updated 0, unchanged 0, skipped 3, rejected 0; nothing changed" err &&
	printf "id,Created (UTC),Amount,Currency,Status,Customer Email\n" >stripe-st.csv &&
	printf "ch_4,2026-11-07 09:00,5.00,eur,Disputed,jenny@example.com\n" >>stripe-st.csv &&
	printf "ch_5,2026-11-07 09:00,6.00,eur,Uncaptured,jenny@example.com\n" >>stripe-st.csv &&
	printf "ch_6,2026-11-07 10:00,7.00,eur,Refunded,jenny@example.com\n" >>stripe-st.csv &&
	expect_exit 3 crm-import purchases --db stripe.db stripe-st.csv 2>err &&
	grep -q "stripe-st.csv:3: status: order status .Uncaptured. is not paid yet: an order comes in once it is paid, refunded or cancelled$" err &&
	grep -q "created 2, .*rejected 1; 1 refund; batch 2" err &&
	crm-purchase list --db stripe.db --where custom.source_id=ch_4 -f total,status -H >out &&
	printf "5.00 EUR\tpaid\n" >expect && test_cmp expect out &&
	crm-purchase list --db stripe.db --since 2026-11-07T10:00 -f total,status,at -H >out &&
	printf "7.00 EUR\trefunded\t2026-11-07T10:00:00Z\n" >expect &&
	printf -- "-7.00 EUR\tpaid\t2026-11-07T10:00:00Z\n" >>expect && test_cmp expect out
'
# Stripe's payments export says what was given back of each payment, in
# all and without a date: a refund of it, dated as the payment.  By hand:
# 49.90 less 10.00, 20.00 less 20.00, 30.00: 69.90.
test_expect_success 'import: Stripe'"'"'s Amount Refunded is a refund of its payment' '
	export CRM_DB="$PWD/stripe-refunded.db" &&
	printf "%s\n" "id,Description,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer Email" >sr.csv &&
	printf "%s\n" "ch_1,Order 1,2026-11-03 10:15,49.90,10.00,eur,Paid,jenny@example.com" >>sr.csv &&
	printf "%s\n" "ch_2,,2026-11-05 12:00,20.00,20.00,eur,Refunded,bo@example.org" >>sr.csv &&
	printf "%s\n" "ch_3,,2026-11-06 12:00,30.00,0.00,eur,Paid,bo@example.org" >>sr.csv &&
	crm-import purchases sr.csv 2>err &&
	grep -q "read 3, created 3, .*; 2 new people; 2 refunds; batch 1" err &&
	crm-purchase list -f total,status,refund_of,at -H >out &&
	cat >expect <<-\EOF &&
	49.90 EUR	paid		2026-11-03T10:15:00Z
	-10.00 EUR	paid	1	2026-11-03T10:15:00Z
	20.00 EUR	refunded		2026-11-05T12:00:00Z
	-20.00 EUR	paid	3	2026-11-05T12:00:00Z
	30.00 EUR	paid		2026-11-06T12:00:00Z
	EOF
	test_cmp expect out &&
	crm-purchase summary -f revenue -H >out && echo 69.90 >expect && test_cmp expect out &&
	crm-import purchases sr.csv 2>err && grep -q "nothing changed" err
'
# Stripe's API as JSON: charges and payment intents, their members nested
# (billing_details.email), amounts in the currency's smallest unit by
# Stripe's own count (usd cents; jpy none; kwd three decimals; isk two,
# though ISO 4217 has none), created in seconds since 1970.  The first
# was refunded (amount_refunded): its refund object, imported next, makes
# the refund, so the charge makes none.
test_expect_success 'import: Stripe'"'"'s API objects, amounts in minor units' '
	crm-import purchases --db stripe-api.db --ignore-unknown "$TOP/tests/cli/data/stripe-charges.jsonl" 2>err &&
	grep -q "read 4, created 4, updated 0, unchanged 0, skipped 0, rejected 0; 4 new people; batch" err &&
	crm-purchase list --db stripe-api.db -f at,person,total,status,custom.source_id -H >out &&
	printf "2025-12-01T09:06:40Z\tjenny.rosen@example.com\t10.99 USD\tpaid\tch_3QaB1cLkdIwHu7ix0snN0B15\n" >expect &&
	printf "2025-12-01T10:06:40Z\tken.sato@example.jp\t5000 JPY\tpaid\tpi_3QaC2dLkdIwHu7ix1aZ9kT3m\n" >>expect &&
	printf "2025-12-01T11:06:40Z\tali@example.com\t12.340 KWD\tcancelled\tch_3QaD3eLkdIwHu7ix2Pq8rS7t\n" >>expect &&
	printf "2025-12-01T12:06:40Z\tsigga@example.is\t1500 ISK\tpaid\tch_3QaE4fLkdIwHu7ix3Lm7nO6p\n" >>expect &&
	test_cmp expect out &&
	crm-contact list --db stripe-api.db -f first_name,last_name,email -H >out &&
	printf "Jenny\tRosen\tjenny.rosen@example.com\n\t\tken.sato@example.jp\nعلي\tالصباح\tali@example.com\n\t\tsigga@example.is\n" >expect &&
	test_cmp expect out &&
	sqlite3 stripe-api.db "SELECT body FROM purchase_notes ORDER BY purchase_id" >out &&
	printf "Order 1001\nGjafabréf\n" >expect && test_cmp expect out &&
	crm-import purchases --db stripe-api.db --ignore-unknown "$TOP/tests/cli/data/stripe-charges.jsonl" 2>err &&
	grep -q "read 4, created 0, updated 0, unchanged 0, skipped 4, rejected 0; nothing changed" err
'
# Its refunds, after the payments: each the refund of the purchase whose
# source_id is its charge, or else its payment intent (the second's charge
# was never imported); one of no purchase here, one that failed and one
# of more than is left are refused.
test_expect_success 'import: Stripe'"'"'s refunds are refunds of the payments they name' '
	expect_exit 3 crm-import purchases --db stripe-api.db --ignore-unknown "$TOP/tests/cli/data/stripe-refunds.jsonl" 2>err &&
	grep -q "read 5, created 2, updated 0, unchanged 0, skipped 0, rejected 3" err &&
	grep -q "stripe-refunds.jsonl:3: charge: .ch_nothere. is the payment of no purchase here (import the payments before their refunds)$" err &&
	grep -q "stripe-refunds.jsonl:4: status: a refund that failed or was canceled gives nothing back$" err &&
	grep -q "stripe-refunds.jsonl:5: refund: more than was bought: 3000 JPY remains of purchase 2$" err &&
	crm-purchase list --db stripe-api.db --refunds -f at,person,total,custom.source_id -H >out &&
	printf "2025-12-02T10:00:00Z\tjenny.rosen@example.com\t-10.99 USD\tre_1\n" >expect &&
	printf "2025-12-02T11:00:00Z\tken.sato@example.jp\t-2000 JPY\tre_2\n" >>expect &&
	test_cmp expect out &&
	sqlite3 stripe-api.db "SELECT r.refund_of, p.status FROM purchases r JOIN purchases p ON p.id = r.refund_of ORDER BY r.id" >out &&
	printf "1|refunded\n2|paid\n" >expect && test_cmp expect out &&
	expect_exit 3 crm-import purchases --db stripe-api.db --ignore-unknown "$TOP/tests/cli/data/stripe-refunds.jsonl" 2>err &&
	grep -q "read 5, created 0, updated 0, unchanged 0, skipped 2, rejected 3" err &&
	batch=$(crm-import list --db stripe-api.db -f batch -H | sed -n 2p) &&
	crm-import undo --db stripe-api.db "$batch" 2>/dev/null &&
	crm-purchase list --db stripe-api.db --all -f status -H | head -1 >out &&
	echo paid >expect && test_cmp expect out
'
test_expect_success 'a refund is never cancelled: it would count against what is left' '
	crm-contact add -q --db cancel.db --email ann@example.org >/dev/null &&
	p=$(crm-purchase add --db cancel.db --person ann@example.org --total "10.00 EUR") &&
	r=$(crm-purchase refund --db cancel.db "$p") &&
	sqlite3 cancel.db "SELECT id, status FROM purchases" >before &&
	expect_exit 3 crm-purchase set --db cancel.db "$r" --status cancelled 2>err &&
	grep -q "status: a refund that failed or was canceled gives nothing back" err &&
	sqlite3 cancel.db "SELECT id, status FROM purchases" >after && test_cmp before after
'
# A cancelled purchase is left out of every figure: its refunds would
# count against no purchase, so it has none that are live.
test_expect_success 'a purchase with live refunds is not cancelled' '
	export CRM_DB="$PWD/cancel-refunded.db" &&
	crm-contact add -q --email ann@example.org >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-11-01 --line "A 2 20.00" >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-11-02 --total 10.00 >/dev/null &&
	crm-purchase refund 1 --line A --qty 1 >/dev/null &&
	snapshot before &&
	expect_exit 3 crm-purchase set 1 --status cancelled 2>err &&
	grep -q "status: purchase 1 has live refunds (3): archive them first (crm-purchase rm 3), then cancel it" err &&
	snapshot after && test_cmp before after &&
	crm-purchase refund 1 >/dev/null &&
	expect_exit 3 crm-purchase set 1 --status cancelled 2>err && grep -q "live refunds (3 4)" err &&
	crm-purchase rm -q 3 4 && crm-purchase set -q 1 --status cancelled &&
	crm-purchase summary -f purchases,revenue -H >out && printf "1\t10.00\n" >expect &&
	test_cmp expect out &&
	expect_exit 3 crm-purchase restore 4 2>err && grep -q "refund_of: purchase 1 was cancelled" err
'
# Archiving a purchase undoes it (its points too): its refunds go first,
# so that none counts against a purchase no figure has.
test_expect_success 'a purchase with live refunds is not archived; a refund of one archived is not restored' '
	export CRM_DB="$PWD/archive-refunded.db" &&
	crm-contact add -q --email ann@example.org >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-11-01 --line "A 2 25.00" >/dev/null &&
	crm-purchase refund 1 --line A --qty 1 >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-11-02 --total 10.00 >/dev/null &&
	snapshot before &&
	expect_exit 3 crm-purchase rm 1 2>err &&
	grep -q "purchase 1 has live refunds (2): archive them first (crm-purchase rm 2), then archive it" err &&
	snapshot after && test_cmp before after &&
	crm-purchase list --person 1 -f id | crm-purchase rm -q - --dry-run &&
	crm-purchase rm -q 1 2 &&
	crm-purchase summary -f purchases,revenue -H >out && printf "1\t10.00\n" >expect &&
	test_cmp expect out &&
	expect_exit 3 crm-purchase restore 2 2>err &&
	grep -q "refund_of: purchase 1 is archived (restore it first)" err &&
	expect_exit 3 crm-purchase add --refund-of 1 --total -5.00 2>err &&
	grep -q "refund_of: purchase 1 is archived" err &&
	crm-purchase restore -q 2 1 &&
	crm-purchase summary -f purchases,revenue -H >out && printf "2\t35.00\n" >expect &&
	test_cmp expect out
'
# A refund is money given back to whoever bought: it goes where its
# purchase goes, and names no one else.
test_expect_success 'a purchase moved to another person takes its refunds along' '
	export CRM_DB="$PWD/move-refunded.db" &&
	crm-contact add -q --email ann@example.org >/dev/null &&
	crm-contact add -q --email bo@example.org >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-11-01 --line "A 2 25.00" >/dev/null &&
	crm-purchase refund 1 --line A --qty 1 >/dev/null &&
	crm-purchase rm -q 2 && crm-purchase refund 1 --line A --qty 1 >/dev/null &&
	crm-purchase set -q 1 --person bo@example.org &&
	crm-purchase list -a -f id,person -H >out &&
	printf "1\tbo@example.org\n2\tbo@example.org\n3\tbo@example.org\n" >expect && test_cmp expect out &&
	crm-contact list -f email,purchases,revenue -H >out &&
	printf "ann@example.org\t0\t\nbo@example.org\t1\t25.00 EUR\n" >expect && test_cmp expect out &&
	crm-db audit --entity purchase --id 3 | grep -q "person: ann@example.org → bo@example.org" &&
	snapshot before &&
	expect_exit 3 crm-purchase set 3 --person ann@example.org 2>err &&
	grep -q "person: purchase 1, which it refunds, is another person.s" err &&
	snapshot after && test_cmp before after &&
	crm-purchase add --refund-of 1 --total -5.00 >out &&
	crm-purchase show "$(cat out)" -f person -H >out && echo bo@example.org >expect && test_cmp expect out &&
	crm-purchase set -q 1 --person "" &&
	crm-purchase list -a -f id,person -H >out &&
	printf "1\t\n2\t\n3\t\n4\t\n" >expect && test_cmp expect out
'
# The toolkit's own listing names a refund's purchase by an id of the
# database it was listed from: on the way in, that is the purchase the
# row with that id made, never the purchase with that id here.
test_expect_success 'import: the toolkit'"'"'s own listing brings refunds back to their purchases' '
	export CRM_DB="$PWD/own-from.db" &&
	crm-contact add -q --email ann@example.org >/dev/null &&
	crm-contact add -q --email bo@example.org >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-11-01 --line "A 2 25.00" --order-ref 1001 >/dev/null &&
	crm-purchase add -q --person 2 --at 2026-11-02 --total 30.00 --order-ref 1002 >/dev/null &&
	crm-purchase refund 1 --line A --qty 1 >/dev/null && crm-purchase refund 2 >/dev/null &&
	for f in csv jsonl; do crm-purchase list -f all --format $f >own.$f || exit 1; done &&
	export CRM_DB="$PWD/own-into.db" &&
	crm-contact add -q --email cy@example.org >/dev/null &&
	crm-purchase add -q --person 1 --at 2026-10-01 --total 99.00 --order-ref 9 >/dev/null &&
	crm-import purchases own.csv 2>err &&
	grep -q "read 4, created 4, updated 0, unchanged 0, skipped 0, rejected 0; 2 new people; batch 1" err &&
	crm-purchase list -f order_ref,person,total,status,refund_of -H >out &&
	printf "9\tcy@example.org\t99.00 EUR\tpaid\t\n1001\tann@example.org\t50.00 EUR\tpaid\t\n" >expect &&
	printf "1002\tbo@example.org\t30.00 EUR\trefunded\t\n" >>expect &&
	printf "\tann@example.org\t-25.00 EUR\tpaid\t2\n\tbo@example.org\t-30.00 EUR\tpaid\t3\n" >>expect &&
	test_cmp expect out &&
	crm-import purchases own.csv 2>err && grep -q "skipped 4, rejected 0; nothing changed" err &&
	crm-import purchases --db own-fresh.db --format jsonl own.jsonl 2>err &&
	grep -q "created 4, .*rejected 0; 2 new people; batch 1" err &&
	crm-purchase summary --db own-fresh.db -f purchases,revenue -H >out &&
	printf "2\t25.00\n" >expect && test_cmp expect out &&
	: created_at is when the record was made, not a custom field &&
	crm-purchase list --db own-fresh.db -f order_ref,created_at,custom.created_at -H >out &&
	crm-purchase list --db own-from.db -f order_ref,created_at -H | sed "s/\$/	/" >expect &&
	test_cmp expect out &&
	head -1 own.csv >refunds.csv && grep ",-" own.csv >>refunds.csv &&
	expect_exit 3 crm-import purchases --db own-refunds.db refunds.csv 2>err &&
	grep -q "refunds.csv:2: refund_of: no purchase earlier in this input has id 1 (the input.s ids are those of the database it was listed from)" err &&
	grep -q "rejected 2; nothing changed" err
'
# An order whose line rows are taken back takes its entries with it; the
# orders after it come in.
test_expect_success 'import: own ids after an order whose rows were rejected' '
	printf "id,person,at,order_ref,total,sku,quantity,unit_price,refund_of\n" >own-bad.csv &&
	printf "1,ann@example.org,2026-11-01,1001,,A,1,5.00,\n1,ann@example.org,2026-11-01,1001,,B,x,5.00,\n" >>own-bad.csv &&
	printf "2,bo@example.org,2026-11-02,1002,,C,1,7.00,\n3,bo@example.org,2026-11-03,,-7.00,,,,2\n" >>own-bad.csv &&
	expect_exit 3 crm-import purchases --db own-bad.db own-bad.csv 2>err &&
	grep -q "own-bad.csv:3: quantity" err &&
	crm-purchase list --db own-bad.db -f order_ref,total,refund_of -H >out &&
	printf "1002\t7.00 EUR\t\n\t-7.00 EUR\t1\n" >expect && test_cmp expect out
'
test_expect_success 'import: a refund of a payment two purchases claim is refused' '
	crm-contact add -q --db dup.db --email ann@example.org >/dev/null &&
	crm-purchase add -q --db dup.db --person ann@example.org --total "5.00 EUR" --set source_id=ch_dup &&
	crm-purchase add -q --db dup.db --person ann@example.org --total "6.00 EUR" --set source_id=ch_dup &&
	printf "%s\n" "{\"id\":\"re_9\",\"object\":\"refund\",\"amount\":100,\"charge\":\"ch_dup\",\"currency\":\"eur\",\"created\":1764669600,\"status\":\"succeeded\"}" >dup.jsonl &&
	expect_exit 3 crm-import purchases --db dup.db --ignore-unknown dup.jsonl 2>err &&
	grep -q "dup.jsonl:1: charge: .ch_dup. is the payment of several purchases$" err
'
# Shopify's Admin API: an order a JSON object, its buyer also nested under
# customer, its line items an array of objects: a row each, as the CSV
# export writes them; the buyer named by the parts of their name.
test_expect_success 'import: Shopify'"'"'s API orders, with their line items' '
	printf "%s\n" "{\"id\":450789469,\"admin_graphql_api_id\":\"gid://shopify/Order/450789469\",\"email\":\"bob.norman@mail.example.com\",\"created_at\":\"2008-01-10T11:00:00-05:00\",\"total_price\":\"598.94\",\"subtotal_price\":\"597.00\",\"currency\":\"USD\",\"financial_status\":\"paid\",\"name\":\"#1001\",\"customer\":{\"id\":207119551,\"email\":\"bob.norman@mail.example.com\",\"first_name\":\"Bob\",\"last_name\":\"Norman\"},\"line_items\":[{\"id\":466157049,\"sku\":\"IPOD2008GREEN\",\"name\":\"IPod Nano - 8gb - green\",\"quantity\":1,\"price\":\"199.00\",\"tax_lines\":[{\"price\":\"3.98\"}]},{\"id\":518995019,\"sku\":\"IPOD2008RED\",\"name\":\"IPod Nano - 8gb - red\",\"quantity\":2,\"price\":\"199.00\",\"tax_lines\":[]}]}" >shopify-api.jsonl &&
	crm-import purchases --db shopify-api.db --ignore-unknown shopify-api.jsonl 2>err &&
	grep -q "read 2, created 1, updated 1, .* 1 new person" err &&
	crm-purchase list --db shopify-api.db -f order_ref,person,at,total,status,lines,custom.source_id -H >out &&
	printf "#1001\tbob.norman@mail.example.com\t2008-01-10T16:00:00Z\t598.94 USD\tpaid\t2\t450789469\n" >expect &&
	test_cmp expect out &&
	crm-purchase lines --db shopify-api.db 1 -H >out &&
	printf "1\tIPOD2008GREEN\tIPod Nano - 8gb - green\t\t1\t199.00 USD\t199.00 USD\n2\tIPOD2008RED\tIPod Nano - 8gb - red\t\t2\t199.00 USD\t398.00 USD\n" >expect &&
	test_cmp expect out &&
	crm-contact list --db shopify-api.db -f first_name,last_name -H >out &&
	printf "Bob\tNorman\n" >expect && test_cmp expect out &&
	crm-import purchases --db shopify-api.db --ignore-unknown shopify-api.jsonl 2>err &&
	grep -q "skipped 2, rejected 0; nothing changed" err
'
# WooCommerce's REST API: the order's number, its time in UTC beside the
# shop's own (three hours behind here), the buyer under billing in parts.
test_expect_success 'import: WooCommerce'"'"'s API orders, with their line items' '
	cat >woo-api.json <<-\EOF &&
	[{"id":727,"number":"727","status":"processing","currency":"USD",
	  "date_created":"2017-03-22T16:28:02","date_created_gmt":"2017-03-22T19:28:02",
	  "total":"29.35","customer_id":0,
	  "billing":{"first_name":"John","last_name":"Doe","email":"john.doe@example.com"},
	  "line_items":[{"id":315,"name":"Woo Single #1","product_id":93,"quantity":2,
	                 "total":"6.00","taxes":[{"id":75,"total":"0.45"}],"sku":"","price":3},
	                {"id":316,"name":"Ship Your Idea","product_id":22,"quantity":1,
	                 "total":"12.00","taxes":[],"sku":"Blue","price":12}]},
	 {"id":728,"number":"728","status":"completed","currency":"USD",
	  "date_created":"2017-03-23T09:00:00","date_created_gmt":"2017-03-23T12:00:00",
	  "total":"12.00","billing":{"first_name":"Ana","last_name":"Souza","email":"ana@example.com.br"},
	  "line_items":[{"id":317,"name":"Ship Your Idea","quantity":1,"sku":"Blue","price":12}]}]
	EOF
	crm-import purchases --db woo-api.db --ignore-unknown woo-api.json 2>err &&
	grep -q "read 3, created 2, updated 1, .* 2 new people" err &&
	crm-purchase list --db woo-api.db -f order_ref,person,at,total,status,lines,custom.source_id -H >out &&
	printf "727\tjohn.doe@example.com\t2017-03-22T19:28:02Z\t29.35 USD\tpaid\t2\t727\n728\tana@example.com.br\t2017-03-23T12:00:00Z\t12.00 USD\tpaid\t1\t728\n" >expect &&
	test_cmp expect out &&
	crm-purchase lines --db woo-api.db 1 -H -f sku,name,quantity,unit_price,amount >out &&
	printf "\tWoo Single #1\t2\t3.00 USD\t6.00 USD\nBlue\tShip Your Idea\t1\t12.00 USD\t12.00 USD\n" >expect &&
	test_cmp expect out &&
	crm-contact list --db woo-api.db -f first_name,last_name,email -H >out &&
	printf "John\tDoe\tjohn.doe@example.com\nAna\tSouza\tana@example.com.br\n" >expect &&
	test_cmp expect out &&
	crm-import purchases --db woo-api.db --ignore-unknown woo-api.json 2>err &&
	grep -q "skipped 3, rejected 0; nothing changed" err
'
# Their APIs list an order's refunds with it: WooCommerce each with its
# total, written negative; Shopify each with its transactions, of which
# only those that succeeded gave money back.  By hand: 29.35 less 10.00
# and 2.50; 598.94 less 209.00 (the failed 5.00 gave nothing).
test_expect_success 'import: the refunds an API lists with an order are its refunds' '
	export CRM_DB="$PWD/api-refunds.db" &&
	cat >api-refunds.jsonl <<-\EOF &&
	{"id":727,"number":"727","status":"completed","currency":"USD","date_created_gmt":"2017-03-22T19:28:02","total":"29.35","billing":{"email":"john.doe@example.com"},"line_items":[{"name":"Woo Single","quantity":2,"sku":"W1","price":3},{"name":"Ship Your Idea","quantity":1,"sku":"W2","price":12}],"refunds":[{"id":726,"reason":"","total":"-10.00"},{"id":729,"reason":"late","total":"-2.50"}]}
	{"id":450789469,"admin_graphql_api_id":"gid://shopify/Order/450789469","email":"bob@example.com","created_at":"2008-01-10T11:00:00-05:00","total_price":"598.94","currency":"USD","financial_status":"partially_refunded","name":"#1001","line_items":[{"sku":"IPOD","name":"IPod Nano","quantity":1,"price":"199.00"}],"refunds":[{"id":509562969,"transactions":[{"amount":"209.00","kind":"refund","status":"success"},{"amount":"5.00","kind":"refund","status":"failure"}]}]}
	{"id":730,"number":"730","status":"completed","currency":"USD","date_created_gmt":"2017-03-24T10:00:00","total":"5.00","billing":{"email":"x@example.com"},"line_items":[{"name":"Pin","quantity":1,"sku":"P","price":5}],"refunds":[{"id":731,"total":"abc"}]}
	EOF
	expect_exit 3 crm-import purchases --ignore-unknown api-refunds.jsonl 2>err &&
	grep -q "api-refunds.jsonl:3: refunds: refund: invalid refund .abc." err &&
	grep -q "read 4, created 2, updated 1, .*rejected 1; 2 new people; 2 refunds; batch 1" err &&
	crm-purchase list -f id,order_ref,total,status,refund_of -H >out &&
	cat >expect <<-\EOF &&
	3	#1001	598.94 USD	paid	
	4		-209.00 USD	paid	3
	1	727	29.35 USD	paid	
	2		-12.50 USD	paid	1
	EOF
	test_cmp expect out &&
	expect_exit 3 crm-import purchases --ignore-unknown api-refunds.jsonl 2>err &&
	grep -q "rejected 1; nothing changed" err
'
# A line item that cannot be read rejects its whole order, both rows
# naming the record's line; the reject file holds them flat, and imports
# once mended.
test_expect_success 'import: an API order with a bad line item comes in whole or not at all' '
	sed "s/\"quantity\":2,\"price\":\"199.00\",//" shopify-api.jsonl >bad-api.jsonl &&
	export CRM_DB="$PWD/bad-api.db" && crm-db init >/dev/null &&
	snapshot before &&
	expect_exit 3 crm-import purchases --ignore-unknown --reject rej.jsonl bad-api.jsonl 2>err &&
	grep -q "^crm-import: bad-api.jsonl:1: line: a line item needs a quantity and a price$" err &&
	grep -q "read 2, created 0, .* rejected 2; nothing changed" err &&
	snapshot after && test_cmp before after &&
	test $(wc -l <rej.jsonl) = 2 &&
	jq -c "select(.\"line_items.sku\" == \"IPOD2008RED\") | .\"line_items.quantity\" = \"2\" | .\"line_items.price\" = \"199.00\"" rej.jsonl >fixed.jsonl &&
	jq -c "select(.\"line_items.sku\" == \"IPOD2008GREEN\")" rej.jsonl >>fixed.jsonl &&
	crm-import purchases --db fixed.db --ignore-unknown fixed.jsonl 2>err &&
	grep -q "read 2, created 1, updated 1" err &&
	crm-purchase list --db fixed.db -f order_ref,total,lines -H >out &&
	printf "#1001\t598.94 USD\t2\n" >expect && test_cmp expect out
'
test_expect_success 'import: Stripe'"'"'s list as a JSON array, through jq' '
	printf "{\"object\":\"list\",\"data\":[{\"id\":\"in_1Qb\",\"object\":\"invoice\",\"total\":2000,\"currency\":\"eur\",\"created\":1764580000123,\"customer_email\":\"ola@example.no\",\"customer_name\":\"Ola Nordmann\",\"lines\":{\"object\":\"list\",\"data\":[{\"id\":\"il_1\",\"amount\":2000}]},\"status\":\"paid\"}],\"has_more\":false}\n" >list.json &&
	jq ".data" list.json >invoices.json &&
	crm-import purchases --db stripe-inv.db --ignore-unknown invoices.json 2>err &&
	grep -q "read 1, created 1, .* 1 new person" err &&
	crm-purchase list --db stripe-inv.db -f at,person,total,custom.source_id -H >out &&
	printf "2025-12-01T09:06:40Z\tola@example.no\t20.00 EUR\tin_1Qb\n" >expect && test_cmp expect out &&
	crm-contact list --db stripe-inv.db -f first_name,last_name -H >out &&
	printf "Ola\tNordmann\n" >expect && test_cmp expect out
'
test_expect_success 'import: what is no payment of Stripe'"'"'s, or no whole count of its unit, is refused' '
	printf "%s\n" "{\"object\":\"list\",\"data\":[],\"has_more\":false}" >bad.jsonl &&
	printf "%s\n" "{\"id\":\"re_1\",\"object\":\"refund\",\"amount\":100,\"currency\":\"usd\",\"created\":1764580000,\"status\":\"succeeded\"}" >>bad.jsonl &&
	printf "%s\n" "{\"id\":\"ch_7\",\"object\":\"charge\",\"amount\":10.5,\"currency\":\"usd\",\"created\":1764580000,\"receipt_email\":\"x@example.org\",\"status\":\"succeeded\"}" >>bad.jsonl &&
	printf "%s\n" "{\"id\":\"ch_8\",\"object\":\"charge\",\"amount\":1050,\"created\":1764580000,\"receipt_email\":\"x@example.org\",\"status\":\"succeeded\"}" >>bad.jsonl &&
	printf "%s\n" "{\"id\":\"ch_9\",\"object\":\"charge\",\"amount\":1050,\"currency\":\"xyz\",\"created\":1764580000,\"receipt_email\":\"x@example.org\",\"status\":\"succeeded\"}" >>bad.jsonl &&
	snapshot before &&
	expect_exit 3 crm-import purchases --ignore-unknown bad.jsonl 2>err &&
	grep -qF "crm-import: bad.jsonl:1: object: a list of API objects: import its data (jq -c '"'"'.data[]'"'"')" err &&
	grep -q "^crm-import: bad.jsonl:2: object: a refund that names no payment (charge or payment_intent)$" err &&
	grep -q "^crm-import: bad.jsonl:3: total: .10\.5. is no whole number of the currency.s smallest unit$" err &&
	grep -q "^crm-import: bad.jsonl:4: total: .1050. counts the smallest unit of a currency the row does not name$" err &&
	grep -q "^crm-import: bad.jsonl:5: total: .1050. counts the smallest unit of .xyz., no currency$" err &&
	grep -q "read 5, created 0, .* rejected 5; nothing changed" err &&
	snapshot after && test_cmp before after
'
# A refund settles its purchase's status: a change of the purchase made
# by another record's write, audited as the purchase's own, so that its
# history (an import's, read back from the record) says it was paid.
test_expect_success 'a refund audits the status it gives its purchase' '
	id=$(CRM_DB=full.db crm-purchase list --order-ref "#3002" -f id -H) &&
	CRM_DB=full.db crm-purchase refund -q "$id" >/dev/null &&
	CRM_DB=full.db crm-db audit -e purchase --id "$id" -f action,changes -H >out &&
	grep -q "^add	created: .*status=paid" out &&
	grep -qx "set	status: paid → refunded" out
'
test_expect_success 'import: a WooCommerce export; the total of rows without one is their lines'"'"' sum' '
	crm-import purchases "$TOP/tests/cli/data/woocommerce-orders.csv" 2>err &&
	grep -q "read 5, created 3, updated 2, unchanged 0, skipped 0, rejected 0; 1 new person" err &&
	crm-purchase list -w "order_ref ~ W" -f order_ref,person,at,total,lines -H >out &&
	printf "W501\tdee@example.org\t2026-11-10T10:30:00Z\t57.00 EUR\t2\nW502\tann@example.org\t2026-11-12T16:45:00Z\t8.50 EUR\t1\nW503\tann@example.org\t2026-11-14T08:00:00Z\t27.00 EUR\t2\n" >expect &&
	test_cmp expect out
'
test_expect_success 'import: a re-run changes nothing' '
	snapshot before &&
	crm-import purchases "$TOP/tests/cli/data/shopify-orders.csv" 2>err && grep -q "skipped 3, rejected 0; nothing changed" err &&
	crm-import purchases "$TOP/tests/cli/data/woocommerce-orders.csv" 2>err && grep -q "nothing changed" err &&
	snapshot after && test_cmp before after
'
# A voided or failed order is no revenue; one not paid yet is no purchase;
# one refunded is refunded whole.
test_expect_success 'import: Shopify and WooCommerce statuses; an order not paid yet is rejected' '
	printf "Name,Email,Financial Status,Currency,Total,Lineitem quantity,Lineitem price,Lineitem sku\n" >st.csv &&
	printf "#2001,ann@example.org,voided,EUR,10.00,1,10.00,A\n#2002,ann@example.org,partially_refunded,EUR,10.00,1,10.00,A\n" >>st.csv &&
	printf "#2003,ann@example.org,pending,EUR,10.00,1,10.00,A\n#2004,ann@example.org,refunded,EUR,10.00,1,10.00,A\n" >>st.csv &&
	printf "Order Number,Order Status,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n" >wst.csv &&
	printf "W601,Completed,ann@example.org,EUR,A,1,2.00\nW602,Failed,ann@example.org,EUR,A,1,2.00\nW603,On hold,ann@example.org,EUR,A,1,2.00\nW604,Backordered,ann@example.org,EUR,A,1,2.00\n" >>wst.csv &&
	expect_exit 3 crm-import purchases st.csv 2>err &&
	grep -q "st.csv:4: status: order status .pending. is not paid yet" err &&
	expect_exit 3 crm-import purchases wst.csv 2>err &&
	grep -q "wst.csv:4: status: order status .On hold. is not paid yet" err &&
	grep -q "wst.csv:5: status: invalid status .Backordered. (expected paid" err &&
	crm-purchase list -w "order_ref ~ 200" -f order_ref,status -H >out &&
	crm-purchase list -w "order_ref ~ W60" -f order_ref,status -H >>out &&
	printf "#2001\tcancelled\n#2002\tpaid\n#2004\trefunded\nW601\tpaid\nW602\tcancelled\n" >expect &&
	test_cmp expect out
'
# WooCommerce writes an order's status in the shop's language.  By hand:
# 20 paid, 30 refunded, 10 cancelled, 10 paid, 10 refunded: 30.00; the
# order whose payment is pending is rejected, naming its status.
test_expect_success 'import: WooCommerce'"'"'s statuses in the shop'"'"'s language' '
	export CRM_DB="$PWD/woo-lang.db" &&
	cat >woo-lang.csv <<-\EOF &&
	Order Number,Order Status,Order Date,Email (Billing),SKU,Name,Quantity,Item Cost
	D1,Fertiggestellt,2026-11-02 10:00,a@example.de,A,Tasse,2,10.00
	D2,Rückerstattet,2026-11-03 10:00,b@example.de,B,Kanne,1,30.00
	D3,Storniert,2026-11-04 10:00,c@example.de,A,Tasse,1,10.00
	D4,Zahlung ausstehend,2026-11-05 10:00,d@example.de,A,Tasse,1,10.00
	F1,Terminée,2026-11-06 10:00,e@example.fr,A,Tasse,1,10.00
	F2,Remboursée,2026-11-07 10:00,f@example.fr,A,Tasse,1,10.00
	EOF
	expect_exit 3 crm-import purchases woo-lang.csv 2>err &&
	grep -q "woo-lang.csv:5: status: order status .Zahlung ausstehend. is not paid yet" err &&
	crm-purchase list --no-refunds -f order_ref,status -H >out &&
	printf "D1\tpaid\nD2\trefunded\nD3\tcancelled\nF1\tpaid\nF2\trefunded\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary -f purchases,revenue -H >out && printf "4\t30.00\n" >expect &&
	test_cmp expect out
'
test_expect_success 'import: a bad line item rejects its row' '
	printf "Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n900,ann@example.org,EUR,A,-1,2.00\n" >bad.csv &&
	expect_exit 3 crm-import purchases bad.csv 2>err && grep -q "quantity" err &&
	expect_exit 1 crm-purchase list --order-ref 900
'

test_expect_success 'import: an order whose first row is rejected is rejected whole' '
	printf "Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n901,ann@example.org,EUR,A,-1,2.00\n901,ann@example.org,EUR,B,1,3.00\n902,ann@example.org,EUR,C,1,4.00\n" >part.csv &&
	expect_exit 3 crm-import purchases part.csv 2>err &&
	grep -q "part.csv:3: .*901.*an earlier row of it was rejected" err &&
	expect_exit 1 crm-purchase list --order-ref 901 &&
	crm-purchase list --order-ref 902 -f total -H >out && echo "4.00 EUR" >expect && test_cmp expect out
'
test_expect_success 'import: a later line in another currency rejects its whole order' '
	printf "Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n903,ann@example.org,EUR,A,1,2.00\n903,ann@example.org,USD,B,1,3.00\n903,ann@example.org,,C,1,1.50\n" >cur.csv &&
	expect_exit 3 crm-import purchases -r cur-rej.csv cur.csv 2>err &&
	cat >expect <<-\EOF &&
	crm-import: cur.csv:2: order_ref: order_ref '"'"'903'"'"': rejected with the row on line 3: the rows of one purchase stand or fall together
	crm-import: cur.csv:3: currency: the line is in USD, its order in EUR
	crm-import: cur.csv:4: order_ref: order_ref '"'"'903'"'"': an earlier row of it was rejected
	crm-import: read 3, created 0, updated 0, unchanged 0, skipped 0, rejected 3; nothing changed
	EOF
	test_cmp expect err &&
	expect_exit 1 crm-purchase list --order-ref 903 -H >out && test ! -s out &&
	cut -d, -f1,3,4,7 cur-rej.csv | tr -d "\r" >out &&
	printf "Order Number,Order Currency,Item SKU,_line\n903,EUR,A,2\n903,USD,B,3\n903,,C,4\n" >expect &&
	test_cmp expect out &&
	sed -i "s/,USD,/,EUR,/" cur-rej.csv &&
	crm-import purchases -q cur-rej.csv &&
	crm-purchase list --order-ref 903 -f total -H >out && echo "6.50 EUR" >expect && test_cmp expect out
'
# A line's part at fault is the reject file's field, as a field is.
test_expect_success 'import: the reject file names the part of a line at fault' '
	db_rows "$CRM_DB" >before &&
	printf "order_ref,email,sku,quantity,price,currency\n907,ann@example.org,A,1,abc,EUR\n908,ann@example.org,B,x,5.00,EUR\n" >lines.csv &&
	expect_exit 3 crm-import purchases --reject lines-rej.csv lines.csv 2>err &&
	grep -q "lines.csv:2: price: invalid price .abc." err &&
	cut -d, -f1,8 lines-rej.csv | tr -d "\r" >out &&
	printf "order_ref,_field\n907,price\n908,quantity\n" >expect && test_cmp expect out &&
	db_rows "$CRM_DB" >after && test_cmp before after
'
test_expect_success 'import: lines whose sum is out of the range of an amount reject their order' '
	db_rows "$CRM_DB" >before &&
	printf "Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n904,ann@example.org,EUR,A,1,50000000000000000.00\n904,ann@example.org,EUR,B,1,50000000000000000.00\n" >big.csv &&
	expect_exit 3 crm-import purchases big.csv 2>err &&
	grep -q "big.csv:3: lines: the sum of the lines is out of range" err &&
	grep -q "big.csv:2: order_ref: order_ref .904.: rejected with the row on line 3" err &&
	db_rows "$CRM_DB" >after && test_cmp before after
'
test_expect_success 'import: a row rejected before its order number was read still drops its order' '
	printf "Billing Email,Order Number,Order Currency,Item SKU,Quantity,Item Cost\nnot-an-address,905,EUR,A,1,2.00\nann@example.org,905,EUR,B,1,3.00\nann@example.org,906,EUR,C,1,1.00\n" >early.csv &&
	expect_exit 3 crm-import purchases early.csv 2>err &&
	grep -q "early.csv:3: order_ref: order_ref .905.: an earlier row of it was rejected" err &&
	expect_exit 1 crm-purchase list --order-ref 905 -H &&
	crm-purchase list --order-ref 906 -f total -H >out && echo "1.00 EUR" >expect && test_cmp expect out
'
test_expect_success 'import: a later row of a dropped order, bad itself, is counted once' '
	printf "Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost,Created at\n" >twice.csv &&
	printf "911,ann@example.org,EUR,A,1,2.00,01.01.2026\n911,ann@example.org,USD,B,1,3.00,01.01.2026\n" >>twice.csv &&
	printf "911,ann@example.org,EUR,C,1,1.00,not a day\n" >>twice.csv &&
	expect_exit 3 crm-import purchases --date-format %d.%m.%Y twice.csv 2>err &&
	grep -q "read 3, created 0, updated 0, unchanged 0, skipped 0, rejected 3" err
'
# Services' APIs and JSON exports write times as seconds since 1970:
# 1,700,000,000 s is 2023-11-14 22:13:20 UTC (19,675 days and 80,000 s),
# whatever zone the importing machine is in (JST-9 needs no zone files).
test_expect_success 'import: --date-format %s reads seconds since 1970 as UTC, whatever TZ' '
	printf "{\"Name\":\"S1\",\"Email\":\"sec@example.org\",\"Currency\":\"EUR\",\"Total\":\"9.50\",\"Created at\":1700000000}\n" >secs.jsonl &&
	printf "{\"Name\":\"S2\",\"Email\":\"sec@example.org\",\"Currency\":\"EUR\",\"Total\":\"1.00\",\"Created at\":\"17000x\"}\n" >>secs.jsonl &&
	(export TZ=JST-9 && expect_exit 3 crm-import purchases --date-format %s secs.jsonl 2>err) &&
	grep -q "secs.jsonl:2: at: .17000x. is not a date in format .%s." err &&
	crm-purchase list --order-ref S1 -f at -H >out &&
	echo 2023-11-14T22:13:20Z >expect && test_cmp expect out
'
# Two shops number their orders alike: an order number is one order
# within its store, as the schema keeps it, when the rows name the store.
test_expect_success 'import: the same order numbers from two stores are two orders' '
	printf "Store,Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n" >two.csv &&
	printf "north,921,ann@example.org,EUR,A,1,2.00\nnorth,921,ann@example.org,EUR,B,1,3.00\n" >>two.csv &&
	printf "south,921,ann@example.org,EUR,C,1,7.00\nsouth,922,ann@example.org,EUR,D,1,1.00\n" >>two.csv &&
	crm-import purchases two.csv 2>err &&
	grep -q "read 4, created 3, updated 1, unchanged 0, skipped 0" err &&
	crm-purchase list --order-ref 921 -f source,total,lines -H >out &&
	printf "north\t5.00 EUR\t2\nsouth\t7.00 EUR\t1\n" >expect && test_cmp expect out &&
	printf "Store,Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\nnorth,922,ann@example.org,EUR,E,1,4.00\n" >north.csv &&
	crm-import purchases north.csv 2>err && grep -q "created 1, .*skipped 0" err &&
	crm-import purchases two.csv 2>err && grep -q "skipped 4, rejected 0; nothing changed" err &&
	crm-purchase list --order-ref 922 -f source,total -H >out &&
	printf "south\t1.00 EUR\nnorth\t4.00 EUR\n" >expect && test_cmp expect out
'
test_expect_success 'import: an order number of two stores, given without its store, is rejected' '
	printf "Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n921,ann@example.org,EUR,A,1,2.00\n" >nostore.csv &&
	expect_exit 3 crm-import purchases --on-conflict update nostore.csv 2>err &&
	grep -q "nostore.csv:2: order_ref: order_ref .921. matches several purchases of different source; give the source column" err
'
test_expect_success 'import: a rejected order of one store leaves the same number of another' '
	printf "Store,Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n" >drop.csv &&
	printf "east,931,ann@example.org,EUR,A,-1,2.00\nwest,931,ann@example.org,EUR,B,1,3.00\n" >>drop.csv &&
	printf "east,931,ann@example.org,EUR,C,1,1.00\nwest,931,ann@example.org,EUR,D,1,1.00\n" >>drop.csv &&
	expect_exit 3 crm-import purchases drop.csv 2>err &&
	grep -q "drop.csv:4: order_ref: order_ref .931.: an earlier row of it was rejected" err &&
	! grep -q "drop.csv:[35]:" err &&
	crm-purchase list --order-ref 931 -f source,total,lines -H >out &&
	printf "west\t4.00 EUR\t2\n" >expect && test_cmp expect out
'
test_expect_success 'import: a store the mapping sets keys and groups orders like a column' '
	printf "set:\n  source: east\n" >east.yaml &&
	printf "Order Number,Created at,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n" >east.csv &&
	printf "941,not a day,ann@example.org,EUR,A,1,2.00\n941,01.02.2026,ann@example.org,EUR,B,1,3.00\n" >>east.csv &&
	printf "942,01.02.2026,ann@example.org,EUR,C,1,1.00\n" >>east.csv &&
	expect_exit 3 crm-import purchases -m east.yaml --date-format %d.%m.%Y east.csv 2>err &&
	grep -q "east.csv:3: order_ref: order_ref .941.: an earlier row of it was rejected" err &&
	expect_exit 1 crm-purchase list --order-ref 941 &&
	printf "Store,Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\nwest,942,ann@example.org,EUR,D,1,6.00\n" >west.csv &&
	crm-import purchases west.csv 2>err && grep -q "created 1," err &&
	expect_exit 3 crm-import purchases -m east.yaml --date-format %d.%m.%Y east.csv 2>err &&
	grep -q "read 3, created 0, updated 0, unchanged 0, skipped 1, rejected 2" err &&
	crm-purchase list --order-ref 942 -f source,total -H >out &&
	printf "east\t1.00 EUR\nwest\t6.00 EUR\n" >expect && test_cmp expect out
'
# Shops name an order's store on its first row only: the later rows are
# the same order's, stand or fall with it, and match in its store.
test_expect_success 'import: rows of an order naming no store are the store'"'"'s of its first row' '
	printf "Store,Order Number,Billing Email,Order Currency,Item SKU,Quantity,Item Cost\n" >first.csv &&
	printf "north,951,ann@example.org,EUR,A,1,2.00\n,951,ann@example.org,EUR,B,x,3.00\n" >>first.csv &&
	printf "north,952,ann@example.org,EUR,A,1,2.00\n,952,ann@example.org,EUR,B,1,3.00\n" >>first.csv &&
	printf "south,952,ann@example.org,EUR,C,1,9.00\n" >>first.csv &&
	expect_exit 3 crm-import purchases first.csv 2>err &&
	grep -q "first.csv:2: order_ref: order_ref .951.: rejected with the row on line 3" err &&
	expect_exit 1 crm-purchase list --order-ref 951 &&
	crm-purchase list --order-ref 952 -f source,total,lines -H >out &&
	printf "north\t5.00 EUR\t2\nsouth\t9.00 EUR\t1\n" >expect && test_cmp expect out &&
	sed -i "s/,x,/,1,/" first.csv &&
	crm-import purchases first.csv 2>err && grep -q "created 1, updated 1, unchanged 0, skipped 3, rejected 0" err &&
	crm-purchase list --order-ref 951 -f source,total,lines -H >out &&
	printf "north\t5.00 EUR\t2\n" >expect && test_cmp expect out
'
test_expect_success 'import: Shopify'"'"'s Source is the channel the order came by' '
	CRM_DB=full.db crm-purchase list --no-refunds -f order_ref,source,channel -H >out &&
	printf "#3001\t\tweb\n#3002\t\tweb\n" >expect && test_cmp expect out
'
# Shopify's export says how much of an order was refunded, in all and
# without a date: the import makes the refund of it, dated as its order,
# so that the figures are net of it as the export's own sums are
# (55 + 30 + 40 sold, 20 + 30 given back: 75).  A later export that says
# more was refunded, imported with --on-conflict update, refunds the rest.
test_expect_success 'import: Shopify'"'"'s Refunded Amount is a refund of its order' '
	export CRM_DB="$PWD/refunded.db" &&
	cat >refunded.csv <<-\EOF &&
	Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Refunded Amount
	#1001,ann@example.org,partially_refunded,EUR,55.00,2026-11-02 10:00:00 +0100,2,Mug,15.00,MUG,20.00
	#1001,,,,,,1,Teapot,25.00,TEA,
	#1002,bo@example.org,refunded,EUR,30.00,2026-11-05 10:00:00 +0100,1,Teapot,30.00,TEA,30.00
	#1003,cy@example.org,paid,EUR,40.00,2026-11-07 10:00:00 +0100,1,Kettle,40.00,KET,0.00
	EOF
	crm-import purchases refunded.csv 2>err &&
	grep -q "read 4, created 3, updated 1, .*; 3 new people; 2 refunds; batch 1" err &&
	crm-purchase list -f id,order_ref,status,total,at,refund_of -H >out &&
	cat >expect <<-\EOF &&
	1	#1001	paid	55.00 EUR	2026-11-02T09:00:00Z	
	2		paid	-20.00 EUR	2026-11-02T09:00:00Z	1
	3	#1002	refunded	30.00 EUR	2026-11-05T09:00:00Z	
	4		paid	-30.00 EUR	2026-11-05T09:00:00Z	3
	5	#1003	paid	40.00 EUR	2026-11-07T09:00:00Z	
	EOF
	test_cmp expect out &&
	crm-purchase summary -f purchases,revenue -H >out && printf "3\t75.00\n" >expect &&
	test_cmp expect out &&
	crm-import purchases refunded.csv 2>err && grep -q "nothing changed" err &&
	sed "s/,20.00\$/,35.00/" refunded.csv >later.csv &&
	crm-import purchases --on-conflict update later.csv 2>err &&
	grep -q "; 1 refund; batch 2" err &&
	crm-purchase list --refunds -f total,refund_of -H >out &&
	printf "%s\t%s\n" "-20.00 EUR" 1 "-15.00 EUR" 1 "-30.00 EUR" 3 >expect && test_cmp expect out &&
	crm-purchase summary -f revenue -H >out && echo 60.00 >expect && test_cmp expect out &&
	crm-import purchases --on-conflict update later.csv 2>err && grep -q "nothing changed" err &&
	crm-import undo -q 2 &&
	crm-purchase summary -f revenue -H >out && echo 75.00 >expect && test_cmp expect out
'
# WooCommerce's order export says an order was refunded whole by its
# status alone, with no amount: the import gives back all of it, dated as
# the order.  By hand: 45 + 15 + 20 sold, 45 refunded whole and 10 of the
# 20 named by an amount beside the status: 25.  An order a later export
# says was refunded, imported with --on-conflict update, is refunded then.
test_expect_success 'import: an order whose status is Refunded is refunded whole' '
	export CRM_DB="$PWD/woo-refunded.db" &&
	cat >woo-refunded.csv <<-\EOF &&
	Order Number,Order Status,Order Date,Billing Email,Order Currency,Item SKU,Item Name,Quantity,Item Cost,Refunded Amount
	W701,Refunded,2026-11-03 09:00,ann@example.org,EUR,MUG,Mug,2,15.00,
	W701,Refunded,2026-11-03 09:00,ann@example.org,EUR,LID,Lid,1,15.00,
	W702,Completed,2026-11-04 09:00,bo@example.org,EUR,MUG,Mug,1,15.00,
	W703,Refunded,2026-11-05 09:00,cy@example.org,EUR,TEA,Teapot,1,20.00,10.00
	EOF
	crm-import purchases woo-refunded.csv 2>err &&
	grep -q "read 4, created 3, updated 1, .*; 3 new people; 2 refunds; batch 1" err &&
	crm-purchase list -f id,order_ref,status,total,at,refund_of -H >out &&
	cat >expect <<-\EOF &&
	1	W701	refunded	45.00 EUR	2026-11-03T09:00:00Z	
	2		paid	-45.00 EUR	2026-11-03T09:00:00Z	1
	3	W702	paid	15.00 EUR	2026-11-04T09:00:00Z	
	4	W703	paid	20.00 EUR	2026-11-05T09:00:00Z	
	5		paid	-10.00 EUR	2026-11-05T09:00:00Z	4
	EOF
	test_cmp expect out &&
	crm-purchase summary -f purchases,revenue -H >out && printf "3\t25.00\n" >expect &&
	test_cmp expect out &&
	crm-import purchases --on-conflict update woo-refunded.csv 2>err &&
	grep -q "nothing changed" err &&
	sed "s/^W702,Completed/W702,Refunded/" woo-refunded.csv >woo-later.csv &&
	crm-import purchases --on-conflict update woo-later.csv 2>err &&
	grep -q "updated 1, unchanged 2, skipped 1, .*; 1 refund; batch 2" err &&
	crm-purchase list --order-ref W702 -f status -H >out && echo refunded >expect &&
	test_cmp expect out &&
	crm-purchase summary -f revenue -H >out && echo 10.00 >expect && test_cmp expect out &&
	crm-import undo -q 2 &&
	crm-purchase list --order-ref W702 -f status -H >out && echo paid >expect &&
	test_cmp expect out &&
	printf "loyalty:\n  earn:\n    - { name: spend, per: amount, points: 1 }\n" >euro.yaml &&
	export CRM_DB="$PWD/woo-points.db" &&
	CRM_CONFIG=euro.yaml crm-import purchases -q woo-refunded.csv &&
	for p in 1 2 3; do CRM_CONFIG=euro.yaml crm-loyalty balance $p || return 1; done >out &&
	printf "0\n15\n10\n" >expect && test_cmp expect out
'
# WooCommerce's Advanced Order Export, its default columns: the billing
# columns name the buyer, Name beside Order Number is the item's, and an
# order's later items leave its columns blank.  By hand: 65 (shipping
# in), 30 refunded whole, 50 less 10 refunded: 105.00; an order not paid
# yet is rejected, a cancelled one no revenue.
test_expect_success 'import: WooCommerce'"'"'s Advanced Order Export, default columns' '
	export CRM_DB="$PWD/woo-aoe.db" &&
	expect_exit 3 crm-import purchases --ignore-unknown "$TOP/tests/cli/data/woocommerce-aoe.csv" 2>err &&
	grep -q "woocommerce-aoe.csv:6: status: order status .Pending payment. is not paid yet" err &&
	grep -q "read 6, created 4, updated 1, unchanged 0, skipped 0, rejected 1; 3 new people; 2 refunds; batch 1" err &&
	crm-purchase list --no-refunds -f order_ref,person,status,total,lines -H >out &&
	cat >expect <<-\EOF &&
	1001	soren@example.dk	paid	65.00 EUR	2
	1002	ana@example.es	refunded	30.00 EUR	1
	1003	yuki@example.jp	paid	50.00 EUR	1
	1005	ana@example.es	cancelled	20.00 EUR	1
	EOF
	test_cmp expect out &&
	crm-purchase lines 1 -f sku,name,quantity,unit_price -H >out &&
	printf "MUG-1\tMug\t2\t20.00 EUR\nTEA-1\tTeapot\t1\t20.00 EUR\n" >expect && test_cmp expect out &&
	crm-purchase summary -f purchases,revenue -H >out && printf "3\t105.00\n" >expect &&
	test_cmp expect out &&
	crm-contact list -f first_name,last_name,email -H >out &&
	printf "Søren\tKierkegaard\tsoren@example.dk\nAna\tGarcía\tana@example.es\n" >expect &&
	printf "ゆき\t田中\tyuki@example.jp\n" >>expect && test_cmp expect out &&
	sqlite3 "$CRM_DB" "SELECT purchase_id, body FROM purchase_notes" >out &&
	echo "1|Gift wrap, please" >expect && test_cmp expect out &&
	expect_exit 3 crm-import purchases --ignore-unknown "$TOP/tests/cli/data/woocommerce-aoe.csv" 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 5, rejected 1; nothing changed" err
'
# The store named by the mapping file, as crm-import(1) advises: a value
# on every row, which leaves a later item's row still a later item's.
test_expect_success 'import: a mapping that sets the source keeps later item rows on their order' '
	export CRM_DB="$PWD/woo-set.db" &&
	printf "set:\n  source: woo-de\n" >woo-set.yaml &&
	expect_exit 3 crm-import purchases --ignore-unknown --map woo-set.yaml "$TOP/tests/cli/data/woocommerce-aoe.csv" 2>err &&
	grep -q "read 6, created 4, updated 1, unchanged 0, skipped 0, rejected 1" err &&
	crm-purchase list --no-refunds -f order_ref,source,lines -H >out &&
	printf "1001\twoo-de\t2\n1002\twoo-de\t1\n1003\twoo-de\t1\n1005\twoo-de\t1\n" >expect &&
	test_cmp expect out &&
	crm-purchase summary -f purchases,revenue -H >out && printf "3\t105.00\n" >expect &&
	test_cmp expect out &&
	expect_exit 3 crm-import purchases --ignore-unknown --map woo-set.yaml "$TOP/tests/cli/data/woocommerce-aoe.csv" 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 5, rejected 1; nothing changed" err
'
# A column of a line item under a name no table knows: the mapping file
# names the part it is.
test_expect_success 'import: a mapping file maps a column to a part of the line item' '
	printf "Order Number,Order Date,Email (Billing),Order Total Amount,Order Currency,SKU,Item Name,Quantity (- Refund),Item Cost\n4711,2026-11-10 14:30,hans@example.de,37.90,EUR,KAF-1,Kaffee,2,12.50\n,,,,,TAS-1,Tasse,1,12.90\n" >woo-q.csv &&
	printf "columns:\n  Quantity (- Refund): line.quantity\n" >woo-q.yaml &&
	crm-import purchases --db woo-q.db -q --map woo-q.yaml woo-q.csv &&
	crm-purchase lines --db woo-q.db 1 -f sku,quantity,amount -H >out &&
	printf "KAF-1\t2\t25.00 EUR\nTAS-1\t1\t12.90 EUR\n" >expect && test_cmp expect out &&
	printf "columns:\n  Quantity (- Refund): line.qty\n" >woo-bad.yaml &&
	expect_exit 2 crm-import purchases --db woo-q.db --map woo-bad.yaml woo-q.csv 2>err &&
	grep -q "woo-bad.yaml:2:24: unknown part of a line item .qty." err
'
# WooCommerce's Customer/Order/Coupon Export, one row per item: an item's
# quantity and its amount in all (item_total), whose price of one is
# rounded to the cent (20.00 for 3: 6.67); the order's id beside its
# number is the shop's own count, left out; customer_id is no person
# here.  By hand: 55.00, and 30.00 refunded whole: 55.00.
test_expect_success 'import: WooCommerce'"'"'s Customer/Order/Coupon Export, one row per item' '
	export CRM_DB="$PWD/woo-coc.db" &&
	crm-contact add -q --email other@example.org >/dev/null &&
	crm-import purchases --ignore-unknown "$TOP/tests/cli/data/woocommerce-coc.csv" 2>err &&
	grep -q "read 3, created 2, updated 1, unchanged 0, skipped 0, rejected 0; 2 new people; 1 refund; batch 1" err &&
	crm-purchase list --no-refunds -f order_ref,person,status,total,lines -H >out &&
	printf "WC-1812\tsoren@example.dk\tpaid\t55.00 EUR\t2\nWC-1813\tana@example.es\trefunded\t30.00 EUR\t1\n" >expect &&
	test_cmp expect out &&
	crm-purchase lines 1 -f sku,quantity,unit_price,amount -H >out &&
	printf "MUG-1\t2\t15.00 EUR\t30.00 EUR\nTEA-1\t3\t6.67 EUR\t20.01 EUR\n" >expect && test_cmp expect out &&
	crm-purchase summary -f purchases,revenue -H >out && printf "2\t55.00\n" >expect &&
	test_cmp expect out &&
	crm-import purchases --ignore-unknown "$TOP/tests/cli/data/woocommerce-coc.csv" 2>err &&
	grep -q "nothing changed" err &&
	printf "order_number,billing_email,item_sku,item_quantity,item_total\nWC-9,x@example.org,A,2,-4.00\n" >coc-bad.csv &&
	expect_exit 3 crm-import purchases coc-bad.csv 2>err &&
	grep -q "coc-bad.csv:2: amount: .-4.00. is negative" err
'
# A later item row that is bad rejects its order, as a row that repeats
# the order number would; a row of items alone before any order is a
# purchase of its own, as it was.
test_expect_success 'import: a bad item row with its order'"'"'s columns blank rejects the order' '
	export CRM_DB="$PWD/woo-aoe-bad.db" &&
	cat >aoe-bad.csv <<-\EOF &&
	Order Number,Email (Billing),SKU,Name,Quantity,Item Cost
	2001,ann@example.org,MUG,Mug,1,20.00
	,,LID,Lid,x,1.00
	2002,bo@example.org,TEA,Teapot,1,30.00
	,,LID,Lid,1,1.00
	EOF
	expect_exit 3 crm-import purchases aoe-bad.csv 2>err &&
	grep -q "aoe-bad.csv:3: quantity" err &&
	grep -q "read 4, created 1, updated 1, unchanged 0, skipped 0, rejected 2" err &&
	crm-purchase list -f order_ref,total,lines -H >out &&
	printf "2002\t31.00 EUR\t2\n" >expect && test_cmp expect out &&
	printf "SKU,Name,Quantity,Item Cost\nLID,Lid,2,1.00\n" >lone-items.csv &&
	crm-import purchases lone-items.csv 2>err && grep -q "created 1" err
'
test_expect_success 'import: a refunded amount that is no refund of its order is rejected' '
	export CRM_DB="$PWD/refunded-bad.db" &&
	cat >bad-refunds.csv <<-\EOF &&
	Name,Email,Currency,Total,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Refunded Amount
	#2001,ann@example.org,EUR,55.00,2,Mug,15.00,MUG,abc
	#2002,bo@example.org,EUR,30.00,1,Teapot,30.00,TEA,10 USD
	#2003,cy@example.org,EUR,40.00,1,Kettle,40.00,KET,-5.00
	#2004,dee@example.org,EUR,40.00,1,Kettle,40.00,KET,5.00
	#2004,,,,x,Lid,1.00,LID,
	#2005,eve@example.org,EUR,40.00,1,Kettle,40.00,KET,"1,234.00"
	EOF
	expect_exit 3 crm-import purchases bad-refunds.csv 2>err &&
	grep -q "bad-refunds.csv:2: Refunded Amount: invalid amount .abc." err &&
	grep -q "bad-refunds.csv:3: Refunded Amount: .10 USD. is in USD, the purchase in EUR" err &&
	grep -q "bad-refunds.csv:4: Refunded Amount: .-5.00.: an amount refunded is not negative" err &&
	grep -q "bad-refunds.csv:6: quantity" err &&
	grep -q "read 6, created 1, .*rejected 5; 1 new person; 1 refund; batch 1" err &&
	crm-purchase list -f order_ref,status,total,refund_of -H >out &&
	printf "#2005\trefunded\t40.00 EUR\t\n\tpaid\t-40.00 EUR\t1\n" >expect &&
	test_cmp expect out
'
# A purchase without an order number is no group of rows: its refund is
# made with its row.
test_expect_success 'import: a purchase without an order number is refunded with its row' '
	export CRM_DB="$PWD/refunded-lone.db" &&
	printf "Email,Currency,Total,Created at,Refunded Amount\nann@example.org,EUR,50.00,2026-11-03,20.00\n" >lone.csv &&
	crm-import purchases lone.csv 2>err && grep -q "created 1, .*; 1 refund; batch 1" err &&
	crm-purchase list -f total,refund_of,at -H >out &&
	printf "50.00 EUR\t\t2026-11-03T00:00:00Z\n-20.00 EUR\t1\t2026-11-03T00:00:00Z\n" >expect &&
	test_cmp expect out
'
# A refund made by hand of an imported purchase is a change since the
# import: undo names it, and --force takes it with the purchase.
test_expect_success 'undo --force of imported purchases takes the refunds made since with them' '
	export CRM_DB="$PWD/undo-refund.db" &&
	crm-db init >/dev/null &&
	crm-contact add -q --email x@undo.example >/dev/null &&
	printf "order_ref,email,total,sku,quantity,price\nW9,x@undo.example,80.00 EUR,S9,4,20\n" >undo-pur.csv &&
	crm-import purchases -q undo-pur.csv && crm-purchase refund 1 --line S9 --qty 1 >/dev/null &&
	expect_exit 3 crm-import undo 1 2>err && grep -q "purchase 2: refers to purchase 1" err &&
	crm-import undo --force 1 2>err && grep -q "removed 1" err &&
	expect_exit 1 crm-purchase list -a -H &&
	crm-db audit --entity purchase -f id,action -H | tail -2 >out &&
	printf "2\tpurge\n1\tundo\n" >expect && test_cmp expect out
'
test_done
