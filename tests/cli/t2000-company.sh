#!/bin/bash
# crm-company: add, show, list, set, rm, members.
. "$(dirname "$0")/lib.sh"

test_expect_success 'add prints the id; domain is lower-cased' '
	crm-company add --name "Acme Ltd" --domain ACME.Example --industry tools --size 11-50 \
		--phone "+1 212 555 0100" --country us --set tier=gold >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-company show 1 -f name,domain,country,custom.tier -H >out &&
	printf "Acme Ltd\tacme.example\tUS\tgold\n" >expect && test_cmp expect out
'
test_expect_success 'a company needs a name' '
	expect_exit 3 crm-company add --domain x.example 2>err && grep -q "name" err
'
test_expect_success 'a bad domain exits 3' '
	expect_exit 3 crm-company add --name X --domain "not a domain" 2>err && grep -q "domain" err
'
test_expect_success 'a web address given as the domain keeps its host' '
	export CRM_DB="$PWD/web.db" &&
	id=$(crm-company add --name "Web Co" --domain "https://Web.Example/about/") &&
	crm-company show $id -f domain -H >out && echo web.example >expect && test_cmp expect out
'
test_expect_success 'a domain with blanks around it or the root'"'"'s dot is the same domain' '
	id=$(crm-company add --db dot.db --name "Dot Co" --domain " Dot.Example. ") &&
	crm-company show --db dot.db $id -f domain -H >out && echo dot.example >expect &&
	test_cmp expect out &&
	printf "Company Name,Company Domain Name\nDot Company,dot.example.\n" >dot.csv &&
	crm-import companies --db dot.db dot.csv 2>err &&
	grep -q "created 0, updated 0, unchanged 0, skipped 1" err &&
	expect_exit 3 crm-company add --db dot.db --name Root --domain "." 2>err &&
	grep -q "invalid domain" err
'
test_expect_success 'the www. of a web server is no part of a domain' '
	id=$(crm-company add --db www.db --name "Www Co" --domain "https://WWW.Www-Co.Example/") &&
	crm-company show --db www.db $id -f domain -H >out && echo www-co.example >expect &&
	test_cmp expect out &&
	crm-contact add --db www.db --first-name Ann --company www.www-co.example >/dev/null &&
	crm-contact add --db www.db --first-name Bo --company www-co.example >/dev/null &&
	crm-company members --db www.db $id -f first_name -H >out &&
	printf "Ann\nBo\n" >expect && test_cmp expect out &&
	printf "Company Domain Name,Company Name,Industry\nwww.www-co.example,Www Company,tools\n" >www.csv &&
	crm-import companies --db www.db --on-conflict update www.csv 2>err &&
	grep -q "created 0, updated 1" err &&
	crm-company list --db www.db -f id,industry -H >out &&
	printf "%s\ttools\n" $id >expect && test_cmp expect out
'
test_expect_success 'a domain that is nothing but www. and a top-level domain keeps it' '
	id=$(crm-company add --db www.db --name "Www Com" --domain www.com) &&
	crm-company show --db www.db $id -f domain -H >out && echo www.com >expect &&
	test_cmp expect out &&
	expect_exit 3 crm-company add --db www.db --name Bad --domain www..example 2>err &&
	grep -q "invalid domain .www..example." err
'
# A domain in another script is a domain, kept as written in lower case;
# an empty label or a number for the top-level domain is none.
test_expect_success 'a domain in another script is kept; a malformed one is refused' '
	id=$(crm-company add --db idn.db --name "Bücher" --domain "https://WWW.Bücher.DE/shop") &&
	crm-company show --db idn.db $id -f domain -H >out && echo bücher.de >expect &&
	test_cmp expect out &&
	crm-contact add --db idn.db --first-name Jo --company bücher.de >/dev/null &&
	crm-company members --db idn.db $id -f first_name -H >out && echo Jo >expect &&
	test_cmp expect out &&
	expect_exit 3 crm-company add --db idn.db --name Two --domain example..com 2>err &&
	grep -q "invalid domain .example..com.: empty label in domain" err &&
	expect_exit 3 crm-company add --db idn.db --name Ip --domain 10.0.0.1 2>err &&
	grep -q "bad top-level domain" err &&
	test "$(sqlite3 idn.db "SELECT count(*) FROM companies")" = 1
