#!/bin/bash
# crm-campaign: segments, templates and their language variants, sending
# through the send log (consent, exclusions, resume, in doubt, limit, dry
# run), the messages parsed back by Python's mail parser (headers, MIME,
# encoded names, the hostile battery), unsubscribe tokens, bounces,
# replies, results, triggers over leap years, and bad input.
. "$(dirname "$0")/lib.sh"

fields() { "$TOP/tests/cli/mail-fields" "$@"; }
snapshot() {
	sqlite3 "$CRM_DB" "select * from campaign_sends; select * from consents;
		select * from segments; select * from templates; select * from mail_bounced;
		select count(*) from campaigns" >"$1"
}

cat >cfg.yaml <<'EOF'
mail:
  from: Shop News <news@example.org>
campaign:
  unsubscribe_url: https://example.org/unsubscribe?t={token}
  soft_bounces: 2
  soft_bounce_window: 10
EOF
export CRM_CONFIG=$SCRATCH/cfg.yaml

test_expect_success 'people with every kind of consent' '
	crm-contact add -q --first-name Ada --last-name Lovelace --email ada@example.org --language en --tag vip >/dev/null &&
	crm-contact add -q --first-name Диляра --last-name Каримова --email dilyara@example.uz --language ru --tag vip >/dev/null &&
	crm-contact add -q --first-name Bo --email bo@example.org --tag vip >/dev/null &&
	crm-contact add -q --first-name Cy --email cy@example.org --tag vip >/dev/null &&
	crm-contact add -q --first-name Di --email di@example.org --tag vip >/dev/null &&
	crm-contact add -q --first-name Ed --tag vip >/dev/null &&
	crm-contact add -q --first-name Fay --email fay@example.org --tag vip >/dev/null &&
	crm-contact add -q --first-name Gil --email gil@example.org --language pt-BR --tag vip >/dev/null &&
	printf "1\n2\n6\n7\n8\n" | crm-contact consent set - email granted --source form &&
	crm-contact consent set 3 email denied &&
	crm-contact consent set 4 email withdrawn &&
	crm-contact rm -q 7
'
test_expect_success 'segment add saves filters; list shows them as typed; count and members' '
	crm-campaign segment add vips --tag vip >out && echo 1 >expect && test_cmp expect out &&
	crm-campaign segment add ru --tag vip --where "language = ru" >/dev/null &&
	crm-campaign segment list -f name,filter -H >out &&
	printf "ru\t--tag vip --where '\''language = ru'\''\nvips\t--tag vip\n" >expect && test_cmp expect out &&
	crm-campaign segment count vips >out && echo 7 >expect && test_cmp expect out &&
	crm-campaign segment show ru -f name,filter -H >out &&
	printf "ru\t--tag vip --where '\''language = ru'\''\n" >expect && test_cmp expect out &&
	crm-campaign segment members ru -f id,name -H >out && printf "2\tДиляра Каримова\n" >expect && test_cmp expect out
'
test_expect_success 'a live segment is evaluated when used; a snapshot keeps its members' '
	crm-campaign segment add frozen --tag vip --snapshot >/dev/null &&
	crm-contact add -q --first-name Hal --email hal@example.org --tag vip >/dev/null &&
	crm-campaign segment count vips >out && echo 8 >expect && test_cmp expect out &&
	crm-campaign segment count frozen >out && echo 7 >expect && test_cmp expect out &&
	crm-campaign segment members frozen -f id -H | crm-contact show - -f email -H >out &&
	test "$(wc -l <out)" = 7 && ! grep -q hal out
'
test_expect_success 'segment filters of purchases, tiers and NPS' '
	crm-purchase add -q --person 1 --at 2026-11-01 --line "A 1 10" >/dev/null &&
	crm-feedback add -q --kind nps --score 10 --person 2 >/dev/null &&
	crm-campaign segment add buyers --purchased-since 2026-10-01 >/dev/null &&
	crm-campaign segment members buyers -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-campaign segment add fans --nps promoter >/dev/null &&
	crm-campaign segment members fans -f id -H >out && echo 2 >expect && test_cmp expect out &&
	crm-campaign segment add champs --rfm lost >/dev/null &&
	crm-campaign segment members champs -f id -H >out && echo 1 >expect && test_cmp expect out
