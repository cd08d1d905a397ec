/* check_rfm.c - RFM scores and segments and the cohorts of first
 * purchases, on small databases built by hand.  Every expected figure is
 * worked out in the comments (days counted on the calendar, amounts
 * converted by hand at the rates set), never taken from the code under
 * test.  The clock is 2026-11-22T09:30:00Z and the base currency EUR. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/contact.h"
#include "crm/purchase.h"
#include "crm/rates.h"
#include "crm/rfm.h"
#include "fixture.h"

static crm_db *db;

static void teardown(void)
{
	if (fx_dir[0])
		fx_close(db);
	db = NULL;
}

static int64_t person(const char *first)
{
	crm_record *r;
	int64_t id = 0;

	ck_assert_int_eq(crm_record_new(&r, crm_entity_find("contact")), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "first_name", first), CRM_OK);
	ck_assert_msg(crm_entity_add(db, r, &id) == CRM_OK, "%s", crm_error_message());
	crm_record_free(r);
	return id;
}

/* Adds a purchase ("refund_of" when of is not 0) of who at time at, of
 * total ("40.00 USD"; no code: euros), with status (NULL: paid). */
static int64_t purchase(int64_t who, int64_t of, const char *at, const char *total,
                        const char *status)
{
	struct crm_purchase_lines none = { 0 };
	crm_record *r;
	char ref[24];
	int64_t id = 0;

	ck_assert_int_eq(crm_record_new(&r, crm_entity_find("purchase")), CRM_OK);
	snprintf(ref, sizeof ref, "%lld", (long long)(of ? of : who));
	ck_assert_int_eq(crm_record_set(r, of ? "refund_of" : "person", ref), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "at", at), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "total", total), CRM_OK);
	if (status)
		ck_assert_int_eq(crm_record_set(r, "status", status), CRM_OK);
	ck_assert_msg(crm_purchase_add(db, r, &none, NULL, &id) == CRM_OK, "%s %s: %s", at, total,
	              crm_error_message());
	crm_record_free(r);
	return id;
}

static int64_t buy(int64_t who, const char *at, const char *total)
{
	return purchase(who, 0, at, total, NULL);
}

static void refund(int64_t of, const char *at, const char *total)
{
	purchase(0, of, at, total, NULL);
}

static void rate(const char *date, const char *currency, const char *value)
{
	ck_assert_msg(crm_rates_set(db, date, currency, value) == CRM_OK, "%s",
	              crm_error_message());
}

/* Rows as "a|b|c\n" lines. */
struct rows {
	int ncols;
	char out[4096];
};

static int collect(void *arg, const char *const *vals)
{
	struct rows *c = arg;
	size_t len = strlen(c->out);

	for (int i = 0; i < c->ncols; i++)
		len += (size_t)snprintf(c->out + len, sizeof c->out - len, "%s%s", i ? "|" : "",
		                        vals[i]);
	snprintf(c->out + len, sizeof c->out - len, "\n");
	return 0;
}

/* The rows of crm_rfm_each as of day for segment; asserts the count of
 * people scored. */
static const char *rfm(const char *day, int segment, int64_t people)
{
	static struct rows c;
	int64_t n = -1, rows = -1;

	c.ncols = CRM_RFM_COLUMNS;
	c.out[0] = '\0';
	ck_assert_msg(crm_rfm_each(db, day, segment, collect, &c, &n, &rows) == CRM_OK, "%s",
	              crm_error_message());
	ck_assert_int_eq(n, people);
	return c.out;
}

static const char *summary(const char *day, int segment)
{
	static struct rows c;
	int64_t n;

	c.ncols = CRM_RFM_SUMMARY_COLUMNS;
	c.out[0] = '\0';
	ck_assert_msg(crm_rfm_summary(db, day, segment, collect, &c, &n) == CRM_OK, "%s",
	              crm_error_message());
	return c.out;
}

static const char *cohorts(const char *from, const char *to, const char *day)
{
	static struct rows c;
	int64_t n;

	c.ncols = CRM_COHORT_COLUMNS;
	c.out[0] = '\0';
	ck_assert_msg(crm_rfm_cohorts_each(db, from, to, day, collect, &c, &n) == CRM_OK, "%s",
	              crm_error_message());
	return c.out;
}

