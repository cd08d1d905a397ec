#!/bin/bash
# Hostile input, table-driven: quotes and SQL, format strings, shell
# syntax, control, bidirectional and zero-width characters, invalid and
# overlong UTF-8, very long values, huge numbers, deep JSON, and output
# paths that climb out or are symbolic links.  Each value is either stored
# and printed back exactly, or rejected with exit 2 or 3 and a message and
# the database unchanged; nothing crashes and no SQL is altered.
. "$(dirname "$0")/lib.sh"

snapshot() {
	sqlite3 "$CRM_DB" .dump >"$1"
}

# The values, one per line of a file (so that no shell quoting is in the
# way); \n in them stands for a newline.
{
	printf '%s\n' "'); DROP TABLE contacts;--" 'Robert"); DELETE FROM audit; --' \
		"' OR '1'='1" '%s%n%x%p%99999999d' '$(touch pwned)`touch pwned`' \
		'-rf --purge' '\x41' 'a\nb'
	printf 'ctrl\001\007\033[31mred\n'
	printf 'tab\there\n'
	printf '\342\200\256evil RTL override\342\200\254\n'     # U+202E ... U+202C
	printf '\331\205\330\255\331\205\330\257 \327\251\327\234\327\225\327\235\n' # Arabic, Hebrew
	printf 'zero\342\200\213width\n'                           # U+200B
	printf '\357\273\277BOM inside\n'                          # U+FEFF
	printf '\360\237\221\251\342\200\215\360\237\221\251\342\200\215\360\237\221\247 family\n'
	head -c 100000 /dev/zero | tr '\0' 'x'; echo
} >values

# The invalid ones: not UTF-8, overlong, a surrogate, truncated.
{
	printf 'bad\377byte\n'
	printf 'overlong\300\257slash\n'
	printf 'surrogate\355\240\200\n'
	printf 'truncated\342\202\n'
} >invalid

test_expect_success 'setup' '
	crm-db init >/dev/null &&
	crm-contact add -q --first-name Ada --email ada@example.org >/dev/null
'

i=0
while IFS= read -r v; do
	i=$((i + 1))
	export V="$v"
	test_expect_success "value $i as a field is stored and printed back exactly" '
		id=$(crm-contact add --first-name "$V" --last-name "L$RANDOM") &&
		crm-contact show "$id" --format jsonl -f first_name | jq -j .first_name >got &&
		printf "%s" "$V" >want && cmp want got &&
		crm-contact set -q "$id" --title "$V" --set "note=$V" &&
		crm-contact show "$id" --format jsonl -f title,custom.note | jq -j ".title, .\"custom.note\"" >got &&
		printf "%s%s" "$V" "$V" >want && cmp want got &&
		crm-contact tag -q add "t$i" "$id"
	'
	test_expect_success "value $i in --where, --search and as a tag changes nothing" '
		snapshot before &&
		{ crm-contact list --where "first_name = $V" -f id >/dev/null; s=$?; test $s -le 2; } &&
		{ crm-contact list --search "$V" -f id >/dev/null; s=$?; test $s -le 2; } &&
		{ crm-contact list --tag "$V" -f id >/dev/null; s=$?; test $s -le 2; } &&
		snapshot after && test_cmp before after
	'
done <values

i=0
while IFS= read -r v; do
	i=$((i + 1))
	export V="$v"
	test_expect_success "invalid UTF-8 $i is refused with exit 3 and a message, nothing written" '
		snapshot before &&
		expect_exit 3 crm-contact add --first-name "$V" 2>err && grep -q "UTF-8" err &&
		expect_exit 3 crm-contact set 1 --city "$V" 2>err && grep -q "UTF-8" err &&
		printf "first_name,email\n%s,x$i@example.org\n" "$V" >bad.csv &&
		expect_exit 3 crm-import contacts bad.csv 2>err && grep -q "bad.csv:2: first_name: invalid UTF-8" err &&
		snapshot after && test_cmp before after
	'
done <invalid

