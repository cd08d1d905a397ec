#!/bin/bash
# crm-loyalty: points earned by purchases under the configured rules
# (figures worked by hand below), reversed on refunds, redeemed
# soonest-expiring first, adjusted, expired; tiers up at once and down at
# review; reminders, members, reward cards; imports with and without
# earning; two tills at once; merge and erasure; bad input.
. "$(dirname "$0")/lib.sh"

mkdir -p .config/crm
cat >.config/crm/config.yaml <<'EOF'
base_currency: EUR
loyalty:
  expiry_months: 12
  earn:
    - name: spend
      points: 1
    - name: tea
      per: item
      points: 5
      category: tea
    - name: big
      per: order
      points: 20
      min_amount: 100
    - name: birthday
      points: 1
      when: birthday-month
  tiers:
    - name: silver
      points: 200
      multiplier: 1.5
  rewards:
    coffee: 50
    tote: 500
  cards:
    prefix: "2900"
    length: 16
EOF

ledger() {
	sqlite3 "$CRM_DB" "select * from loyalty_ledger; select * from loyalty_lots; select * from loyalty_owed;
		select * from loyalty_uses; select * from loyalty_tiers; select * from loyalty_cards;
		select * from purchases" >"$1"
}
balance_is() {
	echo "$2" >expect && crm-loyalty balance "$1" >out && test_cmp expect out
}

test_expect_success 'people, one born in November, and a rate for dollars' '
	crm-contact add -q --email ann@example.org --first-name Ann --birth-date 1990-11-03 >/dev/null &&
	crm-contact add -q --email bo@example.org --first-name Bo >/dev/null &&
	crm-contact add -q --email cy@example.org --first-name Cy >/dev/null &&
	crm-db rates set 2026-10-01 USD 1.25 2>/dev/null &&
	balance_is ann@example.org 0
'
# 19.90 + 24.90 = 44.80 EUR: spend floor(44.80) = 44; no tea, under 100,
# October is not her birth month.
test_expect_success 'a purchase earns a point per euro, dated by the purchase' '
	crm-purchase add --person ann@example.org --line "MUG 2 9.95 Mug" --line "POS 1 24.90 Poster" \
		--at 2026-10-05T10:00:00Z >/dev/null &&
	balance_is ann@example.org 44 &&
	crm-loyalty statement ann@example.org -H >out &&
	printf "1\t2026-10-05T10:00:00Z\tearn\t44\t44\t2027-10-05\tpurchase 1 spend\n" >expect &&
	test_cmp expect out
'
# 36.00 + 21.00 = 57.00: spend 57, tea 3 items x 5 = 15, birthday month
# (November) another 57: 129; balance 44 + 129 = 173.
test_expect_success 'item rules count the lines of their category; the birth month doubles' '
	echo "[{\"sku\":\"TEA\",\"quantity\":3,\"price\":\"12.00\",\"category\":\"tea\"},{\"sku\":\"POT\",\"quantity\":1,\"price\":21,\"category\":\"ware\"}]" |
		crm-purchase add --person ann@example.org --lines-json - --at 2026-11-10T10:00:00Z >/dev/null &&
	balance_is ann@example.org 173 &&
	crm-loyalty explain ann@example.org -f rule,purchase,points -H >out &&
	printf "spend\t1\t44\nspend\t2\t57\ntea\t2\t15\nbirthday\t2\t57\n" >expect &&
	test_cmp expect out
'
# 30.00 USD at 1.25 USD per EUR is 24.00 EUR: 24 points.
test_expect_success 'a purchase in another currency earns on its value in the base currency' '
	crm-purchase add --person bo@example.org --total "30.00 USD" --at 2026-11-02 >/dev/null &&
	balance_is bo@example.org 24
'
test_expect_success 'a purchase in a currency with no rate for its date: exit 3, nothing written' '
	ledger before &&
	expect_exit 3 crm-purchase add --person bo@example.org --total "10 GBP" --at 2026-11-02 2>err &&
	grep -q GBP err && ledger after && test_cmp before after
