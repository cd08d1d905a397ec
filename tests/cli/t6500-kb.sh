#!/bin/bash
# crm-kb: every verb; revisions (log, diff, revert, edit); search and
# suggestions; Markdown files in and out (export then import changes
# nothing); the help centre opened in headless Chromium; and bad input,
# which must leave the database as it was.
. "$(dirname "$0")/lib.sh"

snapshot() {
	sqlite3 "$CRM_DB" .dump >"$1"
}

# bad_kb TITLE CODE PATTERN COMMAND...: COMMAND must exit CODE, say
# PATTERN (grep -E) on standard error, and change nothing.
bad_kb() {
	title=$1 code=$2 pattern=$3
	shift 3
	test_expect_success "$title" "
		snapshot before &&
		expect_exit $code $* 2>err </dev/null && grep -E -q -- \"$pattern\" err &&
		snapshot after && test_cmp before after
	"
}

ids() {
	"$@" | cut -f1 | paste -sd " " -
}

# chrome FILE: the DOM of FILE as headless Chromium renders it.
chrome() {
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$SCRATCH/chrome" --dump-dom "file://$1" 2>/dev/null
}

mkdir -p .config/crm
printf 'locales: [uz, ru, en]\n' >.config/crm/config.yaml

test_expect_success 'add: --body, the first configured locale, a draft, the acting user' '
	crm-kb add --title "Parolni tiklash" --body "Sozlamalar bo‘limini oching" </dev/null >out &&
	echo 1 >expect && test_cmp expect out &&
	crm-kb show 1 -f title,locale,status,owner,rev,body -H >out &&
	printf "Parolni tiklash\tuz\tdraft\ttester\t1\tSozlamalar bo‘limini oching\n" >expect &&
	test_cmp expect out
'
test_expect_success 'add: the body from --file and from standard input' '
	printf "# Reset\n\nOpen **Settings**, then *Reset password*.\n\n- one\n- two\n" >reset.md &&
	crm-kb add --title "Resetting your password" --locale EN --category accounts \
		--status published --file reset.md --tag login </dev/null >out &&
	echo 2 >expect && test_cmp expect out &&
	printf "Pay by card or by bank transfer.\nA refund takes five days.\n" |
		crm-kb add --title "Payments and refunds" --locale en --category billing >out &&
	echo 3 >expect && test_cmp expect out &&
	crm-kb show 2 -f locale,tags,body --format jsonl >out &&
	printf "{\"locale\":\"en\",\"tags\":\"login\",\"body\":\"# Reset\\\\n\\\\nOpen **Settings**, then *Reset password*.\\\\n\\\\n- one\\\\n- two\"}\n" >expect &&
	test_cmp expect out &&
	crm-kb show 3 -f body -H >out && echo "Pay by card or by bank transfer.\nA refund takes five days." >expect &&
	test_cmp expect out
'
test_expect_success 'show of a missing article exits 1' '
	expect_exit 1 crm-kb show 99 2>err && grep -q "no article 99" err
'
test_expect_success 'list filters: --category, --locale (any case), --status, --published, --tag' '
	ids crm-kb list --locale EN -H >out && echo "2 3" >expect && test_cmp expect out &&
	ids crm-kb list --category billing -H >out && echo 3 >expect && test_cmp expect out &&
	ids crm-kb list --status draft -H >out && echo "1 3" >expect && test_cmp expect out &&
	ids crm-kb list --published -H >out && echo 2 >expect && test_cmp expect out &&
	ids crm-kb list --tag login -H >out && echo 2 >expect && test_cmp expect out &&
	expect_exit 1 crm-kb list --locale ru
'
bad_kb 'an unknown locale (exit 3)' 3 "locale: unknown locale 'de' \\(locales: uz, ru, en\\)" \
	crm-kb add --title x --locale de
