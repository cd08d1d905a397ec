/* norm.c - Unicode text and email addresses: validation, NFC, match keys.
 *
 * utf8proc does the Unicode work.  What it leaves to this file is what
 * matching needs on top: collapsing white space, and folding the letters that
 * have no decomposition (ø is not o plus a mark, so stripping marks keeps it).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "text.h"

#define NFC_OPTIONS (UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE)

/* Compatibility forms (full-width letters, ligatures) and typographic
 * variants (curly quotes, dashes) are lumped so that text pasted from a word
 * processor finds the same record as text typed on a plain keyboard. */
#define KEY_OPTIONS (NFC_OPTIONS | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
		     UTF8PROC_IGNORE | UTF8PROC_LUMP | UTF8PROC_STRIPCC)

#define EMAIL_MAX 254 /* RFC 5321 path limit less the angle brackets */
#define LOCAL_MAX 64
#define LABEL_MAX 63

/* Letters of the casefolded, mark-stripped text that are whole letters in
 * Unicode rather than a base plus accent, with their usual ASCII spelling. */
static const struct fold {
	int32_t cp;
	const char *to;
} folds[] = {
	{ 0x00E6, "ae" }, /* æ */
	{ 0x00F0, "d" },  /* ð */
	{ 0x00F8, "o" },  /* ø */
	{ 0x00FE, "th" }, /* þ */
	{ 0x0111, "d" },  /* đ */
	{ 0x0127, "h" },  /* ħ */
	{ 0x0131, "i" },  /* ı */
	{ 0x0142, "l" },  /* ł */
	{ 0x0153, "oe" }, /* œ */
	{ 0x0167, "t" },  /* ŧ */
};

/* Decodes the code point at s, which has len bytes left, into *cp; returns
 * its length, or 0 when the bytes there are not well-formed UTF-8. */
static size_t utf8_decode(const char *s, size_t len, int32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;
	int32_t c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] < 0xC2 || u[0] > 0xF4)
		return 0;
	n = u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : 4;
	if (len < n)
		return 0;
	c = u[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	/* Only the shortest form is allowed, so that one text has one spelling. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	if (c >= 0xD800 && c <= 0xDFFF)
		return 0;
	*cp = c;
	return n;
}

size_t crm_utf8_decode_lax(const char *s, size_t len, int32_t *cp)
{
	size_t n = utf8_decode(s, len, cp);

	if (n)
		return n;
	*cp = 0xFFFD;
	return 1;
}

bool crm_utf8_valid_p(const char *s, size_t len)
{
	size_t i = 0, n;
	int32_t c;

	while (i < len) {
		/* An import checks every value it reads, and most are ASCII. */
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &c);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

/* The Unicode White_Space property: no-break and ideographic spaces pasted
 * into a field are as invisible to the user as ASCII ones. */
static bool space_p(int32_t c)
{
	if ((c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0)
		return true;
	if (c >= 0x2000 && c <= 0x200A)
		return true;
	return c == 0x1680 || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

/* Records CRM_EDATA naming the first bad byte when s is not valid UTF-8. */
static int check_utf8(const char *s)
{
	size_t len = strlen(s), i = 0, n;
	int32_t c;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &c);
		if (!n)
			return crm_error_set(CRM_EDATA, "invalid UTF-8 at byte %zu", i + 1);
		i += n;
	}
	return CRM_OK;
}

/* Maps a utf8proc error to a libcore status, recording the message. */
static int map_error(utf8proc_ssize_t n)
{
	if (n == UTF8PROC_ERROR_NOMEM)
		return crm_error_nomem();
	return crm_error_set(CRM_EDATA, "cannot normalise text: %s", utf8proc_errmsg(n));
}

/* Runs utf8proc over the valid UTF-8 string s, storing the malloc'd result. */
static int map(char **out, const char *s, int options)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n;
	int rc = check_utf8(s);

	*out = NULL;
	if (rc)
		return rc;
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &dst, options);
	if (n < 0)
		return map_error(n);
	*out = (char *)dst;
	return CRM_OK;
}