# Each hostile value also as a deal's and a task's text, and as a stage,
# a currency, an amount and a due date, which are refused.
i=0
while IFS= read -r v; do
	i=$((i + 1))
	export V="$v"
	test_expect_success "value $i as a deal title, task title and note is stored exactly" '
		id=$(crm-deal add --title "$V" --amount "1 EUR") &&
		crm-deal show "$id" --format jsonl -f title | jq -j .title >got &&
		printf "%s" "$V" >want && cmp want got &&
		tid=$(crm-task add --title "$V" --due 2026-12-01 --deal "$id") &&
		crm-task show "$tid" --format jsonl -f title | jq -j .title >got && cmp want got &&
		crm-deal note -q "$id" -- "$V" >/dev/null
	'
	test_expect_success "value $i as a stage, amount, currency or due date is refused, nothing written" '
		snapshot before &&
		expect_exit 3 crm-deal add --title x --stage "$V" 2>err && grep -q "stage" err &&
		expect_exit 3 crm-deal add --title x --amount "$V" 2>err && grep -q "amount" err &&
		expect_exit 3 crm-deal add --title x --amount "12 $V" 2>err && grep -q "amount" err &&
		expect_exit 3 crm-task add --title x --due "$V" 2>err && grep -q "due" err &&
		expect_exit 3 crm-task add --title x --due 2026-12-01 --repeat "$V" 2>err && grep -q "repeat" err &&
		snapshot after && test_cmp before after
	'
done <values

# Each hostile value as a ticket's subject, message, reply and comment,
# and as the Subject and text of mail read in; and as a queue, status,
# priority or span, which are refused.
i=0
while IFS= read -r v; do
	i=$((i + 1))
	export V="$v"
	test_expect_success "value $i as a ticket's subject and messages is stored exactly" '
		id=$(printf "%s\n" "$V" | crm-ticket add --subject "$V" --requester "h$i@example.org") &&
		crm-ticket show "$id" --format jsonl -f subject | jq -j .subject >got &&
		printf "%s" "$V" >want && cmp want got &&
		crm-ticket reply -q "$id" -- "$V" >/dev/null && crm-ticket comment -q "$id" -- "$V" >/dev/null &&
		crm-ticket thread "$id" --format jsonl -f text | jq -j .text >got &&
		printf "%s%s%s" "$V" "$V" "$V" >want && cmp want got
	'
	test_expect_success "value $i as a mail header and text is read exactly" '
		printf "From: m$i@example.org\nSubject: %s\nMessage-ID: <h$i@example.org>\n\n%s\n" "$V" "$V" >m.eml &&
		id=$(crm-ticket mail-in m.eml | cut -f3) &&
		crm-ticket show "$id" --format jsonl -f subject | jq -j .subject >got &&
		printf "%s" "$V" >want && cmp want got &&
		crm-ticket thread "$id" --format jsonl -f text | jq -j .text >got &&
		printf "%s" "$V" >want && cmp want got
	'
	test_expect_success "value $i as a queue, status, priority or span is refused, nothing written" '
		snapshot before &&
		expect_exit 3 crm-ticket add --subject x --queue "$V" </dev/null 2>err && grep -q "queue" err &&
		expect_exit 3 crm-ticket add --subject x --status "$V" </dev/null 2>err && grep -q "status" err &&
		expect_exit 3 crm-ticket add --subject x --priority "$V" </dev/null 2>err && grep -q "priority" err &&
		expect_exit 2 crm-ticket breaches --within "$V" 2>err && grep -q "span" err &&
		snapshot after && test_cmp before after
	'
done <values

