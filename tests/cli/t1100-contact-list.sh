#!/bin/bash
# crm-contact list: filters, sorting, limits, formats, search.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	crm-company add --name "Acme Ltd" --domain acme.example >/dev/null &&
	crm-contact add --first-name Ada --last-name Lovelace --email ada@acme.example --company "Acme Ltd" --city London --tag vip >/dev/null &&
	CRM_NOW=2026-11-23T10:00:00Z crm-contact add --first-name José --last-name Müller --email jm@example.org --city Zürich --status customer >/dev/null &&
	CRM_NOW=2026-11-24T10:00:00Z crm-contact add --first-name Grace --last-name Hopper --email grace@example.org --city "New York" --tag vip >/dev/null
'
test_expect_success 'list as tsv with a header when piped' '
	crm-contact list -f id,first_name >out &&
	printf "id\tfirst_name\n1\tAda\n2\tJosé\n3\tGrace\n" >expect && test_cmp expect out
'
test_expect_success '-H drops the header' '
	crm-contact list -f id -H >out && printf "1\n2\n3\n" >expect && test_cmp expect out
'
test_expect_success '-0 ends records with NUL' '
	crm-contact list -f id -H -0 | tr "\0" "\n" >out && printf "1\n2\n3\n" >expect && test_cmp expect out
'
test_expect_success '--where = on a normalised field' '
	crm-contact list --where "email=ADA@ACME.EXAMPLE" -f id -H >out && echo 1 >expect && test_cmp expect out
'
test_expect_success '--where ~ is case- and accent-insensitive' '
	crm-contact list --where "last_name~MULLER" -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-contact list --where "city ~ zur" -f id -H >out && test_cmp expect out
'
test_expect_success '--where filters are ANDed' '
	crm-contact list --where "email~example.org" --where "first_name!=Grace" -f id -H >out &&
	echo 2 >expect && test_cmp expect out
'
test_expect_success '--where with < on dates' '
	crm-contact list --where "created_at<2026-11-23" -f id -H >out && echo 1 >expect && test_cmp expect out
'
test_expect_success '--where field= finds empty fields' '
	crm-contact list --where "company=" -f id -H >out && printf "2\n3\n" >expect && test_cmp expect out
'
test_expect_success '--tag, --company and --status' '
	crm-contact list --tag vip -f id -H >out && printf "1\n3\n" >expect && test_cmp expect out &&
	crm-contact list --company "Acme Ltd" -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-contact list --status customer -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-contact list --status Customer -f id -H >out && test_cmp expect out
'
test_expect_success 'a filter value no record could hold is a usage error' '
	expect_exit 2 crm-contact list --status gold 2>err &&
	grep -q "^crm-contact: status: invalid status .gold." err &&
	expect_exit 2 crm-contact list --where "country=Atlantis" 2>err && grep -q "^crm-contact: country: " err
'
test_expect_success '--since and --until on updated_at, --created for creation' '
	crm-contact list --since 2026-11-23 -f id -H >out && printf "2\n3\n" >expect && test_cmp expect out &&
	crm-contact list --until 2026-11-24 -f id -H >out && printf "1\n2\n" >expect && test_cmp expect out &&
	crm-contact list --created --since 2026-11-24 -f id -H >out && echo 3 >expect && test_cmp expect out
'
test_expect_success '--since accepts relative dates' '
	CRM_NOW=2026-11-25T00:00:00Z crm-contact list --since -1d -f id -H >out && echo 3 >expect && test_cmp expect out
'
test_expect_success '--search uses the full-text index, accents folded' '
	crm-contact list --search muller -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-contact list --search acme -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-contact list --search "gra hop" -f id -H >out && echo 3 >expect && test_cmp expect out
'
test_expect_success '--search finds words of notes' '
	crm-contact note 2 "talked about invoices" >/dev/null &&
	crm-contact list --search invoices -f id -H >out && echo 2 >expect && test_cmp expect out
