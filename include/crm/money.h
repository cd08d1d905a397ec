/* money.h - amounts of money, ISO 4217 currencies, exchange rates.
 *
 * An amount is a count of minor units (cents, fils, yen) in an int64_t and
 * an upper-case ISO 4217 code; how many decimals a currency has comes from
 * the ISO 4217 table (JPY 0, EUR 2, KWD 3, CLF 4).  No floating point is
 * used anywhere: parsing, conversion and weighted sums are exact integer
 * arithmetic, rounded once, half to even, where a result must be rounded.
 *
 * Amounts as text (crm_money_parse):
 *
 *   "1234.50 EUR", "EUR 1234.50", "-12 USD", "USD -12", "+3.5 eur", "1234.5"
 *
 * - White space (ASCII space, tab, CR, LF, FF, VT) around the text is
 *   ignored, and at least one white-space character separates the number
 *   from the code ("12EUR" is refused).
 * - The number is an optional sign, one or more ASCII digits, and optionally
 *   a '.' followed by one or more digits: ".5" and "5." are refused, as are
 *   thousands separators, a decimal comma, exponents, and a space after the
 *   sign.  Leading zeros are allowed.
 * - The code is three ASCII letters in any case, before or after the
 *   number; it is stored upper case.  Without a code the default currency
 *   is used; without a default either, the text is refused.
 * - The number may have no more significant decimals than the currency has;
 *   trailing zeros beyond that are fine ("12.500 EUR" is 1250 cents).
 * - The value in minor units must fit int64_t (INT64_MIN included).
 *
 * Rates (struct crm_rate) are exact positive decimals num / 10^scale.
 * Nothing here allocates: results go to caller-provided structs and buffers.
 */
#ifndef CRM_MONEY_H
#define CRM_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRM_MONEY_TEXT 32 /* buffer size that holds any formatted amount */
#define CRM_RATE_TEXT 32  /* buffer size that holds any formatted rate */
#define CRM_RATE_DIGITS 18 /* most significant digits, and largest scale, of a rate */
#define CRM_CROSS_DIGITS 12 /* significant digits kept by crm_rate_cross */

/* An amount: minor units of an ISO 4217 currency ("EUR", NUL-terminated). */
struct crm_money {
	int64_t minor;
	char cur[4];
};

/* A rate num / 10^scale, with num > 0 and 0 <= scale <= CRM_RATE_DIGITS.
 * A rate quote is "units of a currency per one unit of the base currency". */
struct crm_rate {
	int64_t num;
	int scale;
};

/* The rate of the base currency to itself. */
#define CRM_RATE_ONE ((struct crm_rate){ 1, 0 })

/* An exact running sum of amounts of one currency times weight / den (for
 * forecasts: deal amount × probability / 100).  The fields are private:
 * use crm_money_weighted_*.  Nothing is rounded until
 * crm_money_weighted_result, which rounds once, half to even. */
struct crm_money_weighted {
	int64_t hi;  /* the exact sum, a 128-bit two's-complement integer, */
	uint64_t lo; /* in two halves */
	int64_t den;
	char cur[4];
};

/* Returns the number of decimals (minor-unit exponent) of ISO 4217 code,
 * given in any case, or -1 when code is NULL or not a currency in use. */
int crm_currency_exponent(const char *code);

/* Returns true when code (any case) is an ISO 4217 currency in use. */
bool crm_currency_valid_p(const char *code);

/* Stores in out the upper-case form of currency code s (any case,
 * surrounding white space ignored); CRM_EDATA "unknown currency 's'" when
 * it is not a currency in use. */
int crm_currency_normalize(char out[4], const char *s);

/* Parses text as an amount into *out (rules above), using default_cur (any
 * case, may be NULL) when text names no currency.  CRM_EDATA, with a
 * message quoting text, for malformed text, an unknown code, two codes, no
 * code and no default, more decimals than the currency has, or a value out
 * of range; *out is then untouched. */
int crm_money_parse(struct crm_money *out, const char *text, const char *default_cur);

/* Writes m as "1234.50 EUR" into buf: '-' for negatives, exactly the
 * currency's number of decimals; parsing it gives m back.  CRM_EDATA when
 * m's currency is unknown, CRM_EUSAGE when size is too small
 * (CRM_MONEY_TEXT always suffices); buf then holds "". */
int crm_money_format(char *buf, size_t size, const struct crm_money *m);

/* Like crm_money_format but writes the number alone ("1234.50"). */
int crm_money_format_amount(char *buf, size_t size, const struct crm_money *m);

/* Stores a + b in *out; CRM_EUSAGE when their currencies differ, CRM_EDATA
 * for an unknown currency or a sum that does not fit int64_t (*out is then
 * untouched). */
int crm_money_add(struct crm_money *out, const struct crm_money *a, const struct crm_money *b);

/* Stores in *out the amount m converted to currency `to` (any case), where
 * rate_from and rate_to are the rates of m's currency and of `to` in units
 * per one unit of a common base currency (CRM_RATE_ONE for the base
 * itself): m / rate_from × rate_to, computed exactly and rounded half to
 * even once to `to`'s minor unit.  When m is already in `to`, *out = *m
 * and the rates are not looked at (they may be NULL).  CRM_EDATA for an unknown currency or a result that does not fit int64_t,
 * CRM_EUSAGE for an invalid rate; *out is then untouched. */
int crm_money_convert(struct crm_money *out, const struct crm_money *m, const char *to,
		      const struct crm_rate *rate_from, const struct crm_rate *rate_to);

/* Parses text as a positive rate into *out ("1.0876", "157.29",
 * "0.0001234"; surrounding white space ignored, same number syntax as
 * amounts, trailing fractional zeros dropped).  CRM_EDATA for anything
 * else: "N/A", zero, negatives, more than CRM_RATE_DIGITS significant
 * digits, a value below 10^-18 or above INT64_MAX. */
int crm_rate_parse(struct crm_rate *out, const char *text);

/* Writes r as the shortest exact decimal ("1.0876", "100", no trailing
 * zeros) into buf; CRM_EUSAGE for an invalid rate or a buffer too small
 * (CRM_RATE_TEXT suffices). */
int crm_rate_format(char *buf, size_t size, const struct crm_rate *r);

/* Stores a / b in *out, rounded half to even to CRM_CROSS_DIGITS
 * significant digits (fewer below 10^-7, where the scale reaches 18): the
 * rate of currency A per unit of B from quotes of both per one unit of a
 * third.  CRM_EUSAGE for an invalid rate, CRM_EDATA when the quotient is
 * above INT64_MAX or rounds to zero. */
int crm_rate_cross(struct crm_rate *out, const struct crm_rate *a, const struct crm_rate *b);

/* Starts *w as an empty weighted sum of amounts in currency cur (any case)
 * with weights counted in 1/den (den 100 for percentages).  CRM_EDATA for
 * an unknown currency, CRM_EUSAGE when den <= 0. */
int crm_money_weighted_init(struct crm_money_weighted *w, const char *cur, int64_t den);

/* Adds m × weight / den to *w exactly.  CRM_EUSAGE when m is in another
 * currency, CRM_EDATA when m's currency is unknown or the exact sum would
 * leave the 128-bit range (*w is then unchanged). */
int crm_money_weighted_add(struct crm_money_weighted *w, const struct crm_money *m,
			   int64_t weight);

/* Stores in *out the sum of *w, rounded once, half to even, to a whole
 * minor unit.  CRM_EDATA when it does not fit int64_t. */
int crm_money_weighted_result(struct crm_money *out, const struct crm_money_weighted *w);

#endif