# Each hostile value as a response's comment and channel, stored exactly;
# as its kind, score or time it is refused.
i=0
while IFS= read -r v; do
	i=$((i + 1))
	export V="$v"
	test_expect_success "value $i as a response's comment and channel is stored exactly" '
		id=$(crm-feedback add --kind nps --score 7 --comment "$V" --channel "$V") &&
		crm-feedback show "$id" --format jsonl -f comment,channel | jq -j ".comment, .channel" >got &&
		printf "%s%s" "$V" "$V" >want && cmp want got &&
		crm-feedback nps -H >/dev/null
	'
	test_expect_success "value $i as the kind, score or time of a response is refused, nothing written" '
		snapshot before &&
		expect_exit 3 crm-feedback add --kind "$V" --score 3 2>err && grep -q "kind" err &&
		expect_exit 3 crm-feedback add --kind nps --score "$V" 2>err && grep -q "score" err &&
		expect_exit 3 crm-feedback add --kind nps --score 3 --at "$V" 2>err && grep -q "at" err &&
		snapshot after && test_cmp before after
	'
done <values

# Each hostile value as an article's title, category, body and tag: stored
# exactly, searched and suggested without error, and through export and
# import unchanged (the front matter quotes it); as a locale or status it
# is refused.
i=0
while IFS= read -r v; do
	i=$((i + 1))
	export V="$v"
	test_expect_success "value $i as an article round-trips through its Markdown file" '
		id=$(crm-kb add --title "$V" --category "$V" --body "$V" --status published --tag "t$i" </dev/null) &&
		crm-kb show "$id" --format jsonl -f title | jq -j .title >got && printf "%s" "$V" >want && cmp want got &&
		{ crm-kb search -- "$V" >/dev/null; s=$?; test $s -le 2; } &&
		{ crm-kb suggest --text "$V" >/dev/null; s=$?; test $s -le 1; } &&
		rm -rf kb && crm-kb export -q kb && snapshot before &&
		crm-kb import kb 2>err && grep -q " 0 created, 0 updated" err &&
		snapshot after && test_cmp before after
	'
	test_expect_success "value $i as the locale or status of an article is refused, nothing written" '
		snapshot before &&
		expect_exit 3 crm-kb add --title x --locale "$V" </dev/null 2>err && grep -q "locale" err &&
		expect_exit 3 crm-kb add --title x --status "$V" </dev/null 2>err && grep -q "status" err &&
		snapshot after && test_cmp before after
	'
done <values

for amount in '99999999999999999999 EUR' '-9223372036854775809 JPY' '92233720368547758.08 EUR' \
	'1e9 EUR' '1,000.00 EUR' '12,50 EUR' 'EUR' '.5 EUR' '5. EUR' '1 EUR USD' '12.345 EUR' \
	'1.5 JPY' '0.0001 KWD' '12EUR' '+ 5 EUR' 'NaN EUR' 'inf USD'; do
	export A="$amount"
	test_expect_success "the amount '$amount' is refused with exit 3 naming it" '
		snapshot before &&
		expect_exit 3 crm-deal add --title x --amount "$A" 2>err &&
		grep -qF "amount: " err && grep -qF -- "$A" err &&
		snapshot after && test_cmp before after
	'
done
# The same amounts as a purchase's total; and as a line's price, the
# numbers that are no price of the currency, a negative one among them.
for amount in '99999999999999999999 EUR' '-9223372036854775809 JPY' '92233720368547758.08 EUR' \
	'1e9 EUR' '1,000.00 EUR' '12,50 EUR' 'EUR' '.5 EUR' '5. EUR' '1 EUR USD' '12.345 EUR' \
	'1.5 JPY' '0.0001 KWD' '12EUR' '+ 5 EUR' 'NaN EUR' 'inf USD'; do
	export A="$amount"
	test_expect_success "the amount '$amount' as a purchase's total is refused with exit 3 naming it" '
		snapshot before &&
		expect_exit 3 crm-purchase add --total "$A" 2>err &&
		grep -qF "total: " err && grep -qF -- "$A" err &&
		snapshot after && test_cmp before after
	'