bad_kb 'an unknown locale on set (exit 3)' 3 "locale: unknown locale 'fr'" crm-kb set 1 --locale fr
bad_kb 'an unknown status (exit 3)' 3 "status: invalid status 'live' \\(expected draft or published\\)" \
	crm-kb add --title x --status live
bad_kb 'an article needs a title (exit 3)' 3 "title: an article needs a title" crm-kb add --body text
bad_kb 'set of a missing article (exit 1)' 1 "no article 42" crm-kb set 42 --title x
bad_kb 'an unreadable --file (exit 1)' 1 "cannot open 'nope.md'" crm-kb add --title x --file nope.md
bad_kb 'both --body and --file (exit 2)' 2 "not both" crm-kb add --title x --body y --file reset.md

# --- revisions
test_expect_success 'set makes a revision of title, body, category, locale or status only' '
	crm-kb set -q 3 --status published &&
	crm-kb set -q 3 --owner alice &&
	printf "Pay by card, by bank transfer or in cash.\nA refund takes five days.\n" >pay.md &&
	CRM_USER=bob CRM_NOW=2026-11-23T10:00:00Z crm-kb set -q 3 --file pay.md &&
	crm-kb set -q 3 --title "Payments and refunds" &&
	crm-kb show 3 -f rev -H >out && echo 3 >expect && test_cmp expect out
'
test_expect_success 'log: newest first, who, when and what changed' '
	crm-kb log 3 >out &&
	cat >expect <<-\EOF &&
	rev	at	author	summary
	3	2026-11-23T10:00:00Z	bob	body +1 -1
	2	2026-11-22T09:30:00Z	tester	status: draft → published
	1	2026-11-22T09:30:00Z	tester	created (en, draft)
	EOF
	test_cmp expect out &&
	crm-kb log 3 -f rev,author -H --format csv | tr -d "\r" >out &&
	printf "3,bob\n2,tester\n1,tester\n" >expect &&
	test_cmp expect out
'
test_expect_success 'diff: the body from a revision to the latest, or between two' '
	crm-kb diff 3 1 >out &&
	cat >expect <<-\EOF &&
	--- article 3 revision 1
	+++ article 3 revision 3
	@@ -1,2 +1,2 @@
	-Pay by card or by bank transfer.
	+Pay by card, by bank transfer or in cash.
	 A refund takes five days.
	EOF
	test_cmp expect out &&
	crm-kb diff 3 1 2 >out && test ! -s out &&
	crm-kb diff 3 3 1 | sed -n 3p >out && echo "@@ -1,2 +1,2 @@" >expect && test_cmp expect out
'
bad_kb 'diff from a missing revision (exit 1)' 1 "no revision 9 of article 3" crm-kb diff 3 9
bad_kb 'diff of a missing article (exit 1)' 1 "no article 77" crm-kb diff 77 1
bad_kb 'diff with a bad revision number (exit 2)' 2 "invalid revision 'x'" crm-kb diff 3 x
test_expect_success 'revert makes a new revision equal to the old one' '
	crm-kb revert 3 1 2>err && grep -q "article 3 is revision 1 again, as revision 4" err &&
	crm-kb show 3 -f status,body,rev -H >out &&
	printf "draft\tPay by card or by bank transfer.\\\\nA refund takes five days.\t4\n" >expect &&
	test_cmp expect out &&
	crm-kb log 3 -f summary -H | head -1 >out && echo "body +1 -1; status: published → draft" >expect &&
	test_cmp expect out &&
	crm-kb diff 3 1 >out && test ! -s out
'
test_expect_success 'revert to the current text makes no revision' '
	crm-kb revert 3 4 2>err && grep -q "is revision 4 already" err &&
	crm-kb show 3 -f rev -H >out && echo 4 >expect && test_cmp expect out
'
bad_kb 'revert to a missing revision (exit 1)' 1 "no revision 12 of article 3" crm-kb revert 3 12
bad_kb 'revert of a missing article (exit 1)' 1 "no article 50" crm-kb revert 50 1
crm-kb set -q 3 --status published