/* The shop of most tests.  Rates: a euro bought 1.25 dollars from
 * 2026-01-01, 2.00 from 2026-06-01.
 *   1 Ann  2024-02-29 (a leap day) 100.00; 2026-11-20 50.00
 *   2 Bo   2026-10-01 20.00 USD (/ 2.00 = 10.00); 2026-11-20 30.00
 *   3 Cy   2026-05-01 100.00 USD (/ 1.25 = 80.00), 25.00 USD of it refunded
 *          2026-06-15 (/ 2.00 = 12.50); 2026-09-10 10.00
 *   4 Di   2025-11-22 40.00; 2025-12-01 200.00, refunded in full 2026-01-05
 *   5 Ed   2026-01-10, 2026-03-10, 2026-11-22 08:00 10.00 each; 999.00 at
 *          2026-11-23 00:00, after the day
 *   6 Flo  2026-10-01 50.00, cancelled
 *   7 Gus  2026-06-01 10.00; archived 2026-11-22 09:30
 *   8 Hal  2026-11-01 500.00; erased */
static void shop(void)
{
	int64_t ann, bo, cy, di, ed, flo, gus, hal, p;
	int changed;

	db = fx_open(true);
	ann = person("Ann"), bo = person("Bo"), cy = person("Cy"), di = person("Di");
	ed = person("Ed"), flo = person("Flo"), gus = person("Gus"), hal = person("Hal");
	rate("2026-01-01", "USD", "1.25");
	rate("2026-06-01", "USD", "2.00");
	buy(ann, "2024-02-29T12:00:00Z", "100.00");
	buy(ann, "2026-11-20T10:00:00Z", "50.00");
	buy(bo, "2026-10-01T10:00:00Z", "20.00 USD");
	buy(bo, "2026-11-20T18:00:00Z", "30.00");
	p = buy(cy, "2026-05-01T10:00:00Z", "100.00 USD");
	refund(p, "2026-06-15T10:00:00Z", "-25.00 USD");
	buy(cy, "2026-09-10T10:00:00Z", "10.00");
	buy(di, "2025-11-22T10:00:00Z", "40.00");
	p = buy(di, "2025-12-01T10:00:00Z", "200.00");
	refund(p, "2026-01-05T10:00:00Z", "-200.00");
	buy(ed, "2026-01-10T10:00:00Z", "10.00");
	buy(ed, "2026-03-10T10:00:00Z", "10.00");
	buy(ed, "2026-11-22T08:00:00Z", "10.00");
	buy(ed, "2026-11-23T00:00:00Z", "999.00");
	purchase(flo, 0, "2026-10-01T10:00:00Z", "50.00", "cancelled");
	buy(gus, "2026-06-01T10:00:00Z", "10.00");
	ck_assert_int_eq(crm_entity_archive(db, crm_entity_find("contact"), gus, 1, &changed),
	                 CRM_OK);
	buy(hal, "2026-11-01T10:00:00Z", "500.00");
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	ck_assert_msg(crm_contact_erase(db, hal) == CRM_OK, "%s", crm_error_message());
}

START_TEST(test_grid)
{
	/* The map as crm-report(1) draws it, row R, column F. */
	static const char *const want[5][5] = {
		{ "lost", "lost", "at-risk", "at-risk", "cant-lose-them" },
		{ "hibernating", "hibernating", "at-risk", "at-risk", "cant-lose-them" },
		{ "about-to-sleep", "about-to-sleep", "need-attention", "loyal", "loyal" },
		{ "promising", "potential-loyalists", "potential-loyalists", "loyal", "loyal" },
		{ "new-customers", "potential-loyalists", "potential-loyalists", "champions",
		  "champions" },
	};
	int seen[CRM_RFM_SEGMENTS] = { 0 }, s = -1;

	for (int r = 1; r <= 5; r++) {
		for (int f = 1; f <= 5; f++) {
			int got = crm_rfm_segment_of(r, f);

			ck_assert_msg(got >= 0, "R %d F %d has no segment", r, f);
			ck_assert_str_eq(crm_rfm_segment_name(got), want[r - 1][f - 1]);
			seen[got]++;
		}
	}
	/* Every segment has a cell: 2+4+4+1+1+1+2+4+2+2+2 = 25. */
	for (int i = 0; i < CRM_RFM_SEGMENTS; i++)
		ck_assert_msg(seen[i] > 0, "%s has no cell", crm_rfm_segment_name(i));
	ck_assert_int_eq(crm_rfm_segment_of(0, 3), -1);
	ck_assert_int_eq(crm_rfm_segment_of(3, 6), -1);
	ck_assert_ptr_null(crm_rfm_segment_name(CRM_RFM_SEGMENTS));
	ck_assert_ptr_null(crm_rfm_segment_name(-1));
	ck_assert_int_eq(crm_rfm_segment_parse("cant-lose-them", &s), CRM_OK);
	ck_assert_int_eq(s, CRM_RFM_CANT_LOSE_THEM);
	ck_assert_int_eq(crm_rfm_segment_parse("At-Risk", &s), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "unknown segment 'At-Risk' (champions, loyal,"
	                 " potential-loyalists, new-customers, promising, need-attention,"
	                 " about-to-sleep, at-risk, cant-lose-them, hibernating, lost)");
}
END_TEST

