/* money.c - amounts in minor units, exchange rates, conversion and exact
 * weighted sums.
 *
 * Everything is integer arithmetic.  Products of two int64 values need up
 * to 126 bits, so intermediates are unsigned __int128; signs are kept
 * apart and applied last, which makes half-to-even rounding symmetric
 * (-2.5 rounds to -2 as 2.5 rounds to 2).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crm/error.h"
#include "crm/money.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define BLANKS " \t\n\r\f\v"
#define MAG_MAX ((uint64_t)INT64_MAX + 1) /* the magnitude of INT64_MIN */
#define I128_MAX ((i128)(~(u128)0 >> 1))
#define I128_MIN (-I128_MAX - 1)
#define POW10_128_MAX 38 /* 10^38 is the largest power of ten in a u128 */

/* A piece of the caller's text: not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

/* A decimal number as written: its sign, the digits before the point, and
 * those after it without trailing zeros (which carry no value). */
struct number {
	bool neg;
	struct span ip;
	struct span fp;      /* without its trailing zeros */
	size_t written;      /* the fraction's digits as written */
};

static bool digit_p(char c)
{
	return c >= '0' && c <= '9';
}

static bool blank_p(char c)
{
	return c != '\0' && strchr(BLANKS, c) != NULL;
}

static bool letter_p(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Locale-independent, so that a Turkish locale cannot turn "i" into "İ". */
static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The text s without surrounding white space; s may be NULL. */
static struct span trim(const char *s)
{
	struct span t = { "", 0 };

	if (!s)
		return t;
	while (blank_p(*s))
		s++;
	t.p = s;
	t.n = strlen(s);
	while (t.n > 0 && blank_p(s[t.n - 1]))
		t.n--;
	return t;
}

/* Splits t at runs of white space into tok[0..max-1]; returns the number of
 * pieces, max + 1 when there are more than max. */
static int split(struct span t, struct span *tok, int max)
{
	const char *p = t.p, *end = t.p + t.n;
	int n = 0;

	while (p < end) {
		const char *start = p;

		while (p < end && !blank_p(*p))
			p++;
		if (n == max)
			return max + 1;
		tok[n].p = start;
		tok[n++].n = (size_t)(p - start);
		while (p < end && blank_p(*p))
			p++;
	}
	return n;
}

static bool letters_p(struct span t)
{
	for (size_t i = 0; i < t.n; i++)
		if (!letter_p(t.p[i]))
			return false;
	return t.n > 0;
}

/* Reads all of t as [+-]DIGITS[.DIGITS]: at least one digit on each side
 * of a point, so that "5." and ".5" (often typos or cut-off values) are
 * refused rather than guessed at. */
static bool read_number(struct number *num, struct span t)
{
	const char *p = t.p, *end = t.p + t.n;

	num->neg = false;
	if (p < end && (*p == '+' || *p == '-'))
		num->neg = *p++ == '-';
	num->ip.p = p;
	while (p < end && digit_p(*p))
		p++;
	num->ip.n = (size_t)(p - num->ip.p);
	num->fp.p = p;
	num->fp.n = 0;
	if (p < end && *p == '.') {
		num->fp.p = ++p;
		while (p < end && digit_p(*p))
			p++;
		num->fp.n = (size_t)(p - num->fp.p);
		if (num->fp.n == 0)
			return false;
	}
	num->written = num->fp.n;
	if (num->ip.n == 0 || p != end)
		return false;
	while (num->fp.n > 0 && num->fp.p[num->fp.n - 1] == '0')
		num->fp.n--;
	return true;
}

/* Appends digit d to *mag unless that would pass limit. */
static bool push_digit(uint64_t *mag, unsigned d, uint64_t limit)
{
	if (*mag > (limit - d) / 10)
		return false;
	*mag = *mag * 10 + d;
	return true;
}

/* Stores in *out the signed value of magnitude mag; false when it does not
 * fit int64_t. */
static bool signed_of(int64_t *out, u128 mag, bool neg)
{
	if (mag > (neg ? MAG_MAX : (uint64_t)INT64_MAX))
		return false;
	if (neg && mag == MAG_MAX)
		*out = INT64_MIN;
	else
		*out = neg ? -(int64_t)mag : (int64_t)mag;
	return true;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;
}

/* The number num in units of 10^-exp, when it fits int64_t; the caller has
 * checked that num has at most exp decimals. */
static bool to_minor(int64_t *out, const struct number *num, int exp)
{
	uint64_t mag = 0;

	for (size_t i = 0; i < num->ip.n; i++)
		if (!push_digit(&mag, (unsigned)(num->ip.p[i] - '0'), MAG_MAX))
			return false;
	for (size_t i = 0; i < (size_t)exp; i++) {
		unsigned d = i < num->fp.n ? (unsigned)(num->fp.p[i] - '0') : 0;

		if (!push_digit(&mag, d, MAG_MAX))
			return false;
	}
	return signed_of(out, mag, num->neg);
}

/* Stores in code the upper-case form of the n bytes at s and returns the
 * currency's exponent, or -1 when they are not a code in use. */
static int currency_of(char code[4], const char *s, size_t n)
{
	if (n != 3)
		return -1;
	for (size_t i = 0; i < 3; i++)
		code[i] = ascii_upper(s[i]);
	code[3] = '\0';
	return crm_currency_exponent(code);
}

/* The same for a struct's cur field, which may lack its NUL. */
static int money_currency(char code[4], const char cur[4])
{
	const char *nul = memchr(cur, '\0', 4);

	return currency_of(code, cur, nul ? (size_t)(nul - cur) : 4);
}

static int unknown_currency(const char cur[4])
{
	return crm_error_set(CRM_EDATA, "unknown currency '%.4s'", cur);
}

/* Finds the number and the currency code among the pieces of t; records
 * the error and returns its code when they are not there once each. */
static int find_parts(struct number *num, struct span *code, struct span t)
{
	struct span tok[3];
	int n = split(t, tok, 3), ncodes = 0, nnums = 0;

	code->n = 0;
	for (int i = 0; i < n && n <= 3; i++) {
		if (letters_p(tok[i])) {
			*code = tok[i];
			ncodes++;
		} else if (nnums == 0 && read_number(num, tok[i])) {
			nnums++;
		} else {
			nnums = -1;
			break;
		}
	}
	if (nnums == 1 && ncodes > 1)
		return crm_error_set(CRM_EDATA, "more than one currency in '%.*s'", (int)t.n, t.p);
	if (nnums != 1 || n > 3)
		return crm_error_set(CRM_EDATA, "invalid amount '%.*s'", (int)t.n, t.p);
	return CRM_OK;
}

int crm_money_parse(struct crm_money *out, const char *text, const char *default_cur)
{
	struct span t = trim(text), code;
	struct number num;
	char cur[4];
	int64_t minor;
	int exp, rc;

	if ((rc = find_parts(&num, &code, t)) != CRM_OK)
		return rc;
	if (code.n == 0 && !default_cur)
		return crm_error_set(CRM_EDATA, "no currency in '%.*s'", (int)t.n, t.p);
	if (code.n == 0) {
		code.p = default_cur;
		code.n = strlen(default_cur);
	}
	exp = currency_of(cur, code.p, code.n);
	if (exp < 0)
		return crm_error_set(CRM_EDATA, "unknown currency '%.*s'", (int)code.n, code.p);
	/* 1.500 or 350.000 in a currency of fewer decimals is a thousand
	 * and a half, or 350 thousand, as much as one and a half. */
	if (num.written == 3 && exp < 3 && num.ip.n <= 3 && num.ip.p[0] != '0')
		return crm_error_set(CRM_EDATA, "ambiguous amount '%.*s': %s has %d decimals, so"
				     " the point may separate thousands (write %s%.*s%.3s, or the"
				     " decimals %s has)", (int)t.n, t.p, cur, exp, num.neg ? "-" : "",
				     (int)num.ip.n, num.ip.p, num.fp.p, cur);
	if (num.fp.n > (size_t)exp)
		return crm_error_set(CRM_EDATA, "'%.*s' has more decimals than %s's %d",
				     (int)t.n, t.p, cur, exp);
	if (!to_minor(&minor, &num, exp))
		return crm_error_set(CRM_EDATA, "amount out of range '%.*s'", (int)t.n, t.p);
	out->minor = minor;
	memcpy(out->cur, cur, sizeof out->cur);
	return CRM_OK;
}

/* Writes mag / 10^exp with its sign into out (CRM_MONEY_TEXT bytes are
 * plenty: 19 digits, a sign, a point and a leading zero at most) and
 * returns its length; with trim, trailing fractional zeros are left off. */
static size_t decimal_text(char *out, uint64_t mag, bool neg, int exp, bool trim_zeros)
{
	char digits[24]; /* least significant first */
	int n = 0, low = 0;
	size_t len = 0;

	do {
		digits[n++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag > 0 || n <= exp);
	if (neg)
		out[len++] = '-';
	for (int i = n - 1; i >= exp; i--)
		out[len++] = digits[i];
	while (trim_zeros && low < exp && digits[low] == '0')
		low++;
	if (low < exp)
		out[len++] = '.';
	for (int i = exp - 1; i >= low; i--)
		out[len++] = digits[i];
	out[len] = '\0';
	return len;
}

/* Copies text into buf of size bytes; CRM_EUSAGE when it does not fit. */
static int put_text(char *buf, size_t size, const char *text)
{
	if (size == 0 || (size_t)snprintf(buf, size, "%s", text) >= size) {
		if (size > 0)
			buf[0] = '\0';
		return crm_error_set(CRM_EUSAGE, "buffer too small for '%s'", text);
	}
	return CRM_OK;
}

/* Writes the number of m into text and its code into code; returns the
 * length of the text, or records the error and returns -1 when m's
 * currency is unknown. */
static int amount_text(char text[CRM_MONEY_TEXT], char code[4], const struct crm_money *m)
{
	int exp = money_currency(code, m->cur);

	if (exp < 0) {
		unknown_currency(m->cur);
		return -1;
	}
	return (int)decimal_text(text, magnitude(m->minor), m->minor < 0, exp, false);
}

int crm_money_format_amount(char *buf, size_t size, const struct crm_money *m)
{
	char text[CRM_MONEY_TEXT], code[4];

	if (amount_text(text, code, m) < 0) {
		if (size > 0)
			buf[0] = '\0';
		return CRM_EDATA;
	}
	return put_text(buf, size, text);
}

int crm_money_format(char *buf, size_t size, const struct crm_money *m)
{
	char text[CRM_MONEY_TEXT], code[4];
	int len = amount_text(text, code, m);

	if (len < 0) {
		if (size > 0)
			buf[0] = '\0';
		return CRM_EDATA;
	}
	/* At most 21 bytes of number, a space and the code: 26 with the NUL. */
	text[len] = ' ';
	memcpy(text + len + 1, code, sizeof code);
	return put_text(buf, size, text);
}

int crm_money_add(struct crm_money *out, const struct crm_money *a, const struct crm_money *b)
{
	char ca[4], cb[4], ta[CRM_MONEY_TEXT], tb[CRM_MONEY_TEXT];
	int64_t sum;

	if (money_currency(ca, a->cur) < 0)
		return unknown_currency(a->cur);
	if (money_currency(cb, b->cur) < 0)
		return unknown_currency(b->cur);
	if (strcmp(ca, cb) != 0)
		return crm_error_set(CRM_EUSAGE, "cannot add %s to %s", cb, ca);
	if (__builtin_add_overflow(a->minor, b->minor, &sum)) {
		crm_money_format(ta, sizeof ta, a);
		crm_money_format(tb, sizeof tb, b);
		return crm_error_set(CRM_EDATA, "amount out of range '%s + %s'", ta, tb);
	}
	out->minor = sum;
	memcpy(out->cur, ca, sizeof out->cur);
	return CRM_OK;
}

static u128 pow10_128(int k)
{
	u128 v = 1;

	while (k-- > 0)
		v *= 10;
	return v;
}

/* Stores in *out a × 10^p / b rounded half to even, for b > 0 and any p;
 * false, with *out UINT64_MAX, when the result is 2^64 or more.  Digits
 * past a / b come by long division, so that however large p is no
 * intermediate passes 2^68 and nothing overflows. */
static bool scaled_quotient(uint64_t *out, u128 a, uint64_t b, int p)
{
	u128 q = a / b, r = a % b;
	bool up;

	if (p < -POW10_128_MAX) {
		*out = 0; /* a / b < 2^128 < 10^39 / 2: rounds to zero */
		return true;
	}
	if (p < 0) {
		u128 unit = pow10_128(-p), half = unit / 2, rem = q % unit;

		q /= unit;
		up = rem > half || (rem == half && (r != 0 || (q & 1)));
	} else {
		for (int i = 0; i < p && q <= UINT64_MAX; i++) {
			r *= 10;
			q = q * 10 + r / b;
			r %= b;
		}
		up = 2 * r > b || (2 * r == b && (q & 1));
	}
	q += up;
	*out = q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
	return q <= UINT64_MAX;
}

static bool rate_valid_p(const struct crm_rate *r)
{
	return r && r->num > 0 && r->scale >= 0 && r->scale <= CRM_RATE_DIGITS;
}

static int invalid_rate(const struct crm_rate *r)
{
	if (!r)
		return crm_error_set(CRM_EUSAGE, "no rate given");
	return crm_error_set(CRM_EUSAGE, "invalid rate %lld/10^%d", (long long)r->num, r->scale);
}

int crm_money_convert(struct crm_money *out, const struct crm_money *m, const char *to,
		      const struct crm_rate *rate_from, const struct crm_rate *rate_to)
{
	char from_code[4], to_code[4], text[CRM_MONEY_TEXT];
	int ef = money_currency(from_code, m->cur), et, p;
	uint64_t mag;
	int64_t minor;

	if (ef < 0)
		return unknown_currency(m->cur);
	et = to ? currency_of(to_code, to, strlen(to)) : -1;
	if (et < 0)
		return crm_error_set(CRM_EDATA, "unknown currency '%s'", to ? to : "");
	if (strcmp(from_code, to_code) == 0) {
		out->minor = m->minor;
		memcpy(out->cur, to_code, sizeof out->cur);
		return CRM_OK;
	}
	if (!rate_valid_p(rate_from))
		return invalid_rate(rate_from);
	if (!rate_valid_p(rate_to))
		return invalid_rate(rate_to);
	/* minor_to = minor_from / 10^ef × 10^sf / nf × nt / 10^st × 10^et */
	p = rate_from->scale + et - rate_to->scale - ef;
	if (!scaled_quotient(&mag, (u128)magnitude(m->minor) * (uint64_t)rate_to->num,
			     (uint64_t)rate_from->num, p) ||
	    !signed_of(&minor, mag, m->minor < 0)) {
		crm_money_format(text, sizeof text, m);
		return crm_error_set(CRM_EDATA, "amount out of range converting '%s' to %s", text,
				     to_code);
	}
	out->minor = minor;
	memcpy(out->cur, to_code, sizeof out->cur);
	return CRM_OK;
}

static char digit_at(const struct number *num, size_t i)
{
	return i < num->ip.n ? num->ip.p[i] : num->fp.p[i - num->ip.n];
}

/* Counts the digits from the first non-zero one to the last non-zero one
 * of num: "100" has one, "100.5" four, "0.0001234" four. */
static size_t significant_digits(const struct number *num)
{
	size_t first = 0, last = num->ip.n + num->fp.n;

	while (first < last && digit_at(num, first) == '0')
		first++;
	while (last > first && digit_at(num, last - 1) == '0')
		last--;
	return last - first;
}

/* Stores in *out the digits of num as an integer, when it fits int64_t. */
static bool digits_value(int64_t *out, const struct number *num)
{
	uint64_t mag = 0;

	for (size_t i = 0; i < num->ip.n; i++)
		if (!push_digit(&mag, (unsigned)(num->ip.p[i] - '0'), INT64_MAX))
			return false;
	for (size_t i = 0; i < num->fp.n; i++)
		if (!push_digit(&mag, (unsigned)(num->fp.p[i] - '0'), INT64_MAX))
			return false;
	*out = (int64_t)mag;
	return true;
}

int crm_rate_parse(struct crm_rate *out, const char *text)
{
	struct span t = trim(text);
	struct number num;
	int64_t value;
	size_t sig;

	if (!read_number(&num, t))
		return crm_error_set(CRM_EDATA, "invalid rate '%.*s'", (int)t.n, t.p);
	sig = significant_digits(&num);
	if (num.neg || sig == 0)
		return crm_error_set(CRM_EDATA, "rate not positive '%.*s'", (int)t.n, t.p);
	if (sig > CRM_RATE_DIGITS)
		return crm_error_set(CRM_EDATA, "more than %d significant digits in rate '%.*s'",
				     CRM_RATE_DIGITS, (int)t.n, t.p);
	if (num.fp.n > CRM_RATE_DIGITS || !digits_value(&value, &num))
		return crm_error_set(CRM_EDATA, "rate out of range '%.*s'", (int)t.n, t.p);
	out->num = value;
	out->scale = (int)num.fp.n;
	return CRM_OK;
}

int crm_rate_format(char *buf, size_t size, const struct crm_rate *r)
{
	char text[CRM_RATE_TEXT];

	if (!rate_valid_p(r)) {
		if (size > 0)
			buf[0] = '\0';
		return invalid_rate(r);
	}
	decimal_text(text, (uint64_t)r->num, false, r->scale, true);
	return put_text(buf, size, text);
}

static int ndigits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Multiplies *v by 10^k, when the result fits int64_t. */
static bool shift_up(uint64_t *v, int k)
{
	while (k-- > 0)
		if (!push_digit(v, 0, INT64_MAX))
			return false;
	return true;
}

/* Stores in *q and *k the digits and scale of an / bn × 10^p rounded to
 * CRM_CROSS_DIGITS significant digits, or to scale CRM_RATE_DIGITS when
 * that needs a larger scale; *k may be negative. */
static void cross_digits(uint64_t *q, int *k, uint64_t an, uint64_t bn, int p)
{
	const uint64_t limit = 1000000000000; /* 10^CRM_CROSS_DIGITS */

	/* an / bn is below 10^(digits(an) - digits(bn) + 1) and at least a
	 * tenth of that, so with this k the quotient × 10^k is at least
	 * 10^(CRM_CROSS_DIGITS - 1) and below 10^(CRM_CROSS_DIGITS + 1): it
	 * fits, and one step down brings it to CRM_CROSS_DIGITS digits. */
	*k = CRM_CROSS_DIGITS - (ndigits(an) - ndigits(bn)) - p;
	scaled_quotient(q, an, bn, p + *k);
	if (*q >= limit)
		scaled_quotient(q, an, bn, p + --*k);
	if (*k > CRM_RATE_DIGITS)
		scaled_quotient(q, an, bn, p + (*k = CRM_RATE_DIGITS));
}

int crm_rate_cross(struct crm_rate *out, const struct crm_rate *a, const struct crm_rate *b)
{
	uint64_t q;
	int k;

	if (!rate_valid_p(a))
		return invalid_rate(a);
	if (!rate_valid_p(b))
		return invalid_rate(b);
	cross_digits(&q, &k, (uint64_t)a->num, (uint64_t)b->num, b->scale - a->scale);
	if (q == 0 || (k < 0 && !shift_up(&q, -k)) || q > INT64_MAX) {
		char ta[CRM_RATE_TEXT], tb[CRM_RATE_TEXT];

		decimal_text(ta, (uint64_t)a->num, false, a->scale, true);
		decimal_text(tb, (uint64_t)b->num, false, b->scale, true);
		return crm_error_set(CRM_EDATA, "cross rate out of range '%s / %s'", ta, tb);
	}
	for (k = k < 0 ? 0 : k; k > 0 && q % 10 == 0; k--)
		q /= 10;
	out->num = (int64_t)q;
	out->scale = k;
	return CRM_OK;
}

int crm_money_weighted_init(struct crm_money_weighted *w, const char *cur, int64_t den)
{
	char code[4];

	if (!cur || currency_of(code, cur, strlen(cur)) < 0)
		return crm_error_set(CRM_EDATA, "unknown currency '%s'", cur ? cur : "");
	if (den <= 0)
		return crm_error_set(CRM_EUSAGE, "weight denominator %lld not positive",
				     (long long)den);
	w->hi = 0;
	w->lo = 0;
	w->den = den;
	memcpy(w->cur, code, sizeof w->cur);
	return CRM_OK;
}

static i128 weighted_sum(const struct crm_money_weighted *w)
{
	/* Built unsigned: shifting a negative signed value is undefined. */
	return (i128)(((u128)(uint64_t)w->hi << 64) | w->lo);
}

int crm_money_weighted_add(struct crm_money_weighted *w, const struct crm_money *m,
			   int64_t weight)
{
	char code[4];
	i128 sum = weighted_sum(w), term = (i128)m->minor * weight;

	if (money_currency(code, m->cur) < 0)
		return unknown_currency(m->cur);
	if (strcmp(code, w->cur) != 0)
		return crm_error_set(CRM_EUSAGE, "cannot add %s to a sum in %s", code, w->cur);
	if ((term > 0 && sum > I128_MAX - term) || (term < 0 && sum < I128_MIN - term))
		return crm_error_set(CRM_EDATA, "weighted sum in %s out of range", w->cur);
	sum += term;
	w->hi = (int64_t)(sum >> 64);
	w->lo = (uint64_t)sum;
	return CRM_OK;
}

int crm_money_weighted_result(struct crm_money *out, const struct crm_money_weighted *w)
{
	i128 sum = weighted_sum(w);
	bool neg = sum < 0;
	u128 mag = neg ? -(u128)sum : (u128)sum;
	uint64_t q;
	int64_t minor;

	if (w->den <= 0)
		return crm_error_set(CRM_EUSAGE, "weighted sum not initialised");
	if (!scaled_quotient(&q, mag, (uint64_t)w->den, 0) || !signed_of(&minor, q, neg))
		return crm_error_set(CRM_EDATA, "weighted sum in %s out of range", w->cur);
	out->minor = minor;
	memcpy(out->cur, w->cur, sizeof out->cur);
	return CRM_OK;
}
