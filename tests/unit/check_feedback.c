/* check_feedback.c - reading the score of a mailed survey answer, the
 * NPS and CSAT arithmetic and its rounding, and the survey sample.
 * Expected figures were worked out by hand (the arithmetic is in the
 * comments), never taken from the code under test. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crm/feedback.h"

/* Checks that text reads as score and comment (NULL: none). */
static void answer_is(const char *text, int score, const char *comment)
{
	char *got = NULL;
	int s = -1, rc = crm_feedback_answer(text, &s, &got);

	ck_assert_msg(rc == 1, "'%s' has no score", text);
	ck_assert_int_eq(s, score);
	if (comment)
		ck_assert_msg(got && !strcmp(got, comment), "'%s': comment '%s', not '%s'", text,
		              got ? got : "(none)", comment);
	else
		ck_assert_msg(!got, "'%s': comment '%s', not none", text, got);
	free(got);
}

static void no_answer(const char *text)
{
	char *got = NULL;
	int s = -1;

	ck_assert_msg(crm_feedback_answer(text, &s, &got) == 0, "'%s' read as %d", text, s);
	ck_assert_ptr_null(got);
}

START_TEST(test_answer_forms)
{
	answer_is("4", 4, NULL);
	answer_is("4\n", 4, NULL);
	answer_is("  5  \n\n", 5, NULL);
	answer_is("4 - good", 4, "good");
	answer_is("4 \xe2\x80\x93 good", 4, "good"); /* an en dash */
	answer_is("5/5", 5, NULL);
	answer_is("5 / 5 perfect", 5, "perfect");
	answer_is("3 out of 5, slow", 3, "slow");
	answer_is("1. never again", 1, "never again");
	answer_is("2: the PDF was late", 2, "the PDF was late");
	answer_is("\n\n4\nquick\nand kind\n", 4, "quick\nand kind");
}
END_TEST

START_TEST(test_answer_quotes)
{
	/* The quoted survey and its attribution are no part of the comment. */
	answer_is("4 fine\n\nOn Sun, 22 Nov 2026, Support wrote:\n> Please reply with 1-5\n", 4,
	          "fine");
	answer_is("5\n> 5  very satisfied\n> 4  satisfied\n", 5, NULL);
	/* A bottom-poster's answer below the quote. */
	answer_is("> How did we do?\n> reply 1-5\n\n3 ok\n", 3, "ok");
}
END_TEST

START_TEST(test_answer_refused)
{
	no_answer("");
	no_answer("thanks!");
	no_answer("10");     /* not on the 1-5 scale */
	no_answer("0");
	no_answer("6");
	no_answer("4.5");
	no_answer("4,5");
	no_answer("4/10");
	no_answer("4th time I write");
	no_answer("great, 5");  /* the score must lead */
	no_answer("> 5\n");     /* quoted only */
}
END_TEST

static const char *pct(int64_t part, int64_t whole)
{
	static char out[32];

	crm_feedback_percent(out, sizeof out, part, whole);
	return out;
}

START_TEST(test_percent_rounding)
{
	ck_assert_str_eq(pct(1, 3), "33.3");    /* 33.333... */
	ck_assert_str_eq(pct(2, 3), "66.7");    /* 66.666... */
	ck_assert_str_eq(pct(1, 16), "6.3");    /* 6.25: the half goes up */
	ck_assert_str_eq(pct(-1, 16), "-6.3");  /* and away from zero below it */
	ck_assert_str_eq(pct(-1, 3), "-33.3");
	ck_assert_str_eq(pct(0, 7), "0.0");
	ck_assert_str_eq(pct(5, 5), "100.0");
	ck_assert_str_eq(pct(-5, 5), "-100.0");
	ck_assert_str_eq(pct(-1, 2001), "0.0");  /* -0.0499...: no minus on zero */
	ck_assert_str_eq(pct(1, 0), "");         /* nothing to divide by */
}
END_TEST

START_TEST(test_nps_arithmetic)
{
	struct crm_feedback_tally t = { 0 };
	static const int scores[] = { 10, 9, 9, 8, 7, 6, 5, 0, 10, 3 };
	char out[32];

	for (size_t i = 0; i < sizeof scores / sizeof scores[0]; i++)
		crm_feedback_count(&t, "nps", scores[i], 1);
	/* promoters 10 9 9 10 = 4, passives 8 7 = 2, detractors 6 5 0 3 = 4 of 10:
	 * 40% - 40% = 0.0 */
	ck_assert_int_eq(t.responses, 10);
	ck_assert_int_eq(t.promoters, 4);
	ck_assert_int_eq(t.passives, 2);
	ck_assert_int_eq(t.detractors, 4);
	crm_feedback_nps(out, sizeof out, &t);
	ck_assert_str_eq(out, "0.0");
	/* Three more promoters: (7 - 4) / 13 x 100 = 23.0769... = 23.1 */
	crm_feedback_count(&t, "nps", 9, 3);
	crm_feedback_nps(out, sizeof out, &t);
	ck_assert_str_eq(out, "23.1");
	/* 1 promoter and 2 detractors of 3: (1 - 2) / 3 x 100 = -33.3 */
	memset(&t, 0, sizeof t);
	crm_feedback_count(&t, "nps", 9, 1);
	crm_feedback_count(&t, "nps", 6, 2);
	crm_feedback_nps(out, sizeof out, &t);
	ck_assert_str_eq(out, "-33.3");
}
END_TEST

START_TEST(test_csat_arithmetic)
{
	struct crm_feedback_tally t = { 0 };
	char out[32];

	/* 5 5 4 3 1 2: satisfied 5 5 4 = 3 of 6 = 50.0 */
	for (int s = 1; s <= 5; s++)
		crm_feedback_count(&t, "csat", s, s == 5 ? 2 : 1);
	ck_assert_int_eq(t.responses, 6);
	ck_assert_int_eq(t.satisfied, 3);
	crm_feedback_csat(out, sizeof out, &t);
	ck_assert_str_eq(out, "50.0");
	/* Another 4: 4 of 7 = 57.142... = 57.1 */
	crm_feedback_count(&t, "csat", 4, 1);
	crm_feedback_csat(out, sizeof out, &t);
	ck_assert_str_eq(out, "57.1");
	/* No responses: no figure. */
	memset(&t, 0, sizeof t);
	crm_feedback_csat(out, sizeof out, &t);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_sample)
{
	int in = 0;

	/* The same id is always in or out; 0 takes none, 100 all. */
	for (int64_t id = 1; id <= 1000; id++) {
		ck_assert_int_eq(crm_feedback_sampled(id, 20), crm_feedback_sampled(id, 20));
		ck_assert(!crm_feedback_sampled(id, 0));
		ck_assert(crm_feedback_sampled(id, 100));
		ck_assert(!crm_feedback_sampled(id, 20) || crm_feedback_sampled(id, 50));
		in += crm_feedback_sampled(id, 20);
	}
	/* About a fifth of a thousand consecutive ids. */
	ck_assert_msg(in > 150 && in < 250, "%d of 1000 sampled at 20%%", in);
}
END_TEST

Suite *feedback_suite(void)
{
	Suite *s = suite_create("feedback");
	TCase *tc = tcase_create("feedback");

	tcase_add_test(tc, test_answer_forms);
	tcase_add_test(tc, test_answer_quotes);
	tcase_add_test(tc, test_answer_refused);
	tcase_add_test(tc, test_percent_rounding);
	tcase_add_test(tc, test_nps_arithmetic);
	tcase_add_test(tc, test_csat_arithmetic);
	tcase_add_test(tc, test_sample);
	suite_add_tcase(s, tc);
	return s;
}
