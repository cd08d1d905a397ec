#!/bin/bash
# crm-ticket by mail: mail-in from a file, stdin, an mbox and a Maildir;
# threading by [#ID], In-Reply-To and References; charsets and
# attachments; machines' mail that never opens a ticket; reading twice;
# unreadable mail put aside; and replies mailed through a real SMTP client
# (msmtp) to a local SMTP server (aiosmtpd) and read back in.
. "$(dirname "$0")/lib.sh"

export CRM_CONFIG="$SCRATCH/desk.yaml"
cat >"$CRM_CONFIG" <<EOF
mail:
  from: "Acme Support <support@acme.example>"
  send: cat >>"$SCRATCH/sent.mbox"
  reject: $SCRATCH/rejected
  attachment_cap: 1K
EOF

# A customer's first message: Latin-1, quoted-printable, encoded words.
cat >first.eml <<'EOF'
From: =?ISO-8859-1?Q?Jos=E9_Mu=F1oz?= <Jose.Munoz@Example.ORG>
To: support@acme.example
Subject: =?ISO-8859-1?Q?Factura_err=F3nea?=
Message-ID: <m1@example.org>
Date: Fri, 20 Nov 2026 17:05:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

La factura tiene la direcci=F3n antigua.
EOF

test_expect_success 'mail-in: a new message opens a ticket and adds its sender' '
	crm-ticket mail-in first.eml >out &&
	printf "first.eml\tnew\t1\n" >expect && test_cmp expect out &&
	crm-ticket show 1 -f subject,requester,requester_name,channel,status -H >out &&
	printf "Factura errónea\tJose.Munoz@example.org\tJosé Muñoz\temail\tnew\n" >expect &&
	test_cmp expect out &&
	crm-ticket thread 1 -f kind,text -H >out &&
	printf "customer\tLa factura tiene la dirección antigua.\n" >expect && test_cmp expect out &&
	# Received now (the clock), the Date header (17:05 +0100) kept beside it.
	crm-ticket show 1 -f created_at -H >out && echo 2026-11-22T09:30:00Z >expect &&
	test_cmp expect out &&
	crm-ticket thread 1 -f at,date,message_id,attachments -H >out &&
	printf "2026-11-22T09:30:00Z\t2026-11-20T16:05:00Z\tm1@example.org\t0\n" >expect &&
	test_cmp expect out
'
# A file that is not there is bad input, as for add --file: told, and
# the others read all the same.
test_expect_success 'mail-in: a missing file exits 3, the others are read' '
	printf "From: Ann <ann.missing@example.com>\nSubject: There\nMessage-ID: <there@x>\n\nhi\n" >there.eml &&
	expect_exit 3 crm-ticket mail-in --db missing.db nowhere.eml there.eml >out 2>err &&
	grep -q "cannot open .nowhere.eml." err && grep -q "^there.eml	new	1$" out &&
	expect_exit 3 crm-ticket mail-in --db missing.db --mbox nowhere.mbox 2>err &&
	grep -q "cannot open .nowhere.mbox." err
'
test_expect_success 'mail-in: a display name that is an address again is no name' '
	printf "From: \"ann@bb.example\" <d6@bb.example>\nSubject: y\nMessage-ID: <d6@x>\n\nhi\n" >d6.eml &&
	crm-ticket mail-in --db names.db d6.eml >/dev/null &&
	crm-contact list --db names.db -f first_name,last_name,email -H >out &&
	printf "\t\td6@bb.example\n" >expect && test_cmp expect out
'
test_expect_success 'mail-in: the same message again is seen, not added' '
	crm-ticket mail-in <first.eml >out && printf "stdin\tseen\t1\n" >expect &&
	test_cmp expect out && crm-ticket show 1 -f messages -H >out && echo 1 >expect &&
	test_cmp expect out