START_TEST(test_score_formula)
{
	/* 1 + floor(5 x worse / n). */
	ck_assert_int_eq(crm_rfm_score(0, 1), 1);  /* one person: 1 + 0 */
	ck_assert_int_eq(crm_rfm_score(0, 5), 1);
	ck_assert_int_eq(crm_rfm_score(4, 5), 5);  /* 1 + 20/5 */
	ck_assert_int_eq(crm_rfm_score(1, 10), 1); /* 1 + floor(0.5) */
	ck_assert_int_eq(crm_rfm_score(2, 10), 2); /* 1 + 10/10 */
	ck_assert_int_eq(crm_rfm_score(9, 10), 5); /* 1 + floor(4.5) */
	ck_assert_int_eq(crm_rfm_score(3, 7), 3);  /* 1 + floor(15/7 = 2.14) */
	ck_assert_int_eq(crm_rfm_score(1, 2), 3);  /* 1 + floor(2.5) */
	ck_assert_int_eq(crm_rfm_score(3, 4), 4);  /* 1 + floor(3.75) */
}
END_TEST

START_TEST(test_rfm_people)
{
	shop();
	/* Five people count on 2026-11-22: Flo bought nothing paid, Gus was
	 * archived and Hal erased that day or before; Ed's 999.00 and Di's
	 * refunded 200.00 do not count.
	 *        recency (days to 11-22)   freq  monetary
	 *   Ann  2 (11-20)                 2     100 + 50 = 150.00
	 *   Bo   2 (11-20)                 2     10 + 30 = 40.00
	 *   Cy   73 (09-10: 20 + 31 + 22)  2     80 - 12.50 + 10 = 77.50
	 *   Di   365 (2025-11-22)          1     40.00
	 *   Ed   0                         3     30.00
	 * Worse than each, of n = 5, and the score 1 + floor(5 x worse / 5):
	 *   R (a larger recency): Ann 2 -> 3, Bo 2 -> 3 (a tie), Cy 1 -> 2,
	 *     Di 0 -> 1, Ed 4 -> 5
	 *   F (fewer): Ann 1 -> 2, Bo 1 -> 2, Cy 1 -> 2 (Di only), Di 0 -> 1, Ed 4 -> 5
	 *   M (less): Ann 4 -> 5, Bo 1 -> 2 (Ed only), Cy 3 -> 4, Di 1 -> 2 (a tie
	 *     with Bo), Ed 0 -> 1
	 * Segments by (R, F): (3, 2) about-to-sleep, (2, 2) hibernating, (1, 1)
	 * lost, (5, 5) champions. */
	ck_assert_str_eq(rfm("2026-11-22", -1, 5),
	                 "1|Ann|2|2|150.00|3|2|5|325|about-to-sleep\n"
	                 "2|Bo|2|2|40.00|3|2|2|322|about-to-sleep\n"
	                 "3|Cy|73|2|77.50|2|2|4|224|hibernating\n"
	                 "4|Di|365|1|40.00|1|1|2|112|lost\n"
	                 "5|Ed|0|3|30.00|5|5|1|551|champions\n");
	ck_assert_str_eq(rfm("2026-11-22", CRM_RFM_ABOUT_TO_SLEEP, 5),
	                 "1|Ann|2|2|150.00|3|2|5|325|about-to-sleep\n"
	                 "2|Bo|2|2|40.00|3|2|2|322|about-to-sleep\n");
	ck_assert_str_eq(rfm("2026-11-22", CRM_RFM_AT_RISK, 5), "");
}
END_TEST

