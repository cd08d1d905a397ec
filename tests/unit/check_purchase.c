/* check_purchase.c - reading purchase lines (--line and JSON), their
 * sums, the refund arithmetic per line and in total, and the average's
 * rounding.  Expected figures were worked out by hand (the arithmetic is
 * in the comments), never taken from the code under test. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crm/purchase.h"
#include "fixture.h"

static void line_is(const char *text, const char *cur, const char *sku, int64_t qty,
                    int64_t price, const char *name)
{
	struct crm_purchase_lines ls = { 0 };
	int rc = crm_purchase_line_parse(&ls, text, cur);

	ck_assert_msg(rc == CRM_OK, "'%s': %s", text, crm_error_message());
	ck_assert_uint_eq(ls.n, 1);
	ck_assert_str_eq(ls.v[0].sku, sku);
	ck_assert_int_eq(ls.v[0].quantity, qty);
	ck_assert_int_eq(ls.v[0].price, price);
	if (name)
		ck_assert_str_eq(ls.v[0].name, name);
	else
		ck_assert_ptr_null(ls.v[0].name);
	crm_purchase_lines_free(&ls);
}

static void line_refused(const char *text, const char *cur, const char *what)
{
	struct crm_purchase_lines ls = { 0 };

	ck_assert_msg(crm_purchase_line_parse(&ls, text, cur) == CRM_EDATA, "'%s' read", text);
	ck_assert_msg(strstr(crm_error_message(), what), "'%s': '%s' does not name %s", text,
	              crm_error_message(), what);
	ck_assert_uint_eq(ls.n, 0);
	crm_purchase_lines_free(&ls);
}

START_TEST(test_line_forms)
{
	line_is("MUG 2 9.95", "EUR", "MUG", 2, 995, NULL);
	line_is("  MUG\t2  9.95  Blue  mug  ", "EUR", "MUG", 2, 995, "Blue  mug");
	line_is("A 1 10", "EUR", "A", 1, 1000, NULL);
	line_is("A 1 10.50", "EUR", "A", 1, 1050, NULL);
	line_is("A 1 10.5000", "EUR", "A", 1, 1050, NULL); /* trailing zeros are no decimals */
	line_is("A 3 1500", "JPY", "A", 3, 1500, NULL);  /* yen have none */
	line_is("A 1 1.234", "KWD", "A", 1, 1234, NULL);  /* dinars three */
	line_is("A 1 0", "EUR", "A", 1, 0, NULL);
	line_is("A 1000000000 1", "EUR", "A", 1000000000, 100, NULL);
	line_is("K\xc3\xa4se 1 2 M\xc3\xbcnster", "EUR", "K\xc3\xa4se", 1, 200, "M\xc3\xbcnster");
}
END_TEST

START_TEST(test_line_refused)
{
	line_refused("", "EUR", "SKU QTY PRICE");
	line_refused("A", "EUR", "SKU QTY PRICE");
	line_refused("A 1", "EUR", "SKU QTY PRICE");
	line_refused("A 0 1", "EUR", "quantity");
	line_refused("A -1 1", "EUR", "quantity");
	line_refused("A 1.5 1", "EUR", "quantity");
	line_refused("A x 1", "EUR", "quantity");
	line_refused("A 1000000001 1", "EUR", "quantity");
	line_refused("A 1 -1", "EUR", "negative");
	line_refused("A 1 +1", "EUR", "price");
	line_refused("A 1 9,99", "EUR", "price");
	line_refused("A 1 9.999", "EUR", "price");
	line_refused("A 1 10.500", "EUR", "price"); /* ten and a half, or 10,500? */
	line_refused("A 1 1.5", "JPY", "price");
	line_refused("A 1 .5", "EUR", "price");
	line_refused("A 1 5.", "EUR", "price");
	line_refused("A 1 1e3", "EUR", "price");
	line_refused("A 1 NaN", "EUR", "price");
	line_refused("A 1 99999999999999999999", "EUR", "price");
	line_refused("\xff 1 1", "EUR", "sku");
	line_refused("A 1 1 \xc3", "EUR", "name");
}
END_TEST