/* The blocks of the marks crm_accent_p takes for accents. */
static const struct {
	int32_t lo, hi;
} accents[] = {
	{ 0x0300, 0x036F }, /* combining diacritical marks: é, ü, ñ, ё, ά */
	{ 0x0483, 0x0489 }, /* Cyrillic titlo and the like */
	{ 0x0591, 0x05C7 }, /* Hebrew points and cantillation */
	{ 0x0610, 0x061A }, { 0x064B, 0x065F }, { 0x0670, 0x0670 },
	{ 0x06D6, 0x06ED }, /* Arabic harakat, hamza above and below */
	{ 0x0711, 0x0711 }, { 0x0730, 0x074A }, /* Syriac points */
	{ 0x08D3, 0x08FF }, /* Arabic extended */
	{ 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF }, { 0x20D0, 0x20FF },
	{ 0xFE20, 0xFE2F }, /* the combining blocks beyond the first */
};

bool crm_accent_p(int32_t c)
{
	utf8proc_category_t cat;

	if (c < accents[0].lo)
		return false;
	for (size_t i = 0; i < sizeof accents / sizeof accents[0]; i++)
		if (c >= accents[i].lo && c <= accents[i].hi) {
			cat = utf8proc_category(c);
			return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
			       cat == UTF8PROC_CATEGORY_ME;
		}
	return false;
}

/* utf8proc's mapping of the valid UTF-8 string s with KEY_OPTIONS, and
 * the accents left out.  utf8proc's own STRIPMARK leaves out every mark,
 * which would make राम and रीमा one name, and バン and ハン.  The marks go
 * between decomposing and composing, as STRIPMARK's do; the code points'
 * buffer takes the UTF-8 in place (utf8proc_reencode), as utf8proc_map's
 * does. */
static int map_key(char **out, const char *s)
{
	const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t n = utf8proc_decompose(u, 0, NULL, 0, KEY_OPTIONS), kept = 0;
	utf8proc_int32_t *cp;

	*out = NULL;
	if (n < 0)
		return map_error(n);
	if (!(cp = malloc(((size_t)n + 1) * sizeof *cp)))
		return crm_error_nomem();
	n = utf8proc_decompose(u, 0, cp, n, KEY_OPTIONS);
	for (utf8proc_ssize_t i = 0; i < n; i++)
		if (!crm_accent_p(cp[i]))
			cp[kept++] = cp[i];
	if (n < 0 || (n = utf8proc_reencode(cp, kept, KEY_OPTIONS)) < 0) {
		free(cp);
		return map_error(n);
	}
	*out = (char *)cp;
	return CRM_OK;
}

/* Cuts white space off both ends of the valid UTF-8 string s, in place. */
static void trim(char *s)
{
	size_t len = strlen(s), i = 0, n, start = len, end = 0;
	int32_t c;

	while (i < len) {
		n = crm_utf8_decode_lax(s + i, len - i, &c);
		if (!space_p(c)) {
			if (start == len)
				start = i;
			end = i + n;
		}
		i += n;
	}
	if (start == len)
		start = end = 0;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
}