'
test_expect_success 'segment bad input: unknown filter value, taken name, unknown segment' '
	snapshot before &&
	expect_exit 2 crm-campaign segment add x --nps fan 2>err && grep -q "promoter|passive|detractor" err &&
	expect_exit 2 crm-campaign segment add x --where "shoe = 9" 2>err && grep -q "shoe" err &&
	expect_exit 2 crm-campaign segment add x --rfm sleepy 2>err && grep -q "unknown segment .sleepy." err &&
	expect_exit 3 crm-campaign segment add vips --tag x 2>err && grep -q "segment .vips. exists" err &&
	expect_exit 3 crm-campaign segment add 42 --tag x 2>err && grep -q "invalid segment name" err &&
	expect_exit 1 crm-campaign segment members nosuch 2>err && grep -q "no segment .nosuch." err &&
	expect_exit 2 crm-campaign segment count vips --tag x 2>err && grep -q "belongs to segment add" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'template add with variants; list and show' '
	printf "Hello {{first_name|friend}},\n{{#company}}\nregards to {{company}}\n{{/company}}\nNews!\nUnsubscribe: {{unsubscribe_url}}\n" >news.txt &&
	printf "<p>Hello <b>{{first_name}}</b></p><p><a href=\"{{unsubscribe_url}}\">unsubscribe</a></p>\n" >news.html &&
	printf "Здравствуйте, {{first_name}}!\n{{unsubscribe_url}}\n" >news.ru.txt &&
	printf "Olá {{first_name}}!\n" >news.pt.txt &&
	crm-campaign template add news --subject "News for {{first_name|you}}" --text news.txt --html news.html &&
	crm-campaign template add news --language ru --subject "Новости для {{first_name}}" --text news.ru.txt &&
	crm-campaign template add news --language pt --subject "Novidades" --from-name "Loja" --text news.pt.txt &&
	crm-campaign template list -H >out && test "$(cut -f1,2 out | tr "\t\n" ":,")" = "news:,news:pt,news:ru," &&
	crm-campaign template show news --language ru -f subject,text -H >out &&
	printf "Новости для {{first_name}}\tЗдравствуйте, {{first_name}}!\\\\n{{unsubscribe_url}}\\\\n\n" >expect && test_cmp expect out
'
test_expect_success 'template bad input names file, line and column; nothing stored' '
	snapshot before &&
	printf "Hi\n  {{frist_name}}\n" >typo.txt &&
	expect_exit 3 crm-campaign template add t --subject s --text typo.txt 2>err &&
	grep -q "typo.txt:2:3: unknown variable .frist_name." err &&
	printf "Ж {{#company}}\nx\n" >open.txt &&
	expect_exit 3 crm-campaign template add t --subject s --text open.txt 2>err && grep -q "open.txt:1:3: " err &&
	expect_exit 3 crm-campaign template add t --subject "{{name" --text news.txt 2>err && grep -q "subject:1:1: " err &&
	expect_exit 3 crm-campaign template add news --subject s --text news.txt 2>err && grep -q "exists" err &&
	expect_exit 2 crm-campaign template add t --text news.txt 2>err && grep -q "needs --subject" err &&
	expect_exit 1 crm-campaign template add t --subject s --text missing.txt 2>err && grep -q "missing.txt" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'add a campaign; bad ones are refused naming the field' '
	crm-campaign add --name "Winter news" --segment vips --template news >out && echo 1 >expect && test_cmp expect out &&
	snapshot before &&
	expect_exit 3 crm-campaign add --name x --segment nosuch --template news 2>err && grep -q "segment: no segment .nosuch." err &&
	expect_exit 3 crm-campaign add --name x --segment vips --template nosuch 2>err && grep -q "template: no template .nosuch." err &&
	expect_exit 3 crm-campaign add --name x --segment vips --template news --from "a b@c" 2>err && grep -q "from: invalid address" err &&
	expect_exit 3 crm-campaign add --name x --segment vips --template news --subject "{{nope}}" 2>err && grep -q "subject:1:1: unknown variable .nope." err &&
	expect_exit 3 crm-campaign segment rm vips 2>err && grep -q "used by campaign 1" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'preview picks the language variant: ru, pt for pt-BR, else the default' '
	crm-campaign preview 1 --person 2 >m2.eml && printf "From x\n" | cat - m2.eml >m2.mbox &&
	fields mbox:m2.mbox subject,to_name >out && printf "Новости для Диляра\tДиляра Каримова\n" >expect && test_cmp expect out &&
	crm-campaign preview 1 --person gil@example.org | sed "1i From x" >m8.mbox &&
	fields mbox:m8.mbox subject,from_name,text >out && printf "Novidades\tLoja\tOlá Gil!\\\\n\n" >expect && test_cmp expect out &&
	crm-campaign preview 1 --person 6 | sed "1i From x" >m6.mbox &&
	fields mbox:m6.mbox subject,from_name >out && printf "News for Ed\tShop News\n" >expect && test_cmp expect out &&
	: a tag written pt_BR, as other systems write it, is pt-BR &&
	crm-db init --db lang.db >/dev/null &&
	crm-contact add --db lang.db -q --email x@example.org --language PT_br >/dev/null &&
	printf "d\n" >d.txt && printf "b\n" >b.txt && printf "p\n" >p.txt &&
	crm-campaign template add --db lang.db t --subject d --text d.txt &&
	crm-campaign template add --db lang.db t -l pt-BR --subject b --text b.txt &&
	crm-campaign template add --db lang.db t -l pt --subject p --text p.txt &&
	crm-campaign segment add --db lang.db all --where "id > 0" >/dev/null &&
	crm-campaign add --db lang.db --name c --segment all --template t >/dev/null &&
	crm-campaign preview --db lang.db 1 --person 1 | sed "1i From x" >pt.mbox &&
	fields mbox:pt.mbox subject >out && echo b >expect && test_cmp expect out
'
test_expect_success 'send -n writes the eligible messages as an mbox and logs nothing' '
	crm-campaign send 1 -n >dry.mbox 2>err &&
	fields mbox:dry.mbox to >out && printf "ada@example.org\ndilyara@example.uz\ngil@example.org\n" >expect && test_cmp expect out &&
	grep -q "would send 3" err && grep -q "no-consent 2" err && grep -q "consent-denied 1" err &&
	grep -q "consent-withdrawn 1" err && grep -q "no-email 1" err &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from campaign_sends")" = 0