START_TEST(test_lines_json)
{
	struct crm_purchase_lines ls = { 0 };
	const char *ok = "[{\"sku\":\"A\",\"quantity\":2,\"price\":\"9.90\",\"category\":\"c\"},"
	                 "{\"quantity\":\"3\",\"unit_price\":1.1,\"name\":\"B\"},"
	                 "{\"quantity\":1,\"price\":7}]";
	int64_t sum = 0;

	ck_assert_int_eq(crm_purchase_lines_json(&ls, ok, strlen(ok), "EUR"), CRM_OK);
	ck_assert_uint_eq(ls.n, 3);
	ck_assert_str_eq(ls.v[0].category, "c");
	ck_assert_int_eq(ls.v[1].price, 110); /* 1.1 is exactly 1.10 at two decimals */
	ck_assert_ptr_null(ls.v[1].sku);
	ck_assert_int_eq(ls.v[2].price, 700);
	/* 2 x 9.90 + 3 x 1.10 + 7.00 = 19.80 + 3.30 + 7.00 = 30.10 */
	ck_assert_int_eq(crm_purchase_lines_sum(&ls, &sum), CRM_OK);
	ck_assert_int_eq(sum, 3010);
	crm_purchase_lines_free(&ls);
}
END_TEST

static void json_refused(const char *json, const char *what)
{
	struct crm_purchase_lines ls = { 0 };

	ck_assert_msg(crm_purchase_lines_json(&ls, json, strlen(json), "EUR") == CRM_EDATA,
	              "'%s' read", json);
	ck_assert_msg(strstr(crm_error_message(), what), "'%s': '%s' does not name %s", json,
	              crm_error_message(), what);
	crm_purchase_lines_free(&ls);
}

START_TEST(test_lines_json_refused)
{
	json_refused("", "invalid JSON");
	json_refused("{}", "array");
	json_refused("[1]", "line 1: not an object");
	json_refused("[{\"price\":1}]", "line 1: quantity: missing");
	json_refused("[{\"quantity\":1}]", "line 1: price: missing");
	json_refused("[{\"quantity\":1,\"price\":1},{\"quantity\":1.5,\"price\":1}]", "line 2: quantity");
	json_refused("[{\"quantity\":1,\"price\":9.999}]", "decimals");
	json_refused("[{\"quantity\":1,\"price\":-1}]", "negative");
	json_refused("[{\"quantity\":1,\"price\":1e300}]", "range");
	json_refused("[{\"quantity\":1,\"price\":true}]", "price");
	json_refused("[{\"quantity\":1,\"price\":1,\"sku\":5}]", "sku: not a string");
	json_refused("[{\"quantity\":1,\"price\":1,\"sku\":\"a\",\"sku\":\"b\"}]", "invalid JSON");
}
END_TEST

START_TEST(test_sum_overflow)
{
	struct crm_purchase_lines ls = { 0 };
	int64_t sum;

	/* 1e9 x 9.2e9 minor units is 9.2e18, just below 2^63 (about 9.223e18);
	 * another 1e9 x 1e8 (1e17) takes the sum past it. */
	ck_assert_int_eq(crm_purchase_line_parse(&ls, "A 1000000000 92000000", "EUR"), CRM_OK);
	ck_assert_int_eq(crm_purchase_lines_sum(&ls, &sum), CRM_OK);
	ck_assert_int_eq(sum, INT64_C(9200000000000000000));
	ck_assert_int_eq(crm_purchase_line_parse(&ls, "B 1000000000 1000000", "EUR"), CRM_OK);
	ck_assert_int_eq(crm_purchase_lines_sum(&ls, &sum), CRM_EDATA);
	crm_purchase_lines_free(&ls);
}
END_TEST