'
test_expect_success 'reply --send: an RFC 5322 message that threads back' '
	echo "Corregida, le enviamos otra." | crm-ticket reply --send 1 >/dev/null &&
	grep -q "^To: .*<Jose.Munoz@example.org>" sent.mbox &&
	grep -q "^From: Acme Support <support@acme.example>" sent.mbox &&
	grep -q "^In-Reply-To: <m1@example.org>" sent.mbox &&
	grep -q "^References: <m1@example.org>" sent.mbox &&
	grep -q "^Subject: .*\[#1\]" sent.mbox &&
	crm-ticket show 1 -f status -H >out && echo pending >expect && test_cmp expect out &&
	crm-ticket mail-in sent.mbox >out && printf "sent.mbox\tseen\t1\n" >expect &&
	test_cmp expect out
'
test_expect_success 'mail-in: an answer threads by References and opens the ticket again' '
	mid=$(sed -n "s/^Message-I[Dd]: <\(.*\)>/\1/p" sent.mbox) && test -n "$mid" &&
	cat >answer.eml <<-EOF &&
	From: jose.munoz@example.org
	To: support@acme.example
	Subject: Re: gracias
	Message-ID: <m2@example.org>
	References: <m1@example.org> <$mid>
	Content-Type: text/plain; charset=utf-8

	Gracias, ya está bien.
	EOF
	crm-ticket mail-in answer.eml >out && printf "answer.eml\tadded\t1\n" >expect &&
	test_cmp expect out && crm-ticket show 1 -f status,messages -H >out &&
	printf "open\t3\n" >expect && test_cmp expect out &&
	test "$(crm-contact list -H | wc -l)" = 1
'

# An mbox: a windows-1251 message with an attachment over the cap and a
# small one, an auto-reply about ticket 1, a bulk message, a delivery
# report, and a message to closed ticket 1 tagged in its subject.
cat >box.mbox <<'EOF'
From someone@example.net Mon Nov 23 09:00:00 2026
From: =?windows-1251?B?yOLg7SDP5fLw7uI=?= <ivan@example.ru>
To: support@acme.example
Subject: =?windows-1251?B?z/Du4evl7OA=?=
Message-ID: <r1@example.ru>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=windows-1251
Content-Transfer-Encoding: base64

z/Do4uXyLCDy6Orl8iDt5SDw4OHu8uDl8i4=
--b1
Content-Type: application/octet-stream; name="big.bin"
Content-Disposition: attachment; filename="big.bin"
Content-Transfer-Encoding: base64

QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
--b1
Content-Type: text/csv; name="small.csv"
Content-Disposition: attachment; filename="small.csv"

a,b
1,2
--b1--