'
# 120 EUR, no lines: spend 120, big 20 (>= 100), birthday 120: 260.  She
# had 173 in the window, below silver (200): the purchase earns at 1x and
# lifts her to silver at its time.  The next one, 10 EUR, earns 1.5x:
# spend 15, birthday 15.  433 + 30 = 463.
test_expect_success 'crossing a tier threshold upgrades at once; the next purchase earns more' '
	crm-purchase add --person 1 --total "120 EUR" --at 2026-11-12T08:00:00Z >/dev/null &&
	balance_is 1 433 &&
	crm-loyalty tier 1 -f tier,since,points,qualifies -H >out &&
	printf "silver\t2026-11-12T08:00:00Z\t433\tsilver\n" >expect && test_cmp expect out &&
	crm-purchase add --person 1 --total "10 EUR" --at 2026-11-15T08:00:00Z >/dev/null &&
	balance_is 1 463
'
test_expect_success 'people show their points and tier, and can be chosen by them' '
	crm-contact show 1 -f points,tier -H >out && printf "463\tsilver\n" >expect && test_cmp expect out &&
	crm-contact list --where "tier = silver" -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-contact list --where "points >= 24" -f id -H >out && printf "1\n2\n" >expect && test_cmp expect out &&
	crm-contact list --tier silver -f id -H >out && echo 1 >expect && test_cmp expect out &&
	: no tier is a tier of its own, and one no one could be in is a mistake &&
	crm-contact list --tier "" --where "id <= 2" -f id -H >out && echo 2 >expect && test_cmp expect out &&
	expect_exit 2 crm-contact list --tier platinum 2>err && grep -q "no tier .platinum. (tiers: " err &&
	expect_exit 2 crm-loyalty members --tier platinum 2>err && grep -q "no tier .platinum." err &&
	expect_exit 2 crm-campaign segment add plat --tier platinum 2>err && grep -q "no tier .platinum." err
'
# One tea of 12.00 back from 57.00: each rule of purchase 2 gives back
# round(points x 12/57): spend 57 -> 12, tea 15 -> 3 (3.16), birthday
# 57 -> 12; 27 in all.
test_expect_success 'a partial refund reverses the purchase points pro rata' '
	crm-purchase refund 2 --line TEA --qty 1 >/dev/null &&
	balance_is 1 436 &&
	crm-loyalty statement 1 --since 2026-11-22 -f kind,points,balance,detail -H >out &&
	printf "reverse\t-12\t451\tpurchase 2 spend\nreverse\t-3\t448\tpurchase 2 tea\nreverse\t-12\t436\tpurchase 2 birthday\n" >expect &&
	test_cmp expect out
'
test_expect_success 'a refund larger than the purchase: exit 3, nothing written' '
	ledger before &&
	expect_exit 3 crm-purchase refund 2 --line TEA --qty 5 2>err && grep -q "more than" err &&
	ledger after && test_cmp before after
'
test_expect_success 'redeeming more than the balance exits 3 and writes nothing' '
	ledger before &&
	expect_exit 3 crm-loyalty redeem 1 --reward tote 2>err && grep -q "balance is 436" err &&
	expect_exit 3 crm-loyalty redeem 1 437 2>err &&
	expect_exit 3 crm-loyalty redeem 1 --reward yacht 2>err && grep -q "no reward .yacht." err &&
	expect_exit 3 crm-loyalty redeem 1 -5 2>err &&
	expect_exit 2 crm-loyalty redeem 1 2>err &&
	expect_exit 1 crm-loyalty redeem nobody@example.org 5 2>err &&
	ledger after && test_cmp before after
'
# The soonest-expiring points go first: all 44 of purchase 1 (expiring
# 2027-10-05), then 6 of purchase 2's spend lot (57 - 12 = 45 left).
test_expect_success 'a redemption spends the soonest-expiring points first' '
	crm-loyalty redeem 1 --reward coffee >out && balance_is 1 386 &&
	crm-loyalty explain 1 -f purchase,rule,spent,left -H >out &&
	printf "1\tspend\t44\t0\n2\tspend\t18\t39\n2\ttea\t3\t12\n2\tbirthday\t12\t45\n4\tspend\t0\t120\n4\tbig\t0\t20\n4\tbirthday\t0\t120\n5\tspend\t0\t15\n5\tbirthday\t0\t15\n" >expect &&
	test_cmp expect out