START_TEST(test_refund_qty)
{
	int64_t q = 0;

	/* 5 bought, none back: all of them, or 2. */
	ck_assert_int_eq(crm_purchase_refund_qty(5, 0, 0, &q), CRM_OK);
	ck_assert_int_eq(q, -5);
	ck_assert_int_eq(crm_purchase_refund_qty(5, 0, 2, &q), CRM_OK);
	ck_assert_int_eq(q, -2);
	/* 5 bought, 2 back: 3 remain. */
	ck_assert_int_eq(crm_purchase_refund_qty(5, 2, 0, &q), CRM_OK);
	ck_assert_int_eq(q, -3);
	ck_assert_int_eq(crm_purchase_refund_qty(5, 2, 3, &q), CRM_OK);
	ck_assert_int_eq(q, -3);
	q = 7;
	ck_assert_int_eq(crm_purchase_refund_qty(5, 2, 4, &q), CRM_EDATA);
	ck_assert_int_eq(q, 7);
	ck_assert_int_eq(crm_purchase_refund_qty(5, 5, 0, &q), CRM_EDATA);
	ck_assert_int_eq(crm_purchase_refund_qty(5, 5, 1, &q), CRM_EDATA);
	ck_assert_int_eq(crm_purchase_refund_qty(5, 0, -1, &q), CRM_EDATA);
}
END_TEST

START_TEST(test_average)
{
	/* Half to even: 7473 / 2 = 3736.5 -> 3736; 7475 / 2 = 3737.5 -> 3738. */
	ck_assert_int_eq(crm_purchase_average(7473, 2), 3736);
	ck_assert_int_eq(crm_purchase_average(7475, 2), 3738);
	/* 11380 / 3 = 3793.33 -> 3793; 100 / 3 = 33.33; 200 / 3 = 66.67 -> 67. */
	ck_assert_int_eq(crm_purchase_average(11380, 3), 3793);
	ck_assert_int_eq(crm_purchase_average(200, 3), 67);
	/* Negative sums (more refunded than bought in a period) mirror. */
	ck_assert_int_eq(crm_purchase_average(-7475, 2), -3738);
	ck_assert_int_eq(crm_purchase_average(-200, 3), -67);
	ck_assert_int_eq(crm_purchase_average(0, 5), 0);
}
END_TEST

/* A purchase of 2 x 10.00 + 1 x 5.00 = 25.00 EUR, refunded in parts. */
START_TEST(test_refunds_in_database)
{
	crm_db *db = fx_open(true);
	struct crm_purchase_lines ls = { 0 };
	crm_record *r = NULL;
	int64_t id = 0, ref = 0;

	ck_assert_int_eq(crm_purchase_line_parse(&ls, "A 2 10", "EUR"), CRM_OK);
	ck_assert_int_eq(crm_purchase_line_parse(&ls, "B 1 5", "EUR"), CRM_OK);
	ck_assert_int_eq(crm_record_new(&r, crm_entity_find("purchase")), CRM_OK);
	ck_assert_int_eq(crm_purchase_add(db, r, &ls, "EUR", &id), CRM_OK);
	ck_assert_str_eq(crm_record_value(r, "total"), "25.00 EUR");
	/* One A back: -10.00; two more is one too many. */
	ck_assert_int_eq(crm_purchase_refund(db, id, "A", 1, &ref), CRM_OK);
	ck_assert_int_eq(crm_purchase_refund(db, id, "A", 2, &ref), CRM_EDATA);
	ck_assert_int_eq(crm_purchase_refund(db, id, "C", 0, &ref), CRM_EDATA);
	/* The rest: one A and the B, 15.00; then nothing remains. */
	ck_assert_int_eq(crm_purchase_refund(db, id, NULL, 0, &ref), CRM_OK);
	ck_assert_int_eq(crm_purchase_refund(db, id, NULL, 0, &ref), CRM_EDATA);
	ck_assert_int_eq(crm_purchase_refund(db, ref, NULL, 0, &ref), CRM_EDATA);
	crm_record_free(r);
	crm_purchase_lines_free(&ls);
	fx_close(db);
}
END_TEST

Suite *purchase_suite(void)
{
	Suite *s = suite_create("purchase");
	TCase *tc = tcase_create("purchase");

	tcase_add_test(tc, test_line_forms);
	tcase_add_test(tc, test_line_refused);
	tcase_add_test(tc, test_lines_json);
	tcase_add_test(tc, test_lines_json_refused);
	tcase_add_test(tc, test_sum_overflow);
	tcase_add_test(tc, test_refund_qty);
	tcase_add_test(tc, test_average);
	tcase_add_test(tc, test_refunds_in_database);
	suite_add_tcase(s, tc);
	return s;
}
