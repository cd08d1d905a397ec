/* country.c - ISO 3166-1 alpha-2 country codes; names are country_names.c's. */
#include <stdlib.h>
#include <string.h>

#include "crm/error.h"
#include "crm/norm.h"
#include "internal.h"

/* Every officially assigned code, sorted for bsearch, and XK, Kosovo's:
 * a user-assigned code, but the one shops, banks, the EU and phone
 * numbering (+383) use for it.  Reserved codes such as UK and EU are left
 * out: they name no country in the standard. */
static const char codes[][3] = {
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT",
	"AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI",
	"BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
	"BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
	"CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
	"DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
	"FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL",
	"GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
	"HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
	"IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
	"KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS",
	"LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
	"ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW",
	"MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP",
	"NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
	"PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
	"SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
	"SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
	"TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
	"TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
	"VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
};

static int code_cmp(const void *key, const void *elem)
{
	return strcmp(key, elem);
}

bool crm_country_valid_p(const char *code)
{
	if (!code || strlen(code) != 2)
		return false;
	return bsearch(code, codes, sizeof codes / sizeof codes[0],
		       sizeof codes[0], code_cmp) != NULL;
}

/* Locale-independent, so that a Turkish locale cannot turn "i" into "İ". */
static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

int crm_country_normalize(char **out, const char *s)
{
	const char *end;
	char code[3];
	int rc;

	*out = NULL;
	s += strspn(s, " \t\n\r\f\v");
	end = s + strlen(s);
	while (end > s && strchr(" \t\n\r\f\v", end[-1]))
		end--;
	code[0] = end - s == 2 ? ascii_upper(s[0]) : '\0';
	code[1] = end - s == 2 ? ascii_upper(s[1]) : '\0';
	code[2] = '\0';
	/* Not a code: a name (country_names.c). */
	if (!crm_country_valid_p(code) && (rc = crm_country_by_name(code, s)))
		return rc == CRM_ENOMEM || rc == CRM_EDATA
		       ? rc : crm_error_set(CRM_EDATA, "unknown country '%.*s'", (int)(end - s), s);
	*out = strdup(code);
	return *out ? CRM_OK : crm_error_nomem();
}
