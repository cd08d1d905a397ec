/* mail_words.c - RFC 2047 encoded-words of an unstructured header (a
 * Subject), decoded here rather than by GMime: GMime 3.2.13 joins the
 * base64 text of adjacent words before decoding it, so a word that ends
 * in '=' padding swallows the words after it (GMime issue #133, fixed in
 * 3.2.14), and long Cyrillic or CJK subjects came back with words
 * missing.  Each word is decoded on its own here; the bytes of adjacent
 * words of one charset are joined before conversion, as RFC 2047 allows
 * a character to be split between them. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "mail_impl.h"

/* One encoded-word at p: "=?charset?B|Q?text?=" with no blanks. */
struct word {
	char charset[64];
	char enc;
	const char *text;
	size_t len;
	const char *end; /* just after "?=" */
};

static int parse_word(const char *p, struct word *w)
{
	const char *cs = p + 2, *q, *t, *e;
	size_t n;

	if (strncmp(p, "=?", 2) || !(q = strchr(cs, '?')) || !q[1] || q[2] != '?')
		return 0;
	n = (size_t)(q - cs);
	w->enc = (char)(q[1] | 0x20);
	t = q + 3;
	if (!n || n >= sizeof w->charset || (w->enc != 'b' && w->enc != 'q') ||
	    !(e = strstr(t, "?=")))
		return 0;
	for (const char *s = cs; s < e; s++)
		if ((unsigned char)*s <= ' ')
			return 0;
	memcpy(w->charset, cs, n);
	w->charset[n] = '\0';
	w->charset[strcspn(w->charset, "*")] = '\0'; /* RFC 2231 language */
	w->text = t;
	w->len = (size_t)(e - t);
	w->end = e + 2;
	return 1;
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f'
	                                         ? (c | 0x20) - 'a' + 10 : -1;
}

/* Appends the bytes word w stands for to b. */
static int word_bytes(const struct word *w, crm_buf *b)
{
	if (w->enc == 'b') {
		char *t = g_strndup(w->text, w->len);
		gsize n = 0;
		guchar *d = g_base64_decode(t, &n);
		int rc = crm_buf_put(b, (const char *)d, n);

		g_free(t);
		g_free(d);
		return rc;
	}
	for (size_t i = 0; i < w->len; i++) {
		char c = w->text[i];
		int h1, h2;

		if (c == '_')
			c = ' ';
		else if (c == '=' && i + 2 < w->len && (h1 = hex(w->text[i + 1])) >= 0 &&
		         (h2 = hex(w->text[i + 2])) >= 0) {
			c = (char)(h1 * 16 + h2);
			i += 2;
		}
		if (crm_buf_putc(b, c))
			return CRM_ENOMEM;
	}
	return CRM_OK;
}

/* Converts the bytes of a run of words in charset to UTF-8 onto out;
 * bytes no converter reads stay as they are (the caller checks UTF-8). */
static int flush(crm_buf *out, crm_buf *bytes, const char *charset)
{
	gsize n = 0;
	gchar *u;
	int rc;

	if (!bytes->len)
		return CRM_OK;
	u = g_convert(bytes->ptr, (gssize)bytes->len, "UTF-8", crm_mail_charset(charset), NULL, &n,
	              NULL);
	rc = u ? crm_buf_put(out, u, n) : crm_buf_put(out, bytes->ptr, bytes->len);
	g_free(u);
	crm_buf_clear(bytes);
	return rc;
}

char *crm_mail_decode_words(const char *raw)
{
	crm_buf out = CRM_BUF_INIT, bytes = CRM_BUF_INIT;
	char charset[64] = "";
	struct word w;
	const char *p = raw, *next;
	int rc = CRM_OK;

	while (*p && !rc) {
		if (!parse_word(p, &w)) {
			if (!(rc = flush(&out, &bytes, charset)))
				rc = crm_buf_putc(&out, *p++);
			continue;
		}
		if (strcmp(w.charset, charset) && !(rc = flush(&out, &bytes, charset)))
			memcpy(charset, w.charset, sizeof charset);
		if (!rc)
			rc = word_bytes(&w, &bytes);
		/* Blanks between two encoded-words are no part of the text. */
		next = w.end + strspn(w.end, " \t\r\n");
		p = next != w.end && parse_word(next, &w) ? next : w.end;
	}
	if (!rc)
		rc = flush(&out, &bytes, charset);
	crm_buf_free(&bytes);
	if (rc) {
		crm_buf_free(&out);
		return NULL;
	}
	return crm_buf_detach(&out);
}
