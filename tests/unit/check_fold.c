/* check_fold.c - names folded across scripts and romanisations: the
 * spellings people use for one name share a key, different names do not. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/norm.h"
#include "crm/simil.h"

/* Each row is one name: its Cyrillic (or Greek) form first, then the Latin
 * spellings of it found in passports, exports and hand-typed records. */
static const char *const same[][6] = {
	{ "Каримова", "Karimova", "KARIMOVA", NULL },
	{ "Шукуров", "Shukurov", NULL },
	{ "Хасанов", "Xasanov", "Khasanov", "Hasanov", NULL },
	{ "Ғуломов", "G'ulomov", "Gʻulomov", "Gulomov", "Ghulomov", NULL },
	{ "Ўткир", "O'tkir", "Oʻtkir", "Otkir", "O’tkir", NULL },
	{ "Қодиров", "Qodirov", "Kodirov", NULL },
	{ "Юлдашев", "Yuldashev", "Iuldashev", NULL },
	{ "Чориев", "Choriev", "Choriyev", NULL },
	{ "Щербаков", "Shcherbakov", "Ščerbakov", NULL },
	{ "Евгений", "Yevgeny", "Evgeniy", "Evgenii", "Evgeny", NULL },
	{ "Дилноза", "Dilnoza", NULL },
	{ "Жуков", "Zhukov", NULL },
	{ "Жўраев", "Jo'rayev", "Jorayev", NULL },
	{ "Елена", "Yelena", "Elena", NULL },
	{ "Юлия", "Yuliya", "Yulia", "Iuliia", NULL },
	{ "Фёдор", "Fyodor", "Fiodor", NULL },
	{ "Максим", "Maksim", "Maxim", NULL },
	{ "Ксения", "Kseniya", "Xeniya", NULL },
	{ "Михаил", "Mikhail", "Mihail", NULL },
	{ "Наталья", "Natalya", "Natal'ya", NULL },
	{ "Ковальский", "Kovalsky", "Kowalski", NULL },
	{ "Παπαδόπουλος", "Papadopoulos", "ΠΑΠΑΔΟΠΟΥΛΟΣ", NULL },
	{ "Ευάγγελος", "Evangelos", NULL },
	{ "Ελευθερία", "Eleftheria", NULL },
	{ "Χρήστος", "Christos", NULL },
	{ "Ἀλέξανδρος", "Αλέξανδρος", "Alexandros", NULL },
	{ "Müller", "MULLER", "muller", NULL },
	{ "O'Brien", "OBrien", "O’Brien", NULL },
};

/* Names that are different names and must keep different keys. */
static const char *const apart[][2] = {
	{ "Каримова", "Каримов" },
	{ "Ivanova", "Ivanov" },
	{ "Anna", "Hanna" },
	{ "Hasan", "Husan" },
	{ "Dilnoza", "Dilfuza" },
	{ "Алишер", "Алижон" },
	{ "Smith", "Schmidt" },
};

static char *fold(const char *s)
{
	char *out = NULL;

	ck_assert_msg(crm_text_fold(&out, s) == CRM_OK, "'%s' rejected: %s", s,
	              crm_error_message());
	return out;
}

START_TEST(spellings_of_one_name_share_a_key)
{
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		char *first = fold(same[i][0]);

		for (size_t j = 1; same[i][j]; j++) {
			char *other = fold(same[i][j]);

			ck_assert_msg(!strcmp(first, other), "%s -> '%s' but %s -> '%s'",
			              same[i][0], first, same[i][j], other);
			free(other);
		}
		free(first);
	}
}
END_TEST

START_TEST(different_names_keep_different_keys)
{
	for (size_t i = 0; i < sizeof apart / sizeof apart[0]; i++) {
		char *a = fold(apart[i][0]), *b = fold(apart[i][1]);

		ck_assert_msg(strcmp(a, b), "%s and %s both -> '%s'", apart[i][0], apart[i][1], a);
		free(a);
		free(b);
	}
}
END_TEST

/* What a key looks like: lower-case Latin, words kept apart, blanks and
 * case of the input irrelevant; scripts without a table pass through. */
START_TEST(fold_shape)
{
	const char *const cases[][2] = {
		{ "  Дилноза   Каримова ", "dilnoza karimova" },
		{ "Karimova Дилноза", "karimova dilnoza" },
		{ "", "" },
		{ "'", "" },
		{ "李小龍", "李小龍" },
		{ "Ada Lovelace", "ada lovelace" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = fold(cases[i][0]);

		ck_assert_msg(!strcmp(out, cases[i][1]), "'%s' -> '%s', want '%s'", cases[i][0], out,
		              cases[i][1]);
		free(out);
	}
}
END_TEST

/* Decomposed input (й as и + breve) folds like the composed letter. */
START_TEST(fold_composes_first)
{
	char *a = fold("Евгений"), *b = fold("Евгени\xd0\xb8\xcc\x86"), *c = fold("\xd1\x83\xcc\x86tkir");

	ck_assert_str_eq(a, b);
	ck_assert_str_eq(c, "otkir");
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(fold_rejects_invalid_utf8)
{
	char *out = (char *)"untouched";

	ck_assert_int_eq(crm_text_fold(&out, "Ivan\xd0"), CRM_EDATA);
	ck_assert_ptr_null(out);
}
END_TEST

/* The nickname table is looked up in folded form as well. */
START_TEST(nicknames_in_folded_form)
{
	char *a = fold("William"), *b = fold("Bill"), *c = fold("Саша"), *d = fold("Александр");

	ck_assert(crm_nickname_p(a, b));
	ck_assert(crm_nickname_p(c, d));
	ck_assert(crm_nickname_p("william", "bill"));
	free(a);
	free(b);
	free(c);
	free(d);
}
END_TEST

Suite *fold_suite(void)
{
	Suite *s = suite_create("fold");
	TCase *t = tcase_create("fold");

	tcase_add_test(t, spellings_of_one_name_share_a_key);
	tcase_add_test(t, different_names_keep_different_keys);
	tcase_add_test(t, fold_shape);
	tcase_add_test(t, fold_composes_first);
	tcase_add_test(t, fold_rejects_invalid_utf8);
	tcase_add_test(t, nicknames_in_folded_form);
	suite_add_tcase(s, t);
	return s;
}