START_TEST(test_rfm_summary_and_grid)
{
	struct crm_rfm_grid g;

	shop();
	/* From test_rfm_people: shares of 5 people, 1 = 20.0 %, 2 = 40.0 %;
	 * about-to-sleep holds 150.00 + 40.00. */
	ck_assert_str_eq(summary("2026-11-22", -1),
	                 "champions|1|20.0|30.00\n"
	                 "loyal|0|0.0|0.00\n"
	                 "potential-loyalists|0|0.0|0.00\n"
	                 "new-customers|0|0.0|0.00\n"
	                 "promising|0|0.0|0.00\n"
	                 "need-attention|0|0.0|0.00\n"
	                 "about-to-sleep|2|40.0|190.00\n"
	                 "at-risk|0|0.0|0.00\n"
	                 "cant-lose-them|0|0.0|0.00\n"
	                 "hibernating|1|20.0|77.50\n"
	                 "lost|1|20.0|40.00\n");
	ck_assert_str_eq(summary("2026-11-22", CRM_RFM_HIBERNATING), "hibernating|1|20.0|77.50\n");
	ck_assert_int_eq(crm_rfm_grid(db, "2026-11-22", &g), CRM_OK);
	ck_assert_int_eq(g.people, 5);
	ck_assert_int_eq(g.cell[2][1], 2); /* R 3, F 2: Ann and Bo */
	ck_assert_int_eq(g.cell[1][1], 1); /* Cy */
	ck_assert_int_eq(g.cell[0][0], 1); /* Di */
	ck_assert_int_eq(g.cell[4][4], 1); /* Ed */
	ck_assert_int_eq(g.cell[4][0], 0);
	ck_assert_int_eq(g.segment[CRM_RFM_ABOUT_TO_SLEEP], 2);
	ck_assert_int_eq(g.monetary[CRM_RFM_ABOUT_TO_SLEEP], 19000);
	ck_assert_int_eq(g.monetary[CRM_RFM_HIBERNATING], 7750);
	ck_assert_int_eq(g.segment[CRM_RFM_LOYAL], 0);
}
END_TEST

START_TEST(test_rfm_as_of)
{
	char rows[4096];

	shop();
	/* On 2025-12-31 only Ann and Di had bought; Di's 200.00 was refunded
	 * on 2026-01-05, after, so it counts.
	 *   Ann  recency 2024-02-29 -> 2025-12-31: 306 days left in 2024 after
	 *        the leap day, + 365 = 671; 1 purchase; 100.00
	 *   Di   recency 12-01 -> 12-31 = 30; 2 purchases; 240.00
	 * n = 2: Ann is worse than nobody (1, 1, 1), Di than Ann (1 + floor(5/2)
	 * = 3 each): lost and need-attention. */
	ck_assert_str_eq(rfm("2025-12-31", -1, 2),
	                 "1|Ann|671|1|100.00|1|1|1|111|lost\n"
	                 "4|Di|30|2|240.00|3|3|3|333|need-attention\n");
	/* On 2026-11-21 Gus was not archived yet: his 10.00 of 06-01 is 173
	 * days old (29 + 31 + 31 + 30 + 31 + 21); Ed's purchase of the 22nd
	 * is not there yet. */
	snprintf(rows, sizeof rows, "%s", rfm("2026-11-21", -1, 6));
	ck_assert_msg(strstr(rows, "\n7|Gus|173|1|10.00|"), "%s", rows);
	/* Ed: 03-10 -> 11-21 is 21 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 21 = 256. */
	ck_assert_msg(strstr(rows, "\n5|Ed|256|2|20.00|"), "%s", rows);
	/* The same day twice gives the same rows. */
	ck_assert_str_eq(rfm("2026-11-21", -1, 6), rows);
}
END_TEST

START_TEST(test_rfm_single_person)
{
	shop();
	/* On 2024-03-31 Ann alone had bought, on the leap day 31 days before;
	 * one person is worse than nobody: 1 + floor(0) everywhere. */
	ck_assert_str_eq(rfm("2024-03-31", -1, 1), "1|Ann|31|1|100.00|1|1|1|111|lost\n");
	ck_assert_str_eq(summary("2024-03-31", CRM_RFM_LOST), "lost|1|100.0|100.00\n");
	ck_assert_str_eq(summary("2024-03-31", CRM_RFM_CHAMPIONS), "champions|0|0.0|0.00\n");
}
END_TEST

