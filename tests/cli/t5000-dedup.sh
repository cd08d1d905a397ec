#!/bin/bash
# crm-dedup find: scoring of known pairs, clusters, restriction, --since,
# --explain, blocking recall and accuracy on generated data, bad options.
. "$(dirname "$0")/lib.sh"

# pairs_of FILE: the cluster output's implied pairs, "a b" with a < b.
pairs_of() {
	awk -F'\t' 'NR > 1 { m[$1] = m[$1] " " $2 }
	END { for (c in m) { k = split(substr(m[c], 2), v, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) print v[i], v[j] } }' "$1" | sort
}

test_expect_success 'setup: people entered twice in different ways' '
	crm-db init >/dev/null &&
	cat >people.csv <<-\EOF &&
	first_name,last_name,email,phone,birth_date,street,city,postal_code,country
	Robert,Lovelace,bob@example.org,020 7946 0001,1975-03-12,12 High Street,London,N1 9GU,GB
	Bob,Lovelace,,+44 20 7946 0001,1975-03-12,12 High St,London,N1 9GU,GB
	Ada,Byron,ada@example.org,,1985-12-10,,London,,GB
	Byron,Ada,ada.byron@example.com,,1985-12-10,,London,,GB
	Grace,Hopper,grace@example.org,,1906-12-09,,New York,,US
	Marie,Curie,marie@example.org,,1867-11-07,,Paris,,FR
	Mary,Curry,mary@example.com,,1970-01-01,,Leeds,,GB
	Jürgen,Müller,jm@example.de,,1960-05-05,,Berlin,,DE
	Juergen,Mueller,juergen@example.com,,1960-05-05,,Berlin,,DE
	José,García,jose.garcia+crm@gmail.com,,,,Madrid,,ES
	Jose,Garcia,josegarcia@gmail.com,,,,Madrid,,ES
	EOF
	crm-import contacts -q people.csv
'
test_expect_success 'find prints each cluster with its members in id order' '
	crm-dedup find -f cluster,id,first_name,last_name >out &&
	printf "cluster\tid\tfirst_name\tlast_name\n" >expect &&
	printf "1\t1\tRobert\tLovelace\n1\t2\tBob\tLovelace\n" >>expect &&
	printf "2\t3\tAda\tByron\n2\t4\tByron\tAda\n" >>expect &&
	printf "3\t8\tJürgen\tMüller\n3\t9\tJuergen\tMueller\n" >>expect &&
	printf "4\t10\tJosé\tGarcía\n4\t11\tJose\tGarcia\n" >>expect &&
	test_cmp expect out
'
test_expect_success 'namesakes and look-alikes are not matched' '
	crm-dedup find -H -f id >ids &&
	! grep -qx "6" ids && ! grep -qx "7" ids && ! grep -qx "5" ids
'
test_expect_success 'the evidence names what agreed, and how' '
	crm-dedup find --pairs -f id1,id2,evidence -H >out &&
	grep -q "^1	2	first_name nickname; last_name exact; phone exact; birth_date exact; street very similar" out &&
	grep -q "^3	4	names swapped; first_name exact; last_name exact" out &&
	grep -q "^10	11	first_name exact; last_name exact; email exact" out
'
test_expect_success 'scores are probabilities; a higher threshold keeps fewer pairs' '
	crm-dedup find --pairs -f score -H | awk "\$1 < 0.9 || \$1 > 1 { bad = 1 } END { exit bad }" &&
	crm-dedup find --pairs -p 0 -H -f id1 | wc -l >all &&
	crm-dedup find --pairs -H -f id1 | wc -l >some &&
	test "$(cat all)" -gt "$(cat some)"
'
test_expect_success 'a threshold of 1 keeps the pairs shown as 1.0000, as they are compared' '
	crm-dedup find --pairs -p 0 -H -f id1,id2,score | awk "\$3 == \"1.0000\"" >expect &&
	test -s expect && crm-dedup find --pairs -p 1 -H -f id1,id2,score >out &&
	test_cmp expect out
'
test_expect_success 'every output format carries the same records' '
	crm-dedup find --format jsonl | jq -r "[.cluster, .id, .score > 0.9] | @tsv" >out &&
	printf "1\t1\ttrue\n1\t2\ttrue\n2\t3\ttrue\n2\t4\ttrue\n3\t8\ttrue\n3\t9\ttrue\n4\t10\ttrue\n4\t11\ttrue\n" >expect &&
	test_cmp expect out &&
	crm-dedup find --format json | jq -e "length == 8" >/dev/null &&
	crm-dedup find --format csv -H | wc -l | grep -qx 8