done
for price in '99999999999999999999 EUR' '92233720368547758.08 EUR' '1e9 EUR' '1,000.00 EUR' \
	'12,50 EUR' '.5 EUR' '5. EUR' '12.345 EUR' '1.5 JPY' '0.0001 KWD' '-1 EUR' '-0.01 USD' \
	'+5 EUR' 'NaN EUR' 'inf USD' '0x10 EUR' 'ï¼ï¼ EUR'; do
	export P="$(printf -- "$price")"
	test_expect_success "the price '$price' of a line is refused with exit 3 naming it" '
		snapshot before &&
		expect_exit 3 crm-purchase add --currency "${P##* }" --line "X 1 ${P% *}" 2>err &&
		grep -qF "price: " err && grep -qF -- "${P% *}" err &&
		printf "[{\"quantity\":1,\"price\":\"%s\"}]" "${P% *}" >lines.json &&
		expect_exit 3 crm-purchase add --currency "${P##* }" --lines-json lines.json 2>err &&
		grep -qF "price: " err &&
		snapshot after && test_cmp before after
	'
done
# Each value as a person's name and in a campaign's subject and From name:
# the message still has its one recipient and its own headers, no more,
# and no line longer than 998 octets.
printf 'Hi {{first_name}}\n' >campaign.txt
printf 'mail:\n  from: news@example.org\n' >campaign.yaml
CRM_CONFIG=campaign.yaml crm-campaign template add -q hostile --subject 'Hi {{first_name}}' \
	--from-name '{{first_name}}' --text campaign.txt 2>/dev/null
i=0
while IFS= read -r v; do
	i=$((i + 1))
	export V="$v"
	test_expect_success "value $i as a name in a campaign message adds no header or recipient" '
		id=$(crm-contact add -q --first-name "$V" --email "camp$i@example.org" --tag "camp$i") &&
		crm-contact consent set "$id" email granted &&
		crm-campaign segment add "camp$i" --tag "camp$i" >/dev/null &&
		c=$(CRM_CONFIG=campaign.yaml crm-campaign add --name "$V" --segment "camp$i" --template hostile) &&
		CRM_CONFIG=campaign.yaml crm-campaign send "$c" -n -q >m.mbox &&
		"$TOP/tests/cli/mail-fields" mbox:m.mbox to,to_count,lines_ok,headers |
			sed "s/,Content-Transfer-Encoding$//" >got &&
		printf "camp$i@example.org\t1\t1\tDate,From,Subject,To,Message-Id,Precedence,List-Unsubscribe,X-CRM-Campaign,MIME-Version,Content-Type\n" >want &&
		test_cmp want got
	'
done <values

test_expect_success 'the largest purchase totals and prices are stored exactly; sums that overflow are an error' '
	id=$(crm-purchase add --total "92233720368547758.07 EUR") &&
	crm-purchase show "$id" -f total -H >got && echo "92233720368547758.07 EUR" >want && test_cmp want got &&
	id=$(crm-purchase add --line "X 1 92233720368547758.07") &&
	crm-purchase lines "$id" -f unit_price -H >got && echo "92233720368547758.07 EUR" >want && test_cmp want got &&
	snapshot before &&
	expect_exit 3 crm-purchase add --line "X 2 92233720368547758.07" 2>err && grep -q "out of range" err &&
	snapshot after && test_cmp before after &&
	expect_exit 3 crm-purchase summary 2>err && grep -q "range" err &&
	crm-purchase rm -q --purge $(crm-purchase list -f id -H)
'
test_expect_success 'the largest amounts are stored and printed back exactly' '
	id=$(crm-deal add --title max --amount "92233720368547758.07 EUR") &&
	crm-deal show "$id" -f amount -H >got && echo "92233720368547758.07 EUR" >want && test_cmp want got &&
	id=$(crm-deal add --title min --amount "-9223372036854775808 JPY") &&
	crm-deal show "$id" -f amount -H >got && echo "-9223372036854775808 JPY" >want && test_cmp want got
'
test_expect_success 'sums that overflow are an error, not a wrong figure' '
	crm-deal add -q --title a --amount "92233720368547758.07 EUR" --expected-close 2026-12-01 >/dev/null &&
	crm-deal add -q --title b --amount "92233720368547758.07 EUR" --expected-close 2026-12-01 >/dev/null &&
	expect_exit 3 crm-deal board --format tsv 2>err && grep -q "range\|overflow\|fit" err