'
test_expect_success 'several --search options are ANDed, and combine with filters and --sort' '
	crm-contact list --search example --search grace -f id -H >out && echo 3 >expect && test_cmp expect out &&
	crm-contact list --search example --tag vip --sort -id -f id -H >out && printf "3\n1\n" >expect && test_cmp expect out &&
	crm-contact list --search example --limit 1 -f id -H >out && echo 1 >expect && test_cmp expect out &&
	expect_exit 1 crm-contact list --search example --search nobody -f id -H
'
test_expect_success '--search matches an address whole, other words as prefixes' '
	crm-contact list --search ada@acme.example -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-contact list --search "acme.example" -f id -H >out && test_cmp expect out &&
	expect_exit 1 crm-contact list --search ada@acme.ex -f id -H &&
	crm-contact list --search "lov ad" -f id -H >out && test_cmp expect out
'
test_expect_success '--search with quotes and operators is literal' '
	expect_exit 1 crm-contact list --search "\" OR * NEAR(" -f id -H
'
test_expect_success '--sort and --limit' '
	crm-contact list --sort -first_name -f first_name -H >out &&
	printf "José\nGrace\nAda\n" >expect && test_cmp expect out &&
	crm-contact list --sort last_name --limit 2 -f last_name -H >out &&
	printf "Hopper\nLovelace\n" >expect && test_cmp expect out
'
# By bytes, lower case came after Z and accented letters after both.
test_expect_success '--sort puts text in the order of its match key, case and accents aside' '
	for n in Zeta Émile Adams emile Ölz Åberg Oberg; do
		crm-contact add --db sort.db --last-name $n >/dev/null || return 1
	done &&
	crm-contact list --db sort.db --sort last_name -f last_name -H | paste -sd " " - >out &&
	echo "Åberg Adams emile Émile Oberg Ölz Zeta" >expect && test_cmp expect out &&
	crm-contact list --db sort.db --sort -last_name -f last_name -H | paste -sd " " - >out &&
	echo "Zeta Ölz Oberg Émile emile Adams Åberg" >expect && test_cmp expect out &&
	crm-contact set --db sort.db 1 --set nick=zed >/dev/null &&
	crm-contact set --db sort.db 2 --set nick=Émile >/dev/null &&
	crm-contact set --db sort.db 3 --set nick=Bea >/dev/null &&
	crm-contact list --db sort.db --sort custom.nick,id -f id -H | paste -sd " " - >out &&
	echo "4 5 6 7 3 2 1" >expect && test_cmp expect out
'
test_expect_success 'nothing found exits 1' '
	expect_exit 1 crm-contact list --where "city=Paris" -H >out && test ! -s out
'
test_expect_code 2 'a malformed --where is a usage error' 'crm-contact list --where "city"'
test_expect_code 2 'an unknown --where field is a usage error' 'crm-contact list --where "shoe=1"'
test_expect_code 2 'an unknown -f field is a usage error' 'crm-contact list -f id,shoe'
test_expect_code 2 'an unknown format is a usage error' 'crm-contact list --format xml'
test_expect_code 2 'a bad --limit is a usage error' 'crm-contact list --limit x'
test_expect_success 'csv output is RFC 4180' '
	crm-contact set 3 --city "New York, NY" >/dev/null 2>&1 &&
	crm-contact list --format csv -f id,city --where id=3 >out &&
	printf "id,city\r\n3,\"New York, NY\"\r\n" >expect && test_cmp expect out
'
test_expect_success 'jsonl and json output parse with jq' '
	crm-contact list --format jsonl -f id,first_name >out &&
	test "$(jq -s "map(.id) | add" out)" = 6 &&
	crm-contact list --format json -f id,first_name >out &&
	test "$(jq "length" out)" = 3 && test "$(jq -r ".[1].first_name" out)" = José
'
test_expect_success 'yaml output lists mappings' '
	crm-contact list --format yaml -f id,first_name --where id=1 >out &&
	grep -q "first_name: Ada" out
'
test_expect_success 'table output aligns columns' '
	crm-contact list --format table -f id,first_name >out &&
	head -1 out | grep -q "^id  first_name$"
