/* check_buf.c - the growable buffer and the error slot. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"

START_TEST(test_buf_grows_and_terminates)
{
	crm_buf b = CRM_BUF_INIT;

	ck_assert_str_eq(crm_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(crm_buf_putc(&b, 'x'), CRM_OK);
	ck_assert_uint_eq(b.len, 1000);
	ck_assert_int_eq(b.ptr[1000], '\0');
	crm_buf_clear(&b);
	ck_assert_int_eq(crm_buf_printf(&b, "%s-%d", "id", 42), CRM_OK);
	ck_assert_str_eq(crm_buf_str(&b), "id-42");
	crm_buf_free(&b);
	ck_assert_ptr_null(b.ptr);
}
END_TEST

START_TEST(test_buf_detach_owns)
{
	crm_buf b = CRM_BUF_INIT;
	char *s;

	crm_buf_puts(&b, "hello");
	s = crm_buf_detach(&b);
	ck_assert_str_eq(s, "hello");
	ck_assert_uint_eq(b.len, 0);
	free(s);
	s = crm_buf_detach(&b);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_error_codes_map_to_exit_status)
{
	ck_assert_int_eq(crm_error_set(CRM_EDATA, "bad '%s'", "x"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "bad 'x'");
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
	ck_assert_int_eq(crm_exit_status(CRM_OK), 0);
	ck_assert_int_eq(crm_exit_status(CRM_ENOTFOUND), 1);
	ck_assert_int_eq(crm_exit_status(CRM_EUSAGE), 2);
	ck_assert_int_eq(crm_exit_status(CRM_EDATA), 3);
	ck_assert_int_eq(crm_exit_status(CRM_EBUSY), 4);
	ck_assert_int_eq(crm_exit_status(CRM_EIO), 1);
	crm_error_clear();
	ck_assert_str_eq(crm_error_message(), "unknown error");
}
END_TEST

Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_grows_and_terminates);
	tcase_add_test(tc, test_buf_detach_owns);
	tcase_add_test(tc, test_error_codes_map_to_exit_status);
	suite_add_tcase(s, tc);
	return s;
}