'
test_expect_success 'send with an unknown field to print sends nothing' '
	expect_exit 2 crm-campaign send 1 --to mbox:bad.mbox -f email,bogus 2>err &&
	grep -q "unknown field .bogus." err && test ! -s bad.mbox &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from campaign_sends")" = 0
'
test_expect_success 'send: one message each to the eligible, well formed; excluded counted by reason' '
	crm-campaign send 1 --to mbox:sent.mbox -H >out 2>err &&
	cut -f2,3,6 out >got && printf "1\tada@example.org\tsent\n2\tdilyara@example.uz\tsent\n8\tgil@example.org\tsent\n" >expect && test_cmp expect got &&
	grep -q "sent 3, already sent 0, in doubt 0, excluded 5 (no-email 1, no-consent 2, consent-denied 1, consent-withdrawn 1)" err &&
	fields mbox:sent.mbox to,to_name,from,from_name,subject,type,parts,precedence,campaign,to_count,lines_ok >out &&
	printf "ada@example.org\tAda Lovelace\tnews@example.org\tShop News\tNews for Ada\tmultipart/alternative\ttext/plain+text/html\tbulk\t1\t1\t1\n" >expect &&
	head -1 out >got && test_cmp expect got &&
	fields mbox:sent.mbox text,html | sed -n 1p >out &&
	grep -q "^Hello Ada,\\\\nNews!\\\\nUnsubscribe: https://example.org/unsubscribe?t=1\.1\.[0-9a-f]\{24\}\\\\n	<p>Hello <b>Ada</b></p><p><a href=\"https://example.org/unsubscribe?t=1\.1\.[0-9a-f]\{24\}\">unsubscribe</a></p>" out &&
	fields mbox:sent.mbox list_unsubscribe,list_unsubscribe_post | sed -n 1p >out &&
	grep -q "^<https://example.org/unsubscribe?t=1\.1\.[0-9a-f]\{24\}>, <mailto:news@example.org?subject=unsubscribe%201\.1\.[0-9a-f]\{24\}>	List-Unsubscribe=One-Click$" out
'
test_expect_success 'send again sends nothing; the log holds one row per person' '
	crm-campaign send 1 --to mbox:sent.mbox -H >out 2>err && test ! -s out &&
	grep -q "sent 0, already sent 3" err &&
	test "$(grep -c "^From " sent.mbox)" = 3 &&
	sqlite3 "$CRM_DB" "select contact_id, state, coalesce(reason, \"\") from campaign_sends order by contact_id" >out &&
	printf "1|sent|\n2|sent|\n3|excluded|consent-denied\n4|excluded|consent-withdrawn\n5|excluded|no-consent\n6|excluded|no-email\n8|sent|\n9|excluded|no-consent\n" >expect && test_cmp expect out &&
	crm-campaign show 1 -f status,sent -H >out && printf "sent\t3\n" >expect && test_cmp expect out
'
test_expect_success 'consent granted later: the next run sends to that person only' '
	crm-contact consent set 5 email granted &&
	crm-campaign send 1 --to mbox:sent.mbox -H >out 2>/dev/null && cut -f2 out >got && echo 5 >expect && test_cmp expect got
'
test_expect_success 'hostile names and subjects never add a header or a recipient' '
	crm-contact add -q --first-name "$(printf "Eve\r\nBcc: victim@example.net")" --last-name "\"x\" <evil@example.net>, y" --email eve@example.org --tag hostile >/dev/null &&
	crm-contact consent set 10 email granted &&
	crm-campaign segment add hostile --tag hostile >/dev/null &&
	crm-campaign add -q --name h --segment hostile --template news --subject "Hi {{first_name}}" --from-name "{{last_name}}" >/dev/null &&
	crm-campaign send 2 --to mbox:h.mbox 2>/dev/null >/dev/null &&
	fields mbox:h.mbox to,to_count,headers >out &&
	cut -f1,2 out >got && printf "eve@example.org\t1\n" >expect && test_cmp expect got &&
	! cut -f3 out | grep -qi "bcc" &&
	fields mbox:h.mbox subject >out && grep -q "^Hi Eve Bcc: victim@example.net$" out &&
	fields mbox:h.mbox from >out && echo news@example.org >expect && test_cmp expect out