/* Whether s is ASCII, which is its own normal form. */
static int ascii_p(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int crm_text_nfc(char **out, const char *s)
{
	int rc = ascii_p(s) ? ((*out = strdup(s)) ? CRM_OK : crm_error_nomem())
	                    : map(out, s, NFC_OPTIONS);

	if (!rc)
		trim(*out);
	return rc;
}

int crm_text_casefold(char **out, const char *s)
{
	return map(out, s, NFC_OPTIONS | UTF8PROC_CASEFOLD);
}

static int fold_cmp(const void *key, const void *elem)
{
	int32_t a = *(const int32_t *)key, b = ((const struct fold *)elem)->cp;

	return (a > b) - (a < b);
}

/* Appends code point c of the mapped text, spelt as the fold table says. */
static int put_folded(crm_buf *b, const char *s, size_t n, int32_t c)
{
	const struct fold *f = bsearch(&c, folds, sizeof folds / sizeof folds[0],
				       sizeof folds[0], fold_cmp);

	return f ? crm_buf_puts(b, f->to) : crm_buf_put(b, s, n);
}

/* Appends the mapped text s with letters folded and white space collapsed. */
static int fold_and_collapse(crm_buf *b, const char *s)
{
	size_t len = strlen(s), i = 0, n;
	bool gap = false;
	int32_t c;

	while (i < len) {
		n = crm_utf8_decode_lax(s + i, len - i, &c);
		if (space_p(c)) {
			gap = b->len > 0;
		} else {
			if (gap && crm_buf_putc(b, ' '))
				return CRM_ENOMEM;
			gap = false;
			if (put_folded(b, s + i, n, c))
				return CRM_ENOMEM;
		}
		i += n;
	}
	return CRM_OK;
}

/* The key of ASCII text s, as utf8proc's mapping and the collapsing
 * below make it (check_norm holds the two equal for every ASCII byte),
 * without utf8proc's two passes and allocations: a person's import takes
 * several keys a row.  Letters go to lower case; tab, line ends, vertical
 * tab and form feed are white space, other control characters go; white
 * space is one space between words. */
static int ascii_key(char **out, const char *s)
{
	char *k = malloc(strlen(s) + 1), *p = k;
	bool gap = false;

	if (!(*out = k))
		return crm_error_nomem();
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (space_p(c)) {
			gap = p > k;
		} else if (c >= 0x20 && c != 0x7F) {
			if (gap)
				*p++ = ' ';
			gap = false;
			*p++ = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
		}
	}
	*p = '\0';
	return CRM_OK;
}

int crm_text_key(char **out, const char *s)
{
	crm_buf b = CRM_BUF_INIT;
	char *mapped;
	int rc;

	if (ascii_p(s))
		return ascii_key(out, s);
	*out = NULL;
	if ((rc = check_utf8(s)) || (rc = map_key(&mapped, s)))
		return rc;
	rc = fold_and_collapse(&b, mapped);
	free(mapped);
	if (rc) {
		crm_buf_free(&b);
		return rc;
	}
	*out = crm_buf_detach(&b);
	return *out ? CRM_OK : crm_error_nomem();
}

size_t crm_text_width(const char *s)
{
	size_t len = strlen(s), i = 0, n, width = 0;
	int32_t c;
	int w;

	/* A bad byte shows as one U+FFFD on a terminal: one column. */
	while (i < len) {
		n = crm_utf8_decode_lax(s + i, len - i, &c);
		w = utf8proc_charwidth(c);
		width += w > 0 ? (size_t)w : 0;
		i += n;
	}
	return width;
}

size_t crm_text_fit(const char *s, size_t cols)
{
	size_t len = strlen(s), i = 0, n, width = 0;
	int32_t c;
	int w;

	while (i < len) {
		n = crm_utf8_decode_lax(s + i, len - i, &c);
		w = utf8proc_charwidth(c);
		if (width + (size_t)(w > 0 ? w : 0) > cols)
			break;
		width += w > 0 ? (size_t)w : 0;
		i += n;
	}
	return i;
}

/* Characters no unquoted address may hold, quoted local parts being too rare
 * in customer data to be worth the ambiguity they bring. */
static bool email_char_bad_p(int32_t c)
{
	return c < 0x21 || c == 0x7F || (c >= 0x80 && c < 0xA0) || space_p(c) ||
	       (c < 0x80 && strchr("\"(),:;<>[\\]", (int)c));
}

/* Returns why local part s of n bytes is not a dot-atom, or NULL. */
static const char *local_problem(const char *s, size_t n)
{
	size_t i = 0, k;
	int32_t c;

	if (n == 0)
		return "empty local part";
	if (n > LOCAL_MAX)
		return "local part longer than 64 bytes";
	if (s[0] == '.' || s[n - 1] == '.' || memmem(s, n, "..", 2))
		return "misplaced '.' in local part";
	for (; i < n; i += k) {
		k = utf8_decode(s + i, n - i, &c);
		if (!k || email_char_bad_p(c))
			return "character not allowed in local part";
	}
	return NULL;
}

