/* check_campaign.c - campaigns at the library level: messages sent into an
 * mbox and parsed back by GMime (crm_mail_parse), who is excluded and
 * why, a second run, unsubscribe tokens and their forgeries, and the
 * days triggers greet around 29 February. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"
#include "fixture.h"

static int64_t add(crm_db *db, const char *entity, const char *const *kv)
{
	crm_record *r;
	int64_t id = 0;

	ck_assert_int_eq(crm_record_new(&r, crm_entity_find(entity)), CRM_OK);
	for (; *kv; kv += 2)
		ck_assert_msg(crm_record_set(r, kv[0], kv[1]) == CRM_OK, "%s: %s", kv[0],
		              crm_error_message());
	ck_assert_msg(crm_entity_add(db, r, &id) == CRM_OK, "%s", crm_error_message());
	crm_record_free(r);
	return id;
}

/* People: 1 granted, 2 denied, 3 no consent, 4 granted with a hostile
 * name; a segment of all, a template and campaign 1. */
static crm_db *setup(void)
{
	crm_db *db = fx_open(true);
	struct crm_template_text t = { "t", NULL, "Hi {{first_name}}", NULL,
		                       "Hello {{first_name|you}}\n{{unsubscribe_url}}\n", "t.txt",
		                       NULL, NULL };
	struct crm_segment_filter all = { "where", "email ~ @" };
	int64_t id;

	add(db, "contact", (const char *const[]){ "first_name", "Ада", "email", "a@example.org",
	                                          NULL });
	add(db, "contact", (const char *const[]){ "first_name", "Bo", "email", "b@example.org",
	                                          NULL });
	add(db, "contact", (const char *const[]){ "first_name", "Cy", "email", "c@example.org",
	                                          NULL });
	add(db, "contact", (const char *const[]){ "first_name", "Eve\r\nBcc: x@example.net",
	                                          "email", "e@example.org", NULL });
	ck_assert_int_eq(crm_contact_consent_set(db, 1, "email", "granted", "form"), CRM_OK);
	ck_assert_int_eq(crm_contact_consent_set(db, 2, "email", "denied", "form"), CRM_OK);
	ck_assert_int_eq(crm_contact_consent_set(db, 4, "email", "granted", "form"), CRM_OK);
	ck_assert_int_eq(crm_segment_add(db, "all", &all, 1, 0, &id), CRM_OK);
	ck_assert_msg(crm_template_store(db, &t, 0) == CRM_OK, "%s", crm_error_message());
	add(db, "campaign", (const char *const[]){ "name", "c", "segment", "all", "template", "t",
	                                           "from", "shop@example.org", NULL });
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	return db;
}

struct parsed {
	int n;
	char to[4][64], subject[4][64];
};

static int keep(void *arg, const char *label, const char *raw, size_t len)
{
	struct parsed *p = arg;
	struct crm_mail *m = NULL;

	(void)label;
	ck_assert_int_eq(crm_mail_parse(&m, raw, len, 0), CRM_OK);
	ck_assert_int_lt(p->n, 4);
	snprintf(p->to[p->n], sizeof p->to[0], "%s", m->to ? m->to : "");
	snprintf(p->subject[p->n], sizeof p->subject[0], "%s", m->subject ? m->subject : "");
	p->n++;
	crm_mail_free(m);
	return 0;
}

