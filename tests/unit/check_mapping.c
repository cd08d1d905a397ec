/* check_mapping.c - export headers to fields. */
#include <check.h>
#include <string.h>

#include "crm.h"
#include "crm/mapping.h"
#include "../../libcore/internal.h"

/* Renders what each '|'-separated column of header means, as
 * "field;custom:key;split;part;note;ignore;?;". */
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
		case CRM_TO_PART: snprintf(out + n, sizeof out - n, "part;"); break;
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
	                 "postal_code;country;birth_date;note;tags;ignore;");
	ck_assert_str_eq(targets("contact", "Middle Name|Name Prefix|Nickname|Website 1 - Value|"
	                         "Address 1 - Formatted|File As|Photo|Relation 1 - Value"),
	                 "custom:middle_name;custom:salutation;custom:nickname;custom:website;"
	                 "ignore;ignore;ignore;?;");
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

/* A survey question names its scale; a rating alone names none. */
START_TEST(test_question_implies_kind)
{
	const struct crm_entity *e = crm_entity_find("response");
	const struct crm_implied *m;

	ck_assert_ptr_nonnull(m = crm_column_implies(e, "How likely are you to recommend us?"));
	ck_assert_str_eq(m->field, "kind");
	ck_assert_str_eq(m->value, "nps");
	ck_assert_str_eq(crm_column_implies(e, "NPS Score")->value, "nps");
	ck_assert_str_eq(crm_column_implies(e, "How satisfied were you?")->value, "csat");
	ck_assert_ptr_null(crm_column_implies(e, "Rating"));
	ck_assert_ptr_null(crm_column_implies(e, "How would you rate us?"));
	ck_assert_ptr_null(crm_column_implies(crm_entity_find("contact"), "NPS"));
}
END_TEST

/* Only the toolkit's own output spells its id "id"; other systems' ids
 * are kept, never matched as this toolkit's. */
START_TEST(test_other_systems_ids)
{
	ck_assert_str_eq(targets("ticket", "id|ID|Id|Ticket ID"),
	                 "id;custom:source_id;custom:source_id;custom:source_id;");
	ck_assert_str_eq(targets("deal", "Deal - ID|Opportunity ID|Record ID|Contact ID"),
	                 "custom:source_id;custom:source_id;custom:source_id;ignore;");
	ck_assert_str_eq(targets("company", "Account ID|Organization - ID"),
	                 "custom:source_id;custom:source_id;");
}
END_TEST

START_TEST(test_hubspot_and_salesforce)
{
	ck_assert_str_eq(targets("contact", "Email|Phone Number|Company Name|State/Region|"
	                         "Country/Region|Contact owner|Lead Status|Record ID"),
	                 "email;phone;company;region;country;owner;status;custom:source_id;");
	ck_assert_str_eq(targets("contact", "Account Name|Mailing Street|Mailing State/Province|"
	                         "Mailing Zip/Postal Code|Mailing Country|Lead Source|Birthdate"),
	                 "company;street;region;postal_code;country;source;birth_date;");
	ck_assert_str_eq(targets("contact", "Person - Name|Person - Email - Work|"
	                         "Person - Phone - Mobile|Person - Organization|Person - Label|"
	                         "Mailing Zip|Home Country"),
	                 "split;email;phone;company;tags;postal_code;country;");
	ck_assert_str_eq(targets("deal", "Deal - Title|Deal - Value|Deal - Currency of Value|"
	                         "Deal - Organization|Deal - Contact person"),
	                 "title;amount;?;company;contact;");
	ck_assert_str_eq(targets("company", "Company name|Company Domain Name|Industry|"
	                         "Number of Employees|Website URL|Phone Number"),
	                 "name;domain;industry;size;website;phone;");
}
END_TEST

/* HubSpot's API: a record's fields under "properties", read as their
 * names alone (and Mailchimp's under "merge_fields", Klaviyo's under
 * "attributes"); a name that means
 * something whole keeps that meaning, and one that means nothing either
 * way stays unknown. */
START_TEST(test_properties_of_an_api)
{
	ck_assert_str_eq(targets("contact", "properties.email|properties.firstname|"
	                         "properties.lastname|properties.createdate|"
	                         "properties.lastmodifieddate|properties.lifecyclestage|"
	                         "createdAt|updatedAt|archived"),
	                 "email;first_name;last_name;created_at;ignore;status;created_at;ignore;?;");
	ck_assert_str_eq(targets("deal", "properties.dealname|properties.amount|"
	                         "properties.closedate|properties.dealstage"),
	                 "title;amount;expected_close;stage;");
	ck_assert_str_eq(targets("company", "properties.name|properties.domain|properties."),
	                 "name;domain;?;");
	ck_assert_str_eq(targets("contact", "properties.nonsense|props.email"), "?;?;");
	/* Mailchimp's API: a member's fields under merge_fields. */
	ck_assert_str_eq(targets("contact", "merge_fields.FNAME|merge_fields.LNAME|"
	                         "merge_fields.PHONE|merge_fields.ADDRESS.addr1|"
	                         "merge_fields.ADDRESS.addr2|merge_fields.ADDRESS.zip|"
	                         "email_address|last_changed"),
	                 "first_name;last_name;phone;street;custom:address_line2;postal_code;"
	                 "email;ignore;");
	/* Klaviyo's API: a profile's under attributes. */
	ck_assert_str_eq(targets("contact", "attributes.first_name|attributes.phone_number|"
	                         "attributes.location.address1|attributes.location.zip|"
	                         "attributes.location.city|attributes.created|attributes.image"),
	                 "first_name;phone;street;postal_code;city;created_at;?;");
}
END_TEST

