#!/bin/bash
# crm-campaign send killed with SIGKILL in the middle of 5,000 recipients,
# then resumed: every person gets exactly one message.  The one hand-off
# a kill can leave in doubt is looked up in the Maildir by its Message-ID,
# as an operator would, and sent again only when it is not there.
. "$(dirname "$0")/lib.sh"

N=5000
printf "mail:\n  from: Shop <shop@example.org>\n" >cfg.yaml
export CRM_CONFIG=$SCRATCH/cfg.yaml
delivered() { find md/new -type f 2>/dev/null | wc -l; }

test_expect_success "$N people who said yes" '
	{ echo "first_name,email"; seq $N | awk "{ printf \"P%d,p%d@example.org\\n\", \$1, \$1 }"; } >people.csv &&
	crm-import contacts -q people.csv &&
	crm-contact list -f id -H | crm-contact consent set - email granted &&
	crm-campaign segment add all --where "email ~ @example.org" >/dev/null &&
	printf "Hello {{first_name}}\n{{unsubscribe_url}}\n" >t.txt &&
	crm-campaign template add t --subject "Hi {{first_name}}" --text t.txt &&
	crm-campaign add -q --name big --segment all --template t >/dev/null
'
test_expect_success 'SIGKILL in the middle of the send' '
	crm-campaign send 1 -q --to maildir:md >/dev/null 2>&1 &
	pid=$! &&
	i=0 && while [ "$(delivered)" -lt 1500 ] && [ $i -lt 6000 ]; do sleep 0.05; i=$((i + 1)); done &&
	kill -9 $pid && { wait $pid; test $? = 137; } &&
	n=$(delivered) && test "$n" -ge 1500 && test "$n" -lt $N &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from campaign_sends where state = '\''sending'\''")" -le 1
'
test_expect_success 'the resumed run sends the rest and reports what is in doubt' '
	crm-campaign send 1 --to maildir:md >/dev/null 2>err; status=$? &&
	doubt=$(sqlite3 "$CRM_DB" "select message_id from campaign_sends where state = '\''sending'\''") &&
	if [ -n "$doubt" ]; then
		test $status = 1 && grep -q "in doubt 1" err &&
		if ! grep -rqF "<$doubt>" md/new; then
			crm-campaign send 1 --retry-in-doubt --to maildir:md >/dev/null 2>&1
		fi
	else
		test $status = 0
	fi
'
test_expect_success 'every person received exactly one message' '
	test "$(delivered)" = $N &&
	"$TOP/tests/cli/mail-fields" maildir:md to | sort | uniq -d >dups && test ! -s dups &&
	"$TOP/tests/cli/mail-fields" maildir:md to | sort -u | wc -l >out && echo $N >expect && test_cmp expect out &&
	test "$(sqlite3 "$CRM_DB" "select count(*) from campaign_sends where state <> '\''excluded'\''")" = $N
'
test_done