START_TEST(test_send_parse_back)
{
	crm_db *db = setup();
	struct crm_send_opts o = { 0 };
	struct crm_send_tally t;
	struct parsed p = { 0 };
	char to[160];

	snprintf(to, sizeof to, "mbox:%s/out.mbox", fx_dir);
	o.to = to;
	ck_assert_msg(crm_campaign_send(db, 1, &o, NULL, NULL, &t) == CRM_OK, "%s",
	              crm_error_message());
	ck_assert_int_eq(t.members, 4);
	ck_assert_int_eq(t.sent, 2);
	ck_assert_int_eq(t.excluded[CRM_EXCL_DENIED], 1);
	ck_assert_int_eq(t.excluded[CRM_EXCL_NO_CONSENT], 1);
	ck_assert_int_eq(crm_mail_each_mbox(to + 5, keep, &p), CRM_OK);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(p.to[0], "a@example.org");
	ck_assert_str_eq(p.subject[0], "Hi Ада");
	ck_assert_str_eq(p.to[1], "e@example.org");
	/* The newline in the name became a space: no header of its own. */
	ck_assert_str_eq(p.subject[1], "Hi Eve Bcc: x@example.net");
	/* A second run: everybody is there already. */
	ck_assert_int_eq(crm_campaign_send(db, 1, &o, NULL, NULL, &t), CRM_OK);
	ck_assert_int_eq(t.sent, 0);
	ck_assert_int_eq(t.already, 2);
	fx_close(db);
}
END_TEST

START_TEST(test_tokens)
{
	crm_db *db = setup();
	char a[CRM_TOKEN_MAX], b[CRM_TOKEN_MAX], forged[CRM_TOKEN_MAX];
	struct crm_unsubscribe u;
	size_t n;

	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_campaign_token(db, 1, 1, a), CRM_OK);
	ck_assert_int_eq(crm_campaign_token(db, 1, 4, b), CRM_OK);
	ck_assert_int_eq(strncmp(a, "1.1.", 4), 0);
	ck_assert_uint_eq(strlen(a), 4 + 24);
	ck_assert_str_ne(a + 4, b + 4);
	/* Another person's signature, a changed digit, no signature. */
	snprintf(forged, sizeof forged, "1.4.%s", a + 4);
	ck_assert_int_eq(crm_campaign_unsubscribe(db, forged, &u), CRM_EDATA);
	n = strlen(a);
	snprintf(forged, sizeof forged, "%s", a);
	forged[n - 1] = forged[n - 1] == '0' ? '1' : '0';
	ck_assert_int_eq(crm_campaign_unsubscribe(db, forged, &u), CRM_EDATA);
	ck_assert_int_eq(crm_campaign_unsubscribe(db, "1.1", &u), CRM_EDATA);
	ck_assert_int_eq(crm_campaign_unsubscribe(db, "", &u), CRM_EDATA);
	ck_assert_int_eq(crm_campaign_unsubscribe(db, a, &u), CRM_OK);
	ck_assert_int_eq(u.named, 1);
	ck_assert_int_eq(u.person, 1);
	ck_assert_int_eq(u.was, CRM_UNSUB_WITHDRAWN);
	ck_assert_int_eq(crm_campaign_unsubscribe(db, a, &u), CRM_OK);
	ck_assert_int_eq(u.was, CRM_UNSUB_ALREADY);
	fx_close(db);
}
END_TEST

static int count_sent(void *arg, const struct crm_send_event *e)
{
	char *seen = arg;
	size_t n = strlen(seen);

	snprintf(seen + n, 256 - n, "%s ", e->email);
	return 0;
}

/* Who a birthday trigger greets on day (a dry run). */
static void greets(crm_db *db, const char *day, const char *want)
{
	struct crm_send_opts o = { .dry_run = 1 };
	struct crm_send_tally t;
	char seen[256] = "";

	ck_assert_msg(crm_triggers_run(db, day, &o, count_sent, seen, &t) == CRM_OK, "%s",
	              crm_error_message());
	ck_assert_msg(!strcmp(seen, want), "%s: greeted '%s', not '%s'", day, seen, want);
}

