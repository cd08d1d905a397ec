#!/bin/bash
# crm-contact add, show and validation of every field type.
. "$(dirname "$0")/lib.sh"

test_expect_success 'add prints the new id alone' '
	crm-contact add --first-name Ada --last-name Lovelace --email Ada@Example.ORG >out &&
	echo 1 >expect && test_cmp expect out
'
test_expect_success 'the database is created with mode 0600' '
	test "$(stat -c %a "$CRM_DB")" = 600
'
test_expect_success 'show prints every field, email as typed' '
	crm-contact show 1 -f id,first_name,email,status,owner,created_at >out &&
	printf "id\tfirst_name\temail\tstatus\towner\tcreated_at\n1\tAda\tAda@Example.ORG\tlead\ttester\t2026-11-22T09:30:00Z\n" >expect &&
	test_cmp expect out
'
test_expect_success 'phone is normalised to E.164 with the default region' '
	crm-contact add --first-name Bob --phone "(202) 555-0143" >/dev/null &&
	crm-contact show 2 -f phone,phone_e164 -H >out &&
	printf "(202) 555-0143\t+12025550143\n" >expect && test_cmp expect out
'
test_expect_success 'the configured default region reads national numbers' '
	mkdir -p .config/crm && echo "default_region: GB" >.config/crm/config.yaml &&
	crm-contact add --first-name Cy --phone "020 7946 0018" >/dev/null &&
	crm-contact show 3 -f phone_e164 -H >out && echo +442079460018 >expect &&
	test_cmp expect out && rm .config/crm/config.yaml
'
test_expect_success 'a national number is read in the contact'"'"'s own country' '
	id=$(crm-contact add --first-name Élodie --country fr --phone "01 42 68 53 00") &&
	crm-contact show $id -f phone_e164 -H >out && echo +33142685300 >expect && test_cmp expect out &&
	crm-contact set $id --phone "06 12 34 56 78" 2>/dev/null &&
	crm-contact show $id -f phone_e164 -H >out && echo +33612345678 >expect && test_cmp expect out &&
	expect_exit 3 crm-contact add --first-name Ugo --phone "01 42 68 53 00" 2>err &&
	grep -q "invalid phone number" err
'
test_expect_success 'addresses that differ only in a +tag are different people' '
	crm-contact add --first-name Ann --email ann@example.net >/dev/null &&
	crm-contact add --first-name Ann --email ann+crm@example.net >/dev/null &&
	expect_exit 3 crm-contact add --first-name Ann --email ANN+crm@Example.NET 2>err &&
	grep -q "already belongs to contact" err
'
test_expect_success 'country is upper-cased and birth dates are dates' '
	id=$(crm-contact add --first-name Dee --country fr --birth-date 1990-02-28) &&
	crm-contact show $id -f country,birth_date -H >out &&
	printf "FR\t1990-02-28\n" >expect && test_cmp expect out
'
while read -r opt value field; do
	test_expect_success "add $opt $value exits 3, names $field and the value, writes nothing" "
		before=\$(sqlite3 \"\$CRM_DB\" 'select count(*) from contacts') &&
		expect_exit 3 crm-contact add --first-name X $opt '$value' 2>err &&
		grep -q '^crm-contact: $field: .*$value' err &&
		test \"\$(sqlite3 \"\$CRM_DB\" 'select count(*) from contacts')\" = \"\$before\"
	"
done <<'CASES'
--email not-an-email email
--phone 12 phone
--country XX country
--birth-date 2023-02-29 birth_date
--birth-date 2999-01-01 birth_date
--status vip status
--company NoSuchCo company
CASES
test_expect_code 2 'an unknown field option is a usage error' 'crm-contact add --shoe-size 9'
test_expect_code 2 'a malformed custom field is a usage error' 'crm-contact add --first-name X --set "bad key=1"'
test_expect_success 'a contact needs a name or an email' '
	expect_exit 3 crm-contact add --city Paris 2>err && grep -q "needs a first name" err
'
test_expect_success 'two live contacts cannot share a normalised email' '
	expect_exit 3 crm-contact add --first-name Eve --email ADA@example.org 2>err &&
	grep -q "already belongs to contact 1" err
'
test_expect_success 'two people can share a surname' '
	crm-contact add --first-name Ann --last-name Lovelace >/dev/null
'
test_expect_success 'hostile values are stored and printed back exactly' '
	v="Robert\x27); DROP TABLE contacts;-- %s%n \"q\" \\\\ 😀 שלום" &&
	printf -v val "$v" &&
	id=$(crm-contact add --first-name "$val" --last-name "tab	in") &&
	crm-contact show $id -f first_name --format jsonl >out &&
	jq -r .first_name out >got && printf "%s\n" "$val" >expect && test_cmp expect got &&
	crm-contact show $id -f last_name -H >out && printf "tab\\\\tin\n" >expect && test_cmp expect out &&
	sqlite3 "$CRM_DB" "select count(*) from contacts" >/dev/null
'
test_expect_success 'custom fields are set with --set and shown as custom.KEY' '
	id=$(crm-contact add --first-name Fay --set shoe_size=38 --set team=north) &&
	crm-contact show $id -f custom.shoe_size,custom.team -H >out &&
	printf "38\tnorth\n" >expect && test_cmp expect out
'
test_expect_success 'names are stored NFC' '
	id=$(crm-contact add --first-name "$(printf "Jose\xcc\x81")") &&
	crm-contact show $id -f first_name -H >out && printf "Jos\xc3\xa9\n" >expect &&
	test_cmp expect out
'
test_expect_success 'invalid UTF-8 is rejected with exit 3' '
	expect_exit 3 crm-contact add --first-name "$(printf "bad\xff")" 2>err &&
	grep -q first_name err
'
test_expect_success 'show of a missing id exits 1 with the message' '
	expect_exit 1 crm-contact show 42 2>err &&
	echo "crm-contact: no contact 42" >expect && test_cmp expect err
'
# As cat does with a missing file: the others are printed all the same.
test_expect_success 'show of several ids, one missing, prints the others and exits 1' '
	expect_exit 1 crm-contact show 1 42 1 -f id -H >out 2>err &&
	printf "1\n1\n" >expect && test_cmp expect out &&
	echo "crm-contact: no contact 42" >expect && test_cmp expect err &&
	expect_exit 1 crm-contact show 1 42 --format json -f id >out 2>/dev/null &&
	jq -c . out >got && echo "[{\"id\":1}]" >expect && test_cmp expect got
'
test_expect_code 2 'show of a malformed id is a usage error' 'crm-contact show abc'
test_expect_success 'show on a terminal-less stdout with --format table is vertical' '
	crm-contact show 1 --format table -f first_name,email >out &&
	grep -q "^first_name  *Ada$" out
'
test_expect_success 'without the phone module only phone numbers fail' '
	CRM_PHONE_MODULE=/nonexistent/crm-phone.so crm-contact add --first-name Pat >/dev/null &&
	CRM_PHONE_MODULE=/nonexistent/crm-phone.so \
		expect_exit 1 crm-contact add --first-name Pat --phone "+44 20 7946 0000" 2>err &&
	grep -q "^crm-contact: cannot load the phone-number module: /nonexistent/crm-phone.so" err
'
test_done