'

test_expect_success 'the tables are all there, the data intact, crm-db check passes' '
	crm-db check >/dev/null &&
	test ! -e pwned &&
	test "$(crm-contact list -H -f id --where "source != service desk" | wc -l)" -eq $((2 * $(wc -l <values) + 1)) &&
	test "$(crm-ticket list -H -f id | wc -l)" -eq $((2 * $(wc -l <values))) &&
	test "$(crm-deal list -H -f id --where "title != max" --where "title != min" --where "title != a" --where "title != b" | wc -l)" -eq "$(wc -l <values)" &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from audit")" -gt 0
'
test_expect_success 'a 1,000,000-byte value imported is stored and printed back exactly' '
	{ printf "first_name,email\n"; head -c 1000000 /dev/zero | tr "\0" "y"; printf ",big@example.org\n"; } >big.csv &&
	crm-import contacts -q big.csv &&
	crm-contact list --where "email = big@example.org" --format jsonl -f first_name | jq -j .first_name | wc -c | grep -qx 1000000
'
test_expect_success 'a value over the reader limit is rejected naming the line' '
	{ printf "first_name,email\n"; head -c 1100000 /dev/zero | tr "\0" "y"; printf ",huge@example.org\n"; } >huge.csv &&
	snapshot before &&
	expect_exit 3 crm-import contacts huge.csv 2>err && grep -q "huge.csv:2: first_name: column .first_name. is longer than" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'deeply nested JSON is rejected, not a crash' '
	{ printf "{\"first_name\":"; head -c 100000 /dev/zero | tr "\0" "["; printf "\n"; } >deep.jsonl &&
	snapshot before &&
	expect_exit 3 crm-import contacts deep.jsonl 2>err &&
	grep -q "deep.jsonl:1: invalid JSON .*maximum parsing depth" err &&
	snapshot after && test_cmp before after
'
test_expect_code 2 'a huge id is a usage error' 'crm-contact show 99999999999999999999999'
test_expect_code 2 'a negative id is a usage error' 'crm-contact show -- -5'
test_expect_code 2 'a huge --limit is a usage error' 'crm-contact list --limit 99999999999999999999999'
test_expect_code 2 'a huge threshold is a usage error' 'crm-dedup find -p 1e999'
test_expect_success 'an output path that climbs out is used as given, nothing else' '
	mkdir -p a/b etc && echo "root:x:0:0" >etc/passwd &&
	printf "first_name,email\nX,not-an-email\n" >a/b/r.csv &&
	(cd a/b && crm-import contacts -q --reject ../../etc/rejects.csv r.csv; test $? -eq 3) &&
	grep -q "not-an-email" etc/rejects.csv && grep -qx "root:x:0:0" etc/passwd
'
test_expect_success 'a reject file that is a symbolic link is not followed' '
	echo "precious" >precious && ln -s precious link.csv &&
	printf "first_name,email\nX,not-an-email\n" >r.csv &&
	expect_exit 1 crm-import contacts -q --reject link.csv r.csv 2>err &&
	grep -q "cannot create .link.csv." err && grep -qx precious precious
'
test_expect_success 'a backup never overwrites an existing file' '
	echo "precious" >dest.db &&
	crm-db backup dest.db 2>err; test $? -ne 0 && grep -qx precious dest.db
'
test_expect_success 'a value with line breaks in an error message keeps the message one line' '
	expect_exit 3 crm-contact add --db lines.db --email "$(printf "a@b.org\r\nBcc: x@y.org")" 2>err &&
	test "$(wc -l <err)" = 1 && grep -q "a@b.org\\\\r\\\\nBcc: x@y.org" err &&
	printf "email,first_name\n\"bad\nline\",Ann\n" >lines.csv &&
	expect_exit 3 crm-import contacts --db lines.db lines.csv 2>err &&
	grep -q "^crm-import: lines.csv:2: email: invalid email address .bad\\\\nline." err
'
test_done
