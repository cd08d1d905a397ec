/* check_error.c - the per-thread last error and the exit-status mapping. */
#include <check.h>
#include <string.h>

#include "crm.h"

START_TEST(test_set_records_message_and_code)
{
	ck_assert_int_eq(crm_error_set(CRM_EDATA, "bad %s at line %d", "email", 7), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "bad email at line 7");
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
}
END_TEST

START_TEST(test_clear_forgets_the_error)
{
	crm_error_set(CRM_EIO, "disk gone");
	crm_error_clear();
	ck_assert_int_eq(crm_error_code(), CRM_OK);
	/* A caller printing after a clear still gets text, never NULL. */
	ck_assert_str_eq(crm_error_message(), "unknown error");
}
END_TEST

START_TEST(test_prefix_keeps_code_and_text)
{
	crm_error_set(CRM_ENOTFOUND, "no contact 42");
	ck_assert_int_eq(crm_error_prefix("people.csv:3"), CRM_ENOTFOUND);
	ck_assert_str_eq(crm_error_message(), "people.csv:3: no contact 42");
	crm_error_prefix("import");
	ck_assert_str_eq(crm_error_message(), "import: people.csv:3: no contact 42");
}
END_TEST

START_TEST(test_prefix_truncates_long_messages)
{
	char big[2000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	crm_error_set(CRM_EFAIL, "%s", big);
	crm_error_prefix("p");
	ck_assert_int_eq(strncmp(crm_error_message(), "p: xxx", 6), 0);
	ck_assert_uint_lt(strlen(crm_error_message()), sizeof big);
}
END_TEST

/* Callers put a field's name before a message made below them by passing
 * the message itself: it must come out whole, not overwritten as it is
 * read. */
START_TEST(test_set_takes_its_own_message)
{
	crm_error_set(CRM_EDATA, "unknown currency 'XYZ'");
	ck_assert_int_eq(crm_error_set(CRM_EDATA, "currency: %s", crm_error_message()), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "currency: unknown currency 'XYZ'");
	crm_error_set(CRM_EFAIL, "%s, again: %s", crm_error_message(), crm_error_message());
	ck_assert_str_eq(crm_error_message(),
	                 "currency: unknown currency 'XYZ', again: currency: unknown currency 'XYZ'");
}
END_TEST

START_TEST(test_recode_keeps_message)
{
	crm_error_set(CRM_EDATA, "invalid status 'vip'");
	ck_assert_int_eq(crm_error_recode(CRM_EUSAGE), CRM_EUSAGE);
	ck_assert_int_eq(crm_error_code(), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "invalid status 'vip'");
}
END_TEST

START_TEST(test_nomem)
{
	ck_assert_int_eq(crm_error_nomem(), CRM_ENOMEM);
	ck_assert_str_eq(crm_error_message(), "out of memory");
}
END_TEST

/* The exit statuses crm(7) documents for each kind of failure. */
START_TEST(test_exit_status)
{
	ck_assert_int_eq(crm_exit_status(CRM_OK), 0);
	ck_assert_int_eq(crm_exit_status(CRM_EFAIL), 1);
	ck_assert_int_eq(crm_exit_status(CRM_ENOTFOUND), 1);
	ck_assert_int_eq(crm_exit_status(CRM_ENOMEM), 1);
	ck_assert_int_eq(crm_exit_status(CRM_EIO), 1);
	ck_assert_int_eq(crm_exit_status(CRM_ESCHEMA), 1);
	ck_assert_int_eq(crm_exit_status(CRM_EUSAGE), 2);
	ck_assert_int_eq(crm_exit_status(CRM_EREADONLY), 2);
	ck_assert_int_eq(crm_exit_status(CRM_EDATA), 3);
	ck_assert_int_eq(crm_exit_status(CRM_EBUSY), 4);
}
END_TEST

Suite *error_suite(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_set_records_message_and_code);
	tcase_add_test(tc, test_clear_forgets_the_error);
	tcase_add_test(tc, test_prefix_keeps_code_and_text);
	tcase_add_test(tc, test_prefix_truncates_long_messages);
	tcase_add_test(tc, test_set_takes_its_own_message);
	tcase_add_test(tc, test_recode_keeps_message);
	tcase_add_test(tc, test_nomem);
	tcase_add_test(tc, test_exit_status);
	suite_add_tcase(s, tc);
	return s;
}