START_TEST(test_trigger_days)
{
	crm_db *db = setup();
	crm_record *r;
	int64_t id;

	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_record_new(&r, crm_entity_find("contact")), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "birth_date", "2000-02-29"), CRM_OK);
	ck_assert_int_eq(crm_entity_update(db, r, 1, &(int){ 0 }), CRM_OK);
	crm_record_free(r);
	ck_assert_int_eq(crm_record_new(&r, crm_entity_find("campaign")), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "name", "b"), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "template", "t"), CRM_OK);
	ck_assert_int_eq(crm_record_set(r, "from", "shop@example.org"), CRM_OK);
	ck_assert_int_eq(crm_trigger_add(db, "birthday", 0, 0, r, &id), CRM_OK);
	crm_record_free(r);
	ck_assert_int_eq(crm_trigger_add(db, "wedding", 0, 0, NULL, &id), CRM_EUSAGE);
	ck_assert_int_eq(crm_db_commit(db), CRM_OK);
	greets(db, "2025-02-28", "a@example.org ");   /* no 29th in 2025 */
	greets(db, "2025-03-01", "");
	greets(db, "2024-02-28", "");                 /* 2024 has one */
	greets(db, "2024-02-29", "a@example.org ");
	greets(db, "2100-02-28", "a@example.org ");   /* not a leap year */
	greets(db, "2000-02-29", "");                 /* the day itself is no birthday */
	fx_close(db);
}
END_TEST

/* Reports that leave out the action or the status are read by what they
 * give; a delivered recipient is no bounce. */
START_TEST(test_bounce_fields)
{
	crm_db *db = setup();
	struct crm_dsn_rcpt r[] = {
		{ "a@example.org", NULL, "5.1.1", NULL },      /* hard by its status */
		{ "b@example.org", "failed", NULL, NULL },     /* hard by its action */
		{ "c@example.org", "delayed", NULL, NULL },    /* soft */
		{ "e@example.org", "delivered", "2.0.0", NULL },
		{ NULL, "failed", "5.0.0", NULL },
		{ "f@example.org", NULL, NULL, NULL },
	};
	struct crm_dsn d = { NULL, NULL, r, sizeof r / sizeof r[0] };
	struct crm_bounce_tally t = { 0 };

	ck_assert_int_eq(crm_db_begin(db, true), CRM_OK);
	ck_assert_int_eq(crm_campaign_bounce(db, &d, "r1", "2026-11-22T09:00:00Z", &t), CRM_OK);
	ck_assert_int_eq(t.hard, 2);
	ck_assert_int_eq(t.soft, 1);
	ck_assert_int_eq(t.marked, 2);
	ck_assert_int_eq(t.ignored, 3);
	/* The same report again changes nothing. */
	ck_assert_int_eq(crm_campaign_bounce(db, &d, "r1", "2026-11-22T09:00:00Z", &t), CRM_OK);
	ck_assert_int_eq(t.hard, 2);
	ck_assert_int_eq(t.marked, 2);
	fx_close(db);
}
END_TEST

START_TEST(test_exclusion_names)
{
	ck_assert_str_eq(crm_exclusion_name(CRM_EXCL_NO_CONSENT), "no-consent");
	ck_assert_str_eq(crm_exclusion_name(CRM_EXCL_UNSUBSCRIBED), "unsubscribed");
	ck_assert_ptr_null(crm_exclusion_name(CRM_EXCLUSIONS));
	ck_assert_ptr_null(crm_exclusion_name(-1));
	ck_assert(crm_template_known(NULL, "first_name"));
	ck_assert(crm_template_known(NULL, "custom.shoe_size"));
	ck_assert(crm_template_known(NULL, "company.domain"));
	ck_assert(crm_template_known(NULL, "unsubscribe_url"));
	ck_assert(!crm_template_known(NULL, "custom."));
	ck_assert(!crm_template_known(NULL, "company.shoe"));
	ck_assert(!crm_template_known(NULL, "frist_name"));
}
END_TEST

Suite *campaign_suite(void)
{
	Suite *s = suite_create("campaign");
	TCase *tc = tcase_create("campaign");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_send_parse_back);
	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_trigger_days);
	tcase_add_test(tc, test_bounce_fields);
	tcase_add_test(tc, test_exclusion_names);
	suite_add_tcase(s, tc);
	return s;
}