'
test_expect_success '--explain shows every field, the prior and the total' '
	crm-dedup find --explain 1 2 -f field,value1,value2,comparison >out &&
	grep -q "^first_name	robert	bob	nickname$" out &&
	grep -q "^email	bob@example.org		missing$" out &&
	grep -q "^phone	+442079460001	+442079460001	exact$" out &&
	awk -F"\t" "\$1 == \"total\" { split(\$4, p, \" \"); exit !(p[2] >= 0.9) }" out &&
	test "$(wc -l <out)" -eq 13
'
test_expect_success '--explain of crossed names compares them crossed' '
	crm-dedup find --explain 3 4 -f field,value1,value2,comparison -H >out &&
	grep -q "^first_name	ada	ada	exact (crossed)$" out
'
test_expect_success '--where and --tag restrict the contacts considered' '
	crm-dedup find --where "country = DE" -H -f id >out &&
	printf "8\n9\n" >expect && test_cmp expect out &&
	crm-contact tag add vip 1 2 3 &&
	crm-dedup find --tag vip -H -f id >out &&
	printf "1\n2\n" >expect && test_cmp expect out
'
test_expect_success 'archived contacts are not considered' '
	crm-contact rm 9 &&
	crm-dedup find -H -f id >out &&
	! grep -qx 9 out && ! grep -qx 8 out &&
	crm-contact restore 9
'
test_expect_success '--since last compares only the newest batch with everyone' '
	printf "first_name,last_name,birth_date,city,country\nGrace,Hoper,1906-12-09,New York,US\n" >more.csv &&
	crm-import contacts -q more.csv &&
	crm-dedup find --since last --pairs -f id1,id2 -H >out &&
	printf "5\t12\n" >expect && test_cmp expect out &&
	crm-dedup find --since 2 -H -f cluster,id >out &&
	printf "1\t5\n1\t12\n" >expect && test_cmp expect out
'
test_expect_success '--since a date takes contacts changed since then' '
	CRM_NOW=2026-11-23T10:00:00Z crm-contact set 6 --city Lyon &&
	crm-dedup find --since 2026-11-23 --pairs -H -f id1 >out &&
	test ! -s out || ! grep -qv "^6$" out
'
# script(1) runs the command on a pseudo-terminal: progress shows there.
test_expect_success 'progress on a terminal only, and not with -q' '
	script -qec "crm-dedup find >/dev/null" /dev/null >tty &&
	grep -q "crm-dedup: comparing [0-9]* candidate pairs\.\.\." tty &&
	script -qec "crm-dedup find -q >/dev/null" /dev/null >tty &&
	! grep -q "comparing" tty &&
	crm-dedup find 2>err >/dev/null && ! grep -q "comparing" err
'
test_expect_code 1 'nothing found exits 1 with only the header' '
	crm-dedup find --where "country = FR" >out; s=$?;
	printf "cluster\tid\tscore\tfirst_name\tlast_name\temail\tupdated_at\tpartner\tevidence\n" >expect &&
	test_cmp expect out && exit $s
'
test_expect_code 1 '--explain of an id not compared names it' '
	crm-dedup find --explain 1 999 2>err; s=$?;
	grep -q "contact 999 is not among the contacts compared" err && exit $s
'
test_expect_code 1 '--since a batch that does not exist' '
	crm-dedup find --since 99 2>err; s=$?; grep -q "no import batch 99" err && exit $s
'
test_expect_code 2 '--since something that is neither batch nor date' '
	crm-dedup find --since yesterdayish 2>err; s=$?; grep -q "neither an import batch" err && exit $s
'
test_expect_code 2 'a threshold out of range' 'crm-dedup find --threshold 1.5'
test_expect_code 2 'a threshold that is no number' 'crm-dedup find -p high'
test_expect_code 2 'a bad thread count' 'crm-dedup find -j 0'
test_expect_code 2 '--explain needs two ids' 'crm-dedup find --explain 1'
test_expect_success 'birth dates: a typo or a day and month swapped is nearly, other years are different' '
	db=dates.db &&
	crm-db init --db $db >/dev/null &&
	printf "%s\n" first_name,last_name,birth_date,city \
		Anneliese,Quarrington,1970-03-12,Leeds Anneliese,Quarrington,1985-03-12,Leeds \
		Anneliese,Quarrington,1970-12-03,Leeds Anneliese,Quarrington,1970-03-21,Leeds |
	crm-import contacts --db $db --format csv -q - &&
	for pair in "1 2" "1 3" "1 4"; do
		crm-dedup find --db $db -q --explain $pair -H | awk -F"\t" "\$1 == \"birth_date\" { print \$4 }"
	done >out &&
	printf "%s\n" different nearly nearly >expect && test_cmp expect out
