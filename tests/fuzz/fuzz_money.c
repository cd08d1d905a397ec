/* fuzz_money.c - amounts, rates, conversion and weighted sums.
 *
 * The input, and each of its first lines, is read as an amount (with and
 * without a default currency) and as a rate.  Whatever parses must come
 * back unchanged through its formatter, or the target aborts so that the
 * fuzzer reports it.  The first two amounts and the first two rates then
 * drive a conversion, a cross rate, an addition and a weighted sum, each
 * checked against what must hold whatever the values.
 */
#include "crm/error.h"
#include "crm/money.h"
#include "fuzz.h"

#define MAX_LINES 8

struct found {
	struct crm_money amounts[2];
	struct crm_rate rates[2];
	int namounts, nrates;
};

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_amount(const struct crm_money *m)
{
	char text[CRM_MONEY_TEXT];
	struct crm_money back;

	check(crm_money_format(text, sizeof text, m) == CRM_OK);
	check(crm_money_parse(&back, text, NULL) == CRM_OK);
	check(back.minor == m->minor && strcmp(back.cur, m->cur) == 0);
	check(crm_money_format_amount(text, sizeof text, m) == CRM_OK);
	check(crm_money_parse(&back, text, m->cur) == CRM_OK);
	check(back.minor == m->minor && strcmp(back.cur, m->cur) == 0);
}

static void check_rate(const struct crm_rate *r)
{
	char text[CRM_RATE_TEXT];
	struct crm_rate back;

	check(crm_rate_format(text, sizeof text, r) == CRM_OK);
	check(crm_rate_parse(&back, text) == CRM_OK);
	check(back.num == r->num && back.scale == r->scale);
	check(crm_rate_cross(&back, r, r) == CRM_OK);
	check(back.num == 1 && back.scale == 0);
}

static void probe(struct found *f, const char *text)
{
	struct crm_money m;
	struct crm_rate r;

	if (crm_money_parse(&m, text, NULL) == CRM_OK) {
		check_amount(&m);
		if (f->namounts < 2)
			f->amounts[f->namounts++] = m;
	} else if (crm_money_parse(&m, text, "kwd") == CRM_OK) {
		check_amount(&m);
		check(strcmp(m.cur, "KWD") == 0);
	}
	if (crm_rate_parse(&r, text) == CRM_OK) {
		check_rate(&r);
		if (f->nrates < 2)
			f->rates[f->nrates++] = r;
	}
}

/* a converted at one rate for both currencies changes only by the
 * currencies' exponents; with equal exponents it must not change. */
static void convert(const struct crm_money *a, const char *to, const struct crm_rate *r1,
		    const struct crm_rate *r2)
{
	struct crm_money out;
	int rc = crm_money_convert(&out, a, to, r1, r1);

	check(rc == CRM_OK || rc == CRM_EDATA);
	if (crm_currency_exponent(a->cur) == crm_currency_exponent(to))
		check(rc == CRM_OK && out.minor == a->minor);
	rc = crm_money_convert(&out, a, to, r1, r2);
	check(rc == CRM_OK || rc == CRM_EDATA);
}

/* m × den / den comes back exactly, and adding agrees with C's check. */
static void sums(const struct crm_money *a, const struct crm_money *b, int64_t den)
{
	struct crm_money_weighted w;
	struct crm_money out;
	int64_t want;

	check(crm_money_weighted_init(&w, a->cur, den) == CRM_OK);
	check(crm_money_weighted_add(&w, a, den) == CRM_OK);
	check(crm_money_weighted_result(&out, &w) == CRM_OK && out.minor == a->minor);
	if (strcmp(a->cur, b->cur) != 0) {
		check(crm_money_add(&out, a, b) == CRM_EUSAGE);
		return;
	}
	if (__builtin_add_overflow(a->minor, b->minor, &want))
		check(crm_money_add(&out, a, b) == CRM_EDATA);
	else
		check(crm_money_add(&out, a, b) == CRM_OK && out.minor == want);
}

static void combine(const struct found *f)
{
	const struct crm_money *a = &f->amounts[0], *b;
	struct crm_rate x;
	int rc;

	if (f->namounts == 0)
		return;
	b = &f->amounts[f->namounts - 1];
	sums(a, b, f->nrates ? f->rates[0].num : 100);
	if (f->nrates == 0)
		return;
	convert(a, b->cur, &f->rates[0], &f->rates[f->nrates - 1]);
	convert(a, "usd", &f->rates[0], &f->rates[f->nrates - 1]);
	rc = crm_rate_cross(&x, &f->rates[0], &f->rates[f->nrates - 1]);
	check(rc == CRM_OK || rc == CRM_EDATA);
	if (rc == CRM_OK)
		check_rate(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *line, *nl;
	struct found f = { .namounts = 0, .nrates = 0 };
	struct found whole = f;

	if (!s)
		return 0;
	probe(&whole, s);
	line = s;
	for (int i = 0; i < MAX_LINES && line; i++, line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		probe(&f, line);
	}
	combine(&f);
	free(s);
	return 0;
}
