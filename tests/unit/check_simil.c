/* check_simil.c - Jaro-Winkler, Damerau, token similarity, nicknames and
 * phonetic keys, against values published with each measure. */
#include <check.h>
#include <math.h>

#include "crm/simil.h"

#define ck_assert_near(x, want) \
	ck_assert_msg(fabs((x) - (want)) < 0.001, "%s = %.4f, want %.4f", #x, (x), (want))

/* Winkler's own examples (Winkler 1990; also in most textbooks). */
START_TEST(jaro_winkler_known_values)
{
	ck_assert_near(crm_jaro_winkler("martha", "marhta"), 0.961);
	ck_assert_near(crm_jaro_winkler("dwayne", "duane"), 0.840);
	ck_assert_near(crm_jaro_winkler("dixon", "dicksonx"), 0.813);
	ck_assert_near(crm_jaro_winkler("jones", "johnson"), 0.832);
	ck_assert_near(crm_jaro_winkler("abc", "abc"), 1.0);
	ck_assert_near(crm_jaro_winkler("abc", "xyz"), 0.0);
	ck_assert_near(crm_jaro_winkler("", ""), 1.0);
	ck_assert_near(crm_jaro_winkler("", "a"), 0.0);
}
END_TEST

/* Code points, not bytes: a two-byte letter counts once. */
START_TEST(jaro_winkler_code_points)
{
	ck_assert_near(crm_jaro_winkler("zoë", "zoe"), crm_jaro_winkler("zox", "zoe"));
	ck_assert_near(crm_jaro_winkler("иванов", "иванов"), 1.0);
	ck_assert_near(crm_jaro_winkler("müller", "muller"), crm_jaro_winkler("mxller", "muller"));
	/* Symmetric. */
	ck_assert_near(crm_jaro_winkler("crate", "trace"), crm_jaro_winkler("trace", "crate"));
}
END_TEST

START_TEST(damerau_counts_edits)
{
	ck_assert_int_eq(crm_damerau("", ""), 0);
	ck_assert_int_eq(crm_damerau("abc", ""), 3);
	ck_assert_int_eq(crm_damerau("kitten", "sitting"), 3);
	ck_assert_int_eq(crm_damerau("19560409", "19560490"), 1); /* transposed digits */
	ck_assert_int_eq(crm_damerau("19560409", "19560419"), 1);
	/* Optimal string alignment, not unrestricted Damerau: "ca" -> "abc"
	 * would need "ca" edited twice. */
	ck_assert_int_eq(crm_damerau("ca", "abc"), 3);
	ck_assert_int_eq(crm_damerau("łódź", "lodz"), 3);
	ck_assert_int_eq(crm_damerau("straße", "strasse"), 2);
}
END_TEST

START_TEST(damerau_long_strings_capped)
{
	char a[200], b[200];
	int i;

	for (i = 0; i < 199; i++)
		a[i] = b[i] = 'x';
	a[199] = b[199] = '\0';
	b[150] = 'y'; /* past CRM_SIMIL_MAX: not seen */
	ck_assert_int_eq(crm_damerau(a, b), 0);
	b[10] = 'y';
	ck_assert_int_eq(crm_damerau(a, b), 1);
}
END_TEST

START_TEST(token_similarity_words)
{
	ck_assert_near(crm_token_similarity("12 high street", "high street 12"), 1.0);
	ck_assert(crm_token_similarity("pridham street", "pridhamstreet") > 0.95);
	ck_assert(crm_token_similarity("acme corp", "acme corporation") > 0.85);
	ck_assert(crm_token_similarity("7 wallaby place", "54 hoseason street") < 0.7);
	ck_assert_near(crm_token_similarity("", ""), 1.0);
	ck_assert_near(crm_token_similarity("a", ", ."), 0.0);
}
END_TEST

START_TEST(nicknames)
{
	ck_assert(crm_nickname_p("bob", "robert"));
	ck_assert(crm_nickname_p("robert", "bob"));
	ck_assert(crm_nickname_p("liz", "elizabeth"));
	ck_assert(crm_nickname_p("bill", "william"));
	ck_assert(crm_nickname_p("sasha", "alexander"));
	ck_assert(crm_nickname_p("sasha", "alexandra"));
	/* Only names that share a group: Alan and Alfred both go by Al, but
	 * are not each other. */
	ck_assert(crm_nickname_p("al", "alan"));
	ck_assert(crm_nickname_p("al", "alfred"));
	ck_assert(!crm_nickname_p("alan", "alfred"));
	ck_assert(!crm_nickname_p("robert", "robert"));
	ck_assert(!crm_nickname_p("robert", "william"));
	ck_assert(!crm_nickname_p("zebedee", "robert"));
	ck_assert(!crm_nickname_p("", "robert"));
	ck_assert(!crm_nickname_p("averyveryverylongname", "robert"));
}
END_TEST

/* The standard American Soundex examples (National Archives). */
START_TEST(phonetic_soundex)
{
	char k[CRM_PHONETIC_SIZE];

	crm_phonetic(k, "robert");
	ck_assert_str_eq(k, "R163");
	crm_phonetic(k, "rupert");
	ck_assert_str_eq(k, "R163");
	crm_phonetic(k, "rubin");
	ck_assert_str_eq(k, "R150");
	crm_phonetic(k, "ashcraft");
	ck_assert_str_eq(k, "A261");
	crm_phonetic(k, "tymczak");
	ck_assert_str_eq(k, "T522");
	crm_phonetic(k, "pfister");
	ck_assert_str_eq(k, "P236");
	crm_phonetic(k, "lee");
	ck_assert_str_eq(k, "L000");
	crm_phonetic(k, "o'brien");
	ck_assert_str_eq(k, "O165");
}
END_TEST

START_TEST(phonetic_other_scripts)
{
	char k[CRM_PHONETIC_SIZE];

	crm_phonetic(k, "иванов");
	ck_assert_str_eq(k, "ив");
	crm_phonetic(k, "山田");
	ck_assert_str_eq(k, "山田");
	crm_phonetic(k, "李");
	ck_assert_str_eq(k, "李");
	crm_phonetic(k, "");
	ck_assert_str_eq(k, "");
	crm_phonetic(k, " - ");
	ck_assert_str_eq(k, "");
}
END_TEST

Suite *simil_suite(void)
{
	Suite *s = suite_create("simil");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, jaro_winkler_known_values);
	tcase_add_test(tc, jaro_winkler_code_points);
	tcase_add_test(tc, damerau_counts_edits);
	tcase_add_test(tc, damerau_long_strings_capped);
	tcase_add_test(tc, token_similarity_words);
	tcase_add_test(tc, nicknames);
	tcase_add_test(tc, phonetic_soundex);
	tcase_add_test(tc, phonetic_other_scripts);
	suite_add_tcase(s, tc);
	return s;
}