'
test_expect_success 'a name in another script is no evidence either way, not two people' '
	db=other-script.db &&
	crm-db init --db $db >/dev/null &&
	printf "%s\n" first_name,last_name,phone,birth_date,city,country \
		"राहुल,शर्मा,098765 43210,1988-11-05,Bengaluru,IN" \
		"Rahul,Sharma,+91 98765 43210,1988-11-05,Bengaluru,IN" |
	crm-import contacts --db $db --format csv -q - &&
	crm-dedup find --db $db -q --explain 1 2 -H >out &&
	awk -F"\t" "\$1 ~ /name\$/ { print \$1, \$4 }" out >names &&
	printf "first_name missing\nlast_name missing\n" >expect && test_cmp expect names &&
	! grep -q "^household" out &&
	crm-dedup find --db $db -q --pairs -f id1,id2 -H >out && printf "1\t2\n" >expect && test_cmp expect out
'
test_expect_code 2 '--explain of one id twice is refused' '
	crm-dedup find --explain 3 3 2>err; s=$?; grep -q "two different contact ids, not 3 twice" err && exit $s
'
test_expect_code 2 'find takes no operands without --explain' 'crm-dedup find 1 2'
test_expect_code 2 'a bad filter' 'crm-dedup find --where "nosuchfield = 1"'
test_expect_code 2 'an unknown verb' 'crm-dedup lose'

test_expect_success 'names in Cyrillic and Latin meet' '
	export CRM_DB="$SCRATCH/scripts.db" &&
	cat >scripts.csv <<-\EOF &&
	first_name,last_name,birth_date,city,country
	Дилноза,Каримова,1988-02-14,Тошкент,UZ
	Dilnoza,Karimova,1988-02-14,Toshkent,UZ
	Бахтиёр,Хасанов,1979-07-01,Самарқанд,UZ
	Baxtiyor,Xasanov,1979-07-01,Samarqand,UZ
	Евгений,Щербаков,1965-10-30,Москва,RU
	Yevgeny,Shcherbakov,1965-10-30,Moskva,RU
	Дилноза,Юлдашева,1990-05-05,Тошкент,UZ
	EOF
	crm-import contacts -q scripts.csv &&
	crm-dedup find -f cluster,id -H >out &&
	printf "1\t1\n1\t2\n2\t3\n2\t4\n3\t5\n3\t6\n" >expect && test_cmp expect out
'
test_expect_success '--explain compares names in their fold' '
	export CRM_DB="$SCRATCH/scripts.db" &&
	crm-dedup find --explain 3 4 -f field,value1,value2,comparison -H >out &&
	grep -q "^first_name	bahtior	bahtior	exact$" out &&
	grep -q "^last_name	hasanov	hasanov	exact$" out
'
test_expect_success 'setup: a household, and two of its people entered twice' '
	export CRM_DB="$SCRATCH/family.db" &&
	cat >family.csv <<-\EOF &&
	first_name,last_name,birth_date,email,phone,street,city,postal_code,country
	Aziz,Karimov,1970-04-02,aziz@example.uz,+998 71 123 45 67,12 Navoi Street,Tashkent,100011,UZ
	Dilnoza,Karimova,1973-11-19,dilnoza@example.uz,+998 71 123 45 67,12 Navoi Street,Tashkent,100011,UZ
	Jasur,Karimov,1996-09-15,jasur@example.uz,+998 71 123 45 67,12 Navoi Street,Tashkent,100011,UZ
	Malika,Karimova,2001-06-30,malika@example.uz,+998 71 123 45 67,12 Navoi Street,Tashkent,100011,UZ
	Nodira,Karimova,2001-06-30,nodira@example.uz,+998 71 123 45 67,12 Navoi Street,Tashkent,100011,UZ
	Aziz,Karimov,1945-01-20,aziz.aka@example.uz,+998 71 123 45 67,12 Navoi Street,Tashkent,100011,UZ
	Jasur,Karimov,1996-09-15,,+998 71 123 45 67,12 Navoi Street,Tashkent,100011,UZ
	Nodira,Karimova,2001-06-30,,,12 Navoi Street,Tashkent,100011,UZ
	EOF
	crm-import contacts -q family.csv
'
test_expect_success 'spouses, children, twins and a father and son of one name stay apart' '
	export CRM_DB="$SCRATCH/family.db" &&
	crm-dedup find -f cluster,id -H >out &&
	printf "1\t3\n1\t7\n2\t5\n2\t8\n" >expect && test_cmp expect out
'
test_expect_success 'the evidence and --explain name the household rule' '
	export CRM_DB="$SCRATCH/family.db" &&
	crm-dedup find --pairs -p 0 -f id1,id2,evidence -H >out &&
	grep -q "^1	2	.*household: two people$" out &&
	crm-dedup find --explain 4 5 -f field,comparison,weight -H >out &&
	grep -q "^household	two people of one household, kept apart	-" out
'