From mailer-daemon@example.org Mon Nov 23 09:01:00 2026
From: Jose Munoz <jose.munoz@example.org>
To: support@acme.example
Subject: Out of office: Re: [#1] Factura
Message-ID: <ooo1@example.org>
Auto-Submitted: auto-replied

I am away until Monday.

From news@example.com Mon Nov 23 09:02:00 2026
From: news@example.com
To: support@acme.example
Subject: Our newsletter
Message-ID: <news1@example.com>
Precedence: bulk

Big sale.

From MAILER-DAEMON Mon Nov 23 09:03:00 2026
From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>
To: support@acme.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@mx.acme.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="r"

--r
Content-Type: text/plain

The mail could not be delivered.
--r
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; nobody@example.net
Action: failed
Status: 5.1.1
--r--
EOF

test_expect_success 'mail-in --mbox: charsets, attachments, and machines that never open tickets' '
	crm-ticket mail-in --mbox box.mbox >out &&
	printf "%s\n" "box.mbox:message 1	new	2" "box.mbox:message 2	comment	1" \
		"box.mbox:message 3	ignored	" "box.mbox:message 4	ignored	" >expect &&
	test_cmp expect out &&
	crm-ticket show 2 -f subject,requester_name -H >out &&
	printf "Проблема\tИван Петров\n" >expect && test_cmp expect out &&
	crm-ticket thread 2 -f text -H >out && echo "Привет, тикет не работает." >expect &&
	test_cmp expect out &&
	crm-ticket attachments 2 -f name,type,size,kept -H >out &&
	printf "big.bin\tapplication/octet-stream\t1026\tno\nsmall.csv\ttext/csv\t7\tyes\n" >expect &&
	test_cmp expect out &&
	crm-ticket thread 1 -f kind,text -H | grep -q "^comment	Automatic reply from jose.munoz@example.org" &&
	test "$(crm-ticket list -H | wc -l)" = 2
'
test_expect_success 'attachment N: the content as it came; over the cap, told it was not kept' '
	crm-ticket attachments 2 -f id,message -H >out && printf "1\t4\n2\t4\n" >expect &&
	test_cmp expect out &&
	crm-ticket attachment 2 >out && printf "a,b\n1,2" >expect && test_cmp expect out &&
	expect_exit 3 crm-ticket attachment 1 >out 2>err && test ! -s out &&
	grep -q "attachment 1 (big.bin, 1026 bytes) was over the desk.s attachment_cap" err &&
	expect_exit 1 crm-ticket attachment 3 2>err && grep -q "no attachment 3" err &&
	expect_exit 2 crm-ticket attachment 2>err && grep -q "missing attachment id" err &&
	expect_exit 2 crm-ticket attachment x 2>/dev/null &&
	crm-ticket thread 2 -f subject,attachments -H >out &&
	printf "Проблема\t2\n" >expect && test_cmp expect out
'
test_expect_success 'attachment N: binary content is not written onto a terminal' '
	printf "From: t@example.com\nSubject: [#2] Bin\nMessage-ID: <bin@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\nsee\n--q\nContent-Type: image/png; name=p.png\nContent-Transfer-Encoding: base64\n\niVBORw0K\n--q--\n" >bin.eml &&
	crm-ticket mail-in bin.eml >/dev/null &&
	n=$(crm-ticket attachments 2 -f id,type -H | awk "/image/ { print \$1 }") &&
	s=0 && { script -qec "crm-ticket attachment $n" /dev/null >out 2>&1 || s=$?; } &&
	grep -q "attachment $n is image/png: send it to a file, not a terminal" out &&
	test $s = 2 &&
	test "$(crm-ticket attachment $n | od -An -c | tr -d " \n")" = "211PNG\r\n"
'
test_expect_success 'mail-in: a scan sent with no text opens its ticket all the same' '
	printf "From: scan@example.com\nSubject: Receipt\nMessage-ID: <scan@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: application/pdf; name=r.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0K\n--q--\n" >scan.eml &&
	crm-ticket mail-in --db scan.db scan.eml >out && printf "scan.eml\tnew\t1\n" >expect &&
	test_cmp expect out &&
	crm-ticket thread --db scan.db 1 -f kind,text,attachments --format jsonl >out &&
	echo "{\"kind\":\"customer\",\"text\":null,\"attachments\":1}" >expect && test_cmp expect out &&
	crm-ticket show --db scan.db 1 -f subject -H >out && echo Receipt >expect && test_cmp expect out
'
test_expect_success 'mail-in: reading the mailbox again adds nothing' '
	crm-ticket mail-in --mbox box.mbox | cut -f2 | sort | uniq -c | tr -s " " >out &&
	echo " 4 seen" >expect && test_cmp expect out
'
test_expect_success 'mail-in: mail without a Message-ID read again is seen' '
	printf "From: carl@example.org\nSubject: No id here\n\nhello\n" >noid.eml &&
	printf "From carl@example.org Mon Nov 23 09:00:00 2026\n" >noid.mbox && cat noid.eml >>noid.mbox &&
	printf "\nFrom x Mon Nov 23 09:01:00 2026\nFrom: y@example.com\nSubject: Sale\nPrecedence: bulk\n\nBuy.\n" >>noid.mbox &&
	CRM_DB=noid.db crm-ticket mail-in noid.eml noid.eml >out &&
	printf "noid.eml\tnew\t1\nnoid.eml\tseen\t\n" >expect && test_cmp expect out &&
	CRM_DB=noid.db crm-ticket mail-in --mbox noid.mbox >out &&
	printf "noid.mbox:message 1\tseen\t\nnoid.mbox:message 2\tignored\t\n" >expect &&
	test_cmp expect out &&
	CRM_DB=noid.db crm-ticket mail-in --mbox noid.mbox | cut -f2 >out &&
	printf "seen\nseen\n" >expect && test_cmp expect out &&
	test "$(sqlite3 noid.db "SELECT count(*) FROM ticket_messages WHERE message_id IS NULL")" = 1
'
test_expect_success 'mail-in: mail to a closed ticket opens a new one, linked' '
	crm-ticket close 1 &&
	printf "From: jose.munoz@example.org\nSubject: Re: [#1] Factura\nMessage-ID: <m3@example.org>\n\nOtra pregunta.\n" >again.eml &&
	crm-ticket mail-in again.eml >out && printf "again.eml\tnew\t3\n" >expect &&
	test_cmp expect out &&
	sqlite3 "$CRM_DB" "SELECT ticket_id, kind, target FROM ticket_links" >out &&
	echo "3|ticket|1" >expect && test_cmp expect out &&
	: so does mail to an archived one, which no list would show &&
	crm-db init --db arch.db >/dev/null &&
	echo "Spam?" | crm-ticket add --db arch.db -q --subject Spam --requester jose.munoz@example.org >/dev/null &&
	crm-ticket rm --db arch.db 1 2>/dev/null &&
	printf "From: jose.munoz@example.org\nSubject: Re: [#1] Spam\nMessage-ID: <m3b@example.org>\n\nNo es spam.\n" >archived.eml &&
	crm-ticket mail-in --db arch.db archived.eml >out && printf "archived.eml\tnew\t2\n" >expect &&
	test_cmp expect out
'
test_expect_success 'reply --send: a subject with another ticket tag gets its own first' '
	export CRM_DB=tags.db && : >sent.mbox &&
	printf "From: carl@example.org\nSubject: Printer broken\nMessage-ID: <p1@example.org>\n\nIt jams.\n" >p1.eml &&
	printf "From: carl@example.org\nSubject: Re: [#1] Printer broken\nMessage-ID: <p2@example.org>\n\nAgain.\n" >p2.eml &&
	crm-ticket mail-in p1.eml >/dev/null && crm-ticket close 1 2>/dev/null &&
	crm-ticket mail-in p2.eml >out && printf "p2.eml\tnew\t2\n" >expect && test_cmp expect out &&
	crm-ticket reply --send 2 "Try the other tray." >/dev/null &&
	echo "Where is it?" | crm-ticket add --subject "Refund for order [#77]" --requester ann@example.org >/dev/null &&
	crm-ticket reply --send 3 "On its way." >/dev/null &&
	crm-ticket reply --send 3 "Sent today." >/dev/null &&
	grep "^Subject:" sent.mbox >out &&
	printf "Subject: %s\n" "[#2] Re: [#1] Printer broken" "[#3] Refund for order [#77]" \
		"[#3] Refund for order [#77]" >expect && test_cmp expect out &&
	printf "From: carl@example.org\nSubject: Re: [#2] Re: [#1] Printer broken\nMessage-ID: <p3@example.org>\n\nWorks.\n" >p3.eml &&
	crm-ticket mail-in p3.eml >out && printf "p3.eml\tadded\t2\n" >expect && test_cmp expect out
'
# The References of sent.mbox on one line, its ids without brackets.
references() {
	awk '/^References:/ { r = $0; c = 1; next } c && /^[ \t]/ { r = r $0; next } { c = 0 }
		END { print r }' sent.mbox | tr -d "<>" | tr -s " \t" " "
}
test_expect_success 'reply --send: References run from the root, oldest first, to the parent' '
	export CRM_DB=refs.db && : >sent.mbox &&
	printf "From: dora@example.org\nSubject: Thread\nMessage-ID: <t1@example.org>\n\nOne.\n" >t1.eml &&
	crm-ticket mail-in t1.eml >/dev/null && crm-ticket reply --send 1 "First answer." >/dev/null &&
	r1=$(sed -n "s/^Message-I[Dd]: <\(.*\)>/\1/p" sent.mbox) &&
	printf "From: dora@example.org\nSubject: Re: x\nMessage-ID: <t2@example.org>\nIn-Reply-To: <%s>\nReferences: <t1@example.org> <%s>\n\nTwo.\n" "$r1" "$r1" >t2.eml &&
	crm-ticket mail-in t2.eml >/dev/null && : >sent.mbox &&
	crm-ticket reply --send 1 "Second answer." >/dev/null &&
	echo "References: t1@example.org $r1 t2@example.org" >expect && references >out &&
	test_cmp expect out &&
	for i in 3 4 5 6 7 8 9 10 11 12; do
		printf "From: dora@example.org\nSubject: [#1] more\nMessage-ID: <t%s@example.org>\n\nMore.\n" $i >t.eml &&
		crm-ticket mail-in t.eml >/dev/null || exit 1
	done &&
	crm-ticket reply --send 1 "Third answer." >/dev/null && : >sent.mbox &&
	crm-ticket reply --send 1 "Fourth answer." >/dev/null &&
	grep -q "^In-Reply-To: <t12@example.org>" sent.mbox &&
	echo "References: t1@example.org $(seq -f "t%g@example.org" 4 12 | tr "\n" " ")" | sed "s/ $//" >expect &&
	references >out && test_cmp expect out
'
test_expect_success 'mail-in: mail from the desk own address is a comment, never a request' '
	export CRM_DB=own.db &&
	printf "From: carl@example.org\nSubject: Printer broken\nMessage-ID: <o1@example.org>\n\nIt jams.\n" >o1.eml &&
	printf "From: Acme Support <Support@ACME.example>\nSubject: Re: [#1] Printer broken\nMessage-ID: <o2@acme.example>\n\nFor the record.\n" >o2.eml &&
	printf "From: support@acme.example\nSubject: Hello\nMessage-ID: <o3@acme.example>\n\nA loop.\n" >o3.eml &&
	crm-ticket mail-in o1.eml >/dev/null && crm-ticket solve 1 2>/dev/null &&
	crm-ticket mail-in o2.eml o3.eml o3.eml >out &&
	printf "o2.eml\tcomment\t1\no3.eml\tignored\t\no3.eml\tseen\t\n" >expect && test_cmp expect out &&
	crm-ticket list -f id,status -H >out && printf "1\tsolved\n" >expect && test_cmp expect out &&
	crm-contact list -f email -H >out && echo carl@example.org >expect && test_cmp expect out &&
	crm-ticket thread 1 -f kind,text -H | grep -q "^comment	Mail from the desk.s own address Support@acme.example: Re: \[#1\]"
'
test_expect_success 'mail-in: mail to a merged ticket goes to the one it was merged into' '
	crm-ticket merge 3 --into 2 2>/dev/null &&
	printf "From: jose.munoz@example.org\nSubject: [#3] more\nMessage-ID: <m4@example.org>\n\nAnd more.\n" >merged.eml &&
	crm-ticket mail-in merged.eml >out && printf "merged.eml\tadded\t2\n" >expect &&
	test_cmp expect out
'
test_expect_success 'mail-in --maildir reads new/ and cur/' '
	mkdir -p md/new md/cur md/tmp &&
	printf "From: a@example.com\nSubject: one\nMessage-ID: <md1@example.com>\n\nOne.\n" >md/new/1700000001.a &&
	printf "From: b@example.com\nSubject: two\nMessage-ID: <md2@example.com>\n\nTwo.\n" >md/cur/1700000002.b:2,S &&
	crm-ticket mail-in --maildir md | cut -f2,3 >out &&
	printf "new\t4\nnew\t5\n" >expect && test_cmp expect out
'
test_expect_success 'mail-in: unreadable mail is put aside, named, and the rest is kept' '
	printf "Subject: no sender\n\nWho am I?\n" >nofrom.eml &&
	printf "From: c@example.com\nSubject: fine\nMessage-ID: <ok1@example.com>\n\nFine.\n" >ok.eml &&
	expect_exit 3 crm-ticket mail-in nofrom.eml ok.eml >out 2>err &&
	grep -q "nofrom.eml: .*From" err && grep -q "copied to $SCRATCH/rejected/new/" err && test -f nofrom.eml &&
	test "$(ls rejected/new | wc -l)" = 1 && cmp nofrom.eml rejected/new/* &&
	printf "ok.eml\tnew\t6\n" >expect && test_cmp expect out &&
	crm-ticket show 6 -f subject -H >out && echo fine >expect && test_cmp expect out
'
test_expect_success 'reply --send: what the mail command says goes to standard error' '
	printf "mail:\n  from: s@acme.example\n  send: \"cat >/dev/null; echo sendmail-said-hi\"\n" >talk.yaml &&
	n=$(crm-ticket show 2 -f messages -H) &&
	id=$(CRM_CONFIG=talk.yaml crm-ticket reply --send 2 "Noted." 2>err) &&
	test "$id" = "$(sqlite3 "$CRM_DB" "SELECT max(id) FROM ticket_messages")" &&
	echo sendmail-said-hi >expect && test_cmp expect err &&
	test "$(crm-ticket show 2 -f messages -H)" = $((n + 1))
'
test_expect_success 'reply --send: no From configured, a failing command: nothing kept' '
	n=$(crm-ticket show 2 -f messages -H) &&
	printf "mail:\n  send: exit 3\n" >nofrom.yaml &&
	CRM_CONFIG=nofrom.yaml expect_exit 3 crm-ticket reply --send 2 "x" 2>err &&
	grep -q "no .from. address" err &&
	printf "mail:\n  from: s@acme.example\n  send: exit 3\n" >fail.yaml &&
	CRM_CONFIG=fail.yaml expect_exit 3 crm-ticket reply --send 2 "x" 2>err &&
	grep -q "exit" err && test "$(crm-ticket show 2 -f messages -H)" = "$n"
'

# The pipe alias of crm-ticket(1), run as an MTA runs it (/bin/sh -c):
# a busy database exits 75, which MTAs defer on, never 4, which they bounce.
test_expect_success 'mail-in as the alias of crm-ticket(1): busy is 75, the rest as it is' '
	alias=$(sed -n "s/^support: \"|\(.*\)\"$/\1/p" "$TOP/man/man1/crm-ticket.1" | sed "s/\\\\-/-/g") &&
	test -n "$alias" && export CRM_DB=busy.db && crm-db init >/dev/null &&
	printf "From: eve@example.org\nSubject: Busy\nMessage-ID: <busy1@example.org>\n\nHi.\n" >busy.eml || exit 1
	# The holder waits if a probe has the lock for a moment (as in t3000).
	{ echo ".timeout 5000"; echo "BEGIN IMMEDIATE;"; sleep 3; echo "COMMIT;"; } | sqlite3 busy.db &
	for i in $(seq 30); do
		sqlite3 busy.db "begin immediate; commit" 2>/dev/null || break; sleep 0.1
	done
	CRM_BUSY_TIMEOUT=100 expect_exit 75 /bin/sh -c "$alias" <busy.eml >out 2>err &&
	grep -q "locked" err && wait &&
	/bin/sh -c "$alias" <busy.eml >out && printf "stdin\tnew\t1\n" >expect && test_cmp expect out &&
	expect_exit 3 /bin/sh -c "$alias" </dev/null 2>err
'

# A real SMTP round trip: msmtp hands the reply to aiosmtpd on 127.0.0.1,
# which delivers it into a Maildir; mail-in reads it back.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$SCRATCH/smtp" \
	>"$SCRATCH/smtp.log" 2>&1 &
smtp_pid=$!
trap 'kill $smtp_pid 2>/dev/null' EXIT

# Waits until the server accepts connections (at most 10 s).
smtp_ready() {
	for _ in $(seq 100); do
		/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.1)" \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

test_expect_success 'reply --send through msmtp to a local SMTP server, and back in' '
	smtp_ready &&
	cat >smtp.yaml <<-EOF &&
	mail:
	  from: "Acme Support <support@acme.example>"
	  send: msmtp --host=127.0.0.1 --port=$port --auth=off --tls=off --from=support@acme.example -t
	EOF
	CRM_CONFIG=smtp.yaml crm-ticket reply --send 2 "Проверьте ещё раз, пожалуйста." >/dev/null &&
	test "$(ls smtp/new | wc -l)" = 1 &&
	grep -q "^To: .*<ivan@example.ru>" smtp/new/* &&
	CRM_CONFIG=smtp.yaml crm-ticket mail-in --maildir smtp | cut -f2 >out &&
	echo seen >expect && test_cmp expect out &&
	mid=$(sed -n "s/^Message-I[Dd]: <\(.*\)>\r*$/\1/p" smtp/new/*) && test -n "$mid" &&
	printf "From: ivan@example.ru\nSubject: Re: thanks\nIn-Reply-To: <%s>\nMessage-ID: <r2@example.ru>\n\nРаботает!\n" "$mid" >back.eml &&
	crm-ticket mail-in back.eml >out && printf "back.eml\tadded\t2\n" >expect &&
	test_cmp expect out && crm-ticket thread 2 -f text -H | tail -2 >out &&
	printf "%s\n" "Проверьте ещё раз, пожалуйста." "Работает!" >expect && test_cmp expect out
'

# A server that cannot deliver a reply reports on it without threading
# headers (Postfix sends no In-Reply-To): the report names the reply it
# returns, by Message-ID, and that finds the ticket.
test_expect_success 'mail-in: a bounce of a reply, without In-Reply-To, is noted on its ticket' '
	crm-ticket reopen 2 2>/dev/null; : >sent.mbox &&
	echo "Se lo enviamos hoy." | crm-ticket reply --send 2 >/dev/null &&
	mid=$(sed -n "s/^Message-I[Dd]: <\(.*\)>/\1/p" sent.mbox) && test -n "$mid" &&
	cat >bounce.eml <<-EOF &&
	From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>
	To: support@acme.example
	Subject: Undelivered Mail Returned to Sender
	Message-ID: <dsn2@mx.acme.example>
	MIME-Version: 1.0
	Content-Type: multipart/report; report-type=delivery-status; boundary="r"

	--r
	Content-Type: text/plain

	The mail could not be delivered.
	--r
	Content-Type: message/delivery-status

	Reporting-MTA: dns; mx.acme.example

	Final-Recipient: rfc822; ivan@example.ru
	Action: failed
	Status: 5.1.1
	--r
	Content-Type: text/rfc822-headers

	From: support@acme.example
	Message-ID: <$mid>
	Subject: [#2] Problema
	--r--
	EOF
	crm-ticket mail-in bounce.eml >out && printf "bounce.eml\tcomment\t2\n" >expect &&
	test_cmp expect out &&
	crm-ticket thread 2 -f kind,text -H | grep -q "^comment	Delivery report from MAILER-DAEMON@mx.acme.example: Undelivered Mail"
'
# Windows mailers label their code pages with the standard sets' names:
# cp1252 as ISO-8859-1 (its curly quotes, euro and dashes at 0x80-0x9F),
# cp932 as Shift_JIS or Windows-31J, cp949 as ks_c_5601-1987.
test_expect_success 'mail labelled by the sets Windows code pages extend is read as those code pages' '
	export CRM_DB="$PWD/labels.db" &&
	printf "From: a@example.com\nSubject: =?iso-8859-1?Q?Preis_50=80_=96_zu_hoch?=\nMessage-ID: <l1@x>\nContent-Type: text/plain; charset=iso-8859-1\n\nPrice \223""50\200\224 \226 too high\n" >l1.eml &&
	printf "From: b@example.jp\nSubject: s\nMessage-ID: <l2@x>\nContent-Type: text/plain; charset=Shift_JIS\n\n\220\277\213\201\217\221\207\100 \373\374\n" >l2.eml &&
	printf "From: b@example.jp\nSubject: s\nMessage-ID: <l3@x>\nContent-Type: text/plain; charset=windows-31j\n\n\220\277\213\201\217\221\n" >l3.eml &&
	printf "From: k@example.kr\nSubject: =?ks_c_5601-1987?B?vsiz5w==?=\nMessage-ID: <l4@x>\nContent-Type: text/plain; charset=ks_c_5601-1987\n\n\276\310\263\347 \214\143\271\346\n" >l4.eml &&
	crm-ticket mail-in l1.eml l2.eml l3.eml l4.eml >/dev/null &&
	for t in 1 2 3 4; do crm-ticket thread $t -f text -H || return 1; done >out &&
	printf "Price \342\200\234""50\342\202\254\342\200\235 \342\200\223 too high\n" >expect &&
	printf "\350\253\213\346\261\202\346\233\270\342\221\240 \351\253\231\n\350\253\213\346\261\202\346\233\270\n" >>expect &&
	printf "\354\225\210\353\205\225 \353\230\240\353\260\251\n" >>expect && test_cmp expect out &&
	crm-ticket list -f subject -H >out &&
	printf "Preis 50\342\202\254 \342\200\223 zu hoch\ns\ns\n\354\225\210\353\205\225\n" >expect && test_cmp expect out
'
test_expect_success 'base64 without its closing padding is decoded whole, text and files' '
	export CRM_DB="$PWD/pad.db" &&
	printf "From: a@example.com\nSubject: u\nMessage-ID: <u1@x>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGVsbG8gV29ybGQ\n" >u1.eml &&
	printf "From: a@example.com\nSubject: u2\nMessage-ID: <u2@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee file\n--b\nContent-Type: application/octet-stream; name=a.bin\nContent-Transfer-Encoding: base64\n\nAAECAwQ\n--b--\n" >u2.eml &&
	crm-ticket mail-in u1.eml u2.eml >/dev/null &&
	crm-ticket thread 1 -f text -H >out && echo "Hello World" >expect && test_cmp expect out &&
	crm-ticket attachment 1 >got && printf "\0\1\2\3\4" >want && cmp want got
'
test_expect_success 'a person stored with a domain in its xn-- form is found by mail from it' '
	export CRM_DB="$PWD/idn.db" &&
	crm-contact add -q --first-name Jörg --email joerg@xn--bcher-kva.de >/dev/null &&
	printf "From: J\303\266rg <joerg@xn--bcher-kva.de>\nSubject: IDN\nMessage-ID: <i1@x>\n\nhi\n" >i1.eml &&
	printf "From: J\303\266rg <joerg@b\303\274cher.de>\nSubject: IDN2\nMessage-ID: <i2@x>\n\nhi\n" >i2.eml &&
	crm-ticket mail-in i1.eml i2.eml >/dev/null &&
	crm-contact list -f id -H >out && echo 1 >expect && test_cmp expect out &&
	crm-ticket list -f requester -H | sort -u >out && echo joerg@xn--bcher-kva.de >expect && test_cmp expect out
'
test_expect_success 'a multipart message without its boundary keeps what it says as its text' '
	export CRM_DB="$PWD/nobound.db" &&
	printf "From: a@example.com\nSubject: no boundary\nMessage-ID: <nb@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\nMy order 4711 never arrived.\n" >nb.eml &&
	crm-ticket mail-in nb.eml >/dev/null &&
	crm-ticket thread 1 -f text -H >out && echo "My order 4711 never arrived." >expect && test_cmp expect out &&
	crm-ticket list --search 4711 -f id -H >out && echo 1 >expect && test_cmp expect out
'
test_done