/* Exports in other languages: Outlook's German, a French and a Russian
 * (Bitrix24) list of people; German, French, Spanish, Polish and Russian
 * lists of companies, where a bare "name" can only be the company's. */
START_TEST(test_other_languages)
{
	ck_assert_str_eq(targets("contact", "Vorname|Nachname|E-Mail-Adresse|Mobiltelefon|Firma|"
	                         "Stra\u00dfe gesch\u00e4ftlich|Ort gesch\u00e4ftlich|"
	                         "Postleitzahl gesch\u00e4ftlich|Land/Region gesch\u00e4ftlich"),
	                 "first_name;last_name;email;phone;company;street;city;postal_code;"
	                 "country;");
	ck_assert_str_eq(targets("contact", "Pr\u00e9nom|Nom de famille|Soci\u00e9t\u00e9|"
	                         "Pays/R\u00e9gion|Nom|Nombre|Nome|Naam"),
	                 "first_name;last_name;company;country;part;part;part;part;");
	ck_assert_str_eq(targets("contact", "\u0418\u043c\u044f|\u0424\u0430\u043c\u0438"
	                         "\u043b\u0438\u044f|\u041c\u043e\u0431\u0438\u043b\u044c"
	                         "\u043d\u044b\u0439 \u0442\u0435\u043b\u0435\u0444\u043e"
	                         "\u043d"),
	                 "first_name;last_name;phone;");
	ck_assert_str_eq(targets("company", "Firmenname|Branche|Anzahl der Mitarbeiter|Webseite|"
	                         "Telefonnummer|Ort|Land|Firmeninhaber"),
	                 "name;industry;size;website;phone;city;country;owner;");
	ck_assert_str_eq(targets("company", "Nom de l\u2019entreprise|Secteur d\u2019activit\u00e9|"
	                         "Nombre d\u2019employ\u00e9s|Site web|Ville|Pays/R\u00e9gion"),
	                 "name;industry;size;website;city;country;");
	ck_assert_str_eq(targets("company", "Nombre|Sector|Empleados|Sitio web|Ciudad|Pa\u00eds"),
	                 "name;industry;size;website;city;country;");
	ck_assert_str_eq(targets("company", "Nazwa firmy|Bran\u017ca|Liczba pracownik\u00f3w|"
	                         "Strona WWW|Miejscowo\u015b\u0107|Kraj"),
	                 "name;industry;size;website;city;country;");
	ck_assert_str_eq(targets("company", "\u041d\u0430\u0437\u0432\u0430\u043d\u0438"
	                         "\u0435 \u043a\u043e\u043c\u043f\u0430\u043d\u0438\u0438|"
	                         "\u0421\u0444\u0435\u0440\u0430 \u0434\u0435\u044f\u0442"
	                         "\u0435\u043b\u044c\u043d\u043e\u0441\u0442\u0438|\u041a"
	                         "\u043e\u043b-\u0432\u043e \u0441\u043e\u0442\u0440\u0443"
	                         "\u0434\u043d\u0438\u043a\u043e\u0432|\u0420\u0430\u0431"
	                         "\u043e\u0447\u0438\u0439 \u0442\u0435\u043b\u0435\u0444"
	                         "\u043e\u043d|\u041a\u043e\u0440\u043f\u043e\u0440\u0430"
	                         "\u0442\u0438\u0432\u043d\u044b\u0439 \u0441\u0430\u0439"
	                         "\u0442|\u041e\u0442\u0432\u0435\u0442\u0441\u0442\u0432"
	                         "\u0435\u043d\u043d\u044b\u0439"),
	                 "name;industry;size;phone;website;owner;");
	ck_assert_str_eq(targets("company", "Account Name|Account Owner|Billing City|"
	                         "Billing Country|Employees"),
	                 "name;owner;city;country;size;");
}
END_TEST

START_TEST(test_own_output_round_trips)
{
	ck_assert_str_eq(targets("contact", "id|first_name|email|company|tags|status|"
	                         "created_at|updated_at|custom.tier|phone_e164"),
	                 "id;first_name;email;company;tags;status;created_at;ignore;custom:tier;ignore;");
	ck_assert_str_eq(targets("company", "id|name|domain|created_at|custom.x|tags"),
	                 "id;name;domain;created_at;custom:x;tags;");
	ck_assert_str_eq(targets("contact", "custom.|Shoe size"), "?;?;");
}
END_TEST

/* When other systems made a record; a shop's Created at is its order's time. */
START_TEST(test_creation_times)
{
	ck_assert_str_eq(targets("contact", "Create Date|Created Time|Date Created|Updated At"),
	                 "created_at;created_at;created_at;ignore;");
	ck_assert_str_eq(targets("deal", "Deal created|Deal - Deal created|Created Date"),
	                 "created_at;created_at;created_at;");
	ck_assert_str_eq(targets("purchase", "Created at|created_at"), "at;at;");
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
	tcase_add_test(tc, test_properties_of_an_api);
	tcase_add_test(tc, test_other_systems_ids);
	tcase_add_test(tc, test_question_implies_kind);
	tcase_add_test(tc, test_other_languages);
	tcase_add_test(tc, test_own_output_round_trips);
	tcase_add_test(tc, test_creation_times);
	suite_add_tcase(s, tc);
	return s;
}