'
test_expect_success 'adjust adds or takes points with a reason; no reason is a usage error' '
	crm-loyalty adjust 2 +10 --reason "goodwill" >/dev/null && balance_is 2 34 &&
	crm-loyalty adjust 2 -4 --reason "correction" >/dev/null && balance_is 2 30 &&
	expect_exit 2 crm-loyalty adjust 2 +5 2>err && grep -q reason err &&
	expect_exit 3 crm-loyalty adjust 2 0 --reason x 2>err &&
	crm-loyalty statement 2 -f kind,points,expires,detail -H >out &&
	printf "earn\t24\t2027-11-02\tpurchase 3 spend\nadjust\t10\t2027-11-22\tgoodwill\nadjust\t-4\t\tcorrection\n" >expect &&
	test_cmp expect out
'
test_expect_success 'remind lists who has points expiring within the span' '
	crm-loyalty remind --expiring-within 30d --as-of 2027-10-05 -f id,points,expires -H >out &&
	printf "2\t20\t2027-11-02\n" >expect && test_cmp expect out &&
	crm-loyalty remind --expiring-within 60d --as-of 2027-10-05 -f id >out &&
	crm-contact show - -f email -H <out >emails && printf "bo@example.org\nann@example.org\n" >expect &&
	test_cmp expect emails &&
	expect_exit 1 crm-loyalty remind --expiring-within 1d --as-of 2027-10-05 &&
	expect_exit 2 crm-loyalty remind --as-of 2027-10-01 2>err
'
# Bo: 24 earned (used 4 by the correction, left 20) expire 2027-11-02;
# Ann's purchase 2 lots (39 + 12 + 45) on 2027-11-10.
test_expect_success 'expire writes off what is left of lots at their expiry day, once' '
	expect_exit 2 crm-loyalty expire --as-of 2026-11-23 2>err && grep -q "after today" err &&
	CRM_NOW=2027-11-12T06:00:00Z crm-loyalty explain 2 -f points,spent,expired,left -H >out &&
	printf "24\t4\t20\t0\n10\t0\t0\t10\n" >expect && test_cmp expect out &&
	ledger before && CRM_NOW=2027-11-12T06:00:00Z crm-loyalty expire -n --as-of 2027-11-10 -f person,points -H >out &&
	ledger after && test_cmp before after && printf "1\t-39\n1\t-12\n1\t-45\n2\t-20\n" >expect && test_cmp expect out &&
	CRM_NOW=2027-11-12T06:00:00Z crm-loyalty expire --as-of 2027-11-10 -f person,points,at -H >out &&
	printf "1\t-39\t2027-11-10T00:00:00Z\n1\t-12\t2027-11-10T00:00:00Z\n1\t-45\t2027-11-10T00:00:00Z\n2\t-20\t2027-11-02T00:00:00Z\n" >expect &&
	test_cmp expect out &&
	ledger before && CRM_NOW=2027-11-12T06:00:00Z expect_exit 1 crm-loyalty expire --as-of 2027-11-10 >out &&
	ledger after && test_cmp before after && test "$(wc -l <out)" = 1
'
test_expect_success 'review moves a member down once the window no longer holds the points' '
	export CRM_NOW=2027-11-20T06:00:00Z &&
	expect_exit 1 crm-loyalty review --as-of 2027-06-01 -f person,from,to -H >out && test ! -s out &&
	ledger before && crm-loyalty review --dry-run -f person,from,to -H >out &&
	ledger after && test_cmp before after && printf "1\tsilver\t\n" >expect && test_cmp expect out &&
	crm-loyalty review -f person,from,to,points -H >out &&
	printf "1\tsilver\t\t0\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-loyalty review -H >out && test ! -s out &&
	expect_exit 1 crm-loyalty review --as-of 2026-11-14 -H >out
'
test_expect_success 'members lists people with points, a tier or a card' '
	crm-loyalty members -f id,tier -H >out && printf "1\t\n2\t\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-loyalty members --tier silver -H >out && test ! -s out
'
test_expect_success 'card issue gives a Luhn-valid number with the prefix' '
	crm-loyalty card issue ann@example.org >card &&
	grep -qx "2900[0-9]\{12\}" card &&
	awk "{ s = 0; n = length(\$0); for (i = n; i >= 1; i--) { d = substr(\$0, i, 1) + 0;
		if ((n - i) % 2 == 1) { d *= 2; if (d > 9) d -= 9 } s += d } exit s % 10 }" card
'
# 386 less the 96 expired above.
test_expect_success 'card show prints the person, balance and tier' '
	crm-loyalty card show "$(cat card)" -f person,name,balance -H >out &&
	printf "1\tAnn\t290\n" >expect && test_cmp expect out
