#!/bin/bash
# scripts/banned-calls, run by make check over the sources, must pass on
# them and must catch each call it bans.
. "$(dirname "$0")/lib.sh"

banned="$TOP/scripts/banned-calls"

test_expect_success 'the sources use none of the banned calls' '
	(cd "$TOP" && "$banned")
'

for call in 'strcpy(d, s)' 'strcat (d, s)' 'sprintf(d, "%d", n)' 'vsprintf(d, f, ap)' \
	'gets(d)' 'atoi(s)' 'atol(s)' 'atof(s)' 'sscanf(s, "%s", d)' \
	'fscanf(f, "%d %[^,]", &n, d)' 'scanf("%ls", w)'; do
	export CALL="$call"
	test_expect_success "it catches $call" '
		printf "void f(void) { %s; }\n" "$CALL" >bad.c &&
		expect_exit 1 "$banned" bad.c 2>err &&
		grep -q "bounded, checked alternatives" err
	'
done

for call in 'snprintf(d, n, "%s", s)' 'strtol(s, &e, 10)' 'sscanf(s, "%15s", d)' 'my_strcpy_safe(d)'; do
	export CALL="$call"
	test_expect_success "it lets $call through" '
		printf "void f(void) { %s; }\n" "$CALL" >ok.c &&
		"$banned" ok.c
	'
done
test_done