# Generated people with known duplicates (bench/gen-dups): the candidate
# pairs must hold nearly every true pair (blocking recall), and the
# clusters must be right.
test_expect_success 'setup: 3000 generated contacts with known duplicates' '
	export CRM_DB="$SCRATCH/gen.db" &&
	crm-db init >/dev/null &&
	"$TOP/bench/gen-dups" 3000 >gen.csv &&
	crm-import contacts -q gen.csv &&
	crm-contact list -f id,custom.truth -H >truth &&
	awk -F"\t" "{ id[\$2] = id[\$2] \" \" \$1 } END { for (t in id) { k = split(substr(id[t], 2), v, \" \")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) print (v[i] < v[j] ? v[i] \" \" v[j] : v[j] \" \" v[i]) } }" truth | sort >true-pairs &&
	test "$(wc -l <true-pairs)" -gt 200
'
test_expect_success 'blocking brings at least 98% of the true pairs together' '
	export CRM_DB="$SCRATCH/gen.db" &&
	crm-dedup find --pairs -p 0 -H -f id1,id2 | tr "\t" " " | sort >candidates &&
	found=$(comm -12 true-pairs candidates | wc -l) && all=$(wc -l <true-pairs) &&
	echo "blocking recall $found / $all" &&
	test $((found * 100)) -ge $((all * 98))
'
test_expect_success 'clusters: precision at least 99%, recall at least 95%' '
	export CRM_DB="$SCRATCH/gen.db" &&
	crm-dedup find >clusters &&
	pairs_of clusters >found &&
	tp=$(comm -12 true-pairs found | wc -l) && fp=$(comm -13 true-pairs found | wc -l) &&
	all=$(wc -l <true-pairs) &&
	echo "correct $tp, wrong $fp, true $all" &&
	test $((tp * 100)) -ge $(((tp + fp) * 99)) && test $((tp * 100)) -ge $((all * 95))
'
test_expect_success 'relatives in the generated data are hardly ever merged' '
	export CRM_DB="$SCRATCH/gen.db" &&
	crm-contact list -f id,custom.truth,custom.household -H >households &&
	test "$(awk -F"\t" "\$2 != \$3" households | wc -l)" -gt 100 &&
	"$TOP/bench/dedup-eval" households clusters >eval && cat eval &&
	rel=$(sed -n "s/.*relatives \([0-9]*\)).*/\1/p" eval) && test "$rel" -le 5
'
test_expect_success 'one thread and two give the same clusters' '
	export CRM_DB="$SCRATCH/gen.db" &&
	crm-dedup find -j 1 >one && crm-dedup find -j 2 >two && test_cmp one two
'
# A whole name in one field, as many exports and Japanese and Chinese
# write it (姓名 without a space), is the same name written in two; a
# relative who shares the family name and the phone is not.
test_expect_success 'a whole name in one field meets the same name in two' '
	export CRM_DB="$SCRATCH/whole.db" &&
	cat >whole.csv <<-\EOF &&
	first_name,last_name,phone,city,country
	太郎,山田,03-1234-5678,東京,JP
	山田太郎,,+81 3 1234 5678,,JP
	花子,山田,03-1234-5678,東京,JP
	Ada,Lovelace,020 7946 0000,London,GB
	,Ada Lovelace,+44 20 7946 0000,,GB
	EOF
	crm-import contacts -q whole.csv &&
	crm-dedup find -q -f cluster,id -H >out &&
	printf "1\t1\n1\t2\n2\t4\n2\t5\n" >expect && test_cmp expect out
'
# ... and is compared with it on the name alone: blocking keys a whole
# name by its parts, or written without spaces by the two names of others
# joined, so the pair is a candidate with no phone, email or birth date
# in common, and when others sort between them by either name.
test_expect_success 'blocking brings a whole name in one field to the same name in two' '
	export CRM_DB="$SCRATCH/whole-block.db" &&
	{
		echo first_name,last_name,city &&
		echo 山田太郎,,東京 &&
		for n in 一 二 三 四 五 六 七 八; do echo 宏$n,佐藤$n,東京; done &&
		echo 太郎,山田,東京 &&
		echo Grace Hopper,,New York &&
		for n in Ito Jones Kay Lee Moss Nash Ortiz Park; do echo Grace,$n,New York; done &&
		for n in Abe Baker Cole Diaz Egan Ford Gale Hale; do echo Zed,$n,New York; done &&
		echo Grace,Hopper,New York
	} >block.csv &&
	crm-import contacts -q block.csv &&
	crm-dedup find --pairs -p 0 -H 2>/dev/null | cut -f1,2 >pairs &&
	grep -qx "1	10" pairs && grep -qx "11	28" pairs &&
	crm-dedup find -q -f cluster,id -H >out &&
	printf "1\t1\n1\t10\n2\t11\n2\t28\n" >expect && test_cmp expect out
'
test_done