'
test_expect_success 'an unknown card exits 1 and prints no record; a misread one says so' '
	expect_exit 1 crm-loyalty card show 2900000000000000 >out 2>err && test ! -s out &&
	n=$(cat card) && bad=${n%?}$(( (${n: -1} + 1) % 10 )) &&
	expect_exit 1 crm-loyalty card show "$bad" >out 2>err && test ! -s out && grep -q "check digit" err
'
test_expect_success 'a blocked card exits 3 and prints no record; replacing it gives a new one' '
	crm-loyalty card block "$(cat card)" &&
	expect_exit 3 crm-loyalty card show "$(cat card)" >out 2>err && test ! -s out && grep -q blocked err &&
	crm-loyalty card replace "$(cat card)" >new && ! test_cmp card new >/dev/null &&
	crm-loyalty card show "$(cat new)" -f person -H >out && echo 1 >expect && test_cmp expect out &&
	expect_exit 3 crm-loyalty card show "$(cat card)" 2>err && grep -q "replaced by $(cat new)" err &&
	expect_exit 3 crm-loyalty card block "$(cat card)" 2>err
'
test_expect_success 'card print --svg draws a QR code of the number' '
	crm-loyalty card print "$(cat new)" --svg >qr.svg &&
	head -1 qr.svg | grep -q "^<?xml" && grep -q "<svg xmlns" qr.svg &&
	grep -q "<title>$(cat new)</title>" qr.svg && grep -q "M4 4h1v1h-1z" qr.svg &&
	expect_exit 2 crm-loyalty card print "$(cat new)" 2>err
'
cat >orders.csv <<'EOF'
Name,Email,Created at,Lineitem sku,Lineitem name,Lineitem quantity,Lineitem price,Currency
#1001,cy@example.org,2026-09-01 10:00,S1,Shirt,2,20.00,EUR
#1001,cy@example.org,2026-09-01 10:00,S2,Socks,1,5.00,EUR
#1002,cy@example.org,2026-09-03 10:00,S1,Shirt,1,20.00,EUR
EOF
# #1001: 2 x 20.00 + 5.00 = 45 points, #1002: 20; 65 in all.  An order
# earns once its lines are all in: one entry, as crm-purchase add writes.
test_expect_success 'imported orders earn once each, on all their lines; importing again earns nothing more' '
	crm-import purchases orders.csv 2>/dev/null && balance_is cy@example.org 65 &&
	crm-loyalty statement cy@example.org -H | cut -f3,4,7 >out &&
	printf "earn\t45\tpurchase %s spend\nearn\t20\tpurchase %s spend\n" \
		"$(crm-purchase list --order-ref "#1001" -f id -H)" \
		"$(crm-purchase list --order-ref "#1002" -f id -H)" >expect && test_cmp expect out &&
	crm-import purchases orders.csv 2>/dev/null && balance_is cy@example.org 65
'
# The first row of an order in a currency with no rate for its day is
# refused, with its line, before the rest of the order comes.
test_expect_success 'an imported order in a currency with no rate for its day is refused at its first row' '
	ledger before &&
	printf "Name,Email,Created at,Lineitem quantity,Lineitem price,Currency\n" >gbp.csv &&
	printf "#4001,cy@example.org,2026-09-02 10:00,1,10.00,GBP\n#4001,cy@example.org,2026-09-02 10:00,1,5.00,GBP\n" >>gbp.csv &&
	expect_exit 3 crm-import purchases gbp.csv 2>err &&
	grep -q "^crm-import: gbp.csv:2: .*GBP" err &&
	grep -q "gbp.csv:3: order_ref: .*an earlier row of it was rejected" err &&
	ledger after && test_cmp before after &&
	expect_exit 1 crm-purchase list --order-ref "#4001" -H