'
test_expect_success '--csv-safe neutralises formulas' '
	crm-contact set 1 --title "=HYPERLINK(1)" >/dev/null 2>&1 &&
	crm-contact list --format csv --csv-safe -f title --where id=1 -H >out &&
	printf "\x27=HYPERLINK(1)\r\n" >expect && test_cmp expect out
'
test_expect_success 'setup people written in Cyrillic and in Latin' '
	crm-contact add --first-name Дилноза --last-name Каримова >/dev/null &&
	crm-contact add --first-name Bahodir --last-name Xasanov >/dev/null &&
	crm-contact add --first-name "Oʻtkir" --last-name "Gʻulomov" >/dev/null &&
	crm-contact add --first-name Евгений --last-name Щербаков >/dev/null &&
	crm-contact add --first-name Anvar --last-name Юлдашев >/dev/null
'
# Each line: a search, then the one first name it must find.
while read -r q want; do
	test_expect_success "--search '$q' finds $want across scripts" "
		crm-contact list --search '$q' -f first_name -H >out &&
		echo '$want' >expect && test_cmp expect out
	"
done <<'EOF'
karimova Дилноза
Каримова Дилноза
Kari Дилноза
Хасанов Bahodir
Khasanov Bahodir
Hasanov Bahodir
Ғуломов Oʻtkir
Gulomov Oʻtkir
Ўткир Oʻtkir
Otkir Oʻtkir
Shcherbakov Евгений
Ščerbakov Евгений
Yevgeny Евгений
Evgenii Евгений
Iuldashev Anvar
Yuldashev Anvar
EOF
test_expect_success '--search finds a name typed with an apostrophe' '
	crm-contact list --search "G'"'"'ulomov" -f first_name -H >out &&
	echo Oʻtkir >expect && test_cmp expect out
'
test_expect_success '--search words across scripts are ANDed' '
	crm-contact list --search "dilnoza каримова" -f first_name -H >out &&
	echo Дилноза >expect && test_cmp expect out &&
	expect_exit 1 crm-contact list --search "dilnoza xasanov" -H
'
test_expect_success '--where name~ and first_name~ fold across scripts' '
	crm-contact list --where "name~karimova" -f id,name -H >out &&
	printf "4\tДилноза Каримова\n" >expect && test_cmp expect out &&
	crm-contact list --where "last_name~Хасан" -f first_name -H >out &&
	echo Bahodir >expect && test_cmp expect out &&
	crm-contact list --where "first_name~evgen" -f first_name -H >out &&
	echo Евгений >expect && test_cmp expect out
'
test_expect_success 'stored names stay as typed' '
	crm-contact show 6 -f first_name,last_name -H >out &&
	printf "Oʻtkir\tGʻulomov\n" >expect && test_cmp expect out
'
# Chinese, Japanese, Korean and Thai are written without spaces between
# words: a search finds its characters anywhere in a name, in order and
# side by side, as it finds a prefix of a spaced word.
test_expect_success '--search finds words inside names written without spaces' '
	crm-company add --name "株式会社トヨタ自動車" >/dev/null &&
	crm-company add --name "บริษัท ไทยเบฟเวอเรจ จำกัด" >/dev/null &&
	crm-contact add --first-name "山田太郎" --email taro@example.jp >/dev/null &&
	crm-contact add --first-name "민수" --last-name "김" --company "株式会社トヨタ自動車" >/dev/null &&
	crm-contact add --first-name "สมชายใจดี" >/dev/null &&
	crm-contact list --search 太郎 -f first_name -H >out && echo 山田太郎 >expect && test_cmp expect out &&
	crm-contact list --search 山田 -f first_name -H >out && test_cmp expect out &&
	crm-contact list --search トヨタ -f first_name -H >out && echo 민수 >expect && test_cmp expect out &&
	crm-contact list --search "김 민수" -f first_name -H >out && test_cmp expect out &&
	crm-contact list --search ใจดี -f first_name -H >out && echo สมชายใจดี >expect && test_cmp expect out &&
	crm-company list --search 自動車 -f name -H >out && echo 株式会社トヨタ自動車 >expect && test_cmp expect out &&
	crm-company list --search เบฟ -f name -H >out && echo "บริษัท ไทยเบฟเวอเรจ จำกัด" >expect && test_cmp expect out &&
	expect_exit 1 crm-contact list --search 郎太 -H &&
	expect_exit 1 crm-contact list --search "太郎 lovelace" -H