test_expect_success 'edit: the editor changes the file, a revision is saved' '
	EDITOR="sed -i -e s/five/ten/ -e s/^status:.*/status:\ published/" crm-kb edit 3 2>err &&
	grep -q "updated article 3" err &&
	crm-kb show 3 -f body -H >out && grep -q "takes ten days" out &&
	crm-kb log 3 -f summary -H | head -1 >out && echo "body +1 -1" >expect && test_cmp expect out
'
test_expect_success 'edit: the front matter too, tags included; $VISUAL first' '
	cat >ed.sh <<-\EOF &&
	sed -i -e "s/^title:.*/title: \"Payments\"/" -e "/^tags:/d" -e "s/^status:.*/status: published\ntags: [money]/" "$1"
	EOF
	VISUAL="sh $SCRATCH/ed.sh" EDITOR=false crm-kb edit -q 3 &&
	crm-kb show 3 -f title,tags -H >out && printf "Payments\tmoney\n" >expect && test_cmp expect out
'
test_expect_success 'edit: nothing changed, nothing saved' '
	snapshot before && EDITOR=true crm-kb edit 3 2>err && grep -q "unchanged article 3" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'edit: bad front matter is refused, the text kept, nothing written' '
	snapshot before &&
	EDITOR="sed -i s/^status:.*/status:\ live/" TMPDIR="$SCRATCH" expect_exit 3 crm-kb edit 3 2>err &&
	grep -q "crm-kb-3-.*\.md:6: status: invalid status .live." err && grep -q "text is kept in" err &&
	ls "$SCRATCH"/crm-kb-3-*.md && rm -f "$SCRATCH"/crm-kb-3-*.md &&
	snapshot after && test_cmp before after
'
test_expect_success 'edit: a failing editor changes nothing' '
	snapshot before && EDITOR=false expect_exit 1 crm-kb edit 3 2>err && grep -q "editor .false. failed" err &&
	snapshot after && test_cmp before after
'
bad_kb 'edit of a missing article (exit 1)' 1 "no article 88" crm-kb edit 88

# --- search
test_expect_success 'search setup: a few more articles' '
	crm-kb add -q --title "Changing the billing address" --locale en --category billing \
		--status published --body "The address on invoices is set under Billing." >/dev/null &&
	crm-kb add -q --title "Two-factor login" --locale en --category accounts --status published \
		--body "After the password, a code from your phone. If you lost the phone, reset it." >/dev/null &&
	crm-kb add -q --title "Сброс пароля" --locale ru --category accounts --status published \
		--body "Откройте настройки и нажмите «Сбросить пароль»." >/dev/null &&
	crm-kb add -q --title "Draft about passwords" --locale en --body "password password password" >/dev/null &&
	crm-kb add -q --title "Müller GmbH invoices" --locale en --status published \
		--body "Invoices for Müller are sent monthly." >/dev/null
'
test_expect_success 'search: a title match ranks above a body match; drafts left out' '
	ids crm-kb search password -H >out && echo "2 5" >expect && test_cmp expect out &&
	ids crm-kb search --all password -H >out && echo "7 2 5" >expect && test_cmp expect out
'
test_expect_success 'search: TSV columns, the snippet marked with **' '
	crm-kb search invoices >out &&
	head -1 out >h && printf "id\tscore\ttitle\tsnippet\n" >expect && test_cmp expect h &&
	sed -n 2p out | cut -f1,3,4 >row &&
	printf "8\tMüller GmbH invoices\t**Invoices** for Müller are sent monthly.\n" >expect && test_cmp expect row &&
	sed -n 2p out | cut -f2 | grep -Eq "^[0-9]+\.[0-9]{3}$"