'
test_expect_success 'undoing an import of orders gives their points back, and of a new buyer too' '
	sed "s/#100/#300/" orders.csv >undo.csv &&
	crm-import purchases undo.csv 2>err && balance_is cy@example.org 130 &&
	batch=$(sed -n "s/.*; batch \([0-9]*\)$/\1/p" err) &&
	crm-import undo "$batch" 2>/dev/null && balance_is cy@example.org 65 &&
	printf "Name,Email,Lineitem quantity,Lineitem price,Currency\n#3100,newbuyer@example.org,1,30.00,EUR\n" >undo2.csv &&
	crm-import purchases undo2.csv 2>err &&
	batch=$(sed -n "s/.*; batch \([0-9]*\)$/\1/p" err) &&
	crm-import undo "$batch" 2>/dev/null &&
	sqlite3 "$CRM_DB" "SELECT count(*), coalesce(sum(points), 0) FROM loyalty_ledger WHERE contact_id IS NULL;
	                   SELECT count(*) FROM loyalty_lots WHERE contact_id NOT IN (SELECT id FROM contacts)" >out &&
	printf "2|0\n0\n" >expect && test_cmp expect out
'
test_expect_success 'crm-import purchases --no-earn loads history that earns nothing' '
	sed "s/#100/#200/" orders.csv >old.csv &&
	crm-import purchases --no-earn old.csv 2>/dev/null && balance_is cy@example.org 65 &&
	crm-purchase list --order-ref "#2001" -f earns -H >out && echo no >expect && test_cmp expect out &&
	id=$(crm-purchase list --order-ref "#2001" -f id -H) && crm-purchase refund $id >/dev/null &&
	balance_is cy@example.org 65 &&
	expect_exit 2 crm-import contacts --no-earn orders.csv 2>err
'
test_expect_success 'archiving a purchase takes its points back; restoring gives them again' '
	id=$(crm-purchase list --order-ref "#1002" -f id -H) &&
	crm-purchase rm $id && balance_is cy@example.org 45 &&
	crm-purchase restore $id && balance_is cy@example.org 65
'
test_expect_success 'a total corrected down earns what the rules give for it, whoever holds it' '
	printf "loyalty:\n  earn:\n    - { name: spend, per: amount, points: 1 }\n" >fix.yaml &&
	export CRM_CONFIG="$PWD/fix.yaml" CRM_DB="$PWD/fix.db" &&
	crm-db init >/dev/null &&
	crm-contact add -q --email a@fix.example && crm-contact add -q --email b@fix.example &&
	crm-purchase add -q --person 1 --at 2026-11-10 --total 40.00 >/dev/null &&
	crm-purchase set -q 1 --total 20.00 && balance_is a@fix.example 20 &&
	crm-purchase set -q 1 --person 2 && balance_is a@fix.example 0 && balance_is b@fix.example 20 &&
	crm-purchase set -q 1 --person 1 && balance_is a@fix.example 20 && balance_is b@fix.example 0 &&
	crm-purchase set -q 1 --total 40.00 && balance_is a@fix.example 40
'
# The lock is held by a sqlite3 shell fed through a FIFO, taken before the
# tills start and let go when the test says, so nothing rests on timing.
# The shell waits for the lock: the loop below, asking whether it is held
# yet, may hold it for an instant just when the shell asks for it.
hold_lock() {
	rm -f lock.fifo && mkfifo lock.fifo &&
	{ sqlite3 "$CRM_DB" <lock.fifo >/dev/null 2>&1 & } && exec 9>lock.fifo &&
	printf ".timeout 60000\nBEGIN IMMEDIATE;\n" >&9 &&
	until ! sqlite3 "$CRM_DB" "begin immediate; commit" 2>/dev/null; do sleep 0.05; done
}
release_lock() {
	echo "COMMIT;" >&9 && exec 9>&- && wait
}
test_expect_success 'two tills redeeming at once never overdraw: one waits, then is short' '
	crm-loyalty adjust 3 -15 --reason "to 50" >/dev/null && balance_is 3 50 && hold_lock || exit 1
	{ CRM_BUSY_TIMEOUT=60000 crm-loyalty redeem 3 40 >/dev/null 2>e1; echo $? >r1; } &
	{ CRM_BUSY_TIMEOUT=60000 crm-loyalty redeem 3 40 >/dev/null 2>e2; echo $? >r2; } &
	release_lock &&
	echo "$(cat r1) $(cat r2)" | grep -qx "0 3\|3 0" && balance_is 3 10 &&
	cat e1 e2 | grep -q "balance is 10, short of 40"
'
test_expect_success 'a till that cannot get the lock in time exits 4, nothing written' '
	ledger before && hold_lock &&
	{ CRM_BUSY_TIMEOUT=100 crm-loyalty redeem 3 5 2>err; echo $? >r; } &&
	release_lock && echo 4 >expect && test_cmp expect r && grep -q "locked" err &&
	ledger after && test_cmp before after