'
# A name's accents are optional, and left out of what search and
# matching compare; the marks of other scripts are parts of letters and
# stay: राम (Ram) is not रीमा (Reema) or रमा (Rama), バン (ban) not ハン
# (han), but أحمد is أَحْمَد with its vowels pointed.
test_expect_success 'search and name references keep the marks that are letters' '
	rm -f marks.db &&
	for n in राम रीमा रमा バン ハン أَحْمَد; do
		crm-contact add --db marks.db --first-name "$n" --last-name Das >/dev/null || return 1
	done &&
	crm-contact list --db marks.db --search राम -f first_name -H >out &&
	echo राम >expect && test_cmp expect out &&
	crm-contact list --db marks.db --search ハン -f first_name -H >out &&
	echo ハン >expect && test_cmp expect out &&
	crm-contact list --db marks.db --search バン -f first_name -H >out &&
	echo バン >expect && test_cmp expect out &&
	crm-contact list --db marks.db --search أحمد -f first_name -H >out &&
	echo أَحْمَد >expect && test_cmp expect out &&
	crm-contact list --db marks.db -w first_name~रा -f first_name -H >out &&
	echo राम >expect && test_cmp expect out &&
	crm-task add --db marks.db --title Call --contact "राम Das" >/dev/null &&
	crm-task add --db marks.db --title Write --contact "ハン Das" >/dev/null &&
	crm-task list --db marks.db -f title,contact -H >out &&
	printf "Call\t1\nWrite\t5\n" >expect && test_cmp expect out
'
# A number searched for in another form than it was typed: its E.164
# form is in the search entries, and the search text's is looked for.
test_expect_success 'a phone number is found however either side wrote it' '
	rm -f phones.db* &&
	crm-contact add --db phones.db -q --first-name Taro --country JP --phone 03-1234-5678 &&
	crm-contact add --db phones.db -q --first-name Pam --phone "+44 (0)20 7946 0018" &&
	crm-contact add --db phones.db -q --first-name Eli --phone "+1 (212) 555-0199 ext. 12" &&
	for q in "+81 3 1234 5678" "+81312345678" "+44 20 7946 0018" "+44 (0)20 79460018" \
		"2125550199" "(212) 555-0199" "212.555.0199"; do
		crm-contact list --db phones.db --search "$q" -f first_name -H || return 1
	done >out &&
	printf "Taro\nTaro\nPam\nPam\nEli\nEli\nEli\n" >expect && test_cmp expect out &&
	CRM_CONFIG=/dev/null expect_exit 1 crm-contact list --db phones.db --search "020 7946 0019" -H
'
# A name in Han, kana or Hangul is read family name first: shown so,
# found so when named, written so to a mail's To.
test_expect_success 'a Japanese or Korean name reads family name first' '
	rm -f cjk.db* &&
	crm-contact add --db cjk.db -q --first-name 太郎 --last-name 山田 --email taro@cjk.example &&
	crm-contact add --db cjk.db -q --first-name 민준 --last-name 김 &&
	crm-contact add --db cjk.db -q --first-name Ada --last-name Lovelace &&
	crm-contact list --db cjk.db -f name -H >out &&
	printf "山田 太郎\n김 민준\nAda Lovelace\n" >expect && test_cmp expect out &&
	crm-task add --db cjk.db -q --title Call --contact "山田 太郎" &&
	crm-task add --db cjk.db -q --title Visit --contact "김 민준" &&
	crm-task list --db cjk.db -f contact_id,contact_name -H >out &&
	printf "1\t山田 太郎\n2\t김 민준\n" >expect && test_cmp expect out &&
	crm-contact list --db cjk.db --search 山田太郎 -f id -H >out && echo 1 >expect &&
	test_cmp expect out
'
test_done