'
test_expect_success 'search: case and accents do not matter; words are prefixes' '
	ids crm-kb search MULLER -H >out && echo 8 >expect && test_cmp expect out &&
	ids crm-kb search müll -H >out && echo 8 >expect && test_cmp expect out &&
	ids crm-kb search "пароля" -H >out && echo 6 >expect && test_cmp expect out &&
	ids crm-kb search billing address -H >out && echo 4 >expect && test_cmp expect out
'
test_expect_success 'search: --locale, --limit, -f and --format' '
	ids crm-kb search --locale RU пароль -H >out && echo 6 >expect && test_cmp expect out &&
	ids crm-kb search --limit 1 password -H >out && echo 2 >expect && test_cmp expect out &&
	crm-kb search -f id,title --format jsonl address >out &&
	echo "{\"id\":4,\"title\":\"Changing the billing address\"}" >expect && test_cmp expect out
'
test_expect_success 'search: exit 1 when nothing matches' '
	expect_exit 1 crm-kb search -H nothingmatchesthis >out && test ! -s out &&
	expect_exit 1 crm-kb search --locale uz password -H
'
bad_kb 'search with an unknown locale (exit 2)' 2 "unknown locale 'xx'" crm-kb search --locale xx password
bad_kb 'search without text (exit 2)' 2 "missing search text" crm-kb search
test_expect_success 'search text that is quotes and query syntax is searched, not parsed' '
	snapshot before && expect_exit 1 crm-kb search -H "\"\"\" OR NEAR(a" >out 2>err &&
	test ! -s out && test ! -s err && snapshot after && test_cmp before after
'

test_expect_success 'suggest: the articles answering a ticket, from --text or stdin' '
	crm-kb suggest --text "Hello, I lost my phone and cannot login, please reset it" -f id -H >out &&
	head -1 out >first && echo 5 >expect && test_cmp expect first &&
	echo "Where do I change the address on my invoices?" | crm-kb suggest -f id -H >out &&
	head -1 out >first && echo 4 >expect && test_cmp expect first &&
	echo "как сбросить пароль" | crm-kb suggest --locale ru -f id,title -H >out &&
	printf "6\tСброс пароля\n" >expect && test_cmp expect out
'
# A ticket's words are matched as the start of an article's, as search
# matches: refund finds Refunds, order finds Orders.
test_expect_success 'suggest: a word finds the articles where it begins a word' '
	export CRM_DB="$PWD/prefix.db" &&
	crm-kb add -q --title Refunds --body "Refunds reach the card in five days." --status published >/dev/null &&
	crm-kb add -q --title "Shipping times" --body "Orders ship within two days." --status published >/dev/null &&
	crm-kb suggest --text "I would like a refund for my order" -f title -H | sort >out &&
	printf "Refunds\nShipping times\n" >expect && test_cmp expect out &&
	crm-kb suggest --text "refund" -f title -H >out && echo Refunds >expect && test_cmp expect out
'
test_expect_success 'suggest: only stop words or nothing in common exits 1' '
	expect_exit 1 crm-kb suggest --text "Hello, can you please help me with this?" &&
	expect_exit 1 crm-kb suggest --text "zebra quokka"
'

# --- files
test_expect_success 'export: one file per live article, CATEGORY/ID-SLUG.LOCALE.md' '
	crm-kb export kb 2>err && grep -q "wrote 8 articles to kb" err &&
	(cd kb && find . -type f | sort) >out &&
	cat >expect <<-\EOF &&
	./accounts/2-resetting-your-password.en.md
	./accounts/5-two-factor-login.en.md
	./accounts/6-sbros-parolia.ru.md
	./billing/3-payments.en.md
	./billing/4-changing-the-billing-address.en.md
	./uncategorized/1-parolni-tiklash.uz.md
	./uncategorized/7-draft-about-passwords.en.md
	./uncategorized/8-muller-gmbh-invoices.en.md
	EOF
	test_cmp expect out
'
test_expect_success 'export then import changes nothing' '
	snapshot before && crm-kb import kb 2>err &&
	grep -q "read 8 files: 0 created, 0 updated, 8 unchanged" err &&
	snapshot after && test_cmp before after
