#!/bin/bash
# crm-campaign through a real SMTP client: msmtp hands each message to a
# local SMTP server (aiosmtpd on 127.0.0.1, started and stopped here); the
# messages it received are parsed back and every header checked, with the
# envelope msmtp gave.
. "$(dirname "$0")/lib.sh"

fields() { "$TOP/tests/cli/mail-fields" "$@"; }
# The server goes with the test, whatever happens to it.
trap '[ -s "$SCRATCH/sink.pid" ] && kill "$(cat "$SCRATCH/sink.pid")" 2>/dev/null; rm -rf "$SCRATCH"' EXIT

test_expect_success 'a local SMTP server' '
	"$TOP/tests/cli/smtp-sink" "$SCRATCH/md" "$SCRATCH/port" &
	echo $! >sink.pid &&
	i=0 && while [ ! -s port ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done &&
	test -s port
'
port=$(cat port 2>/dev/null)
cat >cfg.yaml <<EOF
mail:
  from: Магазин <shop@example.org>
  send: msmtp --host=127.0.0.1 --port=$port --auth=off --tls=off -f shop@example.org -t
campaign:
  unsubscribe_url: https://example.org/u/{token}
  unsubscribe_mailto: leave@example.org
EOF
export CRM_CONFIG=$SCRATCH/cfg.yaml

test_expect_success 'a campaign to two people, one in Cyrillic' '
	crm-contact add -q --first-name Ada --last-name Lovelace --email ada@example.org >/dev/null &&
	crm-contact add -q --first-name Диляра --last-name Каримова --email dilyara@example.uz >/dev/null &&
	printf "1\n2\n" | crm-contact consent set - email granted &&
	crm-campaign segment add all --where "email ~ example" >/dev/null &&
	printf "Hello {{first_name}} — news.\n{{unsubscribe_url}}\n" >t.txt &&
	printf "<p>Hello {{first_name}}</p>\n" >t.html &&
	crm-campaign template add t --subject "Новости, {{first_name}}" --text t.txt --html t.html &&
	crm-campaign add -q --name "smtp" --segment all --template t >/dev/null &&
	crm-campaign send 1 -H >out 2>err && test "$(wc -l <out)" = 2
'
test_expect_success 'the server got each message once, with the envelope of its To' '
	cut -f2,3 md/envelopes >out &&
	printf "shop@example.org\tada@example.org\nshop@example.org\tdilyara@example.uz\n" >expect && test_cmp expect out
'
test_expect_success 'every header as sent' '
	fields maildir:md to,to_name,from,from_name,subject,campaign,precedence,list_unsubscribe_post,type,parts,to_count,lines_ok >out &&
	printf "%s\n" \
		"ada@example.org	Ada Lovelace	shop@example.org	Магазин	Новости, Ada	1	bulk	List-Unsubscribe=One-Click	multipart/alternative	text/plain+text/html	1	1" \
		"dilyara@example.uz	Диляра Каримова	shop@example.org	Магазин	Новости, Диляра	1	bulk	List-Unsubscribe=One-Click	multipart/alternative	text/plain+text/html	1	1" >expect &&
	test_cmp expect out &&
	fields maildir:md headers | sort -u >out &&
	echo "Date,From,Subject,To,Message-Id,Precedence,List-Unsubscribe,List-Unsubscribe-Post,X-CRM-Campaign,MIME-Version,Content-Type" >expect &&
	test_cmp expect out &&
	fields maildir:md date | sort -u >out && echo "Sun, 22 Nov 2026 09:30:00 +0000" >expect && test_cmp expect out
'
test_expect_success 'Message-IDs are the log'"'"'s; List-Unsubscribe carries each person'"'"'s token' '
	fields maildir:md message_id | tr -d "<>" >out &&
	sqlite3 "$CRM_DB" "select message_id from campaign_sends order by contact_id" >expect && test_cmp expect out &&
	fields maildir:md list_unsubscribe >out &&
	grep -q "^<https://example.org/u/1\.1\.[0-9a-f]\{24\}>, <mailto:leave@example.org?subject=unsubscribe%201\.1\.[0-9a-f]\{24\}>$" out &&
	grep -q "^<https://example.org/u/1\.2\.[0-9a-f]\{24\}>, <mailto:leave@example.org?subject=unsubscribe%201\.2\.[0-9a-f]\{24\}>$" out &&
	token=$(sed -n 2p out | sed "s|^<https://example.org/u/\([^>]*\)>.*|\1|") &&
	crm-campaign unsubscribe "$token" 2>err && grep -q "contact 2 unsubscribed" err
'
test_expect_success 'the decoded bodies' '
	fields maildir:md text,html | sed -n 1p >out &&
	grep -q "^Hello Ada — news\.\\\\nhttps://example.org/u/1\.1\.[0-9a-f]\{24\}\\\\n	<p>Hello Ada</p>\\\\n$" out
'
test_expect_success 'the server is stopped' '
	kill "$(cat sink.pid)" &&
	i=0 && while kill -0 "$(cat sink.pid)" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done &&
	! kill -0 "$(cat sink.pid)" 2>/dev/null
'
test_done
