/* loyalty_card.c - reward cards (loyalty.h): numbers with a Luhn check
 * digit, their states, and a QR code of the number for printing.
 *
 * A number is the configured prefix, random digits and the check digit:
 * random so that knowing one card does not tell the next.  The check
 * digit lets a till tell a misread number from an unknown card.
 */
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyalty_impl.h"
#include "registry.h"

char crm_luhn_digit(const char *s)
{
	size_t n = strlen(s);
	int sum = 0;

	if (!n || strspn(s, "0123456789") != n)
		return 0;
	/* Doubling starts at the rightmost digit, the check digit going after it. */
	for (size_t i = 0; i < n; i++) {
		int d = s[n - 1 - i] - '0';

		if (i % 2 == 0 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

int crm_luhn_valid(const char *s)
{
	char body[CRM_CARD_LEN];
	size_t n = strlen(s);

	if (n < 2 || n >= sizeof body)
		return 0;
	memcpy(body, s, n - 1);
	body[n - 1] = 0;
	return crm_luhn_digit(body) == s[n - 1];
}

static int taken(crm_db *db, const char *number, int *yes)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT 1 FROM loyalty_cards WHERE number = ?1");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, number);
	rc = crm_stmt_step(st);
	*yes = rc == CRM_ROW;
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

/* A fresh number: the prefix, random digits, the check digit. */
static int new_number(crm_db *db, char out[CRM_CARD_LEN])
{
	const struct crm_loyalty_programme *p = crm_config_loyalty(crm_db_config(db));
	const char *prefix = p && p->card_prefix ? p->card_prefix : "";
	int len = p ? p->card_length : 16;
	char *digits = NULL;
	int rc, yes;

	for (int tries = 0; tries < 100; tries++) {
		if ((rc = crm_db_text_of(db, "SELECT printf('%018d%018d', abs(random() % ?1),"
		                         " abs(random() % ?1))", 1000000000000000000LL, &digits)))
			return rc;
		snprintf(out, CRM_CARD_LEN, "%s%.*s", prefix, len - 1 - (int)strlen(prefix), digits);
		free(digits);
		out[len - 1] = crm_luhn_digit(out);
		out[len] = 0;
		if ((rc = taken(db, out, &yes)) || !yes)
			return rc;
	}
	return crm_error_set(CRM_EFAIL, "no free card number after 100 tries: lengthen the numbers"
	                     " (crm-config(5) loyalty cards)");
}

static int insert_card(crm_db *db, int64_t person, const char *number)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "INSERT INTO loyalty_cards(number, contact_id, status,"
	                     " issued_at, changed_at) VALUES (?1, ?2, 'active', crm_now(), crm_now())");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, number);
	crm_stmt_bind_int(st, 2, person);
	return crm_stmt_done(st);
}

int crm_card_issue(crm_db *db, int64_t person, char out[CRM_CARD_LEN])
{
	int rc = crm_entity_referable(db, &crm_contact_entity, person);

	if (!rc)
		rc = new_number(db, out);
	return rc ? rc : insert_card(db, person, out);
}

int crm_card_find(crm_db *db, const char *number, struct crm_card *out)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT number, coalesce(contact_id, 0), status,"
	                     " coalesce(replaced_by, ''), " CONTACT_NAME("contact_id")
	                     " FROM loyalty_cards WHERE number = ?1");

	memset(out, 0, sizeof *out);
	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, number);
	if ((rc = crm_stmt_step(st)) == CRM_ROW) {
		snprintf(out->number, sizeof out->number, "%s", crm_stmt_text(st, 0));
		out->person = crm_stmt_int(st, 1);
		snprintf(out->status, sizeof out->status, "%s", crm_stmt_text(st, 2));
		snprintf(out->replaced_by, sizeof out->replaced_by, "%s", crm_stmt_text(st, 3));
		snprintf(out->name, sizeof out->name, "%s", crm_stmt_text(st, 4));
	}
	crm_stmt_reset(st);
	if (rc < 0)
		return rc;
	if (rc != CRM_ROW || !out->person)
		return crm_error_set(CRM_ENOTFOUND, "no card %s%s", number,
		                     crm_luhn_valid(number) ? "" : " (its check digit is wrong:"
		                     " misread or mistyped?)");
	if (!strcmp(out->status, "blocked"))
		return crm_error_set(CRM_EDATA, "card %s is blocked", number);
	if (!strcmp(out->status, "replaced"))
		return crm_error_set(CRM_EDATA, "card %s was replaced by %s", number,
		                     out->replaced_by);
	return CRM_OK;
}

static int set_status(crm_db *db, const char *number, const char *status, const char *by)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "UPDATE loyalty_cards SET status = ?2, replaced_by = ?3,"
	                     " changed_at = crm_now() WHERE number = ?1");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, number);
	crm_stmt_bind_text(st, 2, status);
	crm_stmt_bind_text(st, 3, by);
	return crm_stmt_done(st);
}

int crm_card_block(crm_db *db, const char *number)
{
	struct crm_card c;
	int rc = crm_card_find(db, number, &c);

	return rc ? rc : set_status(db, number, "blocked", NULL);
}

int crm_card_replace(crm_db *db, const char *number, char out[CRM_CARD_LEN])
{
	struct crm_card c;
	int rc = crm_card_find(db, number, &c);

	if (rc == CRM_EDATA && !strcmp(c.status, "blocked")) {
		crm_error_clear();
		rc = CRM_OK;
	}
	if (rc || (rc = new_number(db, out)) || (rc = insert_card(db, c.person, out)))
		return rc;
	return set_status(db, number, "replaced", out);
}

/* The code as one SVG path of unit squares, four modules of quiet zone
 * round it, scalable without blur. */
int crm_card_svg(const char *text, crm_buf *out)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int rc, w;

	if (!q)
		return crm_error_set(CRM_EDATA, "card %s: no QR code of it", text);
	w = q->width + 8;
	rc = crm_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
	                    " width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">\n"
	                    "<title>%s</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	                    "<path fill=\"#000\" d=\"", w, w, w * 4, w * 4, text, w, w);
	for (int y = 0; y < q->width && !rc; y++)
		for (int x = 0; x < q->width && !rc; x++)
			if (q->data[y * q->width + x] & 1)
				rc = crm_buf_printf(out, "M%d %dh1v1h-1z", x + 4, y + 4);
	if (!rc)
		rc = crm_buf_printf(out, "\"/>\n</svg>\n");
	QRcode_free(q);
	return rc;
}