'
test_expect_success 'merging people adds their points; the survivor holds both' '
	crm-contact merge 2 3 >/dev/null 2>&1 && balance_is 2 20 &&
	crm-loyalty members -f id -H >out && printf "1\n2\n" >expect && test_cmp expect out
'
test_expect_success 'erasing a person keeps the ledger amounts but not whose they were' '
	n=$(sqlite3 "$CRM_DB" "select count(*) from loyalty_ledger") &&
	crm-contact erase 1 >/dev/null 2>&1 &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from loyalty_ledger")" = "$n" &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from loyalty_ledger where contact_id = 1")" = 0 &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from loyalty_cards where contact_id = 1")" = 0 &&
	crm-loyalty members -f id -H >out && echo 2 >expect && test_cmp expect out &&
	: no new card for them either &&
	expect_exit 3 crm-loyalty card issue 1 >out 2>err && grep -q "contact 1 was erased" err &&
	test ! -s out && test "$(sqlite3 "$CRM_DB" "select count(*) from loyalty_cards where contact_id = 1")" = 0
'
test_expect_success 'the ledger adds up: balance = lots left - owed, no lot used beyond its points' '
	sqlite3 "$CRM_DB" "select contact_id, sum(points) from loyalty_ledger where contact_id is not null group by 1" >sum &&
	sqlite3 "$CRM_DB" "select contact_id, sum(p) from (select contact_id, remaining p from loyalty_lots
		union all select contact_id, -points from loyalty_owed) group by 1" >lots &&
	test_cmp sum lots &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from loyalty_ledger e join (select lot_id, sum(points) s
		from loyalty_uses group by 1) u on u.lot_id = e.id where u.s > e.points")" = 0
'
# The spend rule gives at most 10^12 points in one entry; big adds 20.
test_expect_success 'hostile numbers: the largest purchase earns the most one entry holds; huge points are refused' '
	crm-contact add -q --email max@example.org >/dev/null &&
	crm-purchase add --person max@example.org --total "92233720368547758.07 EUR" --at 2026-11-20 >/dev/null &&
	balance_is max@example.org 1000000000020 &&
	expect_exit 3 crm-loyalty redeem max@example.org 1000000000001 2>err &&
	expect_exit 3 crm-loyalty redeem max@example.org 99999999999999999999 2>err &&
	expect_exit 3 crm-loyalty adjust max@example.org +1000000000001 --reason x 2>err && grep -q "at most 1000000000000" err &&
	expect_exit 3 crm-loyalty adjust max@example.org -1.5 --reason x 2>err &&
	expect_exit 3 crm-loyalty redeem max@example.org 1e3 2>err
'
test_expect_success 'without a programme, redeem and review are usage errors; balance is 0' '
	mv .config/crm/config.yaml cfg.keep &&
	expect_exit 2 crm-loyalty redeem 2 5 2>err && grep -q "no loyalty programme" err &&
	expect_exit 2 crm-loyalty review 2>err &&
	crm-loyalty balance 2 >out && echo 20 >expect && test_cmp expect out &&
	mv cfg.keep .config/crm/config.yaml
'
test_expect_success 'a bad programme is named with its file and line' '
	printf "loyalty:\n  tiers:\n    - name: a\n      points: 10\n    - name: b\n      points: 5\n" >bad.yaml &&
	CRM_CONFIG=bad.yaml expect_exit 2 crm-loyalty balance 2 2>err && grep -q "bad.yaml:.*needs more than" err &&
	printf "loyalty:\n  earn:\n    - name: a\n      points: 0.0001\n" >bad.yaml &&
	CRM_CONFIG=bad.yaml expect_exit 2 crm-loyalty balance 2 2>err && grep -q "bad.yaml:4:.*points" err &&
	printf "loyalty:\n  earn:\n    - name: a\n      per: week\n" >bad.yaml &&
	CRM_CONFIG=bad.yaml expect_exit 2 crm-loyalty balance 2 2>err && grep -q "unknown per .week." err
