/* check_config.c - the YAML configuration file. */
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm/calendar.h"
#include "crm/config.h"
#include "crm/error.h"

static char dir[PATH_MAX];
static char file[PATH_MAX + 16];

/* The variables the lookup reads, restored so tests run without fork too. */
static const char *const env_names[] = { "CRM_CONFIG", "XDG_CONFIG_HOME", "HOME" };
static char *env_saved[sizeof env_names / sizeof env_names[0]];

static void set_env(const char *name, const char *value)
{
	if (value)
		ck_assert_int_eq(setenv(name, value, 1), 0);
	else
		ck_assert_int_eq(unsetenv(name), 0);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	size_t i;

	for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++) {
		const char *v = getenv(env_names[i]);

		env_saved[i] = v ? strdup(v) : NULL;
	}
	snprintf(dir, sizeof dir, "%s/crm-config-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof file, "%s/config.yaml", dir);
	/* Keep the user's own configuration out of the default lookup. */
	set_env("CRM_CONFIG", NULL);
	set_env("XDG_CONFIG_HOME", dir);
	crm_error_clear();
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	size_t i;

	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++) {
		set_env(env_names[i], env_saved[i]);
		free(env_saved[i]);
		env_saved[i] = NULL;
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Loads text from the test file and asserts success. */
static crm_config *load_ok(const char *text)
{
	crm_config *c = NULL;

	write_file(file, text);
	ck_assert_msg(crm_config_load(&c, file) == CRM_OK, "%s", crm_error_message());
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Loads text and asserts CRM_EUSAGE with "FILE:" followed by the expected
 * "LINE:COLUMN: reason". */
static void load_fails(const char *text, const char *where_why)
{
	crm_config *c = (crm_config *)&c;
	char want[PATH_MAX + 256];

	write_file(file, text);
	ck_assert_int_eq(crm_config_load(&c, file), CRM_EUSAGE);
	ck_assert_ptr_null(c);
	snprintf(want, sizeof want, "%s:%s", file, where_why);
	ck_assert_str_eq(crm_error_message(), want);
}

static void assert_defaults(const crm_config *c)
{
	ck_assert_ptr_null(crm_config_database(c));
	ck_assert_str_eq(crm_config_region(c), "US");
	ck_assert_str_eq(crm_config_currency(c), "EUR");
	ck_assert_int_eq(crm_config_busy_timeout(c), -1);
}

START_TEST(test_full_file)
{
	crm_config *c = load_ok("# crm configuration\n"
				"database: /var/lib/crm/crm.db\n"
				"default_region: FR   # phone numbers\n"
				"base_currency: CHF\n"
				"busy_timeout: 2500\n");

	ck_assert_str_eq(crm_config_path(c), file);
	ck_assert_str_eq(crm_config_database(c), "/var/lib/crm/crm.db");
	ck_assert_str_eq(crm_config_region(c), "FR");
	ck_assert_str_eq(crm_config_currency(c), "CHF");
	ck_assert_int_eq(crm_config_busy_timeout(c), 2500);
	crm_config_free(c);
}
END_TEST

START_TEST(test_sales_defaults)
{
	crm_config *c = load_ok("busy_timeout: 1\n");
	const struct crm_pipeline *p;
	const struct crm_sales_target *t;

	ck_assert_int_eq(crm_config_pipelines(c, &p), 1);
	ck_assert_str_eq(p[0].name, "default");
	ck_assert_int_eq(p[0].nstages, 4);
	ck_assert_str_eq(p[0].stages[3].name, "negotiation");
	ck_assert_int_eq(p[0].stages[3].probability, 75);
	ck_assert_ptr_eq(crm_config_pipeline(c, NULL), &p[0]);
	ck_assert_ptr_null(crm_config_pipeline(c, "renewals"));
	ck_assert_int_eq(crm_pipeline_stage(&p[0], "proposal")->probability, 50);
	ck_assert_ptr_null(crm_pipeline_stage(&p[0], "won"));
	ck_assert_ptr_null(crm_config_lost_reasons(c));
	ck_assert_int_eq(crm_config_targets(c, &t), 0);
	ck_assert(crm_config_urgency(c)->high == 6.0);
	crm_config_free(c);
}
END_TEST

START_TEST(test_sales_keys)
{
	crm_config *c = load_ok("base_currency: USD\n"
				"pipelines:\n"
				"  sales:\n"
				"    - { stage: lead, probability: 10, rot_days: 7 }\n"
				"    - { stage: won-ish, probability: 90 }\n"
				"  renewals:\n"
				"    - stage: due\n"
				"      probability: 60\n"
				"lost_reasons: [price, timing]\n"
				"targets:\n"
				"  - { period: 2026-Q4, amount: 120000 }\n"
				"  - { period: 2026-11, owner: alice, amount: 500.5 EUR }\n"
				"task_urgency: { overdue: 2.5, low: -1 }\n");
	const struct crm_pipeline *p;
	const struct crm_sales_target *t;

	ck_assert_int_eq(crm_config_pipelines(c, &p), 2);
	ck_assert_str_eq(crm_config_pipeline(c, NULL)->name, "sales");
	ck_assert_int_eq(crm_config_pipeline(c, "sales")->stages[0].rot_days, 7);
	ck_assert_int_eq(crm_config_pipeline(c, "sales")->stages[1].rot_days, 14);
	ck_assert_int_eq(crm_config_pipeline(c, "renewals")->stages[0].probability, 60);
	ck_assert_str_eq(crm_config_lost_reasons(c)[1], "timing");
	ck_assert_ptr_null(crm_config_lost_reasons(c)[2]);
	ck_assert_int_eq(crm_config_targets(c, &t), 2);
	ck_assert_str_eq(t[0].period, "2026-Q4");
	ck_assert_ptr_null(t[0].owner);
	ck_assert_int_eq(t[0].amount, 12000000);
	ck_assert_str_eq(t[0].currency, "USD");
	ck_assert_str_eq(t[1].owner, "alice");
	ck_assert_int_eq(t[1].amount, 50050);
	ck_assert_str_eq(t[1].currency, "EUR");
	ck_assert(crm_config_urgency(c)->overdue == 2.5);
	ck_assert(crm_config_urgency(c)->low == -1.0);
	ck_assert(crm_config_urgency(c)->high == 6.0);
	crm_config_free(c);
}
END_TEST

START_TEST(test_sales_errors)
{
	load_fails("pipelines:\n  sales: lead\n",
		   "2:10: expected the stages of pipeline 'sales' (a sequence)");
	load_fails("pipelines:\n {  }\n", "2:2: 'pipelines' names no pipeline");
	load_fails("pipelines: {}\n", "1:12: 'pipelines' names no pipeline");
	load_fails("pipelines:\n  sales:\n    - { stage: lead }\n",
		   "3:7: a stage needs a stage name and a probability");
	load_fails("pipelines:\n  sales:\n    - { stage: lead, probability: 120 }\n",
		   "3:35: expected an integer from 0 to 100 for 'probability', found 120");
	load_fails("pipelines:\n  s:\n    - { stage: a, probability: 1 }\n"
		   "    - { stage: a, probability: 2 }\n",
		   "4:7: stage 'a' twice in pipeline 's'");
	load_fails("pipelines:\n  s:\n    - { stage: a, probability: 1, color: red }\n",
		   "3:35: unknown key 'color' (a stage has stage, probability and rot_days)");
	load_fails("targets:\n  - { period: next-year, amount: 5 }\n",
		   "2:15: invalid period 'next-year' (expected a year, a quarter or a month:"
		   " 2026, 2026-Q4, 2026-11)");
	load_fails("targets:\n  - { period: 2026, amount: 5.1234 }\n",
		   "2:29: '5.1234' has more decimals than EUR's 2");
	load_fails("targets:\n  - { period: 2026 }\n", "2:5: a target needs a period and an amount");
	load_fails("task_urgency: { urgent: 1 }\n",
		   "1:17: unknown key 'urgent' (expected overdue, high, normal, low or deal)");
	load_fails("task_urgency: { high: lots }\n", "1:23: expected a number for 'high'");
	load_fails("lost_reasons: price\n", "1:15: expected a list of reasons for 'lost_reasons',"
		   " found 'price'");
}
END_TEST

START_TEST(test_quoted_values)
{
	crm_config *c = load_ok("database: '/srv/my crm.db'\n"
				"default_region: \"no\"\n"
				"busy_timeout: \"0\"\n");

	ck_assert_str_eq(crm_config_database(c), "/srv/my crm.db");
	ck_assert_str_eq(crm_config_region(c), "NO");
	ck_assert_int_eq(crm_config_busy_timeout(c), 0);
	crm_config_free(c);
}
END_TEST

START_TEST(test_empty_file)
{
	crm_config *c = load_ok("");

	assert_defaults(c);
	ck_assert_str_eq(crm_config_path(c), file);
	crm_config_free(c);
}
END_TEST

START_TEST(test_comments_only)
{
	crm_config *c = load_ok("# nothing configured yet\n\n   # indented comment\n");

	assert_defaults(c);
	crm_config_free(c);
}
END_TEST

START_TEST(test_bare_document)
{
	crm_config *c = load_ok("---\n...\n");

	assert_defaults(c);
	crm_config_free(c);
}
END_TEST

START_TEST(test_case_folding)
{
	crm_config *c = load_ok("default_region: gb\nbase_currency: uSd\n");

	ck_assert_str_eq(crm_config_region(c), "GB");
	ck_assert_str_eq(crm_config_currency(c), "USD");
	crm_config_free(c);
}
END_TEST

START_TEST(test_database_wrong_type)
{
	load_fails("database:\n  - a.db\n  - b.db\n",
		   "2:3: expected a path for 'database', found a sequence");
	load_fails("busy_timeout: 1\ndatabase: {file: a.db}\n",
		   "2:11: expected a path for 'database', found a mapping");
	load_fails("database: ''\n", "1:11: expected a path for 'database', found ''");
	load_fails("database: \"a\\0b\"\n",
		   "1:11: expected a path for 'database', found 'a'");
}
END_TEST

START_TEST(test_database_null)
{
	load_fails("database: ~\n", "1:11: expected a path for 'database', found null");
}
END_TEST

START_TEST(test_region_wrong_type)
{
	load_fails("default_region: [FR]\n",
		   "1:17: expected a 2-letter region code for 'default_region', found a sequence");
	load_fails("# region\n  default_region:   F1\n",
		   "2:21: expected a 2-letter region code for 'default_region', found 'F1'");
}
END_TEST

START_TEST(test_region_length)
{
	load_fails("default_region: USA\n",
		   "1:17: expected a 2-letter region code for 'default_region', found 'USA'");
	load_fails("default_region: U\n",
		   "1:17: expected a 2-letter region code for 'default_region', found 'U'");
	load_fails("default_region: \"\xc3\xa9\"\n",
		   "1:17: expected a 2-letter region code for 'default_region', found '\xc3\xa9'");
}
END_TEST

START_TEST(test_currency_wrong_type)
{
	load_fails("base_currency:\n  code: EUR\n",
		   "2:3: expected a 3-letter currency code for 'base_currency', found a mapping");
	load_fails("base_currency: EURO\n",
		   "1:16: expected a 3-letter currency code for 'base_currency', found 'EURO'");
	load_fails("base_currency: E1R\n",
		   "1:16: expected a 3-letter currency code for 'base_currency', found 'E1R'");
}
END_TEST

/* A code of the right shape that names nothing is refused on loading,
 * not later as the fault of each phone number or amount typed. */
START_TEST(test_unknown_codes)
{
	load_fails("default_region: ZZ\n",
		   "1:17: unknown region 'ZZ' for 'default_region' (an ISO 3166-1 alpha-2 code"
		   " such as GB)");
	load_fails("base_currency: xyz\n",
		   "1:16: unknown currency 'xyz' for 'base_currency' (an ISO 4217 code such as"
		   " EUR)");
}
END_TEST

START_TEST(test_busy_timeout_wrong_type)
{
	load_fails("busy_timeout: abc\n",
		   "1:15: expected a non-negative integer for 'busy_timeout', found 'abc'");
	load_fails("busy_timeout: -5\n",
		   "1:15: expected a non-negative integer for 'busy_timeout', found '-5'");
	load_fails("busy_timeout: 0x10\n",
		   "1:15: expected a non-negative integer for 'busy_timeout', found '0x10'");
	load_fails("busy_timeout: [1]\n",
		   "1:15: expected a non-negative integer for 'busy_timeout', found a sequence");
	load_fails("busy_timeout: 99999999999999999999999\n",
		   "1:15: value '99999999999999999999999' for 'busy_timeout' is too large");
}
END_TEST

START_TEST(test_unknown_key)
{
	load_fails("# crm\ndatabase: a.db\nx: 1\n", "3:1: unknown key 'x'");
}
END_TEST

START_TEST(test_duplicate_key)
{
	load_fails("busy_timeout: 10\ndatabase: a.db\nbusy_timeout: 20\n",
		   "3:1: duplicate key 'busy_timeout'");
}
END_TEST

START_TEST(test_bad_key)
{
	load_fails("[a, b]: 1\n", "1:1: expected a key name, found a sequence");
}
END_TEST

START_TEST(test_top_level_not_mapping)
{
	load_fails("- database\n", "1:1: expected a mapping at the top level, found a sequence");
	load_fails("hello\n", "1:1: expected a mapping at the top level, found a scalar");
}
END_TEST

START_TEST(test_two_documents)
{
	load_fails("database: a.db\n---\ndatabase: b.db\n", "2:1: expected a single document");
}
END_TEST

START_TEST(test_syntax_error)
{
	load_fails("database: a.db\ndefault_region: FR: x\n",
		   "2:19: mapping values are not allowed in this context");
	load_fails("database: [a.db\n",
		   "2:1: did not find expected ',' or ']' "
		   "(while parsing a flow sequence at line 1 column 11)");
	load_fails("database: *nowhere\n", "1:11: found undefined alias");
}
END_TEST

START_TEST(test_bad_encoding)
{
	load_fails("database: a.db\ndefault_region: \xff\n",
		   "2:17: invalid leading UTF-8 octet");
}
END_TEST

START_TEST(test_missing_explicit)
{
	crm_config *c = (crm_config *)&c;
	char path[PATH_MAX + 16], want[PATH_MAX + 64];

	snprintf(path, sizeof path, "%s/absent.yaml", dir);
	ck_assert_int_eq(crm_config_load(&c, path), CRM_EIO);
	ck_assert_ptr_null(c);
	snprintf(want, sizeof want, "cannot open '%s': No such file or directory", path);
	ck_assert_str_eq(crm_error_message(), want);
}
END_TEST

START_TEST(test_env_config)
{
	crm_config *c = NULL;

	write_file(file, "busy_timeout: 42\n");
	set_env("CRM_CONFIG", file);
	ck_assert_int_eq(crm_config_load(&c, NULL), CRM_OK);
	ck_assert_str_eq(crm_config_path(c), file);
	ck_assert_int_eq(crm_config_busy_timeout(c), 42);
	crm_config_free(c);
}
END_TEST

START_TEST(test_env_config_missing)
{
	crm_config *c = NULL;
	char path[PATH_MAX + 16], xdg[PATH_MAX + 32];

	/* A set $CRM_CONFIG wins even over an existing user file. */
	snprintf(xdg, sizeof xdg, "%s/crm", dir);
	ck_assert_int_eq(mkdir(xdg, 0700), 0);
	snprintf(xdg, sizeof xdg, "%s/crm/config.yaml", dir);
	write_file(xdg, "busy_timeout: 7\n");
	snprintf(path, sizeof path, "%s/absent.yaml", dir);
	set_env("CRM_CONFIG", path);
	ck_assert_int_eq(crm_config_load(&c, NULL), CRM_EIO);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_xdg_lookup)
{
	crm_config *c = NULL;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof path, "%s/crm", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/crm/config.yaml", dir);
	write_file(path, "base_currency: gbp\n");
	set_env("CRM_CONFIG", "");
	ck_assert_int_eq(crm_config_load(&c, NULL), CRM_OK);
	ck_assert_str_eq(crm_config_path(c), path);
	ck_assert_str_eq(crm_config_currency(c), "GBP");
	crm_config_free(c);
}
END_TEST

START_TEST(test_home_lookup)
{
	crm_config *c = NULL;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof path, "%s/.config", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/.config/crm", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/.config/crm/config.yaml", dir);
	write_file(path, "default_region: de\n");
	set_env("XDG_CONFIG_HOME", NULL);
	set_env("HOME", dir);
	ck_assert_int_eq(crm_config_load(&c, NULL), CRM_OK);
	ck_assert_str_eq(crm_config_path(c), path);
	ck_assert_str_eq(crm_config_region(c), "DE");
	crm_config_free(c);
}
END_TEST

START_TEST(test_no_file_defaults)
{
	crm_config *c = NULL;

	if (access("/etc/crm/config.yaml", F_OK) == 0)
		return; /* the system file would rightly be found */
	ck_assert_int_eq(crm_config_load(&c, NULL), CRM_OK);
	ck_assert_ptr_null(crm_config_path(c));
	assert_defaults(c);
	crm_config_free(c);
}
END_TEST

START_TEST(test_home_expansion)
{
	crm_config *c;
	char want[PATH_MAX + 32];

	set_env("HOME", "/home/ada/");
	c = load_ok("database: ~/crm/crm.db\n");
	ck_assert_str_eq(crm_config_database(c), "/home/ada/crm/crm.db");
	crm_config_free(c);

	set_env("HOME", dir);
	c = load_ok("database: ~/x.db\n");
	snprintf(want, sizeof want, "%s/x.db", dir);
	ck_assert_str_eq(crm_config_database(c), want);
	crm_config_free(c);

	c = load_ok("database: ~ada/x.db\n");
	ck_assert_str_eq(crm_config_database(c), "~ada/x.db");
	crm_config_free(c);
}
END_TEST

/* The paths of the configuration name files beside it, from any current
 * folder (cron runs in $HOME): all but database, which crm-config(5)
 * takes from the current folder. */
START_TEST(test_paths_beside_the_file)
{
	static const char ics[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	                          "BEGIN:VEVENT\r\nUID:1@t\r\nDTSTART;VALUE=DATE:20261225\r\n"
	                          "END:VEVENT\r\nEND:VCALENDAR\r\n";
	static const char yaml[] = "database: team.db\ncalendars:\n  office:\n    holiday_file: hol.ics\n"
	                           "mail:\n  reject: rejected\n";
	char hol[PATH_MAX + 16], want[PATH_MAX + 16], cwd[PATH_MAX];
	const int64_t christmas = 1798156800; /* 2026-12-25T00:00:00Z */
	crm_config *c = NULL;

	snprintf(hol, sizeof hol, "%s/hol.ics", dir);
	write_file(hol, ics);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir("/"), 0);
	c = load_ok(yaml);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(crm_calendar_elapsed(crm_config_calendar(c, "office"), christmas,
	                                      christmas + 86400), 0);
	ck_assert_int_eq(crm_calendar_elapsed(crm_config_calendar(c, "office"), christmas - 3600,
	                                      christmas), 3600);
	snprintf(want, sizeof want, "%s/rejected", dir);
	ck_assert_str_eq(crm_config_mail(c)->reject, want);
	ck_assert_str_eq(crm_config_database(c), "team.db");
	crm_config_free(c);
	/* A configuration named relative to the current folder. */
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(crm_config_load(&c, "config.yaml"), CRM_OK);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_str_eq(crm_config_mail(c)->reject, "rejected");
	crm_config_free(c);
	/* Absolute, and in the home folder. */
	set_env("HOME", "/home/ada");
	c = load_ok("mail:\n  reject: ~/Maildir/.rejected\n");
	ck_assert_str_eq(crm_config_mail(c)->reject, "/home/ada/Maildir/.rejected");
	crm_config_free(c);
	c = load_ok("mail:\n  reject: /var/mail/rejected\n");
	ck_assert_str_eq(crm_config_mail(c)->reject, "/var/mail/rejected");
	crm_config_free(c);
}
END_TEST

START_TEST(test_home_unset)
{
	set_env("HOME", NULL);
	load_fails("database: ~/x.db\n", "1:11: cannot expand '~/x.db': HOME is not set");
}
END_TEST

START_TEST(test_free_null)
{
	crm_config_free(NULL);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_quoted_values);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_comments_only);
	tcase_add_test(tc, test_bare_document);
	tcase_add_test(tc, test_case_folding);
	tcase_add_test(tc, test_database_wrong_type);
	tcase_add_test(tc, test_database_null);
	tcase_add_test(tc, test_region_wrong_type);
	tcase_add_test(tc, test_region_length);
	tcase_add_test(tc, test_currency_wrong_type);
	tcase_add_test(tc, test_unknown_codes);
	tcase_add_test(tc, test_busy_timeout_wrong_type);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_bad_key);
	tcase_add_test(tc, test_top_level_not_mapping);
	tcase_add_test(tc, test_two_documents);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_bad_encoding);
	tcase_add_test(tc, test_missing_explicit);
	tcase_add_test(tc, test_env_config);
	tcase_add_test(tc, test_env_config_missing);
	tcase_add_test(tc, test_xdg_lookup);
	tcase_add_test(tc, test_home_lookup);
	tcase_add_test(tc, test_no_file_defaults);
	tcase_add_test(tc, test_home_expansion);
	tcase_add_test(tc, test_home_unset);
	tcase_add_test(tc, test_paths_beside_the_file);
	tcase_add_test(tc, test_free_null);
	tcase_add_test(tc, test_sales_defaults);
	tcase_add_test(tc, test_sales_keys);
	tcase_add_test(tc, test_sales_errors);
	suite_add_tcase(s, tc);
	return s;
}