/* Returns why label s of n bytes is not a host name label, or NULL. */
static const char *label_problem(const char *s, size_t n)
{
	size_t i = 0, k;
	int32_t c;

	if (n == 0)
		return "empty label in domain";
	if (n > LABEL_MAX)
		return "domain label longer than 63 bytes";
	if (s[0] == '-' || s[n - 1] == '-')
		return "domain label begins or ends with '-'";
	for (; i < n; i += k) {
		k = utf8_decode(s + i, n - i, &c);
		if (!k || email_char_bad_p(c))
			return "character not allowed in domain";
		if (c < 0x80 && c != '-' && !(c >= '0' && c <= '9') &&
		    !((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return "character not allowed in domain";
	}
	return NULL;
}

/* Returns why domain s is not a host name with a top-level domain, or NULL. */
static const char *domain_problem(const char *s)
{
	const char *label = s, *dot, *why;
	size_t n;

	if (!*s)
		return "empty domain";
	if (!strchr(s, '.'))
		return "no top-level domain";
	for (;;) {
		dot = strchr(label, '.');
		n = dot ? (size_t)(dot - label) : strlen(label);
		why = label_problem(label, n);
		if (why)
			return why;
		if (!dot)
			break;
		label = dot + 1;
	}
	/* A numeric last label would make 1.2.3.4 look like a domain. */
	if (n < 2 || strspn(label, "0123456789") == n)
		return "bad top-level domain";
	return NULL;
}

/* Returns why s is not an address of the form local@domain.tld, or NULL. */
static const char *email_problem(const char *s)
{
	const char *at = strchr(s, '@');
	const char *why;

	if (!at)
		return "no '@'";
	if (strchr(at + 1, '@'))
		return "more than one '@'";
	if (strlen(s) > EMAIL_MAX)
		return "longer than 254 bytes";
	why = local_problem(s, (size_t)(at - s));
	return why ? why : domain_problem(at + 1);
}

/* Appends the n bytes of valid UTF-8 at s in lower case. */
static int put_lower(crm_buf *b, const char *s, size_t n)
{
	utf8proc_uint8_t enc[4];
	utf8proc_ssize_t k;
	size_t i = 0, len;
	int32_t c;

	for (; i < n; i += len) {
		len = utf8_decode(s + i, n - i, &c);
		if (!len)
			return crm_error_set(CRM_EDATA, "invalid UTF-8 at byte %zu", i + 1);
		k = utf8proc_encode_char(utf8proc_tolower(c), enc);
		if (crm_buf_put(b, (const char *)enc, (size_t)k))
			return CRM_ENOMEM;
	}
	return CRM_OK;
}

/* Removes from s, in place, the invisible format characters (Unicode's
 * Cf: the right-to-left mark, the zero-width space, a BOM) that text
 * copied from Hebrew and Arabic spreadsheets brings along: no address
 * holds one, and one kept would make the same address a second one. */
static void strip_format_chars(char *s)
{
	size_t n = strlen(s), i = 0, j = 0, k;
	int32_t c;

	/* Every format character is past ASCII, as most addresses are not. */
	while (i < n && !((unsigned char)s[i] & 0x80))
		i++;
	j = i;
	while (i < n) {
		k = utf8_decode(s + i, n - i, &c);
		if (!k)
			k = 1;
		else if (utf8proc_category(c) == UTF8PROC_CATEGORY_CF) {
			i += k;
			continue;
		}
		memmove(s + j, s + i, k);
		i += k;
		j += k;
	}
	s[j] = '\0';
}

int crm_email_normalize(char **out, const char *s)
{
	crm_buf b = CRM_BUF_INIT;
	const char *why;
	char *nfc;
	int rc = crm_text_nfc(&nfc, s);

	*out = NULL;
	if (rc)
		return crm_error_prefix("invalid email address");
	strip_format_chars(nfc);
	why = email_problem(nfc);
	if (why) {
		rc = crm_error_set(CRM_EDATA, "invalid email address '%s': %s", nfc, why);
		goto done;
	}
	/* Everything past the '@' is lowered with the rest: '@' has no case.
	 * An address in ASCII, as most are, is lowered where it is. */
	if (ascii_p(nfc)) {
		for (char *p = nfc; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + ('a' - 'A'));
		*out = nfc;
		return CRM_OK;
	}
	rc = put_lower(&b, nfc, strlen(nfc));
	if (!rc)
		*out = crm_buf_detach(&b);
	if (!rc && !*out)
		rc = crm_error_nomem();
done:
	crm_buf_free(&b);
	free(nfc);
	return rc;
}

int crm_domain_normalize(char **out, const char *s)
{
	static const char *const schemes[] = { "https://", "http://" };
	const char *host = s, *why;
	crm_buf b = CRM_BUF_INIT;
	char *d, *nfc = NULL;
	size_t n;
	int rc;

	/* A web address names its domain: https://example.org/about is
	 * example.org.  Blanks around it, as a cell may have, and the dot
	 * of the root at its end (example.org.) are no part of it; nor is
	 * the "www." of the web server's name, or www.example.org and
	 * example.org would be two companies (schema 16 took it from the
	 * domains stored before).  www.com keeps it: the rest is no domain.
	 * What this gives it gives again (the migration relies on that). */
	*out = NULL;
	host += strspn(host, " \t");
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (!strncasecmp(host, schemes[i], strlen(schemes[i])))
			host += strlen(schemes[i]);
	n = strcspn(host, "/");
	while (n && (host[n - 1] == ' ' || host[n - 1] == '\t'))
		n--;
	while (n > 1 && host[n - 1] == '.')
		n--;
	while (n > 4 && !strncasecmp(host, "www.", 4) && memchr(host + 4, '.', n - 4)) {
		host += 4;
		n -= 4;
	}
	if (!(d = strndup(host, n)))
		return crm_error_nomem();
	/* A name in another script (bücher.de) is kept as an address's
	 * domain is: NFC, in lower case, its labels checked alike. */
	if (!(rc = crm_text_nfc(&nfc, d)) && !(rc = put_lower(&b, nfc, strlen(nfc))) &&
	    (why = domain_problem(crm_buf_str(&b))))
		rc = crm_error_set(CRM_EDATA, "invalid domain '%s': %s", s, why);
	else if (rc == CRM_EDATA)
		rc = crm_error_prefix("invalid domain");
	if (!rc && !(*out = crm_buf_detach(&b)))
		rc = crm_error_nomem();
	crm_buf_free(&b);
	free(nfc);
	free(d);
	return rc;
}

static bool gmail_p(const char *domain)
{
	return !strcmp(domain, "gmail.com") || !strcmp(domain, "googlemail.com");
}

int crm_email_key(char **out, const char *s)
{
	crm_buf b = CRM_BUF_INIT;
	const char *at, *end, *p;
	char *e;
	bool gmail;
	int rc = crm_email_normalize(&e, s);

	*out = NULL;
	if (rc)
		return rc;
	at = strchr(e, '@');
	gmail = gmail_p(at + 1);
	/* A local part that is all tag ("+news@") has nothing else to keep. */
	end = memchr(e, '+', (size_t)(at - e));
	if (!end || end == e)
		end = at;
	for (p = e; p < end && !rc; p++)
		if (!(gmail && *p == '.'))
			rc = crm_buf_putc(&b, *p);
	if (!rc)
		rc = crm_buf_printf(&b, "@%s", gmail ? "gmail.com" : at + 1);
	free(e);
	if (rc) {
		crm_buf_free(&b);
		return rc;
	}
	*out = crm_buf_detach(&b);
	return *out ? CRM_OK : crm_error_nomem();
}

bool crm_int_parse(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}
