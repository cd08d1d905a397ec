#!/bin/sh
# t6930-html-check.sh - the checks of the toolkit's HTML pages: html-check
# (valid HTML5, self-contained, charts named) and chromium-shot (renders in
# headless Chromium offline, not blank, nothing on the console, no request
# to the network).  The pages are fixtures: good.html is what the chart
# writers of libcore make; each bad-*.html breaks one rule.

. "$(dirname "$0")/lib.sh"

check="$TOP/tests/cli/html-check"
shot="$TOP/tests/cli/chromium-shot"
cp "$TOP"/tests/cli/data/html/*.html .

test_expect_success 'html-check passes the page of charts and tables' '
	"$check" good.html blank.html >out 2>err &&
	test ! -s out && test ! -s err
'

# expect_problems PAGE: html-check fails on PAGE printing exactly ./expect.
expect_problems() {
	expect_exit 1 "$check" "$1" 2>err && test_cmp expect err
}

test_expect_success 'html-check: a script and an event handler' '
	cat >expect <<-\EOF &&
	bad-script.html:7: <body onload=…> is a script: not allowed
	bad-script.html:9: <script> is not allowed: the page must run nothing and load nothing
	EOF
	expect_problems bad-script.html
'
test_expect_success 'html-check: loads and links to the network, by line' '
	cat >expect <<-\EOF &&
	bad-external.html:6: stylesheet loads a resource: url(https://example.org/paper.png)
	bad-external.html:10: <img src="https://example.org/logo.png"> loads a resource: the page must be self-contained
	bad-external.html:11: <a href="http://example.org/"> points to the network
	bad-external.html:11: <a href="//example.org/"> points to the network
	EOF
	expect_problems bad-external.html
'
test_expect_success 'html-check: a missing title' '
	echo "bad-no-title.html:1: no <title>, or an empty one" >expect &&
	expect_problems bad-no-title.html
'
test_expect_success 'html-check: a parse error, with its line' '
	echo "bad-parse.html:9: HTML parse error at column 25: Unexpected end tag (span). Ignored. (unexpected-end-tag)" >expect &&
	expect_problems bad-parse.html
'
test_expect_success 'html-check: a chart without role or title' '
	cat >expect <<-\EOF &&
	bad-svg.html:9: <svg> without role="img"
	bad-svg.html:9: <svg> without a <title>
	EOF
	expect_problems bad-svg.html
'
test_expect_success 'html-check: no doctype, no language, not UTF-8' '
	cat >expect <<-\EOF &&
	bad-head.html:1: does not begin with <!DOCTYPE html>
	bad-head.html:1: HTML parse error at column 6: Unexpected start tag (html). Expected DOCTYPE. (expected-doctype-but-got-start-tag)
	bad-head.html:1: <html> without lang=…
	bad-head.html:3: <meta charset="latin1">: the page is utf-8
	EOF
	expect_problems bad-head.html
'
test_expect_success 'html-check: bytes that are not UTF-8 are named by line' '
	{ sed -n 1,7p blank.html; printf "<p>caf\351</p>\n"; sed -n "8,\$p" blank.html; } >latin1.html &&
	expect_exit 1 "$check" latin1.html 2>err &&
	grep -x "latin1.html:8: not UTF-8" err
'
test_expect_success 'html-check: one bad page of several fails the run; usage errors exit 2' '
	expect_exit 1 "$check" good.html bad-svg.html 2>err &&
	! grep good.html err &&
	expect_exit 1 "$check" missing.html 2>err &&
	grep -x "html-check: cannot open .missing.html.: No such file or directory" err &&
	expect_exit 2 "$check" 2>err && grep "^usage: html-check" err
'

test_expect_success 'chromium-shot renders the page of charts' '
	"$shot" good.html good.png >out 2>err &&
	grep "/good.png: rendered in [0-9.]* s, 1200x2400, [0-9]* colours" out &&
	test "$(od -An -tx1 -N8 good.png | tr -d " ")" = 89504e470d0a1a0a
'
test_expect_success 'chromium-shot: a script error on the console fails' '
	expect_exit 1 "$shot" bad-script.html script.png 2>err &&
	grep "the page logged to the console" err &&
	grep "Uncaught ReferenceError: missingFunction is not defined" err
'
test_expect_success 'chromium-shot: a request to the network fails' '
	expect_exit 1 "$shot" bad-external.html external.png 2>err &&
	grep -x "chromium-shot: the page asked the network for https://example.org/logo.png" err &&
	grep -x "chromium-shot: the page asked the network for https://example.org/paper.png" err
'
test_expect_success 'chromium-shot: a blank page fails' '
	expect_exit 1 "$shot" blank.html blank.png 2>err &&
	grep "blank.png is blank: 1 colour(s), 0 pixels of content" err
'
test_expect_success 'chromium-shot: usage and a missing page' '
	expect_exit 2 "$shot" good.html 2>err && grep "^usage: chromium-shot" err &&
	expect_exit 1 "$shot" missing.html x.png 2>err &&
	grep -x "chromium-shot: cannot read .missing.html." err
'

test_done
