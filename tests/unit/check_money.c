/* check_money.c - currencies, amounts as text, rates, conversion, weighted
 * sums.  Expected values were worked out by hand or with `bc -l`, never
 * taken from the code under test. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crm/error.h"
#include "crm/money.h"

static void setup(void)
{
	crm_error_clear();
}

static struct crm_money money(int64_t minor, const char *cur)
{
	struct crm_money m = { minor, "" };

	snprintf(m.cur, sizeof m.cur, "%s", cur);
	return m;
}

static void money_is(const char *text, const char *def, int64_t minor, const char *cur)
{
	struct crm_money m = { 7, "XXX" };

	ck_assert_msg(crm_money_parse(&m, text, def) == CRM_OK, "'%s' rejected: %s", text,
		      crm_error_message());
	ck_assert_msg(m.minor == minor, "'%s' gave %lld, not %lld", text, (long long)m.minor,
		      (long long)minor);
	ck_assert_str_eq(m.cur, cur);
}

/* Checks that text is refused with exactly message, *out left alone. */
static void money_fails(const char *text, const char *def, const char *message)
{
	struct crm_money m = { 7, "XXX" };

	ck_assert_msg(crm_money_parse(&m, text, def) == CRM_EDATA, "'%s' accepted", text);
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), message);
	ck_assert_int_eq(m.minor, 7);
	ck_assert_str_eq(m.cur, "XXX");
}

static void format_is(int64_t minor, const char *cur, const char *want)
{
	struct crm_money m = money(minor, cur);
	char buf[CRM_MONEY_TEXT];

	ck_assert_int_eq(crm_money_format(buf, sizeof buf, &m), CRM_OK);
	ck_assert_str_eq(buf, want);
}

static struct crm_rate rate(const char *text)
{
	struct crm_rate r = { 0, 0 };

	ck_assert_msg(crm_rate_parse(&r, text) == CRM_OK, "rate '%s' rejected: %s", text,
		      crm_error_message());
	return r;
}

static void rate_is(const char *text, int64_t num, int scale)
{
	struct crm_rate r = rate(text);

	ck_assert_msg(r.num == num && r.scale == scale, "'%s' gave %lld/10^%d", text,
		      (long long)r.num, r.scale);
}

static void rate_fails(const char *text, const char *message)
{
	struct crm_rate r = { 7, 1 };

	ck_assert_msg(crm_rate_parse(&r, text) == CRM_EDATA, "rate '%s' accepted", text);
	ck_assert_str_eq(crm_error_message(), message);
	ck_assert(r.num == 7 && r.scale == 1);
}

static void rate_text_is(struct crm_rate r, const char *want)
{
	char buf[CRM_RATE_TEXT];

	ck_assert_int_eq(crm_rate_format(buf, sizeof buf, &r), CRM_OK);
	ck_assert_str_eq(buf, want);
}

static void cross_is(const char *a, const char *b, const char *want)
{
	struct crm_rate ra = rate(a), rb = rate(b), out = { 0, 0 };

	ck_assert_msg(crm_rate_cross(&out, &ra, &rb) == CRM_OK, "%s / %s: %s", a, b,
		      crm_error_message());
	rate_text_is(out, want);
}

/* Converts amount to currency `to` with rates given as text (NULL for the
 * base currency itself) and checks the formatted result. */
static void convert_is(const char *amount, const char *to, const char *from_rate,
		       const char *to_rate, const char *want)
{
	struct crm_money m, out = { 0, "" };
	struct crm_rate rf = from_rate ? rate(from_rate) : CRM_RATE_ONE;
	struct crm_rate rt = to_rate ? rate(to_rate) : CRM_RATE_ONE;
	char buf[CRM_MONEY_TEXT];

	ck_assert_int_eq(crm_money_parse(&m, amount, NULL), CRM_OK);
	ck_assert_msg(crm_money_convert(&out, &m, to, &rf, &rt) == CRM_OK, "%s to %s: %s",
		      amount, to, crm_error_message());
	ck_assert_int_eq(crm_money_format(buf, sizeof buf, &out), CRM_OK);
	ck_assert_str_eq(buf, want);
}

/* A reference formatter built from printf, independent of the module's. */
static void reference_text(char *buf, size_t size, int64_t v, const char *cur, int exp)
{
	uint64_t mag = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, unit = 1;

	for (int i = 0; i < exp; i++)
		unit *= 10;
	if (exp == 0)
		snprintf(buf, size, "%s%llu %s", v < 0 ? "-" : "", (unsigned long long)mag, cur);
	else
		snprintf(buf, size, "%s%llu.%0*llu %s", v < 0 ? "-" : "",
			 (unsigned long long)(mag / unit), exp,
			 (unsigned long long)(mag % unit), cur);
}