'
test_expect_success 'import: upsert by id, else by title and locale, else a new article' '
	mkdir -p in/sub && cat >in/sub/a.md <<-\EOF &&
	---
	id: 3
	title: "Payments"
	category: billing
	locale: en
	status: published
	tags: [money, cards]
	---

	Pay by card.
	EOF
	cat >in/b.md <<-\EOF &&
	---
	title: Two-factor login
	locale: en
	status: draft
	---
	Codes come from an app.
	EOF
	printf -- "---\ntitle: Yangi maqola\n---\nMatn.\n" >in/c.md &&
	printf "not an article\n" >in/notes.txt &&
	crm-kb import in 2>err && grep -q "read 3 files: 1 created, 2 updated, 0 unchanged" err &&
	crm-kb show 3 -f body,tags -H >out && printf "Pay by card.\tcards,money\n" >expect && test_cmp expect out &&
	crm-kb show 5 -f status,body -H >out && printf "draft\tCodes come from an app.\n" >expect && test_cmp expect out &&
	crm-kb show 9 -f title,locale,status -H >out && printf "Yangi maqola\tuz\tdraft\n" >expect && test_cmp expect out
'
test_expect_success 'import --dry-run reports and writes nothing' '
	printf -- "---\ntitle: Dry\n---\n" >in/d.md && snapshot before &&
	crm-kb import -n in 2>err && grep -q "would have read 4 files: 1 created, 0 updated, 3 unchanged" err &&
	snapshot after && test_cmp before after && rm in/d.md
