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
seam="$TOP/scripts/storage-seam"
test_expect_success 'the sources keep SQLite to the database layer' '
	(cd "$TOP" && "$seam")
'
test_expect_success 'the storage seam catches sqlite3.h and sqlite3_ calls elsewhere' '
	mkdir -p libcore &&
	printf "#include <sqlite3.h>\n" >libcore/query.c &&
	expect_exit 1 "$seam" libcore/query.c 2>err && grep -q "database layer\|db.c, db_func.c" err &&
	printf "int f(void *h) { return sqlite3_changes(h); }\n" >libcore/merge.c &&
	expect_exit 1 "$seam" libcore/merge.c &&
	printf "#include <sqlite3.h>\nint g(void) { return sqlite3_libversion_number(); }\n" >libcore/db.c &&
	"$seam" libcore/db.c
'
test_done