/* A fixed pseudo-random sequence (64-bit LCG, Knuth's MMIX constants). */
static uint64_t next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return *state;
}

START_TEST(test_currency_exponents)
{
	const char *zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
	const char *three = "BHD IQD JOD KWD LYD OMR TND";
	char code[4] = "", out[4] = "x";
	int n = 0, twos = 0;

	ck_assert_int_eq(crm_currency_exponent("JPY"), 0);
	ck_assert_int_eq(crm_currency_exponent("EUR"), 2);
	ck_assert_int_eq(crm_currency_exponent("KWD"), 3);
	ck_assert_int_eq(crm_currency_exponent("CLF"), 4);
	ck_assert_int_eq(crm_currency_exponent("UYW"), 4);
	ck_assert_int_eq(crm_currency_exponent("usd"), 2);
	ck_assert_int_eq(crm_currency_exponent("Gbp"), 2);
	ck_assert(crm_currency_valid_p("CHF") && crm_currency_valid_p("uzs"));
	ck_assert(crm_currency_valid_p("ZWG") && crm_currency_valid_p("XCG"));
	/* Unknown, withdrawn, without minor units, malformed. */
	ck_assert_int_eq(crm_currency_exponent("XYZ"), -1);
	ck_assert_int_eq(crm_currency_exponent("HRK"), -1);
	ck_assert_int_eq(crm_currency_exponent("ZWL"), -1);
	ck_assert_int_eq(crm_currency_exponent("XAU"), -1);
	ck_assert_int_eq(crm_currency_exponent("XXX"), -1);
	ck_assert_int_eq(crm_currency_exponent("EURO"), -1);
	ck_assert_int_eq(crm_currency_exponent("EU"), -1);
	ck_assert_int_eq(crm_currency_exponent(" EUR"), -1);
	ck_assert_int_eq(crm_currency_exponent(""), -1);
	ck_assert_int_eq(crm_currency_exponent(NULL), -1);
	ck_assert(!crm_currency_valid_p("E1R"));
	/* Every code is found (so the table is sorted), with the exponents of
	 * ISO 4217 list one: 167 codes, 17 without decimals, 7 with three, two
	 * (CLF, UYW) with four and the rest with two. */
	for (int i = 0; i < 26 * 26 * 26; i++) {
		int e;

		code[0] = (char)('A' + i / 676);
		code[1] = (char)('A' + i / 26 % 26);
		code[2] = (char)('A' + i % 26);
		if ((e = crm_currency_exponent(code)) < 0)
			continue;
		n++;
		twos += e == 2;
		ck_assert_msg((e == 0) == (strstr(zero, code) != NULL), "%s", code);
		ck_assert_msg((e == 3) == (strstr(three, code) != NULL), "%s", code);
		ck_assert_msg(e != 4 || !strcmp(code, "CLF") || !strcmp(code, "UYW"), "%s", code);
	}
	ck_assert_int_eq(n, 167);
	ck_assert_int_eq(twos, 167 - 17 - 7 - 2);
	ck_assert_int_eq(crm_currency_normalize(out, " eur\t"), CRM_OK);
	ck_assert_str_eq(out, "EUR");
	ck_assert_int_eq(crm_currency_normalize(out, "euro"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "unknown currency 'euro'");
	ck_assert_str_eq(out, "EUR");
}
END_TEST

START_TEST(test_parse_forms)
{
	money_is("1234.50 EUR", NULL, 123450, "EUR");
	money_is("EUR 1234.50", NULL, 123450, "EUR");
	money_is("-12 USD", NULL, -1200, "USD");
	money_is("USD -12", NULL, -1200, "USD");
	money_is("+3.5 eur", NULL, 350, "EUR");
	money_is("1234.5", "EUR", 123450, "EUR");
	money_is("1234.5", "chf", 123450, "CHF");
	money_is("  7 JPY \n", NULL, 7, "JPY");
	money_is("7\t \tJPY", NULL, 7, "JPY");
	money_is("jPy 7", "EUR", 7, "JPY");
	money_is("0.001 KWD", NULL, 1, "KWD");
	money_is("1.2345 CLF", NULL, 12345, "CLF");
	money_is("007.50 EUR", NULL, 750, "EUR");
	money_is("-0 EUR", NULL, 0, "EUR");
	money_is("-0.00", "USD", 0, "USD");
	money_is("0", "JPY", 0, "JPY");
	/* Trailing zeros past the currency's decimals carry no value, but
	 * for three after a group of up to three digits (below). */
	money_is("12.50000 EUR", NULL, 1250, "EUR");
	money_is("12.0 JPY", NULL, 12, "JPY");
	money_is("1234.000 EUR", NULL, 123400, "EUR");
	money_is("0.500 EUR", NULL, 50, "EUR");
	money_is("350.000 BHD", NULL, 350000, "BHD");
	money_is("-1.10000000000000000000000 KWD", NULL, -1100, "KWD");
}
END_TEST

START_TEST(test_parse_errors)
{
	money_fails("1234.5", NULL, "no currency in '1234.5'");
	money_fails(" 1234.5 ", NULL, "no currency in '1234.5'");
	money_fails("12 XYZ", NULL, "unknown currency 'XYZ'");
	money_fails("xyz 12", "EUR", "unknown currency 'xyz'");
	money_fails("12 EURO", NULL, "unknown currency 'EURO'");
	money_fails("12", "XYZ", "unknown currency 'XYZ'");
	money_fails("12.3456 EUR", NULL, "'12.3456 EUR' has more decimals than EUR's 2");
	/* A point before three digits may be a German thousands separator. */
	money_fails("350.000 JPY", NULL, "ambiguous amount '350.000 JPY': JPY has 0 decimals, so"
	            " the point may separate thousands (write 350000, or the decimals JPY has)");
	money_fails("-1.500 EUR", NULL, "ambiguous amount '-1.500 EUR': EUR has 2 decimals, so"
	            " the point may separate thousands (write -1500, or the decimals EUR has)");
	money_fails("12.5 JPY", NULL, "'12.5 JPY' has more decimals than JPY's 0");
	money_fails("0.0001 kwd", NULL, "'0.0001 kwd' has more decimals than KWD's 3");
	money_fails("1.2345", "eur", "'1.2345' has more decimals than EUR's 2");
	money_fails("12 EUR USD", NULL, "more than one currency in '12 EUR USD'");
	money_fails("EUR 12 EUR", NULL, "more than one currency in 'EUR 12 EUR'");
	money_fails("", "EUR", "invalid amount ''");
	money_fails("   ", "EUR", "invalid amount ''");
	money_fails("EUR", "EUR", "invalid amount 'EUR'");
	money_fails("EUR USD", NULL, "invalid amount 'EUR USD'");
	money_fails("12 13 EUR", NULL, "invalid amount '12 13 EUR'");
	money_fails("1 2 3 4", "EUR", "invalid amount '1 2 3 4'");
	money_fails("12EUR", NULL, "invalid amount '12EUR'");
	money_fails("EUR12", NULL, "invalid amount 'EUR12'");
	money_fails(".5 EUR", NULL, "invalid amount '.5 EUR'");
	money_fails("5. EUR", NULL, "invalid amount '5. EUR'");
	money_fails("1,234.50 EUR", NULL, "invalid amount '1,234.50 EUR'");
	money_fails("12,50 EUR", NULL, "invalid amount '12,50 EUR'");
	money_fails("1e3 EUR", NULL, "invalid amount '1e3 EUR'");
	money_fails("1.2.3 EUR", NULL, "invalid amount '1.2.3 EUR'");
	money_fails("- 12 EUR", NULL, "invalid amount '- 12 EUR'");
	money_fails("+-12 EUR", NULL, "invalid amount '+-12 EUR'");
	money_fails("-EUR 12", NULL, "invalid amount '-EUR 12'");
	money_fails("12 EUR.", NULL, "invalid amount '12 EUR.'");
	money_fails("0x10 EUR", NULL, "invalid amount '0x10 EUR'");
	money_fails("\xef\xbc\x91 EUR", NULL, "invalid amount '\xef\xbc\x91 EUR'");
	money_fails(NULL, "EUR", "invalid amount ''");
}
END_TEST

START_TEST(test_parse_extremes)
{
	money_is("92233720368547758.07 EUR", NULL, INT64_MAX, "EUR");
	money_is("-92233720368547758.08 EUR", NULL, INT64_MIN, "EUR");
	money_is("9223372036854775807 JPY", NULL, INT64_MAX, "JPY");
	money_is("-9223372036854775808 JPY", NULL, INT64_MIN, "JPY");
	money_is("922337203685477.5807 CLF", NULL, INT64_MAX, "CLF");
	money_is("-922337203685477.5808 CLF", NULL, INT64_MIN, "CLF");
	money_is("00000000000000000000000000001 JPY", NULL, 1, "JPY");
	money_fails("92233720368547758.08 EUR", NULL,
		    "amount out of range '92233720368547758.08 EUR'");
	money_fails("-92233720368547758.09 EUR", NULL,
		    "amount out of range '-92233720368547758.09 EUR'");
	money_fails("9223372036854775808 JPY", NULL,
		    "amount out of range '9223372036854775808 JPY'");
	money_fails("-9223372036854775809 JPY", NULL,
		    "amount out of range '-9223372036854775809 JPY'");
	money_fails("99999999999999999999999999 JPY", NULL,
		    "amount out of range '99999999999999999999999999 JPY'");
	money_fails("18446744073709551616 JPY", NULL,
		    "amount out of range '18446744073709551616 JPY'");
	/* Within range as written, but not in minor units. */
	money_fails("922337203685477581 EUR", NULL,
		    "amount out of range '922337203685477581 EUR'");
}
END_TEST

START_TEST(test_format)
{
	struct crm_money m = money(123450, "EUR"), bad = money(1, "XYZ");
	char buf[CRM_MONEY_TEXT], small[11];

	format_is(123450, "EUR", "1234.50 EUR");
	format_is(0, "EUR", "0.00 EUR");
	format_is(-5, "EUR", "-0.05 EUR");
	format_is(-1200, "USD", "-12.00 USD");
	format_is(1, "KWD", "0.001 KWD");
	format_is(1, "CLF", "0.0001 CLF");
	format_is(-10000, "CLF", "-1.0000 CLF");
	format_is(7, "JPY", "7 JPY");
	format_is(-7, "JPY", "-7 JPY");
	format_is(0, "jpy", "0 JPY");
	format_is(INT64_MAX, "EUR", "92233720368547758.07 EUR");
	format_is(INT64_MIN, "EUR", "-92233720368547758.08 EUR");
	format_is(INT64_MIN, "JPY", "-9223372036854775808 JPY");
	format_is(INT64_MIN, "CLF", "-922337203685477.5808 CLF");
	ck_assert_int_eq(crm_money_format_amount(buf, sizeof buf, &m), CRM_OK);
	ck_assert_str_eq(buf, "1234.50");
	/* "1234.50 EUR" needs 12 bytes. */
	ck_assert_int_eq(crm_money_format(small, sizeof small, &m), CRM_EUSAGE);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(crm_money_format(buf, 12, &m), CRM_OK);
	ck_assert_int_eq(crm_money_format(buf, sizeof buf, &bad), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "unknown currency 'XYZ'");
	ck_assert_str_eq(buf, "");
	/* A code field without its NUL is not read past, nor cut to EUR. */
	memcpy(bad.cur, "EURO", 4);
	ck_assert_int_eq(crm_money_format(buf, sizeof buf, &bad), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "unknown currency 'EURO'");
}
END_TEST

/* format then parse gives back every amount, and the text matches a
 * printf-built reference. */
START_TEST(test_round_trip)
{
	static const char *const curs[] = { "JPY", "EUR", "KWD", "CLF" };
	static const int exps[] = { 0, 2, 3, 4 };
	static const int64_t fixed[] = { 0, 1, -1, 9, 10, 99, 100, 101, 12345, -12345,
					 INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1 };
	uint64_t state = 42;
	char text[CRM_MONEY_TEXT], want[64];
	int count = 0;

	for (size_t c = 0; c < 4; c++) {
		for (int i = 0; i < 3000; i++) {
			uint64_t r = next_random(&state);
			/* Magnitudes of every size: shift away a random number of bits. */
			int64_t v = (int64_t)((r >> 1) >> (r % 64));
			struct crm_money m = money(i % 2 ? v : -v, curs[c]), back;

			if (i < 14)
				m.minor = fixed[i];
			reference_text(want, sizeof want, m.minor, curs[c], exps[c]);
			ck_assert_int_eq(crm_money_format(text, sizeof text, &m), CRM_OK);
			ck_assert_str_eq(text, want);
			ck_assert_int_eq(crm_money_parse(&back, text, NULL), CRM_OK);
			ck_assert_msg(back.minor == m.minor, "%s came back as %lld", text,
				      (long long)back.minor);
			ck_assert_str_eq(back.cur, curs[c]);
			ck_assert_int_eq(crm_money_format_amount(text, sizeof text, &m), CRM_OK);
			ck_assert_int_eq(crm_money_parse(&back, text, curs[c]), CRM_OK);
			ck_assert(back.minor == m.minor);
			count++;
		}
	}
	ck_assert_int_eq(count, 12000);
}
END_TEST

START_TEST(test_add)
{
	struct crm_money a = money(150, "EUR"), b = money(275, "eur"), out = { 0, "" };
	struct crm_money max = money(INT64_MAX, "EUR"), min = money(INT64_MIN, "EUR");
	struct crm_money one = money(1, "EUR"), minus = money(-1, "EUR"), usd = money(1, "USD");

	ck_assert_int_eq(crm_money_add(&out, &a, &b), CRM_OK);
	ck_assert_int_eq(out.minor, 425);
	ck_assert_str_eq(out.cur, "EUR");
	ck_assert_int_eq(crm_money_add(&out, &max, &minus), CRM_OK);
	ck_assert_int_eq(out.minor, INT64_MAX - 1);
	ck_assert_int_eq(crm_money_add(&out, &min, &max), CRM_OK);
	ck_assert_int_eq(out.minor, -1);
	ck_assert_int_eq(crm_money_add(&out, &max, &one), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "amount out of range '92233720368547758.07 EUR + 0.01 EUR'");
	ck_assert_int_eq(crm_money_add(&out, &min, &minus), CRM_EDATA);
	ck_assert_int_eq(out.minor, -1);
	ck_assert_int_eq(crm_money_add(&out, &a, &usd), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "cannot add USD to EUR");
}
END_TEST

START_TEST(test_rate_parse)
{
	rate_is("1.0876", 10876, 4);
	rate_is("157.29", 15729, 2);
	rate_is("0.0001234", 1234, 7);
	rate_is(" 1.50 ", 15, 1);
	rate_is("100", 100, 0);
	rate_is("100.000", 100, 0);
	rate_is("+2", 2, 0);
	rate_is("0.000000000000000001", 1, 18);
	rate_is("123456789012345678", 123456789012345678, 0);
	rate_is("1234567890.12345678", 123456789012345678, 8);
	rate_is("1000000000000000000", 1000000000000000000, 0);
	rate_fails("N/A", "invalid rate 'N/A'");
	rate_fails("", "invalid rate ''");
	rate_fails("1,5", "invalid rate '1,5'");
	rate_fails("1e5", "invalid rate '1e5'");
	rate_fails(".5", "invalid rate '.5'");
	rate_fails("1.5 EUR", "invalid rate '1.5 EUR'");
	rate_fails("0", "rate not positive '0'");
	rate_fails("0.000", "rate not positive '0.000'");
	rate_fails("-1.2", "rate not positive '-1.2'");
	rate_fails("-0", "rate not positive '-0'");
	rate_fails("1234567890.123456789",
		   "more than 18 significant digits in rate '1234567890.123456789'");
	rate_fails("9223372036854775807",
		   "more than 18 significant digits in rate '9223372036854775807'");
	rate_fails("0.0000000000000000001", "rate out of range '0.0000000000000000001'");
	rate_fails("10000000000000000000", "rate out of range '10000000000000000000'");
}
END_TEST

START_TEST(test_rate_format)
{
	struct crm_rate zero = { 0, 0 }, neg = { -5, 1 }, deep = { 1, 19 };
	struct crm_rate r = { 15000, 4 };
	char buf[CRM_RATE_TEXT];
	uint64_t state = 7;

	rate_text_is((struct crm_rate){ 10876, 4 }, "1.0876");
	rate_text_is((struct crm_rate){ 15000, 4 }, "1.5");
	rate_text_is((struct crm_rate){ 100, 0 }, "100");
	rate_text_is((struct crm_rate){ 1000, 3 }, "1");
	rate_text_is((struct crm_rate){ 1234, 7 }, "0.0001234");
	rate_text_is((struct crm_rate){ 1, 18 }, "0.000000000000000001");
	rate_text_is((struct crm_rate){ INT64_MAX, 18 }, "9.223372036854775807");
	rate_text_is((struct crm_rate){ INT64_MAX, 0 }, "9223372036854775807");
	ck_assert_int_eq(crm_rate_format(buf, sizeof buf, &zero), CRM_EUSAGE);
	ck_assert_int_eq(crm_rate_format(buf, sizeof buf, &neg), CRM_EUSAGE);
	ck_assert_int_eq(crm_rate_format(buf, sizeof buf, &deep), CRM_EUSAGE);
	ck_assert_int_eq(crm_rate_format(buf, 3, &r), CRM_EUSAGE);
	/* Parsing the text gives back the rate, trailing zeros stripped. */
	for (int i = 0; i < 5000; i++) {
		uint64_t x = next_random(&state);
		struct crm_rate back, in;

		in.num = (int64_t)(x % 1000000000000000000u) + 1;
		in.scale = (int)(x >> 59) % 19;

		ck_assert_int_eq(crm_rate_format(buf, sizeof buf, &in), CRM_OK);
		ck_assert_int_eq(crm_rate_parse(&back, buf), CRM_OK);
		while (in.scale > 0 && in.num % 10 == 0) {
			in.num /= 10;
			in.scale--;
		}
		ck_assert_msg(back.num == in.num && back.scale == in.scale, "%s", buf);
	}
}
END_TEST

START_TEST(test_rate_cross)
{
	struct crm_rate tiny = rate("0.000000000000000001"), big = rate("123456789012345678");
	struct crm_rate out = { 7, 1 }, bad = { 0, 0 };

	/* ECB quotes per euro; base USD: JPY per USD = 157.29 / 1.0876 =
	 * 144.6211842589187... (bc -l), 12 digits rounded. */
	cross_is("157.29", "1.0876", "144.621184259");
	cross_is("1.0876", "157.29", "0.00691461631382");
	cross_is("1", "157.29", "0.00635768326022");
	cross_is("1", "1.0876", "0.919455682236");
	cross_is("1.0876", "0.8571", "1.26893011317");
	cross_is("1", "3", "0.333333333333");
	cross_is("2", "3", "0.666666666667");
	cross_is("1.0876", "1.0876", "1");
	ck_assert_int_eq(crm_rate_cross(&out, &tiny, &tiny), CRM_OK);
	ck_assert(out.num == 1 && out.scale == 0); /* trailing zeros dropped */
	out.num = 7;
	out.scale = 1;
	cross_is("157.29", "1", "157.29");
	/* Ties at the 13th digit go to the even neighbour. */
	cross_is("2.00000000001", "2", "1");
	cross_is("2.00000000003", "2", "1.00000000002");
	cross_is("1.000000000005", "1", "1");
	cross_is("1.000000000015", "1", "1.00000000002");
	cross_is("1.0000000000051", "1", "1.00000000001");
	/* Large quotients keep 12 digits with zeros after them; tiny ones lose
	 * digits past the 18th decimal: 0.0000000124942499998438... */
	cross_is("7", "0.000000000000000003", "2333333333330000000");
	cross_is("0.0001234", "9876.54321", "0.00000001249425");
	ck_assert_int_eq(crm_rate_cross(&out, &big, &tiny), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "cross rate out of range '123456789012345678 / 0.000000000000000001'");
	ck_assert_int_eq(crm_rate_cross(&out, &tiny, &big), CRM_EDATA);
	ck_assert(out.num == 7 && out.scale == 1);
	ck_assert_int_eq(crm_rate_cross(&out, &bad, &big), CRM_EUSAGE);
	ck_assert_int_eq(crm_rate_cross(&out, &big, &bad), CRM_EUSAGE);
}
END_TEST

START_TEST(test_convert)
{
	/* Base EUR; JPY 157.29, USD 1.0876, GBP 0.8571, KWD 0.3345 per euro. */
	convert_is("1000 JPY", "EUR", "157.29", NULL, "6.36 EUR");  /* 6.35768... */
	convert_is("6.36 EUR", "JPY", NULL, "157.29", "1000 JPY"); /* 1000.3644 */
	convert_is("100 USD", "jpy", "1.0876", "157.29", "14462 JPY"); /* 14462.118... */
	convert_is("250 USD", "EUR", "1.0876", NULL, "229.86 EUR");    /* 229.8639... */
	convert_is("9999.99 GBP", "USD", "0.8571", "1.0876", "12689.29 USD"); /* .2884... */
	convert_is("1 KWD", "EUR", "0.3345", NULL, "2.99 EUR");      /* 2.98953... */
	convert_is("10.00 EUR", "KWD", NULL, "0.3345", "3.345 KWD");
	convert_is("10.01 EUR", "KWD", NULL, "0.3345", "3.348 KWD"); /* 3.348345 */
	convert_is("-10.01 EUR", "KWD", NULL, "0.3345", "-3.348 KWD");
	convert_is("1.2345 CLF", "CLP", NULL, "38000.5", "46912 CLP"); /* 46911.61725 */
	/* A rate with 18 decimals: 20161290142.77135... IDR. */
	convert_is("1234567.89 USD", "IDR", "0.000061234567890123", NULL, "20161290142.77 IDR");
	convert_is("0 USD", "JPY", "1.0876", "157.29", "0 JPY");
}
END_TEST

START_TEST(test_convert_half_even)
{
	/* Exact halves of a cent, rounded to the even cent both ways. */
	convert_is("0.125 KWD", "EUR", NULL, NULL, "0.12 EUR");
	convert_is("0.135 KWD", "EUR", NULL, NULL, "0.14 EUR");
	convert_is("-0.125 KWD", "EUR", NULL, NULL, "-0.12 EUR");
	convert_is("-0.135 KWD", "EUR", NULL, NULL, "-0.14 EUR");
	convert_is("0.126 KWD", "EUR", NULL, NULL, "0.13 EUR");
	/* A third of 0.015 is half a cent exactly; of 0.016, a little more. */
	convert_is("0.015 KWD", "EUR", "3", NULL, "0.00 EUR");
	convert_is("0.016 KWD", "EUR", "3", NULL, "0.01 EUR");
	convert_is("0.045 KWD", "EUR", "3", NULL, "0.02 EUR");  /* 0.015 */
	convert_is("0.05 EUR", "USD", NULL, "2.5", "0.12 USD");  /* 0.125 */
	convert_is("0.07 EUR", "USD", NULL, "2.5", "0.18 USD");  /* 0.175 */
	convert_is("0.25 EUR", "USD", NULL, "2.5", "0.62 USD");  /* 0.625 */
	convert_is("0.15 EUR", "USD", NULL, "2.5", "0.38 USD");  /* 0.375 */
	convert_is("5 JPY", "KRW", "2", NULL, "2 KRW");          /* 2.5 */
	convert_is("7 JPY", "KRW", "2", NULL, "4 KRW");          /* 3.5 */
	convert_is("-5 JPY", "KRW", "2", NULL, "-2 KRW");        /* -2.5 */
	convert_is("-7 JPY", "KRW", "2", NULL, "-4 KRW");        /* -3.5 */
}
END_TEST

START_TEST(test_convert_extremes)
{
	struct crm_money max = money(INT64_MAX, "USD"), min = money(INT64_MIN, "JPY");
	struct crm_money eur = money(INT64_MAX, "EUR"), out = { 1, "CHF" };
	struct crm_rate big = { INT64_C(4611686018427387904), 0 }, yen = { 15729, 2 };
	struct crm_rate one = CRM_RATE_ONE, bad = { -1, 0 };

	/* 2^63 - 1 cents × 2^62 / 2^62: the product needs 125 bits. */
	ck_assert_int_eq(crm_money_convert(&out, &max, "CAD", &big, &big), CRM_OK);
	ck_assert_int_eq(out.minor, INT64_MAX);
	ck_assert_str_eq(out.cur, "CAD");
	ck_assert_int_eq(crm_money_convert(&out, &min, "KRW", &yen, &yen), CRM_OK);
	ck_assert_int_eq(out.minor, INT64_MIN);
	ck_assert_int_eq(crm_money_convert(&out, &eur, "JPY", &one, &yen), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
			 "amount out of range converting '92233720368547758.07 EUR' to JPY");
	ck_assert_int_eq(out.minor, INT64_MIN);
	/* To the same currency: unchanged, rates not looked at. */
	ck_assert_int_eq(crm_money_convert(&out, &eur, "eur", NULL, NULL), CRM_OK);
	ck_assert_int_eq(out.minor, INT64_MAX);
	ck_assert_str_eq(out.cur, "EUR");
	ck_assert_int_eq(crm_money_convert(&out, &eur, "XYZ", &one, &one), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "unknown currency 'XYZ'");
	ck_assert_int_eq(crm_money_convert(&out, &eur, "USD", &bad, &one), CRM_EUSAGE);
	ck_assert_int_eq(crm_money_convert(&out, &eur, "USD", &one, NULL), CRM_EUSAGE);
}
END_TEST

/* Adds each amount at weight, and checks the once-rounded result. */
static void weighted_is(const char *cur, int64_t den, const int64_t *amounts,
			const int64_t *weights, int n, int64_t want)
{
	struct crm_money_weighted w;
	struct crm_money out = { 0, "" };

	ck_assert_int_eq(crm_money_weighted_init(&w, cur, den), CRM_OK);
	for (int i = 0; i < n; i++) {
		struct crm_money m = money(amounts[i], cur);

		ck_assert_int_eq(crm_money_weighted_add(&w, &m, weights[i]), CRM_OK);
	}
	ck_assert_int_eq(crm_money_weighted_result(&out, &w), CRM_OK);
	ck_assert_msg(out.minor == want, "got %lld, want %lld", (long long)out.minor,
		      (long long)want);
}

START_TEST(test_weighted)
{
	const int64_t deals[] = { 1001, 1001, 1001 }, pct[] = { 33, 33, 33 };
	const int64_t one[] = { 1 }, two[] = { 2 }, hundred[] = { 100 };
	const int64_t five[] = { 5 }, seven[] = { 7 }, mfive[] = { -5 }, mseven[] = { -7 };
	const int64_t dimes[] = { 10, 14 }, quarter[] = { 25, 25 };
	const int64_t max[] = { INT64_MAX }, min[] = { INT64_MIN };

	/* 3 × 10.01 EUR at 33% = 9.9099 EUR, rounded once: 9.91 (rounding
	 * each deal first would give 3 × 3.30 = 9.90). */
	weighted_is("EUR", 100, deals, pct, 3, 991);
	/* Halves go to the even neighbour: 2.5, 3.5, -2.5, -3.5. */
	weighted_is("JPY", 2, five, one, 1, 2);
	weighted_is("JPY", 2, seven, one, 1, 4);
	weighted_is("JPY", 2, mfive, one, 1, -2);
	weighted_is("JPY", 2, mseven, one, 1, -4);
	/* 0.10 and 0.14 EUR at 25%: 2.5 + 3.5 = 6 cents exactly. */
	weighted_is("EUR", 100, dimes, quarter, 2, 6);
	weighted_is("EUR", 100, dimes, quarter, 1, 2);
	/* Products far past int64 are exact. */
	weighted_is("EUR", 100, max, hundred, 1, INT64_MAX);
	weighted_is("EUR", 100, min, hundred, 1, INT64_MIN);
	weighted_is("EUR", INT64_MAX, max, max, 1, INT64_MAX);
	weighted_is("EUR", 2, max, two, 1, INT64_MAX);
	weighted_is("EUR", 1, max, one, 0, 0);
}
END_TEST

START_TEST(test_weighted_errors)
{
	struct crm_money_weighted w;
	struct crm_money max = money(INT64_MAX, "EUR"), min = money(INT64_MIN, "EUR");
	struct crm_money usd = money(1, "USD"), out = { 5, "" };
	struct crm_money_weighted blank = { 0, 0, 0, "" };

	ck_assert_int_eq(crm_money_weighted_init(&w, "XYZ", 100), CRM_EDATA);
	ck_assert_int_eq(crm_money_weighted_init(&w, "EUR", 0), CRM_EUSAGE);
	ck_assert_int_eq(crm_money_weighted_init(&w, "eur", 1), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_add(&w, &usd, 1), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "cannot add USD to a sum in EUR");
	/* (2^63 - 1) × 2 / 1 does not fit int64. */
	ck_assert_int_eq(crm_money_weighted_add(&w, &max, 2), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_result(&out, &w), CRM_EDATA);
	ck_assert_int_eq(out.minor, 5);
	/* -(-2^63) is one past INT64_MAX. */
	ck_assert_int_eq(crm_money_weighted_init(&w, "EUR", 1), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_add(&w, &min, -1), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_result(&out, &w), CRM_EDATA);
	ck_assert_int_eq(crm_money_weighted_add(&w, &max, -1), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_result(&out, &w), CRM_OK);
	ck_assert_int_eq(out.minor, 1);
	/* With M = 2^63 - 1 as den: 2^126 + 2^126 reaches 2^127, refused with
	 * the sum kept; 2^126 / M is above M; 2^126 - M × M = 2^64 - 1, and
	 * (2^64 - 1) / M = 2 + 1/M rounds to 2. */
	ck_assert_int_eq(crm_money_weighted_init(&w, "EUR", INT64_MAX), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_add(&w, &min, INT64_MIN), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_add(&w, &min, INT64_MIN), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "weighted sum in EUR out of range");
	ck_assert_int_eq(crm_money_weighted_result(&out, &w), CRM_EDATA);
	ck_assert_int_eq(crm_money_weighted_add(&w, &max, -INT64_MAX), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_result(&out, &w), CRM_OK);
	ck_assert_int_eq(out.minor, 2);
	/* Three times -2^63 × M passes -2^127. */
	ck_assert_int_eq(crm_money_weighted_init(&w, "EUR", 1), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_add(&w, &min, INT64_MAX), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_add(&w, &min, INT64_MAX), CRM_OK);
	ck_assert_int_eq(crm_money_weighted_add(&w, &min, INT64_MAX), CRM_EDATA);
	/* A sum never initialised. */
	ck_assert_int_eq(crm_money_weighted_result(&out, &blank), CRM_EUSAGE);
	ck_assert_int_eq(out.minor, 2);
}
END_TEST

Suite *money_suite(void)
{
	Suite *s = suite_create("money");
	TCase *currency = tcase_create("currency");
	TCase *text = tcase_create("text");
	TCase *rates = tcase_create("rates");
	TCase *arith = tcase_create("arithmetic");

	tcase_add_checked_fixture(currency, setup, NULL);
	tcase_add_test(currency, test_currency_exponents);
	suite_add_tcase(s, currency);
	tcase_add_checked_fixture(text, setup, NULL);
	tcase_add_test(text, test_parse_forms);
	tcase_add_test(text, test_parse_errors);
	tcase_add_test(text, test_parse_extremes);
	tcase_add_test(text, test_format);
	tcase_add_test(text, test_round_trip);
	suite_add_tcase(s, text);
	tcase_add_checked_fixture(rates, setup, NULL);
	tcase_add_test(rates, test_rate_parse);
	tcase_add_test(rates, test_rate_format);
	tcase_add_test(rates, test_rate_cross);
	suite_add_tcase(s, rates);
	tcase_add_checked_fixture(arith, setup, NULL);
	tcase_add_test(arith, test_add);
	tcase_add_test(arith, test_convert);
	tcase_add_test(arith, test_convert_half_even);
	tcase_add_test(arith, test_convert_extremes);
	tcase_add_test(arith, test_weighted);
	tcase_add_test(arith, test_weighted_errors);
	suite_add_tcase(s, arith);
	return s;
}