'
# bad_file NAME PATTERN CONTENT: importing a folder holding the good files
# and NAME with CONTENT exits 3 naming it, and writes nothing.
bad_file() {
	mkdir -p "bad-$1" && cp in/*.md "bad-$1/" && printf -- "$3" >"bad-$1/z-$1.md"
	bad_kb "import refuses $1 (exit 3)" 3 "$2" crm-kb import "bad-$1"
}
bad_file unknown-key "bad-unknown-key/z-unknown-key.md:3:1: unknown field 'author'" '---\ntitle: x\nauthor: me\n---\n'
bad_file bad-status "z-bad-status.md:3: status: invalid status 'live'" '---\ntitle: x\nstatus: live\n---\n'
bad_file bad-locale "z-bad-locale.md:3: locale: unknown locale 'de'" '---\ntitle: x\nlocale: de\n---\n'
bad_file unknown-id "z-unknown-id.md:2: id: no article 999" '---\nid: 999\ntitle: x\n---\n'
bad_file bad-id "z-bad-id.md:2: id: invalid id 'abc'" '---\nid: abc\ntitle: x\n---\n'
bad_file no-fence "z-no-fence.md:1: no front matter" 'title: x\n'
bad_file unclosed "z-unclosed.md:1: the front matter has no closing" '---\ntitle: x\n'
bad_file bad-yaml "z-bad-yaml.md:4:1: did not find expected" '---\ntitle: x\ntags: [a, b\n---\n'
bad_file no-title "z-no-title.md:1: title: a new article needs a title" '---\ncategory: x\n---\nbody\n'
bad_file list-title "z-list-title.md:2:8: title: expected text, found a sequence" '---\ntitle: [a]\n---\n'
bad_file bad-utf8 "z-bad-utf8.md:4: invalid UTF-8" '---\ntitle: x\n---\nbad \377 byte\n'
bad_kb 'import of a missing folder (exit 1)' 1 "cannot open 'nowhere'" crm-kb import nowhere

# --- the help centre
test_expect_success 'export --html: an index and a page per published article' '
	crm-kb add -q --title "Scripts <b>&</b> lists" --locale en --category "how-to" --status published \
		--file - >/dev/null <<-\EOF &&
	Steps:

	1. first
	2. second

	```
	crm-kb search password
	```

	<script>document.title = "pwned"</script>

	[click](javascript:alert(1)) <img src=x onerror="document.title=1">
	EOF
	crm-kb export --html site 2>err && grep -q "wrote 6 pages to site" err &&
	test -f site/index.html && test -f site/en/10-scripts-b-b-lists.html &&
	! grep -q "Draft about" site/index.html
'
test_expect_success 'the help centre in Chromium: heading, lists, code, links that resolve, no script' '
	chrome "$PWD/site/index.html" >index.dom &&
	grep -q "<h1>Help centre</h1>" index.dom &&
	grep -q "<h2>ru</h2>" index.dom && grep -q "<h3>how-to</h3>" index.dom &&
	href=$(grep -o "href=\"en/10-[^\"]*\"" index.dom | sed "s/href=\"//; s/\"$//") &&
	test -n "$href" && test -f "site/$href" &&
	grep -q "Scripts &lt;b&gt;&amp;&lt;/b&gt; lists</a>" index.dom &&
	chrome "$PWD/site/$href" >page.dom &&
	grep -q "<h1>Scripts &lt;b&gt;&amp;&lt;/b&gt; lists</h1>" page.dom &&
	grep -q "<title>Scripts &lt;b&gt;&amp;&lt;/b&gt; lists</title>" page.dom &&
	grep -q "<li>second</li>" page.dom && grep -q "<pre><code>crm-kb search password" page.dom &&
	! grep -qi "<script" page.dom && ! grep -q "pwned" page.dom && ! grep -q "onerror" page.dom &&
	! grep -q "javascript:" page.dom &&
	grep -q "href=\"../index.html\"" page.dom &&
	chrome "$PWD/site/ru/6-sbros-parolia.html" >ru.dom && grep -q "<h1>Сброс пароля</h1>" ru.dom &&
	grep -q "<html lang=\"ru\">" ru.dom
'

# --- the generic verbs
test_expect_success 'tag, note, timeline, rm and restore' '
	crm-kb tag -q add faq 2 && crm-kb note 2 "checked with support" >out && echo 1 >expect &&
	test_cmp expect out &&
	crm-kb timeline 2 -f kind,text -H | head -2 >out &&
	printf "note\tchecked with support\ntag\ttags: login → faq,login\n" >expect && test_cmp expect out &&
	crm-kb rm -q 2 && expect_exit 1 crm-kb search reset --locale en -f id -H --limit 1 >out &&
	crm-kb restore -q 2 && ids crm-kb search resetting -H >out && echo 2 >expect && test_cmp expect out
'
test_expect_success 'rm --purge takes the revisions and the search entry with it' '
	crm-kb rm -q --purge 7 &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from article_revisions where article_id = 7")" = 0 &&
	test "$(fts_sqlite3 "$CRM_DB" "select count(*) from articles_fts where rowid = 7")" = 0
'
test_expect_success 'crm help lists the knowledge base; crm kb runs crm-kb' '
	crm help >out && grep -q "^  kb " out &&
	crm kb show 2 -f title -H >out && echo "Resetting your password" >expect && test_cmp expect out
'
test_expect_success 'a bad locales key in the configuration is refused naming the line' '
	printf "locales: [en, EN]\n" >bad.yaml &&
	CRM_CONFIG=bad.yaml expect_exit 2 crm-kb list 2>err && grep -q "bad.yaml:1:15: locale .EN. twice" err &&
	printf "locales: [english!]\n" >bad.yaml &&
	CRM_CONFIG=bad.yaml expect_exit 2 crm-kb list 2>err && grep -q "bad.yaml:1:11: expected a list of locale codes" err &&
	printf "locales: []\n" >bad.yaml &&
	CRM_CONFIG=bad.yaml expect_exit 2 crm-kb list 2>err && grep -q "names no locale" err
'
test_expect_success 'without a configuration the locale is en' '
	XDG_CONFIG_HOME=$SCRATCH/none crm-kb add --db plain.db --title x </dev/null >/dev/null &&
	XDG_CONFIG_HOME=$SCRATCH/none crm-kb show --db plain.db 1 -f locale -H >out && echo en >expect && test_cmp expect out
'
# Japanese and Chinese are written without spaces: a word is searched
# for, and suggested from, inside the sentence that holds it, and the
# snippet marks what was found: 48 characters of an article in one of
# those languages, sixteen (tokens) of one in another.
test_expect_success 'search and suggest find words inside text written without spaces' '
	printf "locales: [ja, zh, en]\n" >ja.yaml &&
	CRM_CONFIG=ja.yaml crm-kb add -q --db ja.db --title "パスワードをリセットする方法" --status published \
		--body "登録したメールアドレスにリセット用のリンクが届きます。" >/dev/null &&
	CRM_CONFIG=ja.yaml crm-kb add -q --db ja.db --title "退款政策" --locale zh --status published \
		--body "退款将在十四天内退回原信用卡。" >/dev/null &&
	CRM_CONFIG=ja.yaml crm-kb search --db ja.db -f id,snippet -H メールアドレス >out &&
	printf "1\t登録した**メールアドレス**にリセット用のリンクが届きます。\n" >expect && test_cmp expect out &&
	CRM_CONFIG=ja.yaml crm-kb add -q --db ja.db --locale en --title "Reset" --status published \
		--body "メールアドレスにリセット用のリンクが届きます。リンクは二十四時間有効です。" >/dev/null &&
	CRM_CONFIG=ja.yaml crm-kb search --db ja.db --locale en -f id,snippet -H 二十四時間 >out &&
	printf "3\t…きます。リンクは**二十四時間**有効です。\n" >expect &&
	test_cmp expect out &&
	CRM_CONFIG=ja.yaml crm-kb search --db ja.db -f id -H 信用卡 >out && echo 2 >expect && test_cmp expect out &&
	CRM_CONFIG=ja.yaml expect_exit 1 crm-kb search --db ja.db -H 卡信 &&
	CRM_CONFIG=ja.yaml crm-kb suggest --db ja.db --text "パスワードを忘れました" -f id -H >out &&
	echo 1 >expect && test_cmp expect out &&
	CRM_CONFIG=ja.yaml crm-kb suggest --db ja.db --locale zh --text "我想要退款" -f id -H >out &&
	echo 2 >expect && test_cmp expect out
'
# A word is whole across its marks (Devanagari's vowel signs, Arabic's
# harakat), which search and suggest leave out as the match key does.
test_expect_success 'search and suggest find words written with or without their marks' '
	printf "locales: [hi, ar]\n" >hi.yaml &&
	CRM_CONFIG=hi.yaml crm-kb add -q --db hi.db --title "पासवर्ड कैसे बदलें" --status published \
		--body "सेटिंग्स में जाकर पासवर्ड बदलें।" >/dev/null &&
	CRM_CONFIG=hi.yaml crm-kb add -q --db hi.db --title "استرداد الأموال" --locale ar --status published \
		--body "يتم رَدُّ المَبْلَغ خلال أربعة عشر يوماً." >/dev/null &&
	CRM_CONFIG=hi.yaml crm-kb suggest --db hi.db --text "मेरा पासवर्ड काम नहीं कर रहा" -f id -H >out &&
	echo 1 >expect && test_cmp expect out &&
	CRM_CONFIG=hi.yaml crm-kb search --db hi.db -f id,snippet -H पासव >out &&
	printf "1\tसेटिंग्स में जाकर **पासवर्ड** बदलें।\n" >expect && test_cmp expect out &&
	CRM_CONFIG=hi.yaml crm-kb search --db hi.db --locale ar -f id,snippet -H المبلغ >out &&
	printf "2\tيتم رَدُّ **المَبْلَغ** خلال أربعة عشر يوماً.\n" >expect && test_cmp expect out
'
# Arabic reads right to left: its pages and its part of the index say so.
test_expect_success 'the help centre writes Arabic right to left, Hindi left to right' '
	CRM_CONFIG=hi.yaml crm-kb export --db hi.db --html rtl-site 2>/dev/null &&
	grep -q "^<html lang=\"ar\" dir=\"rtl\">" rtl-site/ar/2-*.html &&
	grep -q "^<html lang=\"hi\">" rtl-site/hi/1-*.html &&
	grep -q "<section lang=\"ar\" dir=\"rtl\">" rtl-site/index.html &&
	grep -q "<section lang=\"hi\">" rtl-site/index.html
'
# Japanese, Chinese, Korean, Arabic, Hebrew and Hindi have no Latin
# spelling here: their titles and categories name files in their own
# letters, so that two categories never become one folder.
test_expect_success 'export: titles and categories in other scripts name files in their letters' '
	crm-kb add -q --db scripts.db --title "パスワードの再設定" --category "アカウント" --body a &&
	crm-kb add -q --db scripts.db --title "iPhoneの設定" --category "端末" --body b &&
	crm-kb add -q --db scripts.db --title "الفواتير الشهرية" --category "الفوترة" --body c &&
	crm-kb add -q --db scripts.db --title "비밀번호 재설정" --category "계정" --body d &&
	crm-kb add -q --db scripts.db --title "पासवर्ड रीसेट" --category "खाता" --body e &&
	crm-kb add -q --db scripts.db --title "Oʻzbek tili" --category "Счёт и оплата" --body f &&
	crm-kb export --db scripts.db scripts 2>/dev/null && (cd scripts && find . -type f | sort) >out &&
	cat >expect <<-\EOF &&
	./sciot-i-oplata/6-o-zbek-tili.uz.md
	./الفوترة/3-الفواتير-الشهرية.uz.md
	./खाता/5-पासवर्ड-रीसेट.uz.md
	./アカウント/1-パスワードの再設定.uz.md
	./端末/2-iphoneの設定.uz.md
	./계정/4-비밀번호-재설정.uz.md
	EOF
	test_cmp expect out &&
	crm-kb import --db scripts.db scripts 2>err && grep -q "6 unchanged" err
'
# A word is folded as the match key folds it (ё as е, й as и, Greek
# without its accents), in the index as in suggest's terms, so a ticket's
# words find the article however either wrote them.
test_expect_success 'search and suggest find Russian and Greek words with or without their accents' '
	printf "locales: [ru, el]\n" >ru.yaml &&
	CRM_CONFIG=ru.yaml crm-kb add -q --db ru.db --title "Как украсить ёлку" --status published \
		--body "Гирлянду включайте в розетку с заземлением." >/dev/null &&
	CRM_CONFIG=ru.yaml crm-kb add -q --db ru.db --title "Επιστροφή χρημάτων" --locale el \
		--status published --body "Η επιστροφή γίνεται σε δεκατέσσερις ημέρες." >/dev/null &&
	CRM_CONFIG=ru.yaml crm-kb suggest --db ru.db --text "Подскажите, как украсить ёлку?" -f id -H >out &&
	echo 1 >expect && test_cmp expect out &&
	CRM_CONFIG=ru.yaml crm-kb suggest --db ru.db --text "Как повесить гирлянду на елку?" -f id -H >out &&
	test_cmp expect out &&
	CRM_CONFIG=ru.yaml crm-kb search --db ru.db -f id -H елку >out && test_cmp expect out &&
	CRM_CONFIG=ru.yaml crm-kb suggest --db ru.db --locale el --text "ΕΠΙΣΤΡΟΦΗ ΧΡΗΜΑΤΩΝ" -f id -H >out &&
	echo 2 >expect && test_cmp expect out &&
	CRM_CONFIG=ru.yaml crm-kb search --db ru.db --locale el -f id -H ημερες >out && test_cmp expect out
'
test_done
