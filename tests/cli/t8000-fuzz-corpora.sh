#!/bin/bash
# Every fuzz target runs over its seed corpus (tests/fuzz/corpus/NAME), the
# inputs libFuzzer found and every crash once fixed: none may crash, leak
# or trip a sanitizer.  make fuzz does the fuzzing itself.
. "$(dirname "$0")/lib.sh"
: "${CRM_FUZZ_BIN:?CRM_FUZZ_BIN must name the folder of the fuzz replay programs}"
export CRM_PHONE_MODULE="${CRM_PHONE_MODULE:-$CRM_BIN/../lib/crm/crm-phone.so}"

for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	test_expect_success "fuzz target $name has a seed corpus" "
		ls '$TOP/tests/fuzz/corpus/$name'/* >/dev/null
	"
	test_expect_success "fuzz target $name replays its corpus" "
		'$CRM_FUZZ_BIN/$name-replay' '$TOP/tests/fuzz/corpus/$name'/*
	"
done
test_done