'
test_expect_success 'contacts join by exact or accent-free name, members lists them' '
	crm-company add --name "Société Générale" >/dev/null &&
	crm-contact add --first-name Ann --company "Acme Ltd" >/dev/null &&
	crm-contact add --first-name Ben --company "societe generale" >/dev/null &&
	crm-contact add --first-name Cat --company 1 >/dev/null &&
	crm-company members 1 -f id,first_name -H >out && printf "1\tAnn\n3\tCat\n" >expect && test_cmp expect out &&
	crm-contact show 2 -f company -H >out && echo "Société Générale" >expect && test_cmp expect out
'
test_expect_success 'an ambiguous company name exits 3' '
	crm-company add --name Twin >/dev/null && crm-company add --name Twin >/dev/null &&
	expect_exit 3 crm-contact add --first-name Dee --company Twin 2>err && grep -q ambiguous err
'
test_expect_success 'list filters and search' '
	crm-company list --where "industry=tools" -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-company list --search generale -f id -H >out && echo 2 >expect && test_cmp expect out
'
# Search folds a word as the match key does, not only the accents of
# Latin letters: ł, ø and ß as typed on a plain keyboard, Greek without
# its accents, ё as е, a full-width name as ASCII.
test_expect_success 'search finds a name typed without its special letters' '
	crm-company add --db fold.db --name "Łódź Wytwórnia" >/dev/null &&
	crm-company add --db fold.db --name "Ørsted Straße" >/dev/null &&
	crm-company add --db fold.db --name "Αθηναϊκή Ζυθοποιία" >/dev/null &&
	crm-company add --db fold.db --name "Ёлки-Палки" >/dev/null &&
	crm-company add --db fold.db --name "ＳＯＮＹ" >/dev/null &&
	for word in lodz wytworn orsted strasse αθηναικη елки sony Łódź; do
		crm-company list --db fold.db --search $word -f id -H || return 1
	done >out &&
	printf "1\n1\n2\n2\n3\n4\n5\n1\n" >expect && test_cmp expect out
'
test_expect_success 'renaming a company updates member search' '
	crm-company set 1 --name "Acme Group" 2>/dev/null &&
	crm-contact list --search "acme group" -f first_name -H >out && printf "Ann\nCat\n" >expect && test_cmp expect out
'
test_expect_success 'a renamed company is known by its new name, in any case' '
	crm-company add --db rn.db --name "Old Name" >/dev/null &&
	crm-contact add --db rn.db --first-name Eve --company "old name" >/dev/null &&
	crm-company set --db rn.db 1 --name "Nouveau Nom" 2>/dev/null &&
	crm-company set --db rn.db 1 --industry tools 2>/dev/null &&
	crm-contact add --db rn.db --first-name Fay --company "NOUVEAU  nom" >/dev/null &&
	crm-company members --db rn.db "nouveau nom" -f first_name -H >out &&
	printf "Eve\nFay\n" >expect && test_cmp expect out &&
	expect_exit 1 crm-company members --db rn.db "old name" 2>/dev/null
'
test_expect_success 'members of a missing company exits 1' '
	expect_exit 1 crm-company members 99 2>err && grep -q "no company 99" err &&
	expect_exit 1 crm-company members Nowhere 2>err && grep -q "no company .Nowhere." err &&
	expect_exit 1 crm-contact list --company Nowhere 2>err && grep -q "no company .Nowhere." err
'
test_expect_success 'members takes a name; an ambiguous one is a usage error' '
	crm-company members "ACME group" -f first_name -H >out && printf "Ann\nCat\n" >expect && test_cmp expect out &&
	expect_exit 2 crm-company members Twin 2>err && grep -q "ambiguous; use its id" err
'
test_expect_success 'domain filters compare lower-case' '
	crm-company list --where "domain=ACME.EXAMPLE" -f id -H >out && echo 1 >expect && test_cmp expect out
'
test_expect_success 'rm archives, --purge detaches members' '
	crm-company rm 2 2>/dev/null && expect_exit 1 crm-company list --where "id=2" -H &&
	crm-company rm --purge 1 2>/dev/null &&
	crm-contact show 1 -f company_id -H >out && echo >expect && test_cmp expect out &&
	crm-db check -q
'
test_expect_success 'tags: add, list --tag, rm' '
	id=$(crm-company add --name "Tagged Oy" --domain tagged.example) &&
	crm-company tag add vip "$id" && crm-company tag add gold "$id" &&
	crm-company show "$id" -f tags -H >out && echo "gold,vip" >expect && test_cmp expect out &&
	crm-company list --tag vip -f name -H >out && echo "Tagged Oy" >expect && test_cmp expect out &&
	crm-company tag rm vip "$id" && expect_exit 1 crm-company list --tag vip -H &&
	expect_exit 3 crm-company tag add "a,b" "$id"
'
test_done
