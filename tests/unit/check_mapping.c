/* check_mapping.c - export headers to fields. */
#include <check.h>
#include <string.h>

#include "crm.h"
#include "crm/mapping.h"

/* Renders what each '|'-separated column of header means, as
 * "field;custom:key;split;note;ignore;?;". */
static const char *targets(const char *entity, const char *header)
{
	static char out[1024];
	const struct crm_entity *e = crm_entity_find(entity);
	char copy[1024], *save = NULL;
	struct crm_target t;

	out[0] = '\0';
	snprintf(copy, sizeof copy, "%s", header);
	for (char *c = strtok_r(copy, "|", &save); c; c = strtok_r(NULL, "|", &save)) {
		size_t n = strlen(out);
		crm_column_target(e, c, &t);
		switch (t.kind) {
		case CRM_TO_FIELD: snprintf(out + n, sizeof out - n, "%s;", t.name); break;
		case CRM_TO_CUSTOM: snprintf(out + n, sizeof out - n, "custom:%s;", t.name); break;
		case CRM_TO_SPLIT: snprintf(out + n, sizeof out - n, "split;"); break;
		case CRM_TO_NOTE: snprintf(out + n, sizeof out - n, "note;"); break;
		case CRM_TO_IGNORE: snprintf(out + n, sizeof out - n, "ignore;"); break;
		default: snprintf(out + n, sizeof out - n, "?;"); break;
		}
	}
	return out;
}

START_TEST(test_column_key)
{
	char k[64];

	ck_assert_str_eq(crm_column_key(k, sizeof k, "E-mail Address"), "emailaddress");
	ck_assert_str_eq(crm_column_key(k, sizeof k, "  postal_code "), "postalcode");
	ck_assert_str_eq(crm_column_key(k, sizeof k, "Prénom"), "prenom");
	ck_assert_str_eq(crm_column_key(k, sizeof k, "Mailing Zip/Postal Code"),
	                 "mailingzippostalcode");
	ck_assert_str_eq(crm_column_key(k, 4, "abcdef"), "abc");
}
END_TEST

START_TEST(test_google_contacts)
{
	ck_assert_str_eq(targets("contact", "First Name|Last Name|E-mail 1 - Value|"
	                         "Phone 1 - Value|Organization Name|Organization Title|"
	                         "Address 1 - Street|Address 1 - City|Address 1 - Region|"
	                         "Address 1 - Postal Code|Address 1 - Country|Birthday|Notes|"
	                         "Labels|E-mail 1 - Label"),
	                 "first_name;last_name;email;phone;company;title;street;city;region;"
	                 "postal_code;country;birth_date;note;tags;?;");
	ck_assert_str_eq(targets("contact", "Given Name|Family Name|Name|Organization 1 - Name"),
	                 "first_name;last_name;split;company;");
}
END_TEST

/* Two-letter country codes come under several headers. */
START_TEST(test_country_code_columns)
{
	ck_assert_str_eq(targets("contact", "Country/Region Code|Country Code|CountryCode|"
	                         "ISO Country Code|country_iso"),
	                 "country;country;country;country;country;");
	ck_assert_str_eq(targets("company", "Country/Region Code|Country Code"), "country;country;");
}
END_TEST

START_TEST(test_outlook)
{
	ck_assert_str_eq(targets("contact", "First Name|Last Name|Company|Job Title|"
	                         "Business Street|Business City|Business State|"
	                         "Business Postal Code|Business Country/Region|Mobile Phone|"
	                         "E-mail Address|Categories|E-mail 2 Address"),
	                 "first_name;last_name;company;title;street;city;region;postal_code;"
	                 "country;phone;email;tags;?;");
}
END_TEST

START_TEST(test_hubspot_and_salesforce)
{
	ck_assert_str_eq(targets("contact", "Email|Phone Number|Company Name|State/Region|"
	                         "Country/Region|Contact owner|Lead Status|Record ID"),
	                 "email;phone;company;region;country;owner;status;?;");
	ck_assert_str_eq(targets("contact", "Account Name|Mailing Street|Mailing State/Province|"
	                         "Mailing Zip/Postal Code|Mailing Country|Lead Source|Birthdate"),
	                 "company;street;region;postal_code;country;source;birth_date;");
	ck_assert_str_eq(targets("company", "Company name|Company Domain Name|Industry|"
	                         "Number of Employees|Website URL|Phone Number"),
	                 "name;domain;industry;size;website;phone;");
}
END_TEST

START_TEST(test_own_output_round_trips)
{
	ck_assert_str_eq(targets("contact", "id|first_name|email|company|tags|status|"
	                         "created_at|updated_at|custom.tier|phone_e164"),
	                 "id;first_name;email;company;tags;status;ignore;ignore;custom:tier;ignore;");
	ck_assert_str_eq(targets("company", "id|name|domain|created_at|custom.x|tags"),
	                 "id;name;domain;ignore;custom:x;tags;");
	ck_assert_str_eq(targets("contact", "custom.|Shoe size"), "?;?;");
}
END_TEST

Suite *mapping_suite(void)
{
	Suite *s = suite_create("mapping");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_column_key);
	tcase_add_test(tc, test_google_contacts);
	tcase_add_test(tc, test_country_code_columns);
	tcase_add_test(tc, test_outlook);
	tcase_add_test(tc, test_hubspot_and_salesforce);
	tcase_add_test(tc, test_own_output_round_trips);
	suite_add_tcase(s, tc);
	return s;
}