START_TEST(test_rfm_missing_rate)
{
	int64_t people, rows;
	struct rows c = { CRM_RFM_COLUMNS, "" };

	shop();
	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	buy(1, "2026-11-02T10:00:00Z", "9.00 GBP");
	ck_assert_int_eq(crm_rfm_each(db, "2026-11-22", -1, collect, &c, &people, &rows), CRM_EDATA);
	ck_assert_msg(strstr(crm_error_message(), "no rate for GBP"), "%s", crm_error_message());
	/* Before the purchase there is nothing to convert.  On 2026-11-01 Ann,
	 * Bo, Cy, Di, Ed and Gus count (Hal's purchase is of an erased person).
	 * Cy: recency 09-10 -> 11-01 = 20 + 31 + 1 = 52, more recent than all
	 * but Bo (10-01): 4 worse of 6, 1 + floor(20/6) = 4; 2 purchases, as
	 * Ed, against 4 people with 1: 4; 77.50 is above Di's 40.00, Ed's
	 * 20.00, Bo's and Gus's 10.00: 4.  (4, 4) is loyal. */
	ck_assert_str_eq(rfm("2026-11-01", CRM_RFM_LOYAL, 6), "3|Cy|52|2|77.50|4|4|4|444|loyal\n");
}
END_TEST

START_TEST(test_rfm_nobody)
{
	struct crm_rfm_grid g;
	int64_t people = -1, rows = -1;
	struct rows c = { CRM_RFM_COLUMNS, "" };

	db = fx_open(false);
	ck_assert_int_eq(crm_rfm_each(db, "2026-11-22", -1, collect, &c, &people, &rows), CRM_OK);
	ck_assert_int_eq(people, 0);
	ck_assert_int_eq(rows, 0);
	ck_assert_str_eq(c.out, "");
	ck_assert_int_eq(crm_rfm_summary(db, "2026-11-22", -1, collect, &c, &people), CRM_OK);
	ck_assert_int_eq(people, 0);
	ck_assert_str_eq(c.out, "");
	ck_assert_int_eq(crm_rfm_grid(db, "2026-11-22", &g), CRM_OK);
	ck_assert_int_eq(g.people, 0);
	ck_assert_int_eq(crm_rfm_each(db, "2026-02-30", -1, collect, &c, &people, &rows),
	                 CRM_EUSAGE);
	ck_assert_int_eq(crm_rfm_each(db, "2026-11", -1, collect, &c, &people, &rows), CRM_EUSAGE);
}
END_TEST

/* The cohorts' shop, every purchase 10.00:
 *   1  2026-09-03, 2026-10-15, 2026-11-02
 *   2  2026-09-20, 2026-11-21
 *   3  2026-09-30 23:59:59, 2026-09-30 08:00 (one month, once)
 *   4  2026-10-31 23:00, 2026-11-22 09:00
 *   5  2026-08-31 cancelled; 2026-10-01; 2026-11-23 00:00 (after the day)
 *   6  2025-11-30; 2026-02-14 */
static void cohort_shop(void)
{
	int64_t p[7];

	db = fx_open(true);
	for (int i = 1; i <= 6; i++)
		p[i] = person("P");
	buy(p[1], "2026-09-03T10:00:00Z", "10.00");
	buy(p[1], "2026-10-15T10:00:00Z", "10.00");
	buy(p[1], "2026-11-02T10:00:00Z", "10.00");
	buy(p[2], "2026-09-20T10:00:00Z", "10.00");
	buy(p[2], "2026-11-21T10:00:00Z", "10.00");
	buy(p[3], "2026-09-30T23:59:59Z", "10.00");
	buy(p[3], "2026-09-30T08:00:00Z", "10.00");
	buy(p[4], "2026-10-31T23:00:00Z", "10.00");
	buy(p[4], "2026-11-22T09:00:00Z", "10.00");
	purchase(p[5], 0, "2026-08-31T10:00:00Z", "10.00", "cancelled");
	buy(p[5], "2026-10-01T10:00:00Z", "10.00");
	buy(p[5], "2026-11-23T00:00:00Z", "10.00");
	buy(p[6], "2025-11-30T10:00:00Z", "10.00");
	buy(p[6], "2026-02-14T10:00:00Z", "10.00");
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
}