'
# One month's expiry, silver at 25: Ann and Bo each buy 3 at 10.00 (30
# points) on 10 January and return 2 of them; Ann on the 20th, before
# her points expire, Bo on 20 February, after.  Each keeps 30 - 30 x
# 20/30 = 10 points towards the tier; Bo's refund took nothing from a
# balance already expired, but it counts against the tier all the same.
test_expect_success 'a refund after the points expired still counts against the tier' '
	mkdir -p exp && printf "loyalty:\n  expiry_months: 1\n  earn:\n    - { name: spend, points: 1 }\n  tiers:\n    - { name: silver, points: 25 }\n" >exp/c.yaml &&
	export CRM_CONFIG="$PWD/exp/c.yaml" CRM_DB="$PWD/exp/l.db" &&
	crm-contact add -q --email ann@example.org >/dev/null && crm-contact add -q --email bo@example.org >/dev/null &&
	CRM_NOW=2028-01-10T12:00:00Z crm-purchase add -q --person 1 --line "W 3 10.00" >/dev/null &&
	CRM_NOW=2028-01-10T12:00:00Z crm-purchase add -q --person 2 --line "W 3 10.00" >/dev/null &&
	CRM_NOW=2028-01-20T10:00:00Z crm-purchase refund -q 1 --line W --qty 2 >/dev/null &&
	CRM_NOW=2028-02-15T10:00:00Z crm-loyalty tier 2 -f points,qualifies -H >out &&
	printf "30\tsilver\n" >expect && test_cmp expect out &&
	CRM_NOW=2028-02-20T10:00:00Z crm-purchase refund -q 2 --line W --qty 2 >/dev/null &&
	for p in 1 2; do CRM_NOW=2028-02-25T10:00:00Z crm-loyalty tier $p -f points,qualifies -H || return 1; done >out &&
	printf "10\t\n10\t\n" >expect && test_cmp expect out &&
	CRM_NOW=2028-02-25T10:00:00Z crm-loyalty review -n -f person,from,to -H >out &&
	printf "1\tsilver\t\n2\tsilver\t\n" >expect && test_cmp expect out
'
# Ann was given 30 points by hand; Bo earned 20 and spent them, then
# his purchase was deleted, so he owes 20; Cy has 30 of her own.  Ann
# and Bo purged, their points and debt go with them, and the month's
# expiry writes off Cy's 30 alone.
test_expect_success 'a purged person takes their points and debt along; expiry runs on' '
	mkdir -p pur && printf "loyalty:\n  expiry_months: 1\n  earn:\n    - { name: spend, points: 1 }\n" >pur/c.yaml &&
	export CRM_CONFIG="$PWD/pur/c.yaml" CRM_DB="$PWD/pur/l.db" &&
	for p in ann bo cy; do crm-contact add -q --email $p@example.org >/dev/null || return 1; done &&
	crm-loyalty adjust -q --reason gift ann@example.org +30 >/dev/null &&
	crm-purchase add -q --person bo@example.org --total "20.00 EUR" >/dev/null &&
	crm-loyalty redeem -q bo@example.org 20 >/dev/null && crm-purchase rm -q --purge 1 &&
	crm-loyalty adjust -q --reason gift cy@example.org +30 >/dev/null &&
	sqlite3 "$CRM_DB" "select contact_id, remaining from loyalty_lots; select contact_id, points from loyalty_owed" >out &&
	printf "1|30\n3|30\n2|20\n" >expect && test_cmp expect out &&
	crm-contact rm -q --purge 1 2 &&
	sqlite3 "$CRM_DB" "select contact_id from loyalty_lots union all select contact_id from loyalty_owed" >out &&
	echo 3 >expect && test_cmp expect out &&
	CRM_NOW=2027-01-01T00:00:00Z crm-loyalty expire -H >out &&
	printf "%s\t3\t-30\t2026-12-22T00:00:00Z\n" "$(sqlite3 "$CRM_DB" "select max(id) from loyalty_ledger")" >expect &&
	test_cmp expect out
'
test_expect_success 'undoing an import of people takes the points given them since along' '
	export CRM_CONFIG="$PWD/pur/c.yaml" CRM_DB="$PWD/pur/u.db" &&
	printf "email\nann@example.org\nbo@example.org\n" >people.csv &&
	crm-import contacts -q people.csv &&
	crm-loyalty adjust -q --reason gift ann@example.org +30 >/dev/null &&
	crm-import undo -q 1 &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from loyalty_lots") $(sqlite3 "$CRM_DB" "select count(*) from contacts")" = "0 0" &&
	CRM_NOW=2027-01-01T00:00:00Z expect_exit 1 crm-loyalty expire -H >out
'
test_done