'
test_expect_success 'unsubscribe: a signed token withdraws consent; a forged one is refused' '
	token=$(fields mbox:sent.mbox list_unsubscribe | sed -n 1p | sed "s/^<https:[^>]*t=\([^>]*\)>.*/\1/") &&
	snapshot before &&
	case $token in *0) forged=${token%?}1 ;; *) forged=${token%?}0 ;; esac &&
	expect_exit 3 crm-campaign unsubscribe "$forged" 2>err && grep -q "invalid unsubscribe token" err &&
	expect_exit 3 crm-campaign unsubscribe 1.2.${token##*.} 2>err && grep -q "invalid unsubscribe token" err &&
	expect_exit 3 crm-campaign unsubscribe "1.1.x" 2>err &&
	snapshot after && test_cmp before after &&
	crm-campaign unsubscribe "$token" 2>err && grep -q "contact 1 unsubscribed" err &&
	crm-contact consent show 1 -H >out && grep -q "^email	withdrawn	unsubscribe: campaign 1	" out &&
	crm-campaign unsubscribe "$token" 2>err && grep -q "contact 1 had already withdrawn email consent" err
'
test_expect_success 'unsubscribe by mail: the token in the subject the mailto: link sets' '
	token=$(fields mbox:sent.mbox list_unsubscribe | sed -n 2p | sed "s/.*subject=unsubscribe%20\([^>]*\)>.*/\1/") &&
	printf "From: d@example.uz\nTo: news@example.org\nSubject: unsubscribe %s\n\n" "$token" >u.eml &&
	crm-campaign unsubscribe --mail u.eml 2>err && grep -q "contact 2 unsubscribed" err &&
	printf "From: d@example.uz\nSubject: please stop\n\n" >u2.eml &&
	expect_exit 3 crm-campaign unsubscribe --mail u2.eml 2>err && grep -q "no unsubscribe token in the subject" err &&
	printf "From: d@example.uz\nSubject: unsubscribe 1.2.000000000000000000000000\n\n" >u3.eml &&
	expect_exit 3 crm-campaign unsubscribe --mail u3.eml 2>err && grep -q "invalid unsubscribe token" err
'
test_expect_success 'mail-in: an unsubscribe request by the mailto: link is carried out' '
	token=$(fields mbox:sent.mbox list_unsubscribe | sed -n 3p | sed "s/.*subject=unsubscribe%20\([^>]*\)>.*/\1/") &&
	printf "From: gil@example.org\nTo: news@example.org\nSubject: unsubscribe %s\n\n" "$token" >u4.eml &&
	crm-campaign mail-in u4.eml 2>err && grep -q "1 unsubscribe(s)" err &&
	crm-contact consent show 8 -f status,source -H >out && printf "withdrawn\tunsubscribe: campaign 1\n" >expect && test_cmp expect out &&
	printf "From: x@example.org\nSubject: Unsubscribe me please\n\nthanks\n" >u5.eml &&
	expect_exit 1 crm-campaign mail-in u5.eml 2>err && grep -q "0 unsubscribe(s); 1 other message" err &&
	crm-contact consent set 8 email granted
'
test_expect_success 'mail-in: a file that is not there exits 3, the others are read and kept' '
	expect_exit 3 crm-campaign mail-in nowhere.eml u4.eml 2>err &&
	grep -q "cannot open .nowhere.eml.: No such file" err && grep -q "1 unsubscribe(s)" err &&
	crm-contact consent show 8 -f status -H >out && echo withdrawn >expect && test_cmp expect out &&
	expect_exit 3 crm-campaign bounces --maildir nowhere.d 2>err && grep -q "cannot open .nowhere.d." err &&
	crm-contact consent set 8 email granted
'
dsn() { # dsn FILE ID RECIPIENT STATUS ACTION [RETURNED-MESSAGE-ID]
	printf "From: MAILER-DAEMON@mx.example.net\nTo: news@example.org\nMessage-ID: <%s@mx.example.net>\nDate: Sun, 22 Nov 2026 08:00:00 +0000\nSubject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: text/plain\n\nSorry.\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; %s\nAction: %s\nStatus: %s\n\n--B\nContent-Type: text/rfc822-headers\n\nMessage-ID: <%s>\n\n--B--\n" "$2" "$3" "$5" "$4" "${6:-none@x}" >"$1"
}
test_expect_success 'bounces: 5.x.x marks the address at once; read again changes nothing' '
	mid=$(fields mbox:sent.mbox message_id | sed -n 3p | tr -d "<>") &&
	dsn hard.eml h1 gil@example.org 5.1.1 failed "$mid" &&
	crm-campaign bounces hard.eml 2>err && grep -q "1 hard and 0 soft bounce(s), 1 address(es) marked bounced" err &&
	crm-campaign bounces hard.eml 2>err && grep -q "0 hard and 0 soft" err &&
	sqlite3 "$CRM_DB" "select email, status, reason from mail_bounced" >out && echo "gil@example.org|5.1.1|hard" >expect && test_cmp expect out &&
	crm-campaign results 1 -f measure,value -H >out && grep -q "^bounced	1$" out
'
test_expect_success 'bounces: 4.x.x marks the address after soft_bounces within the window' '
	dsn s1.eml s1 fay@example.org 4.2.2 delayed && dsn s2.eml s2 fay@example.org 4.2.2 delayed &&
	crm-campaign bounces s1.eml 2>err && grep -q "0 address(es) marked" err &&
	crm-campaign bounces s2.eml 2>err && grep -q "1 address(es) marked" err &&
	sqlite3 "$CRM_DB" "select email, reason from mail_bounced order by email" >out &&
	printf "fay@example.org|soft\ngil@example.org|hard\n" >expect && test_cmp expect out
'
test_expect_success 'bounces --mbox and mail-in --maildir read the same reports, counted once' '
	{ echo "From MAILER-DAEMON Sun Nov 22 08:00:00 2026"; cat hard.eml; echo; } >reports.mbox &&
	crm-campaign bounces --mbox reports.mbox 2>err && grep -q "1 report(s): 0 hard" err &&
	mkdir -p rd/new rd/cur rd/tmp && cp s2.eml rd/new/1.eml &&
	crm-campaign mail-in --maildir rd 2>err && grep -q "1 report(s): 0 hard and 0 soft" err
'
test_expect_success 'bounces: a message that is not a report is counted, not an error; exit 1 with none' '
	printf "From: a@example.org\nSubject: hi\n\nhello\n" >plain.eml &&
	expect_exit 1 crm-campaign bounces plain.eml 2>err && grep -q "1 other message" err
'
test_expect_success 'the bounced and unsubscribed are excluded from the next campaign' '
	crm-campaign add -q --name again --segment vips --template news >/dev/null &&
	crm-campaign send 3 -n >/dev/null 2>err &&
	grep -q "unsubscribed 2" err && grep -q "bounced 1" err
'
test_expect_success 'replies: crm-campaign mail-in records the first, robots are nobody' '
	mid=$(fields mbox:sent.mbox message_id | sed -n 1p) &&
	printf "From: Ada <ada@example.org>\nTo: news@example.org\nSubject: Re: News\nMessage-ID: <r1@example.org>\nIn-Reply-To: %s\n\nLovely, thanks!\n" "$mid" >reply.eml &&
	printf "From: Ada <ada@example.org>\nAuto-Submitted: auto-replied\nSubject: Out of office\nIn-Reply-To: %s\n\naway\n" "$mid" >ooo.eml &&
	expect_exit 1 crm-campaign mail-in ooo.eml 2>/dev/null &&
	crm-campaign mail-in reply.eml 2>err && grep -q "1 reply" err &&
	crm-campaign mail-in reply.eml 2>/dev/null &&
	crm-contact timeline 1 -H | grep -c "Reply to campaign .Winter news.: Re: News" >out && echo 1 >expect && test_cmp expect out &&
	crm-campaign results 1 -f measure,value -H >out && grep -q "^replied	1$" out
'
test_expect_success 'replies through crm-ticket mail-in are recorded too, and filed as tickets' '
	mid=$(fields mbox:sent.mbox message_id | sed -n 2p) &&
	printf "From: d@example.uz\nTo: support@example.org\nSubject: Re: Новости\nMessage-ID: <r2@example.uz>\nIn-Reply-To: %s\n\nВопрос\n" "$mid" >r2.eml &&
	crm-ticket mail-in r2.eml >out && grep -q "new" out &&
	crm-campaign results 1 -f measure,value -H >out && grep -q "^replied	2$" out
'
test_expect_success 'results: purchases and won deals of recipients within the window' '
	crm-purchase add -q --person 2 --at 2026-11-30 --line "B 2 25" >/dev/null &&
	crm-purchase add -q --person 2 --at 2027-02-01 --line "B 1 99" >/dev/null &&
	crm-purchase add -q --person 3 --at 2026-11-30 --line "B 1 99" >/dev/null &&
	crm-campaign results 1 -f measure,value -H >out &&
	grep -q "^sent	4$" out && grep -q "^buyers	1$" out && grep -q "^purchases	1$" out && grep -q "^revenue	50.00$" out &&
	: figures are numbers, nothing won 0.00, as crm-report campaigns has them &&
	crm-campaign results 1 --format jsonl | jq -r "select(.measure == \"sent\" or .measure == \"won_value\") | .value" >out &&
	printf "4\n0\n" >expect && test_cmp expect out &&
	crm-campaign results 1 -f measure,value -H >out && grep -q "^won_value	0.00$" out &&
	grep -q "^excluded:consent-denied	1$" out &&
	crm-campaign results 1 --days 90 -f measure,value,note -H >out &&
	grep -q "^purchases	2	within 90 days of their message$" out && grep -q "^revenue	149.00	" out &&
	expect_exit 2 crm-campaign results 1 --days 0 2>err && grep -q "expected 1 to 3650" err &&
	crm-report campaigns -f id,sent,replied,buyers,revenue -H >out && grep -q "^1	4	2	1	50.00$" out &&
	crm-report kpi --period 2026-11 --html >page.html &&
	grep -q "<h2>Campaigns</h2>" page.html && grep -q "Winter news" page.html &&
	"$TOP/tests/cli/html-check" page.html
'
test_expect_success 'an empty segment is an error; nothing is sent' '
	crm-campaign segment add nobody --where "city = Atlantis" >/dev/null &&
	crm-campaign add -q --name e --segment nobody --template news >/dev/null &&
	snapshot before &&
	expect_exit 3 crm-campaign send 4 2>err && grep -q "segment .nobody. has no members: nothing sent" err &&
	snapshot after && test_cmp before after &&
	expect_exit 1 crm-campaign send 99 2>err && grep -q "no campaign 99" err &&
	expect_exit 2 crm-campaign send 1 --to smtp:x 2>err && grep -q "mbox:FILE or maildir:DIR" err &&
	expect_exit 2 crm-campaign send 1 --rate fast 2>err && grep -q "invalid rate" err
'
test_expect_success 'a failed hand-off leaves its message in doubt: reported, sent again only when told' '
	printf "mail:\n  from: news@example.org\n  send: exit 1\n" >fail.yaml &&
	crm-contact add -q --first-name Ivy --email ivy@example.org --tag late >/dev/null &&
	crm-contact add -q --first-name Jo --email jo@example.org --tag late >/dev/null &&
	printf "12\n13\n" | crm-contact consent set - email granted &&
	crm-campaign segment add late --tag late >/dev/null &&
	crm-campaign add -q --name late --segment late --template news >/dev/null &&
	CRM_CONFIG=fail.yaml expect_exit 1 crm-campaign send 5 2>err &&
	sqlite3 "$CRM_DB" "select contact_id, state from campaign_sends where campaign_id = 5" >out &&
	echo "12|sending" >expect && test_cmp expect out &&
	expect_exit 1 crm-campaign send 5 --to mbox:late.mbox -H >out 2>err &&
	grep -q "in doubt 1" err && grep -q -- "--retry-in-doubt" err &&
	grep -q "^5	12	ivy@example.org	.*	in-doubt$" out &&
	fields mbox:late.mbox to >out && echo jo@example.org >expect && test_cmp expect out &&
	crm-campaign send 5 --to mbox:late.mbox --retry-in-doubt >/dev/null 2>&1 &&
	fields mbox:late.mbox to >out && printf "jo@example.org\nivy@example.org\n" >expect && test_cmp expect out &&
	crm-campaign send 5 --to mbox:late.mbox 2>/dev/null >/dev/null && test "$(grep -c "^From " late.mbox)" = 2
'
test_expect_success 'a message in doubt is not sent again to someone who withdrew since' '
	crm-campaign add -q --name late2 --segment late --template news >/dev/null &&
	CRM_CONFIG=fail.yaml expect_exit 1 crm-campaign send 6 2>/dev/null &&
	crm-contact consent set 12 email withdrawn &&
	expect_exit 1 crm-campaign send 6 --retry-in-doubt --to mbox:late2.mbox 2>err >/dev/null &&
	grep -q "in doubt 1" err &&
	fields mbox:late2.mbox to >out && echo jo@example.org >expect && test_cmp expect out &&
	expect_exit 1 crm-campaign send 6 -n --retry-in-doubt 2>/dev/null >dry.mbox && test ! -s dry.mbox &&
	crm-contact consent set 12 email granted
'
test_expect_success '--limit hands off that many; the next run goes on (exit 1 while some are left)' '
	crm-contact add -q --first-name K1 --email k1@example.org --tag lim >/dev/null &&
	crm-contact add -q --first-name K2 --email k2@example.org --tag lim >/dev/null &&
	crm-contact add -q --first-name K3 --email k3@example.org --tag lim >/dev/null &&
	printf "14\n15\n16\n" | crm-contact consent set - email granted &&
	crm-campaign segment add lim --tag lim >/dev/null &&
	crm-campaign add -q --name lim --segment lim --template news >/dev/null &&
	expect_exit 1 crm-campaign send 7 --limit 2 --rate 6000/min --to maildir:md 2>err >/dev/null &&
	grep -q "left for the next run 1" err &&
	crm-campaign send 7 --limit 2 --to maildir:md 2>/dev/null >/dev/null &&
	fields maildir:md to | sort >out && printf "k1@example.org\nk2@example.org\nk3@example.org\n" >expect && test_cmp expect out
'
test_expect_success 'add-recipients: people piped in become the campaign'"'"'s own list' '
	crm-campaign add -q --name picked --template news >/dev/null &&
	snapshot before && printf "14\n15\n" | crm-campaign add-recipients -n 8 - 2>err &&
	grep -q "would have added 2 of 2 people" err && snapshot after && test_cmp before after &&
	printf "14\n15\n" | crm-campaign add-recipients 8 - 2>err && grep -q "added 2 of 2 people" err &&
	crm-campaign add-recipients 8 15 16 2>err && grep -q "added 1 of 2 people" err &&
	crm-campaign show 8 -f segment -H >out && echo campaign-8 >expect && test_cmp expect out &&
	crm-campaign segment count campaign-8 >out && echo 3 >expect && test_cmp expect out &&
	snapshot before &&
	expect_exit 3 crm-campaign add-recipients 1 2 2>err && grep -q "live segment .vips." err &&
	expect_exit 1 crm-campaign add-recipients 8 999 2>err && grep -q "no contact 999" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'a merge takes the send log along; an unmerge gives each row back' '
	a=$(crm-contact add -q --first-name Jan --email jan@work.example --tag dup) &&
	b=$(crm-contact add -q --first-name Jan --email jan@home.example --tag dup) &&
	c=$(crm-contact add -q --first-name Ben --email ben@work.example --tag dup) &&
	d=$(crm-contact add -q --first-name Ben --email ben@home.example --tag dup) &&
	printf "%s\n" "$b" "$c" "$d" | crm-contact consent set - email granted &&
	crm-campaign segment add dup --tag dup >/dev/null &&
	k=$(crm-campaign add -q --name dup --segment dup --template news) &&
	crm-campaign send "$k" --to mbox:dup.mbox 2>/dev/null >/dev/null &&
	dmid=$(sqlite3 "$CRM_DB" "select message_id from campaign_sends where contact_id = $d and campaign_id = $k") &&
	dsn dup-soft.eml dup1 ben@home.example 4.2.2 delayed "$dmid" &&
	crm-campaign bounces dup-soft.eml 2>/dev/null &&
	log="select * from campaign_sends where campaign_id = $k order by id; select id, email, send_id from mail_bounces order by id" &&
	sqlite3 "$CRM_DB" "$log" >log-before && grep -q "|ben@home.example|[0-9]" log-before &&
	m1=$(crm-contact merge "$a" "$b") && m2=$(crm-contact merge "$c" "$d") &&
	sqlite3 "$CRM_DB" "select contact_id, state, email from campaign_sends where campaign_id = $k" >out &&
	printf "%s|sent|jan@home.example\n%s|sent|ben@work.example\n" "$a" "$c" >expect && test_cmp expect out &&
	crm-campaign send "$k" --to mbox:dup.mbox 2>err >/dev/null &&
	grep -q "2 people, sent 0, already sent 2" err && test "$(grep -c "^From " dup.mbox)" = 3 &&
	crm-dedup unmerge --force "$m2" && crm-dedup unmerge --force "$m1" &&
	sqlite3 "$CRM_DB" "$log" >log-after && test_cmp log-before log-after &&
	crm-campaign send "$k" -n 2>err >dry.mbox && test ! -s dry.mbox &&
	grep -q "already sent 3, in doubt 0, excluded 1 (no-consent 1)" err
'
test_expect_success 'unsubscribe with the token of someone merged away withdraws the survivor'"'"'s consent' '
	a=$(crm-contact add -q --first-name Lu --email lu@work.example --tag un) &&
	b=$(crm-contact add -q --first-name Lu --email lu@home.example --tag un) &&
	printf "%s\n" "$a" "$b" | crm-contact consent set - email granted &&
	crm-campaign segment add un --tag un >/dev/null &&
	k=$(crm-campaign add -q --name un --segment un --template news) &&
	crm-campaign send "$k" --to mbox:un.mbox 2>/dev/null >/dev/null &&
	token=$(grep -o "t=$k\.$b\.[0-9a-f]*" un.mbox | sed -n 1p | cut -c3-) &&
	crm-contact merge "$a" "$b" >/dev/null &&
	crm-campaign unsubscribe "$token" 2>err &&
	echo "crm-campaign: contact $b (merged into $a) unsubscribed" >expect && test_cmp expect err &&
	crm-contact consent show "$a" -f status,source -H >out &&
	printf "withdrawn\tunsubscribe: campaign %s\n" "$k" >expect && test_cmp expect out &&
	sqlite3 "$CRM_DB" "select contact_id, unsubscribed_at is not null from campaign_sends where campaign_id = $k" >out &&
	printf "%s|1\n" "$a" >expect && test_cmp expect out &&
	crm-campaign unsubscribe "$token" 2>err &&
	echo "crm-campaign: contact $b (merged into $a) had already withdrawn email consent" >expect &&
	test_cmp expect err
'
test_expect_success 'unsubscribe with the token of someone erased says so and changes nothing' '
	e=$(crm-contact add -q --first-name Mo --email mo@example.org --tag er) &&
	crm-contact consent set "$e" email granted &&
	crm-campaign segment add er --tag er >/dev/null &&
	k=$(crm-campaign add -q --name er --segment er --template news) &&
	crm-campaign send "$k" --to mbox:er.mbox 2>/dev/null >/dev/null &&
	token=$(grep -o "t=$k\.$e\.[0-9a-f]*" er.mbox | sed -n 1p | cut -c3-) &&
	crm-contact erase -q "$e" &&
	snapshot before &&
	crm-campaign unsubscribe "$token" 2>err &&
	echo "crm-campaign: contact $e is erased: nothing done" >expect && test_cmp expect err &&
	snapshot after && test_cmp before after &&
	crm-campaign results "$k" -f measure,value -H | grep "^unsubscribed" >out &&
	printf "unsubscribed\t0\n" >expect && test_cmp expect out &&
	printf "From: x@example.org\nSubject: unsubscribe %s\n\n" "$token" >er.eml &&
	expect_exit 1 crm-campaign mail-in er.eml 2>err &&
	grep -q "0 unsubscribe(s); 1 other message" err
'
test_expect_success 'a failed hand-off: the summary counts it in doubt and the people after it as left' '
	printf "#!/bin/sh\ncat >msg.\$\$; grep -q \"^To:.*nope@\" msg.\$\$ && exit 75; exit 0\n" >flaky.sh &&
	chmod +x flaky.sh &&
	printf "mail:\n  from: news@example.org\n  send: %s/flaky.sh\n" "$PWD" >flaky.yaml &&
	for n in p1 p2 nope p3 p4; do
		crm-contact add -q --email $n@example.org --tag flaky || return 1
	done >ids &&
	crm-contact consent set - email granted <ids &&
	crm-campaign segment add flaky --tag flaky >/dev/null &&
	k=$(crm-campaign add -q --name flaky --segment flaky --template news) &&
	CRM_CONFIG=flaky.yaml expect_exit 1 crm-campaign send "$k" 2>err >/dev/null &&
	grep -q "5 people, sent 2, already sent 0, in doubt 1, excluded 0, left for the next run 2$" err &&
	grep -q "1 message(s) in doubt" err && grep -q "failed with exit status 75" err &&
	crm-campaign results "$k" -f measure,value -H | sed -n 1,2p >out &&
	printf "sent\t2\nin_doubt\t1\n" >expect && test_cmp expect out &&
	CRM_CONFIG=flaky.yaml expect_exit 1 crm-campaign send "$k" 2>err >/dev/null &&
	grep -q "5 people, sent 2, already sent 2, in doubt 1, excluded 0$" err
'
test_expect_success 'a From address of an internationalised domain is sent in its xn-- form' '
	printf "mail:\n  from: Shop <news@example.org>\n" >idn.yaml &&
	export CRM_CONFIG="$PWD/idn.yaml" CRM_DB="$PWD/idn.db" &&
	crm-db init >/dev/null &&
	crm-contact add -q --email a@example.org >/dev/null && crm-contact consent set 1 email granted &&
	printf "x\n" >idn.txt && crm-campaign template add t --subject S --text idn.txt &&
	crm-campaign segment add all --where "id > 0" >/dev/null &&
	crm-campaign add --name c --segment all --template t --from "news@bücher.example" >/dev/null &&
	crm-campaign send 1 --to mbox:idn.mbox -q >/dev/null &&
	grep -q "^List-Unsubscribe: <mailto:news@xn--bcher-kva.example?subject=unsubscribe%20" idn.mbox
'
test_expect_success 'into an mbox another program left without a line end, the message starts its own' '
	printf "mail:\n  from: Shop <news@example.org>\n" >gap.yaml &&
	export CRM_CONFIG="$PWD/gap.yaml" CRM_DB="$PWD/gap.db" &&
	crm-contact add -q --first-name Ann --email ann@example.org >/dev/null && crm-contact consent set 1 email granted &&
	printf "Hi {{first_name}}\n" >gap.txt && crm-campaign template add t --subject Hi --text gap.txt &&
	crm-campaign segment add all --where "id > 0" >/dev/null &&
	crm-campaign add -q --name c --segment all --template t >/dev/null &&
	printf "From a@b Sat Nov 21 10:00:00 2026\nSubject: earlier\n\nlast line without newline" >gap.mbox &&
	crm-campaign send 1 --to mbox:gap.mbox -q >/dev/null &&
	crm-campaign timeline 1 -f text -H | grep "^status" >out &&
	printf "status: sending → sent\nstatus: draft → sending\n" >expect && test_cmp expect out &&
	python3 -c "import mailbox; print(*[m[\"Subject\"] for m in mailbox.mbox(\"gap.mbox\")])" >out &&
	echo "earlier Hi" >expect && test_cmp expect out &&
	: a delivery that is none is told when it is set, not when cron sends &&
	expect_exit 3 crm-campaign add --name d --segment all --template t --deliver bogus >out 2>err &&
	grep -q "deliver: invalid delivery .bogus." err && test ! -s out &&
	expect_exit 3 crm-campaign set 1 --deliver mbox 2>err && grep -q "deliver: invalid delivery .mbox." err &&
	crm-campaign set -q 1 --deliver maildir:md
'
test_expect_success 'an unsubscribe by someone the campaign left out is not in its figures' '
	export CRM_CONFIG="$PWD/gap.yaml" CRM_DB="$PWD/left.db" &&
	crm-contact add -q --first-name Ann --email ann@example.org >/dev/null && crm-contact consent set 1 email granted &&
	crm-contact add -q --first-name Bob --email bob@example.org >/dev/null &&
	printf "Hi {{first_name}} {{unsubscribe_url}}\n" >left.txt && crm-campaign template add t --subject Hi --text left.txt &&
	crm-campaign segment add all --where "id > 0" >/dev/null &&
	crm-campaign add -q --name c --segment all --template t >/dev/null &&
	crm-campaign send 1 --to mbox:left.mbox -q >/dev/null &&
	tok=$(crm-campaign preview 1 --person 2 | grep -o "unsubscribe%20[0-9a-f.]*" | head -1 | sed "s/unsubscribe%20//") &&
	test -n "$tok" && crm-campaign unsubscribe "$tok" 2>/dev/null &&
	crm-campaign results 1 -f measure,value -H | grep -E "^(sent|unsubscribed)	" >out &&
	printf "sent\t1\nunsubscribed\t0\n" >expect && test_cmp expect out &&
	: a run that hands nothing off prints what an empty list does &&
	crm-campaign send 1 --to mbox:left.mbox -q --format json >out && echo "[]" >expect && test_cmp expect out &&
	crm-campaign send 1 --to mbox:left.mbox -q >out &&
	printf "campaign\tperson\temail\tmessage_id\toccurrence\tstate\n" >expect && test_cmp expect out
'
test_expect_success 'a language variant is one however its tag is spelt' '
	export CRM_CONFIG="$PWD/gap.yaml" CRM_DB="$PWD/variants.db" &&
	printf "Hi\n" >v-en.txt && printf "Oi\n" >v-pt.txt &&
	crm-campaign template add t --subject Hi --text v-en.txt &&
	crm-campaign template add t --language PT_BR --subject "Oi (old)" --text v-pt.txt &&
	expect_exit 3 crm-campaign template add t --language pt-BR --subject "Oi (new)" --text v-pt.txt 2>err &&
	grep -q "template .t. in PT_BR exists (--replace replaces it)" err &&
	crm-campaign template add t --language pt-BR --subject "Oi (new)" --text v-pt.txt --replace &&
	crm-campaign template list t -f language,subject -H >out &&
	printf "\tHi\npt-BR\tOi (new)\n" >expect && test_cmp expect out &&
	crm-campaign template show t --language pt_br -f subject -H >out && echo "Oi (new)" >expect &&
	test_cmp expect out && crm-campaign template rm t --language PT-br &&
	crm-campaign template list t -f language -H >out && printf "\n" >expect && test_cmp expect out
'
test_done