START_TEST(test_cohorts)
{
	/* First purchases from 2025-12-01 to 2026-11-22: 1, 2 and 3 in
	 * September (5's cancelled August one does not count), 4 and 5 in
	 * October; 6 started in 2025-11, before.
	 *   September: October 1 of 3 = 33.3 %; November 1 and 2, 2 of 3 = 66.7 %
	 *   October: November 4 (5's is dated the 23rd), 1 of 2 = 50.0 % */
	cohort_shop();
	ck_assert_str_eq(cohorts("2025-12-01", "2026-11-23", "2026-11-22"),
	                 "2026-09|3|0|2026-09|3|100.0\n"
	                 "2026-09|3|1|2026-10|1|33.3\n"
	                 "2026-09|3|2|2026-11|2|66.7\n"
	                 "2026-10|2|0|2026-10|2|100.0\n"
	                 "2026-10|2|1|2026-11|1|50.0\n");
	/* As of 2026-10-31 November is not there; 4's purchase at 23:00 on the
	 * 31st is. */
	ck_assert_str_eq(cohorts("2025-11-01", "2026-11-01", "2026-10-31"),
	                 "2025-11|1|0|2025-11|1|100.0\n"
	                 "2025-11|1|1|2025-12|0|0.0\n"
	                 "2025-11|1|2|2026-01|0|0.0\n"
	                 "2025-11|1|3|2026-02|1|100.0\n"
	                 "2025-11|1|4|2026-03|0|0.0\n"
	                 "2025-11|1|5|2026-04|0|0.0\n"
	                 "2025-11|1|6|2026-05|0|0.0\n"
	                 "2025-11|1|7|2026-06|0|0.0\n"
	                 "2025-11|1|8|2026-07|0|0.0\n"
	                 "2025-11|1|9|2026-08|0|0.0\n"
	                 "2025-11|1|10|2026-09|0|0.0\n"
	                 "2025-11|1|11|2026-10|0|0.0\n"
	                 "2026-09|3|0|2026-09|3|100.0\n"
	                 "2026-09|3|1|2026-10|1|33.3\n"
	                 "2026-10|2|0|2026-10|2|100.0\n");
	ck_assert_str_eq(cohorts("2026-12-01", "2027-01-01", "2026-11-22"), "");
}
END_TEST

START_TEST(test_cohort_table)
{
	struct crm_rfm_cohorts c;

	cohort_shop();
	/* 2025 as of 2026-11-22: 6 alone, November 2025 to November 2026 is
	 * 13 months, with 2026-02 the third after. */
	ck_assert_int_eq(crm_rfm_cohorts(db, "2025-01-01", "2026-01-01", "2026-11-22", &c), CRM_OK);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.v[0].month, "2025-11");
	ck_assert_int_eq(c.v[0].size, 1);
	ck_assert_uint_eq(c.v[0].months, 13);
	for (size_t k = 0; k < 13; k++)
		ck_assert_int_eq(c.v[0].buyers[k], k == 0 || k == 3);
	crm_rfm_cohorts_free(&c);
	ck_assert_ptr_null(c.v);
	crm_rfm_cohorts_free(NULL);
	ck_assert_int_eq(crm_rfm_cohorts(db, "2025-01-01", "2026-01-01", "22/11/2026", &c),
	                 CRM_EUSAGE);
}
END_TEST

Suite *rfm_suite(void)
{
	Suite *s = suite_create("rfm");
	TCase *tc = tcase_create("rfm");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_grid);
	tcase_add_test(tc, test_score_formula);
	tcase_add_test(tc, test_rfm_people);
	tcase_add_test(tc, test_rfm_summary_and_grid);
	tcase_add_test(tc, test_rfm_as_of);
	tcase_add_test(tc, test_rfm_single_person);
	tcase_add_test(tc, test_rfm_missing_rate);
	tcase_add_test(tc, test_rfm_nobody);
	tcase_add_test(tc, test_cohorts);
	tcase_add_test(tc, test_cohort_table);
	suite_add_tcase(s, tc);
	return s;
}
