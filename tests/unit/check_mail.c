/* check_mail.c - mail in and out: messages as the common clients send
 * them (tests/data/mail/, written by hand after real ones), the places
 * mail is kept, and replies composed, read back and piped to a command.
 * Every expected value was read off the fixtures, or worked out by hand
 * (2026-11-22T09:30:00Z is 1795339800 seconds after 1970: 20779 days and
 * 9.5 hours), never taken from the code under test. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "crm/error.h"
#include "crm/mail.h"
#include "fixture.h"

#define DATA "tests/data/mail/"
#define CAP 4096

static void setup(void)
{
	crm_error_clear();
}

/* The bytes of file name of the data folder, NUL-terminated; *len set. */
static char *load(const char *name, size_t *len)
{
	char path[256];
	FILE *fp;
	char *buf;
	long n;

	snprintf(path, sizeof path, DATA "%s", name);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s (run from the top of the tree)", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static struct crm_mail *parse_file(const char *name, size_t cap)
{
	struct crm_mail *m = NULL;
	size_t len;
	char *raw = load(name, &len);

	ck_assert_msg(crm_mail_parse(&m, raw, len, cap) == CRM_OK, "%s: %s", name,
		      crm_error_message());
	free(raw);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(m->text);
	return m;
}

static struct crm_mail *parse_text(const char *raw)
{
	struct crm_mail *m = NULL;

	ck_assert_msg(crm_mail_parse(&m, raw, strlen(raw), CAP) == CRM_OK, "%s",
		      crm_error_message());
	return m;
}

/* Compares a field that may be NULL. */
static void same(const char *got, const char *want)
{
	if (!want)
		ck_assert_msg(got == NULL, "got '%s', want NULL", got);
	else
		ck_assert_msg(got && !strcmp(got, want), "got '%s', want '%s'", got ? got : "(null)",
			      want);
}

START_TEST(test_thunderbird_alternative)
{
	struct crm_mail *m = parse_file("thunderbird-alternative.eml", CAP);

	same(m->message_id, "8f3c2a1e-5b7d-4e2f-9a61-2c4d8e9f0a1b@example.net");
	same(m->in_reply_to, NULL);
	ck_assert_uint_eq(m->nreferences, 0);
	same(m->from_name, "J\u00fcrgen M\u00fcller");
	same(m->from_addr, "Juergen.Mueller@example.net");
	same(m->to, "support@example.org");
	same(m->subject, "Rechnung f\u00fcr November fehlt");
	same(m->date, "2026-11-16T13:05:33Z");
	/* The plain part, its flowed line joined; the newline before the
	 * boundary belongs to the boundary. */
	same(m->text, "Hallo,\n\nich habe die Rechnung f\u00fcr November noch nicht erhalten."
		      " K\u00f6nnten Sie sie mir bitte noch einmal schicken?\n\n"
		      "Viele Gr\u00fc\u00dfe\nJ\u00fcrgen M\u00fcller");
	ck_assert_uint_eq(m->nattachments, 0);
	ck_assert_int_eq(m->automatic, 0);
	ck_assert_int_eq(m->report, 0);
	crm_mail_free(m);
}
END_TEST

START_TEST(test_latin1_quoted_printable)
{
	struct crm_mail *m = parse_file("latin1-qp.eml", CAP);

	same(m->from_name, "Fran\u00e7oise Lef\u00e8vre");
	same(m->from_addr, "francoise.lefevre@exemple.fr");
	same(m->subject, "Probl\u00e8me de connexion \u00e0 l'espace client");
	same(m->message_id, "000001db2a4f$1c2d3e40$5f6a7b80$@exemple.fr");
	same(m->date, "2026-11-17T13:15:00Z");
	same(m->text, "Bonjour,\n\nDepuis hier, je ne peux plus me connecter \u00e0 l'espace"
		      " client\u00a0: le message \u00ab\u00a0mot de passe erron\u00e9\u00a0\u00bb"
		      " s'affiche, alors que je suis s\u00fbre du mot de passe. Pourriez-vous"
		      " v\u00e9rifier mon compte\u00a0?\n\nCordialement,\nFran\u00e7oise"
		      " Lef\u00e8vre\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_koi8r_base64)
{
	struct crm_mail *m = parse_file("koi8r-base64.eml", CAP);

	same(m->from_name, "\u041e\u043b\u044c\u0433\u0430 \u0421\u043c\u0438\u0440\u043d"
			   "\u043e\u0432\u0430"); /* Ольга Смирнова, in windows-1251 */
	same(m->subject, "\u041d\u0435 \u0440\u0430\u0431\u043e\u0442\u0430\u0435\u0442"
			 " \u043e\u043f\u043b\u0430\u0442\u0430 \u043a\u0430\u0440\u0442"
			 "\u043e\u0439"); /* Не работает оплата картой */
	same(m->date, "2026-11-18T20:30:00Z");
	same(m->text, "\u0417\u0434\u0440\u0430\u0432\u0441\u0442\u0432\u0443\u0439\u0442"
		      "\u0435!\n\n\u041f\u0440\u0438 \u043e\u043f\u043b\u0430\u0442\u0435"
		      " \u0437\u0430\u043a\u0430\u0437\u0430 4521 \u043a\u0430\u0440\u0442"
		      "\u043e\u0439 \u043f\u043e\u044f\u0432\u043b\u044f\u0435\u0442\u0441"
		      "\u044f \u043e\u0448\u0438\u0431\u043a\u0430.\n\u0427\u0442\u043e"
		      " \u0434\u0435\u043b\u0430\u0442\u044c?\n\n\u0421 \u0443\u0432\u0430"
		      "\u0436\u0435\u043d\u0438\u0435\u043c,\n\u041e\u043b\u044c\u0433"
		      "\u0430\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_iso2022jp)
{
	struct crm_mail *m = parse_file("iso2022jp.eml", CAP);

	same(m->from_name, "佐藤 花子");
	same(m->subject, "請求書について");
	same(m->date, "2026-11-19T00:00:00Z");
	same(m->text, "山田様\n\nいつもお世話になっております。\n"
		      "請求書の再発行をお願いできますでしょうか。\n\n佐藤\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_html_only)
{
	struct crm_mail *m = parse_file("html-only.eml", CAP);

	same(m->date, "2026-11-21T12:00:00Z");
	/* No style, title or script; the comment gone; <br> inside an empty
	 * <div> is the blank line a reader sees; 0x92 of Windows-1252 is ’. */
	same(m->text, "Hello support team,\n\n"
		      "My order #1043 arrived damaged \u2014 the lid was cracked.\n"
		      "Could you send a replacement? It was a gift for my aunt\u2019s birthday.\n\n"
		      "- Item: Teapot \"Kyoto\"\n- Price: 39\u20ac\n\n"
		      "Thanks,\nZo\u00eb & Ren\u00e9\n");
	ck_assert_uint_eq(m->nattachments, 0);
	crm_mail_free(m);
}
END_TEST

static const char pdf[] =
	"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
	"trailer << /Root 1 0 R >>\n%%EOF\n";
#define PNG_SIZE 7028 /* the 48 x 48 picture encoded in the fixture */

START_TEST(test_attachments)
{
	struct crm_mail *m = parse_file("attachments.eml", CAP);
	struct crm_mail_attachment *a = m->attachments;

	same(m->date, "2026-11-22T09:30:00Z");
	same(m->to, "support@example.org");
	same(m->text, "Hi,\n\nattached are the signed contract and a screenshot of the error.\n\nAda\n");
	ck_assert_uint_eq(m->nattachments, 2);
	same(a[0].name, "Vertrag_M\u00fcller.pdf"); /* RFC 2231 */
	same(a[0].type, "application/pdf");
	ck_assert_uint_eq(a[0].size, sizeof pdf - 1);
	ck_assert_ptr_nonnull(a[0].data);
	ck_assert_int_eq(memcmp(a[0].data, pdf, sizeof pdf - 1), 0);
	same(a[1].name, "screenshot.png");
	same(a[1].type, "image/png");
	ck_assert_uint_eq(a[1].size, PNG_SIZE);
	ck_assert_ptr_null(a[1].data); /* over the cap: listed only */
	crm_mail_free(m);

	m = parse_file("attachments.eml", PNG_SIZE);
	ck_assert_ptr_nonnull(m->attachments[1].data);
	ck_assert_int_eq(memcmp(m->attachments[1].data, "\x89PNG\r\n\x1a\n", 8), 0);
	crm_mail_free(m);

	m = parse_file("attachments.eml", 0);
	ck_assert_ptr_null(m->attachments[0].data);
	ck_assert_uint_eq(m->attachments[0].size, sizeof pdf - 1);
	crm_mail_free(m);
}
END_TEST

START_TEST(test_autoreply)
{
	struct crm_mail *m = parse_file("autoreply.eml", CAP);

	ck_assert_int_eq(m->automatic, 1);
	ck_assert_int_eq(m->report, 0);
	same(m->in_reply_to, "1042.3.1763918000@example.org");
	ck_assert_uint_eq(m->nreferences, 1);
	same(m->references[0], "1042.3.1763918000@example.org");
	same(m->text, "Vielen Dank f\u00fcr Ihre Nachricht. Ich bin bis zum 30.11.2026 nicht im"
		      " B\u00fcro.\nIn dringenden F\u00e4llen wenden Sie sich bitte an"
		      " office@example.com.\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_bulk)
{
	struct crm_mail *m = parse_file("bulk.eml", CAP);

	ck_assert_int_eq(m->automatic, 1);
	ck_assert_int_eq(m->report, 0);
	same(m->from_name, "Example Shop");
	same(m->text, "This weekend only: 30% off everything in the shop.\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_delivery_report)
{
	struct crm_mail *m = parse_file("dsn.eml", CAP);
	struct crm_mail_attachment *a = m->attachments;
	static const char status[] = "Reporting-MTA: dns; mail.example.org\n";
	static const char id[] = "Message-Id: <1763867564.0123456789abcdef@example.org>";

	ck_assert_int_eq(m->report, 1);
	ck_assert_int_eq(m->automatic, 1);
	same(m->from_addr, "MAILER-DAEMON@mail.example.org");
	same(m->subject, "Undelivered Mail Returned to Sender");
	same(m->date, "2026-11-23T03:12:45Z");
	same(m->text, "This is the mail system at host mail.example.org.\n\n"
		      "I'm sorry to have to inform you that your message could not\n"
		      "be delivered to one or more recipients. It's attached below.\n\n"
		      "<nobody@example.com>: host mx.example.com[192.0.2.25] said: 550 5.1.1\n"
		      "    <nobody@example.com>: Recipient address rejected: User unknown (in reply to\n"
		      "    RCPT TO command)\n");
	ck_assert_uint_eq(m->nattachments, 2);
	same(a[0].type, "message/delivery-status");
	same(a[0].name, NULL);
	ck_assert_int_eq(memcmp(a[0].data, status, sizeof status - 1), 0);
	same(a[1].type, "message/rfc822");
	ck_assert_ptr_nonnull(a[1].data);
	ck_assert_ptr_nonnull(memmem(a[1].data, a[1].size, id, strlen(id)));
	crm_mail_free(m);
}
END_TEST

START_TEST(test_reply_threading)
{
	struct crm_mail *m = parse_file("reply.eml", CAP);

	same(m->message_id, "20261123221000.GA1234@navy.example.mil");
	same(m->in_reply_to, "1042.3.1763918000@example.org");
	ck_assert_uint_eq(m->nreferences, 3);
	same(m->references[0], "1042.1.1763700000@example.org");
	same(m->references[1], "CAFx1=grace.first@mail.navy.example.mil");
	same(m->references[2], "1042.3.1763918000@example.org");
	same(m->subject, "Re: [#1042] Printer offline");
	same(m->from_name, "Grace Hopper");
	same(m->date, "2026-11-23T22:10:00Z"); /* 00:10 at +0200 is the evening before */
	same(m->text, "On Mon, Nov 23, 2026 at 05:13:20PM +0000, Example Support wrote:\n"
		      "> Could you try restarting the print spooler?\n\n"
		      "Done, it works again. Thanks!\n\n-- \nGrace\n");
	ck_assert_int_eq(m->automatic, 0);
	crm_mail_free(m);
}
END_TEST

START_TEST(test_lying_charset)
{
	struct crm_mail *m = parse_file("lying-charset.eml", CAP);

	/* Said UTF-8, written in Windows-1252; the subject raw 8-bit. */
	same(m->text, "Caf\u00e9 au lait co\u00fbte 3\u20ac.\n");
	same(m->subject, "R\u00e9servation");
	same(m->date, NULL); /* "next Tuesday" */
	crm_mail_free(m);
}
END_TEST

/* Encoded-words in the Subject, decoded word by word: adjacent base64
 * words whose first ends in padding (which GMime 3.2.13 reads wrong), a
 * character split between two words, Q with underscores, text around. */
static void subject_is(const char *header, const char *want)
{
	char raw[1024];
	struct crm_mail *m;

	snprintf(raw, sizeof raw, "From: a@example.com\nSubject: %s\n\nhi\n", header);
	m = parse_text(raw);
	same(m->subject, want);
	crm_mail_free(m);
}

START_TEST(test_encoded_words)
{
	/* "Привет" then " мир": the first word ends in "=". */
	subject_is("=?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?B?INC80LjRgA==?=",
	           "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440");
	subject_is("=?UTF-8?B?0J/RgNC40LLQtdGC?=\n =?UTF-8?B?INC80LjRgA==?= ok",
	           "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440 ok");
	subject_is("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9_noir?=", "caf\u00e9 noir");
	subject_is("Re: =?ISO-8859-1?Q?R=E9servation?= (2)", "Re: R\u00e9servation (2)");
	subject_is("=?utf-8?b?0J/RgNC40LLQtdGC?= and =?utf-8?q?mir?=",
	           "\u041f\u0440\u0438\u0432\u0435\u0442 and mir");
	subject_is("=?UTF-8?B?broken", "=?UTF-8?B?broken");
	subject_is("a =? b ?= c", "a =? b ?= c");
}
END_TEST

/* A message of subject alone, from and to one address. */
static struct crm_mail_out of_subject(const char *subject)
{
	return (struct crm_mail_out){ .from = "shop@example.org", .to = "ada@example.org",
	                              .subject = subject, .message_id = "1.2@example.org",
	                              .date = "2026-11-22T09:30:00Z", .body = "hi" };
}

START_TEST(test_long_subject_round_trip)
{
	/* Thirty Cyrillic words: composed, folded into many encoded-words,
	 * read back whole. */
	char subject[2048] = "", *out = NULL;
	struct crm_mail_out o = of_subject(subject);
	struct crm_mail *m;
	size_t len;

	for (int i = 0; i < 30; i++)
		snprintf(subject + strlen(subject), sizeof subject - strlen(subject), "%s%s",
		         i ? " " : "", i % 3 ? "\u0441\u043a\u0438\u0434\u043a\u0430" : "\u0437\u0438\u043c\u0430");
	ck_assert_int_eq(crm_mail_compose(&out, &len, &o), CRM_OK);
	ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
	same(m->subject, subject);
	crm_mail_free(m);
	free(out);
}
END_TEST

/* A subject without blanks (Japanese) goes out as encoded-words of at
 * most 75 characters, each line of the header at most 76 (RFC 2047; the
 * message is composed with LF line ends, CR LF on the wire), and
 * reads back whole; an ASCII one as it is. */
START_TEST(test_long_unspaced_subject)
{
	char subject[1024] = "", *out = NULL, *p, *end, *word;
	struct crm_mail_out o = of_subject(subject);
	struct crm_mail *m;
	size_t len;

	for (int i = 0; i < 6; i++)
		strcat(subject, "冬のセールのお知らせ：全商品二十パーセント割引");
	strcat(subject, " [#32]");
	ck_assert_int_eq(crm_mail_compose(&out, &len, &o), CRM_OK);
	end = strstr(out, "\n\n");
	ck_assert_ptr_nonnull(end);
	for (p = out; p < end; p = strchr(p, '\n') + 1)
		ck_assert_msg(strchr(p, '\n') - p <= 76, "a line of %d octets",
		              (int)(strchr(p, '\n') - p));
	for (p = out; (word = strstr(p, "=?")) && word < end; p = strstr(word, "?=") + 2)
		ck_assert_int_le(strstr(word, "?=") + 2 - word, 75);
	ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
	same(m->subject, subject);
	crm_mail_free(m);
	free(out);
	o.subject = "Winter sale";
	ck_assert_int_eq(crm_mail_compose(&out, &len, &o), CRM_OK);
	ck_assert_ptr_nonnull(strstr(out, "\nSubject: Winter sale\n"));
	free(out);
}
END_TEST

/* A message of one text/plain part with the given Content-Type
 * parameters and body, parsed. */
static struct crm_mail *with_body(const char *params, const char *body)
{
	char raw[1024];

	snprintf(raw, sizeof raw, "From: a@example.com\nContent-Type: text/plain%s\n"
		 "Content-Transfer-Encoding: 8bit\n\n%s", params, body);
	return parse_text(raw);
}

START_TEST(test_charsets)
{
	struct crm_mail *m;

	/* Labelled Latin-1, written in UTF-8 (scripts do that). */
	m = with_body("; charset=iso-8859-1", "Gr\xc3\xbc\xc3\x9f" "e\n");
	same(m->text, "Gr\u00fc\u00dfe\n");
	crm_mail_free(m);
	/* Labelled with a charset the bytes break, and UTF-8 whole. */
	m = with_body("; charset=iso-2022-jp", "Gr\xc3\xbc\xc3\x9f" "e\n");
	same(m->text, "Gr\u00fc\u00dfe\n");
	crm_mail_free(m);
	/* Genuine Latin-1 stays Latin-1. */
	m = with_body("; charset=iso-8859-1", "Gr\xfc\xdf" "e\n");
	same(m->text, "Gr\u00fc\u00dfe\n");
	crm_mail_free(m);
	/* A charset nobody knows: UTF-8 if it is that, else Windows-1252. */
	m = with_body("; charset=x-made-up", "na\xefve \x93quoted\x94\n");
	same(m->text, "na\u00efve \u201cquoted\u201d\n");
	crm_mail_free(m);
	/* Shift_JIS: 日本 is 93FA 967B. */
	m = with_body("; charset=Shift_JIS", "\x93\xfa\x96\x7b\n");
	same(m->text, "日本\n");
	crm_mail_free(m);
	/* windows-1251: Привет. */
	m = with_body("; charset=windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2\n");
	same(m->text, "\u041f\u0440\u0438\u0432\u0435\u0442\n");
	crm_mail_free(m);
	/* Mostly UTF-8 with one broken byte: the byte alone is lost. */
	m = with_body("; charset=utf-8", "\xc3\xa9t\xc3\xa9 \xff \xc3\xa0 Paris\n");
	same(m->text, "\u00e9t\u00e9 \ufffd \u00e0 Paris\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_crlf_and_nul)
{
	static const char raw[] = "From: a@example.com\r\n\r\none\r\ntwo\r\nth\0ree\r\n";
	struct crm_mail *m = NULL;

	/* No charset, CRLF lines, a NUL byte (the length says where the end is). */
	ck_assert_int_eq(crm_mail_parse(&m, raw, sizeof raw - 1, CAP), CRM_OK);
	same(m->text, "one\ntwo\nthree\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_flowed_delsp)
{
	struct crm_mail *m = with_body("; charset=utf-8; format=flowed; delsp=yes",
				       "Lorem ip \nsum dolor\n> quoted  \n> on\n-- \nsig\n");

	same(m->text, "Lorem ipsum dolor\n> quoted on\n-- \nsig\n");
	crm_mail_free(m);
}
END_TEST

/* A message with the header lines head, parsed; its automatic flag. */
static int automatic(const char *head, int *report)
{
	char raw[1024];
	struct crm_mail *m;
	int a;

	snprintf(raw, sizeof raw, "From: a@example.com\n%s\nbody\n", head);
	m = parse_text(raw);
	a = m->automatic;
	if (report)
		*report = m->report;
	crm_mail_free(m);
	return a;
}

START_TEST(test_automatic_headers)
{
	int report = -1;

	ck_assert_int_eq(automatic("Subject: hi\n", NULL), 0);
	ck_assert_int_eq(automatic("Auto-Submitted: no\n", NULL), 0);
	ck_assert_int_eq(automatic("Auto-Submitted: No (a person)\n", NULL), 0);
	ck_assert_int_eq(automatic("Auto-Submitted: auto-generated\n", NULL), 1);
	ck_assert_int_eq(automatic("Auto-Submitted: auto-notified; owner-email=x@y\n", NULL), 1);
	ck_assert_int_eq(automatic("Precedence: list\n", NULL), 1);
	ck_assert_int_eq(automatic("Precedence: JUNK\n", NULL), 1);
	ck_assert_int_eq(automatic("Precedence: first-class\n", NULL), 0);
	ck_assert_int_eq(automatic("X-Autoreply: yes\n", NULL), 1);
	ck_assert_int_eq(automatic("X-Autorespond: vacation\n", NULL), 1);
	ck_assert_int_eq(automatic("Return-Path: <>\n", NULL), 1);
	ck_assert_int_eq(automatic("Return-Path: <a@example.com>\n", NULL), 0);
	/* A person writing through a list or group address. */
	ck_assert_int_eq(automatic("List-Id: <support.example.org>\n", NULL), 0);
	/* A read receipt is a machine's, but no delivery report. */
	ck_assert_int_eq(automatic("Content-Type: multipart/report;"
				   " report-type=disposition-notification; boundary=b\n", &report), 1);
	ck_assert_int_eq(report, 0);
	ck_assert_int_eq(automatic("Content-Type: multipart/report;"
				   " report-type=Delivery-Status; boundary=b\n", &report), 1);
	ck_assert_int_eq(report, 1);
}
END_TEST

START_TEST(test_html_details)
{
	struct crm_mail *m = parse_text(
		"From: a@example.com\nContent-Type: text/html\n\n"
		"<HTML><BODY><P>a &lt; b &#x41;&#66; AT&T &foo; 1 < 2</P>"
		"<pre>  two\n    spaces</pre><SCRIPT>x()</SCRIPT><p>&Uuml;ber&shy;all</p>"
		"<table><tr><td>x</td><td>y</td></tr><tr><td>z</td></tr></table>"
		"<p>&#0; &#xD800;</p></BODY></HTML>");

	same(m->text, "a < b AB AT&T &foo; 1 < 2\n\n  two\n    spaces\n\n\u00dcberall\n\nx y\nz\n\n"
		      "\ufffd \ufffd\n");
	crm_mail_free(m);
	/* A blank plain alternative gives way to the HTML one. */
	m = parse_text("From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n"
		       "--b\nContent-Type: text/plain\n\n \n--b\nContent-Type: text/html;"
		       " charset=utf-8\n\n<p>Hi</p>\n--b--\n");
	same(m->text, "Hi\n");
	crm_mail_free(m);
}
END_TEST

/* A link's target is what the customer sent: written after its text
 * unless the text says it; only targets a reader can follow. */
/* A blockquote reads as a plain text part quotes: each of its lines
 * starts "> ", one more for each quote it is in; blank lines and the
 * text around it are not quoted. */
START_TEST(test_html_blockquote)
{
	struct crm_mail *m = parse_text(
		"From: a@example.com\nContent-Type: text/html; charset=utf-8\n\n"
		"<div>5 \u2013 sehr gut</div><blockquote>Please reply<br>with a number"
		"<blockquote><p>Older</p><ul><li>one</li></ul></blockquote><pre>a\n b</pre>"
		"</blockquote><p>Thanks</p></blockquote>after");

	same(m->text, "5 \u2013 sehr gut\n\n> Please reply\n> with a number\n\n> > Older\n\n"
		      "> > - one\n\n> a\n>  b\n\nThanks\n\nafter\n");
	crm_mail_free(m);
}
END_TEST

START_TEST(test_html_links)
{
	struct crm_mail *m = parse_text(
		"From: a@example.com\nContent-Type: text/html\n\n"
		"<p>Track it <A class=x HREF=\"https://shop.example/t?id=7&amp;k=2\">here</A>."
		" See https://a.example/x: <a href='https://a.example/x'>https://a.example/x</a>"
		" or <a href=mailto:help@example.org>help@example.org</a>,"
		" <a href=\"mailto:desk@example.org\">write</a>.</p>"
		"<p><a href=\"javascript:alert(1)\">bad</a> <a href=\"#top\">top</a>"
		" <a name=n>anchor</a> <a hreflang=en href = \"https://b.example/\"><b>bold</b> link</a></p>");

	same(m->text, "Track it here <https://shop.example/t?id=7&k=2>. See https://a.example/x:"
		      " https://a.example/x or help@example.org, write <desk@example.org>.\n\n"
		      "bad top anchor bold link <https://b.example/>\n");
	crm_mail_free(m);
}
END_TEST

static void refused(const char *raw, size_t len, const char *want)
{
	struct crm_mail *m = (struct crm_mail *)&m;

	ck_assert_int_eq(crm_mail_parse(&m, raw, len, CAP), CRM_EDATA);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(crm_error_code(), CRM_EDATA);
	if (want)
		ck_assert_str_eq(crm_error_message(), want);
}

START_TEST(test_refused)
{
	size_t len;
	char *raw = load("no-from.eml", &len);

	refused(raw, len, "no From address");
	free(raw);
	raw = load("garbage.bin", &len);
	refused(raw, len, NULL);
	free(raw);
	refused("", 0, NULL);
	refused("just some words\n", 16, NULL);
	refused("From: \nSubject: x\n\nbody\n", 24, "no From address");
	refused("From: Undisclosed:;\n\nbody\n", 26, "no From address");
}
END_TEST

/* Mail without a Message-ID is known by the digest of its bytes (the
 * value from sha256sum), which is never made its Message-ID. */
START_TEST(test_key)
{
	const char *noid = "From: carl@example.org\nSubject: No id here\n\nhello\n";
	const char *withid = "From: a@example.org\nMessage-ID: <x1@example.org>\n\nhi\n";
	struct crm_mail *m = parse_text(noid);
	char *key = NULL;

	ck_assert_int_eq(crm_mail_key(&key, m, noid, strlen(noid)), CRM_OK);
	same(key, "sha256:aae2b295d3e0d51d0e2df9d0e6fac6c9d2ab3bcd60305bc493380e2104a6b9ff");
	same(m->message_id, NULL);
	free(key);
	crm_mail_free(m);
	m = parse_text(withid);
	ck_assert_int_eq(crm_mail_key(&key, m, withid, strlen(withid)), CRM_OK);
	same(key, "x1@example.org");
	free(key);
	crm_mail_free(m);
}
END_TEST

START_TEST(test_same_address)
{
	ck_assert_int_eq(crm_mail_same_address("Support <support@acme.example>",
					       "Support@ACME.Example"), 1);
	ck_assert_int_eq(crm_mail_same_address("\"Acme, Support\" <support@acme.example>",
					       "support@acme.example"), 1);
	ck_assert_int_eq(crm_mail_same_address("help@b\u00fccher.example",
					       "Help@xn--bcher-kva.example"), 1);
	ck_assert_int_eq(crm_mail_same_address("Support <support@acme.example>",
					       "support@acme.example.org"), 0);
	ck_assert_int_eq(crm_mail_same_address("Support <support@acme.example>",
					       "Support <sales@acme.example>"), 0);
	ck_assert_int_eq(crm_mail_same_address(NULL, "support@acme.example"), 0);
	ck_assert_int_eq(crm_mail_same_address("Support", "Support"), 0);
}
END_TEST

/* What a walk saw: labels and raw messages, one per line of a buffer. */
struct seen {
	int calls, stop_at;
	char labels[8][256];
	char raw[8][512];
};

static int record(void *arg, const char *label, const char *raw, size_t len)
{
	struct seen *s = arg;

	ck_assert_int_lt(s->calls, 8);
	snprintf(s->labels[s->calls], sizeof s->labels[0], "%s", label);
	snprintf(s->raw[s->calls], sizeof s->raw[0], "%.*s", (int)len, raw);
	ck_assert_uint_eq(strlen(raw), len);
	return ++s->calls == s->stop_at ? 7 : 0;
}

START_TEST(test_mbox)
{
	struct seen s = { 0 };

	ck_assert_int_eq(crm_mail_each_mbox(DATA "three.mbox", record, &s), CRM_OK);
	ck_assert_int_eq(s.calls, 3);
	ck_assert_str_eq(s.labels[0], DATA "three.mbox:message 1");
	ck_assert_str_eq(s.labels[2], DATA "three.mbox:message 3");
	/* An unquoted "From " inside a paragraph does not start a message. */
	ck_assert_str_eq(s.raw[0], "From: Alice <alice@example.com>\nTo: support@example.org\n"
			 "Subject: First\nDate: Mon, 23 Nov 2026 09:00:00 +0000\n"
			 "Message-ID: <m1@example.com>\n\nFirst message.\n"
			 "From here on a careless writer did not quote.\n");
	ck_assert_str_eq(s.raw[1], "From: Bob <bob@example.com>\nTo: support@example.org\n"
			 "Subject: Second\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n"
			 "Message-ID: <m2@example.com>\n\nI moved house.\n"
			 "From now on, write to my new address.\n"
			 ">From the old one nothing is forwarded.\n");
	ck_assert_str_eq(s.raw[2], "From: Carol <carol@example.com>\nTo: support@example.org\n"
			 "Subject: Third\nDate: Mon, 23 Nov 2026 11:00:00 +0000\n"
			 "Message-ID: <m3@example.com>\n\nThird message.\n");

	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	ck_assert_int_eq(crm_mail_each_mbox(DATA "three.mbox", record, &s), 7);
	ck_assert_int_eq(s.calls, 2);

	memset(&s, 0, sizeof s);
	ck_assert_int_eq(crm_mail_each_mbox(DATA "reply.eml", record, &s), CRM_EDATA);
	ck_assert_int_eq(s.calls, 0);
	ck_assert_int_eq(crm_mail_each_mbox("/dev/null", record, &s), CRM_OK);
	ck_assert_int_eq(s.calls, 0);
	ck_assert_int_eq(crm_mail_each_mbox(DATA "missing.mbox", record, &s), CRM_EIO);
}
END_TEST

START_TEST(test_maildir)
{
	struct seen s = { 0 };

	ck_assert_int_eq(crm_mail_each_maildir(DATA "maildir", record, &s), CRM_OK);
	/* new/ and cur/ together in name order; the dot file left alone. */
	ck_assert_int_eq(s.calls, 3);
	ck_assert_str_eq(s.labels[0], DATA "maildir/cur/1763800000.M1P100.mx.example.org:2,S");
	ck_assert_str_eq(s.labels[1], DATA "maildir/new/1763900000.M1P100.mx.example.org");
	ck_assert_str_eq(s.labels[2], DATA "maildir/cur/1763950000.M2P100.mx.example.org:2,");
	ck_assert_str_eq(s.raw[1], "From: Emil <emil@example.com>\nTo: support@example.org\n"
			 "Subject: Maildir 2\nDate: Mon, 23 Nov 2026 12:00:00 +0000\n"
			 "Message-ID: <md2@example.com>\n\nMessage 2.\n");

	memset(&s, 0, sizeof s);
	s.stop_at = 1;
	ck_assert_int_eq(crm_mail_each_maildir(DATA "maildir", record, &s), 7);
	ck_assert_int_eq(s.calls, 1);
	ck_assert_int_eq(crm_mail_each_maildir(DATA "nothing-here", record, &s), CRM_EIO);
	ck_assert_str_eq(crm_error_message(), "'" DATA "nothing-here' is not a Maildir"
			 " (it has no new/ or cur/)");
}
END_TEST

START_TEST(test_each_file)
{
	struct seen s = { 0 };
	int fd;

	ck_assert_int_eq(crm_mail_each_file(DATA "bulk.eml", record, &s), CRM_OK);
	ck_assert_int_eq(s.calls, 1);
	ck_assert_str_eq(s.labels[0], DATA "bulk.eml");
	ck_assert_ptr_nonnull(strstr(s.raw[0], "Precedence: bulk\n"));

	/* Standard input: Check runs each test in its own process. */
	fd = open(DATA "no-from.eml", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 0), 0);
	close(fd);
	ck_assert_int_eq(crm_mail_each_file("-", record, &s), CRM_OK);
	ck_assert_int_eq(s.calls, 2);
	ck_assert_str_eq(s.labels[1], "stdin");
	ck_assert_str_eq(s.raw[1], "To: support@example.org\nSubject: Where is my parcel?\n"
			 "Date: Tue, 24 Nov 2026 08:00:00 +0000\nMessage-ID: <nofrom.1@example.com>\n"
			 "\nNobody signed this.\n");
	ck_assert_int_eq(crm_mail_each_file(DATA "missing.eml", record, &s), CRM_EIO);
	ck_assert_int_eq(s.calls, 2);
}
END_TEST

START_TEST(test_maildir_deliver)
{
	char dir[128], path[512], *a = NULL, *b = NULL, cmd[160];
	struct seen s = { 0 };
	struct stat st;

	fx_scratch();
	snprintf(dir, sizeof dir, "%s/rejects", fx_dir);
	ck_assert_int_eq(crm_maildir_deliver(dir, "From: x@y\n\nbad\n", 15, &a), CRM_OK);
	ck_assert_int_eq(crm_maildir_deliver(dir, "second", 6, &b), CRM_OK);
	ck_assert_ptr_nonnull(strchr(a, '.'));
	ck_assert_ptr_null(strchr(a, '/'));
	ck_assert_str_ne(a, b);
	snprintf(path, sizeof path, "%s/tmp", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/cur", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/new/%s", dir, a);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(crm_mail_each_maildir(dir, record, &s), CRM_OK);
	ck_assert_int_eq(s.calls, 2);
	ck_assert_str_eq(s.labels[0], path);
	ck_assert_str_eq(s.raw[0], "From: x@y\n\nbad\n");
	ck_assert_str_eq(s.raw[1], "second");
	free(a);
	free(b);
	/* A folder that cannot be made. */
	ck_assert_int_eq(crm_maildir_deliver("/proc/nope", "x", 1, &a), CRM_EIO);
	ck_assert_ptr_null(a);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static const struct crm_mail_out reply = {
	.from = "Support Desk <support@example.org>",
	.to = "J\u00fcrgen M\u00fcller <juergen@example.net>",
	.subject = "Re: Rechnung f\u00fcr November \u2014 erledigt",
	.message_id = "1795339800.0123456789abcdef@example.org",
	.in_reply_to = "8f3c2a1e-5b7d-4e2f-9a61-2c4d8e9f0a1b@example.net",
	.references = "first@example.net  8f3c2a1e-5b7d-4e2f-9a61-2c4d8e9f0a1b@example.net",
	.date = "2026-11-22T09:30:00Z",
	.body = "Guten Tag Herr M\u00fcller,\n\ndie Rechnung ist unterwegs.\n\n"
		"Mit freundlichen Gr\u00fc\u00dfen\nIhr Support\n",
	.auto_submitted = NULL,
};

START_TEST(test_compose_round_trip)
{
	char *out = NULL;
	size_t len = 0;
	struct crm_mail *m = NULL;

	ck_assert_int_eq(crm_mail_compose(&out, &len, &reply), CRM_OK);
	ck_assert_uint_eq(len, strlen(out));
	/* Nothing but ASCII on the wire: headers encoded, body QP or base64. */
	for (size_t i = 0; i < len; i++)
		ck_assert_msg((unsigned char)out[i] < 128, "8-bit byte at %zu", i);
	ck_assert_ptr_nonnull(strstr(out, "charset=utf-8"));
	ck_assert_ptr_nonnull(strstr(out, "Content-Type: text/plain"));
	ck_assert_ptr_null(strstr(out, "Auto-Submitted"));
	ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
	same(m->from_name, "Support Desk");
	same(m->from_addr, "support@example.org");
	same(m->to, "juergen@example.net");
	same(m->subject, reply.subject);
	same(m->message_id, reply.message_id);
	same(m->in_reply_to, reply.in_reply_to);
	ck_assert_uint_eq(m->nreferences, 2);
	same(m->references[0], "first@example.net");
	same(m->references[1], reply.in_reply_to);
	same(m->date, "2026-11-22T09:30:00Z");
	same(m->text, reply.body);
	ck_assert_int_eq(m->automatic, 0);
	crm_mail_free(m);
	free(out);
}
END_TEST

START_TEST(test_compose_automatic_and_names)
{
	struct crm_mail_out o = reply;
	struct crm_mail *m = NULL;
	char *out = NULL;
	size_t len;

	o.from = "\"M\u00fcller, Kundendienst\" <service@example.org>";
	o.to = "ada@example.com";
	o.subject = "Wie zufrieden waren Sie?\nBcc: evil@example.com";
	o.auto_submitted = "auto-generated";
	o.in_reply_to = o.references = NULL;
	o.body = "plain ASCII\n";
	ck_assert_int_eq(crm_mail_compose(&out, &len, &o), CRM_OK);
	ck_assert_ptr_nonnull(strstr(out, "\nAuto-Submitted: auto-generated\n"));
	ck_assert_ptr_null(strstr(out, "\nBcc:"));
	ck_assert_ptr_null(strstr(out, "In-Reply-To"));
	ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
	same(m->from_name, "M\u00fcller, Kundendienst");
	same(m->to, "ada@example.com");
	same(m->subject, "Wie zufrieden waren Sie? Bcc: evil@example.com");
	same(m->text, "plain ASCII\n");
	ck_assert_int_eq(m->automatic, 1);
	crm_mail_free(m);
	free(out);
}
END_TEST

static void compose_fails(struct crm_mail_out o)
{
	char *out = (char *)&out;
	size_t len;

	ck_assert_int_eq(crm_mail_compose(&out, &len, &o), CRM_EDATA);
	ck_assert_ptr_null(out);
}

START_TEST(test_compose_refused)
{
	struct crm_mail_out o = reply;

	o.from = "nobody";
	compose_fails(o);
	o = reply, o.to = "";
	compose_fails(o);
	o = reply, o.message_id = "<1@example.org>";
	compose_fails(o);
	o = reply, o.references = "a@x b c@y>";
	compose_fails(o);
	o = reply, o.date = "last Tuesday";
	compose_fails(o);
	o = reply, o.body = "caf\xe9\n";
	compose_fails(o);
	o = reply, o.auto_submitted = "auto-replied\r\nBcc: x@y";
	compose_fails(o);
	o = reply, o.message_id = "1@example.org";
	o.date = NULL; /* now, from $CRM_NOW */
	setenv("CRM_NOW", "2026-11-22T09:30:00Z", 1);
	{
		char *out;
		size_t len;
		struct crm_mail *m;

		ck_assert_int_eq(crm_mail_compose(&out, &len, &o), CRM_OK);
		ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
		same(m->date, "2026-11-22T09:30:00Z");
		crm_mail_free(m);
		free(out);
	}
}
END_TEST

/* ---- campaign mail: read back by crm_mail_parse and by GMime itself ---- */

/* The message composed of o, which must compose. */
static char *composed(const struct crm_mail_out *o, size_t *len)
{
	char *out = NULL;

	ck_assert_msg(crm_mail_compose(&out, len, o) == CRM_OK, "%s", crm_error_message());
	ck_assert_uint_eq(*len, strlen(out));
	return out;
}

/* What goes to sendmail -t: ASCII, LF line ends, lines of 998 octets at
 * most; and the number of header fields (lines before the first blank
 * one that do not go on a field). */
static int wire(const char *out)
{
	size_t line = 0;
	int fields = 0, head = 1;

	for (const char *p = out; *p; p++) {
		ck_assert_msg((unsigned char)*p < 128 && *p != '\r', "byte %02x at %zu",
			      (unsigned char)*p, (size_t)(p - out));
		if (*p == '\n') {
			head &= line > 0;
			line = 0;
			continue;
		}
		if (head && !line && *p != ' ' && *p != '\t')
			fields++;
		ck_assert_msg(++line <= 998, "line over 998 octets at %zu", (size_t)(p - out));
	}
	return fields;
}

static GMimeMessage *gmime_read(const char *raw, size_t len)
{
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *msg;

	g_mime_init(); /* counted: the library's own start is not undone */
	st = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(st);
	msg = g_mime_parser_construct_message(parser, NULL);
	ck_assert_ptr_nonnull(msg);
	g_object_unref(parser);
	g_object_unref(st);
	return msg;
}

/* The name GMime read, its line breaks unfolded: GMime keeps the "\n\t"
 * where a long name was folded, which crm_mail_parse takes out. */
static char *unfolded(const char *name)
{
	char *s = strdup(name ? name : ""), *w = s;

	for (const char *r = s; *r;) {
		if (*r == '\n') {
			r += strspn(r, "\n \t");
			*w++ = ' ';
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/* The one mailbox of header kind of msg: its address, and its name when
 * name is not NULL. */
static void one_mailbox(GMimeMessage *msg, GMimeAddressType kind, const char *addr,
			const char *name)
{
	InternetAddressList *list = g_mime_message_get_addresses(msg, kind);
	InternetAddress *a;
	char *got;

	ck_assert_int_eq(internet_address_list_length(list), 1);
	a = internet_address_list_get_address(list, 0);
	ck_assert(INTERNET_ADDRESS_IS_MAILBOX(a));
	same(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), addr);
	if (name) {
		got = unfolded(internet_address_get_name(a));
		same(got, name);
		free(got);
	}
}

/* No one but the To mailbox receives msg. */
static void no_one_else(GMimeMessage *msg)
{
	GMimeObject *o = GMIME_OBJECT(msg);

	ck_assert_int_eq(internet_address_list_length(g_mime_message_get_cc(msg)), 0);
	ck_assert_int_eq(internet_address_list_length(g_mime_message_get_bcc(msg)), 0);
	ck_assert_ptr_null(g_mime_object_get_header(o, "Bcc"));
	ck_assert_ptr_null(g_mime_object_get_header(o, "Cc"));
	ck_assert_ptr_null(g_mime_object_get_header(o, "Resent-To"));
}

/* The decoded text of leaf part. */
static char *part_text(GMimeObject *part)
{
	GMimeStream *st = g_mime_stream_mem_new();
	GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(st));
	char *text;

	ck_assert(GMIME_IS_PART(part));
	g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(part)), st);
	text = strndup(a->data ? (const char *)a->data : "", a->len);
	g_object_unref(st);
	return text;
}

static void text_part_is(GMimeObject *part, const char *subtype, const char *text,
			 GMimeContentEncoding encoding)
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	char *got = part_text(part);

	ck_assert(g_mime_content_type_is_type(ct, "text", subtype));
	same(g_mime_content_type_get_parameter(ct, "charset"), "utf-8");
	ck_assert_int_eq(g_mime_part_get_content_encoding(GMIME_PART(part)), encoding);
	same(got, text);
	free(got);
}

#define UNSUBSCRIBE "<https://example.org/u/" \
	"eyJjYW1wYWlnbiI6MTIsImNvbnRhY3QiOjQ4MTc2LCJzaWciOiI3ZjNhOWIyYyJ9>, " \
	"<mailto:unsubscribe@example.org?subject=eyJjYW1wYWlnbiI6MTIsImNvbnRhY3QiOjQ4MTc2fQ>"

static const struct crm_mail_out campaign = {
	.from = "news@example.org",
	.from_name = "Example Shop",
	.to = "olga@example.ru",
	.to_name = "\u041e\u043b\u044c\u0433\u0430 \u0421\u043c\u0438\u0440\u043d\u043e\u0432\u0430",
	.subject = "Winter sale: 30% off \u2014 this weekend only",
	.message_id = "1795339800.00000000000000c0@example.org",
	.date = "2026-11-22T09:30:00Z",
	.body = "Hello,\n\nthis weekend everything in the shop is 30% off, K\u00fcchenger\u00e4te"
		" included.\n\nUnsubscribe: https://example.org/u/x\n",
	.html = "<p>\u041f\u0440\u0438\u0432\u0435\u0442! \u0412 \u044d\u0442\u0438"
		" \u0432\u044b\u0445\u043e\u0434\u043d\u044b\u0435 \u0432\u0441\u0451"
		" \u0434\u0435\u0448\u0435\u0432\u043b\u0435 \u043d\u0430 30%.</p>\n",
	.precedence = "bulk",
	.list_unsubscribe = UNSUBSCRIBE,
	.one_click = 1,
	.extra_name = "X-CRM-Campaign",
	.extra_value = "12",
};

START_TEST(test_compose_campaign)
{
	size_t len;
	char *out = composed(&campaign, &len);
	struct crm_mail *m = NULL;
	GMimeMessage *msg;
	GMimeObject *o, *body;
	GMimeMultipart *alt;

	/* Date, From, To, Subject, Message-Id, Precedence, List-Unsubscribe,
	 * List-Unsubscribe-Post, X-CRM-Campaign, MIME-Version, Content-Type. */
	ck_assert_int_eq(wire(out), 11);
	/* Folded before the second URI, never inside one. */
	ck_assert_ptr_nonnull(strstr(out, "\nList-Unsubscribe: <https://example.org/u/"
				      "eyJjYW1wYWlnbiI6MTIsImNvbnRhY3QiOjQ4MTc2LCJzaWciOiI3ZjNhOWIyYyJ9>,\n"
				      " <mailto:unsubscribe@example.org?subject="));
	ck_assert_ptr_nonnull(strstr(out, "\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n"));
	ck_assert_ptr_null(strstr(out, "Auto-Submitted"));

	ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
	same(m->from_name, "Example Shop");
	same(m->from_addr, "news@example.org");
	same(m->to, "olga@example.ru");
	same(m->subject, campaign.subject);
	same(m->message_id, campaign.message_id);
	same(m->date, "2026-11-22T09:30:00Z");
	same(m->text, campaign.body); /* the plain alternative */
	ck_assert_uint_eq(m->nattachments, 0);
	ck_assert_int_eq(m->automatic, 1); /* Precedence: bulk */
	crm_mail_free(m);

	msg = gmime_read(out, len);
	o = GMIME_OBJECT(msg);
	one_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, "news@example.org", "Example Shop");
	one_mailbox(msg, GMIME_ADDRESS_TYPE_TO, "olga@example.ru", campaign.to_name);
	no_one_else(msg);
	same(g_mime_object_get_header(o, "List-Unsubscribe"), UNSUBSCRIBE);
	same(g_mime_object_get_header(o, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
	same(g_mime_object_get_header(o, "Precedence"), "bulk");
	same(g_mime_object_get_header(o, "X-CRM-Campaign"), "12");
	body = g_mime_message_get_mime_part(msg);
	ck_assert(GMIME_IS_MULTIPART(body));
	ck_assert(g_mime_content_type_is_type(g_mime_object_get_content_type(body), "multipart",
					      "alternative"));
	alt = GMIME_MULTIPART(body);
	ck_assert_int_eq(g_mime_multipart_get_count(alt), 2);
	/* Two umlauts in ASCII, and Cyrillic throughout: quoted-printable both. */
	text_part_is(g_mime_multipart_get_part(alt, 0), "plain", campaign.body,
		     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	text_part_is(g_mime_multipart_get_part(alt, 1), "html", campaign.html,
		     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_object_unref(msg);
	free(out);
}
END_TEST

START_TEST(test_compose_html_ascii)
{
	struct crm_mail_out o = campaign;
	char html[3200], *out;
	size_t len;
	GMimeMessage *msg;
	GMimeMultipart *alt;

	/* One line of 3000 ASCII bytes, as HTML editors write: it must be
	 * wrapped, and quoted-printable does it. */
	memset(html, 'x', sizeof html);
	memcpy(html, "<p>", 3);
	memcpy(html + 2996, "</p>", 5);
	o.body = "Plain ASCII.\n";
	o.html = html;
	o.list_unsubscribe = NULL;
	o.one_click = 0;
	o.precedence = NULL;
	o.extra_name = o.extra_value = NULL;
	o.to_name = "Ada Lovelace";
	out = composed(&o, &len);
	/* Date, From, To, Subject, Message-Id, MIME-Version, Content-Type. */
	ck_assert_int_eq(wire(out), 7);
	msg = gmime_read(out, len);
	alt = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	ck_assert_int_eq(g_mime_multipart_get_count(alt), 2);
	text_part_is(g_mime_multipart_get_part(alt, 0), "plain", "Plain ASCII.\n",
		     GMIME_CONTENT_ENCODING_DEFAULT);
	text_part_is(g_mime_multipart_get_part(alt, 1), "html", html,
		     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	ck_assert_ptr_null(g_mime_object_get_header(GMIME_OBJECT(msg), "Precedence"));
	ck_assert_ptr_null(g_mime_object_get_header(GMIME_OBJECT(msg), "List-Unsubscribe"));
	g_object_unref(msg);
	free(out);
}
END_TEST

/* Names in other scripts: RFC 2047 encoded on the wire, the same when
 * read back, whether short or long enough to be folded. */
START_TEST(test_compose_names_scripts)
{
	static const char *names[] = {
		"\u041e\u043b\u044c\u0433\u0430 \u0421\u043c\u0438\u0440\u043d\u043e\u0432\u0430",
		"O\u02bbg\u02bbiloy Xo\u02bbjayeva",            /* Uzbek, Latin */
		"\u040e\u0493\u0438\u043b\u043e\u0439 \u0425\u045e\u0436\u0430\u0435\u0432\u0430",
		"\u4f50\u85e4 \u82b1\u5b50",                      /* 佐藤 花子 */
		"\u5c71\u7530\u592a\u90ce\u5546\u4e8b\u682a\u5f0f\u4f1a\u793e\u3000\u55b6\u696d"
		"\u90e8\u3000\u9867\u5ba2\u30b5\u30fc\u30d3\u30b9\u30bb\u30f3\u30bf\u30fc",
		"J\u00fcrgen M\u00fcller, Gesch\u00e4ftsf\u00fchrer der M\u00fcller & S\u00f6hne"
		" Feinkost GmbH aus K\u00f6ln-Ehrenfeld",
	};
	struct crm_mail_out o = campaign;

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		struct crm_mail *m = NULL;
		GMimeMessage *msg;
		size_t len;
		char *out;

		o.to_name = names[i];
		o.from_name = names[(i + 1) % (sizeof names / sizeof *names)];
		out = composed(&o, &len);
		ck_assert_int_eq(wire(out), 11);
		ck_assert_ptr_nonnull(strstr(out, "=?UTF-8?"));
		ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
		same(m->from_name, o.from_name);
		same(m->to, "olga@example.ru");
		crm_mail_free(m);
		msg = gmime_read(out, len);
		one_mailbox(msg, GMIME_ADDRESS_TYPE_TO, "olga@example.ru", names[i]);
		one_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, "news@example.org", o.from_name);
		g_object_unref(msg);
		free(out);
	}
}
END_TEST

/* Names and subjects from templates and people's records, written to
 * add a header or a recipient, and what must come of them. */
static const struct {
	const char *given, *read; /* read NULL: not checked */
} hostile[] = {
	{ "Eve\r\nBcc: victim@example.org", "Eve Bcc: victim@example.org" },
	{ "Eve\nCc: a@example.net\n\nthe body starts here", "Eve Cc: a@example.net the body starts here" },
	{ "A, B <x@y>", "A, B <x@y>" },
	{ "\"Quoted\" <evil@x>", "\"Quoted\" <evil@x>" },
	{ "\\\"; Bcc: evil@x; \"", "\\\"; Bcc: evil@x; \"" },
	{ "undisclosed: a@x, b@y;", "undisclosed: a@x, b@y;" },
	{ "x\tTo: evil@x", "x To: evil@x" },
	{ "  Mallory \r\n \x0b\x0c\x1b[31m red", "Mallory [31m red" },
	{ "N\xc2\x85" "Bcc: evil@x", "N Bcc: evil@x" },       /* NEL, a C1 control */
	{ "L\u2028Bcc: evil@x\u2029", "L Bcc: evil@x" },    /* line, paragraph separators */
	{ "\r\n", NULL },
	{ "=?utf-8?q?Eve=0D=0ABcc=3A_evil=40x?=", NULL },   /* decoded by the reader alone */
	{ "<evil@x>", "<evil@x>" },
};

START_TEST(test_compose_hostile_names)
{
	struct crm_mail_out o = reply;

	o.from = "support@example.org";
	o.to = "ada@example.com";
	o.in_reply_to = o.references = NULL;
	o.body = "Hello\n";
	for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
		struct crm_mail *m = NULL;
		GMimeMessage *msg;
		size_t len;
		char *out;

		o.to_name = o.from_name = o.subject = hostile[i].given;
		out = composed(&o, &len);
		/* Date, From, To, Subject, Message-Id, MIME-Version, Content-Type. */
		ck_assert_msg(wire(out) == 7, "%zu: %s", i, out);
		msg = gmime_read(out, len);
		one_mailbox(msg, GMIME_ADDRESS_TYPE_TO, "ada@example.com", hostile[i].read);
		one_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, "support@example.org", hostile[i].read);
		no_one_else(msg);
		g_object_unref(msg);
		ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
		same(m->to, "ada@example.com");
		same(m->text, "Hello\n");
		ck_assert_ptr_null(m->from_name ? strpbrk(m->from_name, "\r\n") : NULL);
		if (hostile[i].read) {
			same(m->from_name, hostile[i].read);
			same(m->subject, hostile[i].read);
		}
		crm_mail_free(m);
		free(out);
	}
}
END_TEST

START_TEST(test_compose_one_line)
{
	static const struct {
		const char *given, *read;
	} subjects[] = {
		{ "Your order\r\n  has shipped", "Your order has shipped" },
		{ "\nLeading and trailing\t\r\n", "Leading and trailing" },
		{ "Two  spaces stay", "Two  spaces stay" },
		{ "tab\there", "tab here" },
	};
	struct crm_mail_out o = reply;

	o.in_reply_to = o.references = NULL;
	for (size_t i = 0; i < sizeof subjects / sizeof *subjects; i++) {
		struct crm_mail *m = NULL;
		size_t len;
		char *out;

		o.subject = subjects[i].given;
		out = composed(&o, &len);
		ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
		same(m->subject, subjects[i].read);
		crm_mail_free(m);
		free(out);
	}
}
END_TEST

/* Words longer than a line: GMime folds names and subjects as encoded
 * words, so no line passes 998 octets and the text reads back whole. */
START_TEST(test_compose_long_words)
{
	struct crm_mail_out o = campaign;
	char name[1201], subject[2101], *out;
	struct crm_mail *m = NULL;
	size_t len;

	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	memset(subject, 's', sizeof subject - 1);
	subject[sizeof subject - 1] = '\0';
	o.to_name = name;
	o.subject = subject;
	out = composed(&o, &len);
	ck_assert_int_eq(wire(out), 11);
	ck_assert_int_eq(crm_mail_parse(&m, out, len, CAP), CRM_OK);
	same(m->subject, subject);
	crm_mail_free(m);
	free(out);
}
END_TEST

/* The compose of o fails with CRM_EDATA and message want. */
static void compose_says(struct crm_mail_out o, const char *want)
{
	char *out = (char *)&out;
	size_t len;

	ck_assert_int_eq(crm_mail_compose(&out, &len, &o), CRM_EDATA);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(crm_error_message(), want);
}

START_TEST(test_compose_campaign_refused)
{
	struct crm_mail_out o = campaign;
	char word[1001];

	o.to = "Olga <olga@example.ru>";
	compose_says(o, "invalid To address 'Olga <olga@example.ru>'");
	o = campaign, o.to = "olga@example.ru, evil@x";
	compose_says(o, "invalid To address 'olga@example.ru, evil@x'");
	o = campaign, o.to = "olga@example.ru,evil@x";
	compose_says(o, "invalid To address 'olga@example.ru,evil@x'");
	o = campaign, o.to = "olga smirnova@example.ru";
	compose_says(o, "invalid To address 'olga smirnova@example.ru'");
	o = campaign, o.to = "olga@example.ru\n";
	compose_says(o, "invalid To address 'olga@example.ru\n'");
	o = campaign, o.from = "news";
	compose_says(o, "invalid From address 'news'");
	o = campaign, o.from = "news@";
	compose_says(o, "invalid From address 'news@'");
	o = campaign, o.from = "a@b@example.org";
	compose_says(o, "invalid From address 'a@b@example.org'");
	o = campaign, o.to = NULL;
	compose_says(o, "invalid To address ''");
	o = campaign, o.to_name = "Ol\xe9ga";
	compose_says(o, "the To name is not UTF-8");
	o = campaign, o.html = "<p>caf\xe9</p>";
	compose_says(o, "the HTML text is not UTF-8");
	o = campaign, o.list_unsubscribe = "<https://example.org/u/1>\r\nBcc: evil@x";
	compose_says(o, "List-Unsubscribe must be printable ASCII, not empty");
	o = campaign, o.list_unsubscribe = "<https://example.org/u/\u00fc>";
	compose_says(o, "List-Unsubscribe must be printable ASCII, not empty");
	o = campaign, o.list_unsubscribe = " ";
	compose_says(o, "List-Unsubscribe must be printable ASCII, not empty");
	memset(word, 'u', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	o = campaign, o.list_unsubscribe = word;
	compose_says(o, "List-Unsubscribe has a word too long for a line of 998 octets");
	o = campaign, o.list_unsubscribe = NULL;
	compose_says(o, "one-click unsubscribing needs an https URI in List-Unsubscribe");
	o = campaign, o.list_unsubscribe = "<mailto:unsubscribe@example.org>";
	compose_says(o, "one-click unsubscribing needs an https URI in List-Unsubscribe");
	o = campaign, o.precedence = "bulk\nBcc: evil@x";
	compose_says(o, "Precedence must be printable ASCII, not empty");
	o = campaign, o.extra_value = NULL;
	compose_says(o, "an extra header needs both a name and a value");
	o = campaign, o.extra_name = NULL;
	compose_says(o, "an extra header needs both a name and a value");
	o = campaign, o.extra_value = "12\tBcc: evil@x";
	compose_says(o, "X-CRM-Campaign must be printable ASCII, not empty");
	o = campaign, o.extra_name = "bcc";
	compose_says(o, "invalid extra header name 'bcc'");
	o = campaign, o.extra_name = "Content-Type";
	compose_says(o, "invalid extra header name 'Content-Type'");
	o = campaign, o.extra_name = "Resent-To";
	compose_says(o, "invalid extra header name 'Resent-To'");
	o = campaign, o.extra_name = "Reply-To";
	compose_says(o, "invalid extra header name 'Reply-To'");
	o = campaign, o.extra_name = "X-Campaign: 12\nBcc";
	compose_says(o, "invalid extra header name 'X-Campaign: 12\nBcc'");
	o = campaign, o.extra_name = "X Campaign";
	compose_says(o, "invalid extra header name 'X Campaign'");
	o = campaign, o.extra_name = "";
	compose_says(o, "invalid extra header name ''");
	/* One-click alone, a Feedback-ID for the big mailbox providers. */
	o = campaign, o.extra_name = "Feedback-ID", o.extra_value = "12:campaign:crm";
	o.list_unsubscribe = "<mailto:u@example.org>, <HTTPS://example.org/u/1>";
	{
		size_t len;
		char *out = composed(&o, &len);

		ck_assert_ptr_nonnull(strstr(out, "\nFeedback-ID: 12:campaign:crm\n"));
		free(out);
	}
}
END_TEST

START_TEST(test_new_id)
{
	char *a = NULL, *b = NULL;

	setenv("CRM_NOW", "2026-11-22T09:30:00Z", 1);
	ck_assert_int_eq(crm_mail_new_id(&a, "Support <Support@Example.ORG>"), CRM_OK);
	ck_assert_int_eq(crm_mail_new_id(&b, "support@example.org"), CRM_OK);
	ck_assert_uint_eq(strlen(a), strlen("1795339800.") + 16 + strlen("@example.org"));
	ck_assert_int_eq(strncmp(a, "1795339800.", 11), 0);
	ck_assert_uint_eq(strspn(a + 11, "0123456789abcdef"), 16);
	ck_assert_str_eq(a + 27, "@example.org");
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	ck_assert_int_eq(crm_mail_new_id(&a, "support"), CRM_EDATA);
	ck_assert_ptr_null(a);
}
END_TEST

START_TEST(test_send)
{
	char cmd[256], path[160], got[64] = "";
	static char big[1 << 20];
	FILE *fp;

	fx_scratch();
	snprintf(path, sizeof path, "%s/sent", fx_dir);
	snprintf(cmd, sizeof cmd, "cat > '%s'", path);
	ck_assert_int_eq(crm_mail_send(cmd, "Subject: hi\n\nbody\n", 18), CRM_OK);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fread(got, 1, sizeof got - 1, fp), 18);
	fclose(fp);
	ck_assert_str_eq(got, "Subject: hi\n\nbody\n");
	unlink(path);
	rmdir(fx_dir);

	ck_assert_int_eq(crm_mail_send("exit 3", "x\n", 2), CRM_EIO);
	ck_assert_str_eq(crm_error_message(), "mail command 'exit 3' failed with exit status 3");
	/* More than a pipe holds, to a command that reads none of it: no
	 * SIGPIPE kills the caller, and the status still tells. */
	memset(big, 'x', sizeof big);
	ck_assert_int_eq(crm_mail_send("exit 3", big, sizeof big), CRM_EIO);
	ck_assert_str_eq(crm_error_message(), "mail command 'exit 3' failed with exit status 3");
	ck_assert_int_eq(crm_mail_send("true", big, sizeof big), CRM_EIO);
	ck_assert_str_eq(crm_error_message(), "mail command 'true' did not read the message:"
			 " Broken pipe");
	ck_assert_int_eq(crm_mail_send("kill -9 $$", "x", 1), CRM_EIO);
	ck_assert_str_eq(crm_error_message(), "mail command 'kill -9 $$' was killed by signal 9");
	ck_assert_int_eq(crm_mail_send("cat >/dev/null", big, sizeof big), CRM_OK);
}
END_TEST

/* ---- delivery status notifications ---- */

/* A Postfix hard bounce: the returned headers alone (text/rfc822-headers),
 * the Diagnostic-Code folded as Postfix folds it. */
static const char postfix_bounce[] =
	"Return-Path: <>\n"
	"Received: by mx1.example.org (Postfix)\n\tid 3F2A11C0042; Tue, 24 Nov 2026 08:15:02 +0000 (UTC)\n"
	"Date: Tue, 24 Nov 2026 08:15:02 +0000 (UTC)\n"
	"From: MAILER-DAEMON@mx1.example.org (Mail Delivery System)\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"To: news@example.org\n"
	"Auto-Submitted: auto-replied\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status;\n"
	"\tboundary=\"3F2A11C0042.1795590902/mx1.example.org\"\n"
	"Content-Transfer-Encoding: 7bit\n"
	"Message-Id: <20261124081502.3F2A11C0042@mx1.example.org>\n"
	"\n"
	"This is a MIME-encapsulated message.\n"
	"\n"
	"--3F2A11C0042.1795590902/mx1.example.org\n"
	"Content-Description: Notification\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"This is the mail system at host mx1.example.org.\n"
	"\n"
	"I'm sorry to have to inform you that your message could not\n"
	"be delivered to one or more recipients. It's attached below.\n"
	"\n"
	"<olga@example.ru>: host mx.example.ru[198.51.100.7] said: 550 5.1.1\n"
	"    <olga@example.ru>: Recipient address rejected: User unknown in virtual\n"
	"    mailbox table (in reply to RCPT TO command)\n"
	"\n"
	"--3F2A11C0042.1795590902/mx1.example.org\n"
	"Content-Description: Delivery report\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mx1.example.org\n"
	"X-Postfix-Queue-ID: 3F2A11C0042\n"
	"X-Postfix-Sender: rfc822; news@example.org\n"
	"Arrival-Date: Tue, 24 Nov 2026 08:15:01 +0000 (UTC)\n"
	"\n"
	"Final-Recipient: rfc822; olga@Example.RU\n"
	"Original-Recipient: rfc822;olga@example.ru\n"
	"Action: failed\n"
	"Status: 5.1.1\n"
	"Remote-MTA: dns; mx.example.ru\n"
	"Diagnostic-Code: smtp; 550 5.1.1 <olga@example.ru>: Recipient address\n"
	"    rejected: User unknown in virtual mailbox table\n"
	"\n"
	"--3F2A11C0042.1795590902/mx1.example.org\n"
	"Content-Description: Undelivered Message Headers\n"
	"Content-Type: text/rfc822-headers\n"
	"\n"
	"Return-Path: <news@example.org>\n"
	"Received: by mail.example.org (Postfix, from userid 1000)\n"
	"\tid 9C1D2E3F40; Sun, 22 Nov 2026 09:30:00 +0000 (UTC)\n"
	"From: Example Shop <news@example.org>\n"
	"To: =?UTF-8?b?0J7Qu9GM0LPQsCDQodC80LjRgNC90L7QstCw?= <olga@example.ru>\n"
	"Subject: Winter sale\n"
	"Message-Id: <1795339800.00000000000000c0@example.org>\n"
	"Date: Sun, 22 Nov 2026 09:30:00 +0000\n"
	"Precedence: bulk\n"
	"\n"
	"--3F2A11C0042.1795590902/mx1.example.org--\n";

/* An Exim bounce: lower-case "Content-type", the per-recipient fields in
 * Exim's order, the whole message returned as message/rfc822. */
static const char exim_bounce[] =
	"Return-path: <>\n"
	"Envelope-to: news@example.org\n"
	"Received: from Debian-exim by mail.example.com with local (Exim 4.96)\n"
	"\tid 1tAbCd-000123-4X\n\tfor news@example.org; Tue, 24 Nov 2026 10:01:12 +0100\n"
	"X-Failed-Recipients: bob@example.net\n"
	"Auto-Submitted: auto-replied\n"
	"From: Mail Delivery System <Mailer-Daemon@mail.example.com>\n"
	"To: news@example.org\n"
	"Content-Type: multipart/report; report-type=delivery-status; boundary=1795594872-eximdsn-1804289383\n"
	"MIME-Version: 1.0\n"
	"Subject: Mail delivery failed: returning message to sender\n"
	"Message-Id: <E1tAbCd-000123-4X@mail.example.com>\n"
	"Date: Tue, 24 Nov 2026 10:01:12 +0100\n"
	"\n"
	"--1795594872-eximdsn-1804289383\n"
	"Content-type: text/plain; charset=us-ascii\n"
	"\n"
	"This message was created automatically by mail delivery software.\n"
	"\n"
	"A message that you sent could not be delivered to one or more of its\n"
	"recipients. This is a permanent error. The following address(es) failed:\n"
	"\n"
	"  bob@example.net\n"
	"    host mx.example.net [203.0.113.9]\n"
	"    SMTP error from remote mail server after RCPT TO:<bob@example.net>:\n"
	"    550 5.7.1 Mailbox disabled for this recipient\n"
	"\n"
	"--1795594872-eximdsn-1804289383\n"
	"Content-type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mail.example.com\n"
	"\n"
	"Action: failed\n"
	"Final-Recipient: rfc822;bob@example.net\n"
	"Status: 5.0.0\n"
	"Remote-MTA: dns; mx.example.net\n"
	"Diagnostic-Code: smtp; 550 5.7.1 Mailbox disabled for this recipient\n"
	"\n"
	"--1795594872-eximdsn-1804289383\n"
	"Content-type: message/rfc822\n"
	"\n"
	"Return-path: <news@example.org>\n"
	"From: Example Shop <news@example.org>\n"
	"To: bob@example.net\n"
	"Subject: Winter sale\n"
	"Message-ID: <campaign.12.4817@example.org>\n"
	"Date: Sun, 22 Nov 2026 09:30:00 +0000\n"
	"MIME-Version: 1.0\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"This weekend only: 30% off everything in the shop.\n"
	"\n"
	"--1795594872-eximdsn-1804289383--\n";

/* A Postfix delay warning: mailbox full, still being retried; the status
 * with a comment after it, the action capitalised. */
static const char delayed[] =
	"From: MAILER-DAEMON@mx1.example.org (Mail Delivery System)\n"
	"To: news@example.org\n"
	"Subject: Delayed Mail (still being retried)\n"
	"Auto-Submitted: auto-replied\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=\"delivery-status\"; boundary=\"B.1\"\n"
	"\n"
	"--B.1\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"This is the mail system at host mx1.example.org.\n\n"
	"####################################################################\n"
	"# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
	"####################################################################\n"
	"\n"
	"--B.1\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; mx1.example.org\n"
	"Arrival-Date: Tue, 24 Nov 2026 08:15:01 +0000 (UTC)\n"
	"\n"
	"Final-Recipient: rfc822; carol@example.com\n"
	"Original-Recipient: rfc822;carol@example.com\n"
	"Action: Delayed\n"
	"Status: 4.2.2 (mailbox full)\n"
	"Remote-MTA: dns; mx.example.com\n"
	"Diagnostic-Code: smtp; 452 4.2.2 <carol@example.com>: Mailbox full\n"
	"Will-Retry-Until: Sun, 29 Nov 2026 08:15:01 +0000 (UTC)\n"
	"\n"
	"--B.1\n"
	"Content-Type: text/rfc822-headers\n"
	"\n"
	"From: Example Shop <news@example.org>\n"
	"To: carol@example.com\n"
	"Message-ID: <1795339800.00000000000000c1@example.org>\n"
	"\n"
	"--B.1--\n";

/* A Sendmail report asked for success and failure (NOTIFY=SUCCESS,FAILURE):
 * one recipient failed, one delivered; upper-case types, an address in
 * brackets with a comment, no returned message. */
static const char two_rcpts[] =
	"From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.net>\n"
	"To: <news@example.org>\n"
	"Subject: Return receipt\n"
	"Auto-Submitted: auto-generated (return-receipt)\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=delivery-status;\n"
	"\tboundary=\"2AOKq1ab012345.1795590000/relay.example.net\"\n"
	"\n"
	"--2AOKq1ab012345.1795590000/relay.example.net\n"
	"\n"
	"The original message was received at Tue, 24 Nov 2026 07:00:00 GMT\n"
	"\n"
	"--2AOKq1ab012345.1795590000/relay.example.net\n"
	"Content-Type: message/delivery-status\n"
	"\n"
	"Reporting-MTA: dns; relay.example.net\n"
	"Received-From-MTA: DNS; client.example.org\n"
	"Arrival-Date: Tue, 24 Nov 2026 07:00:00 GMT\n"
	"\n"
	"Original-Recipient: rfc822;dave@example.net\n"
	"Final-Recipient: RFC822; dave@example.net\n"
	"Action: failed\n"
	"Status: 5.2.1\n"
	"Remote-MTA: DNS; mx.example.net\n"
	"Diagnostic-Code: SMTP; 550 5.2.1 Mailbox disabled\n"
	"Last-Attempt-Date: Tue, 24 Nov 2026 07:00:02 GMT\n"
	"\n"
	"Final-Recipient: RFC822; <erin@Example.NET> (Erin)\n"
	"Action: delivered (to mailbox)\n"
	"Status: 2.0.0\n"
	"Remote-MTA: DNS; mx.example.net\n"
	"Diagnostic-Code: SMTP; 250 2.0.0 OK\n"
	"\n"
	"--2AOKq1ab012345.1795590000/relay.example.net--\n";

/* An Exchange report: CRLF line ends, field names in any case, the
 * obsolete blank before a colon, a Diagnostic-Code folded three times. */
static const char exchange_crlf[] =
	"From: postmaster@example.com\r\n"
	"To: news@example.org\r\n"
	"Subject: Undeliverable: Winter sale\r\n"
	"Content-Type: multipart/report; report-type=delivery-status;\r\n"
	"\tboundary=\"_000_report_\"\r\n"
	"MIME-Version: 1.0\r\n"
	"\r\n"
	"--_000_report_\r\n"
	"Content-Type: text/plain; charset=\"us-ascii\"\r\n"
	"\r\n"
	"Delivery has failed to these recipients or groups:\r\n"
	"\r\n"
	"--_000_report_\r\n"
	"Content-Type: message/delivery-status\r\n"
	"\r\n"
	"reporting-mta: dns;EX01.example.com\r\n"
	"\r\n"
	"FINAL-RECIPIENT: rfc822;Frank@Example.COM\r\n"
	"action : failed\r\n"
	"status: 5.1.10\r\n"
	"diagnostic-code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound;\r\n"
	" Recipient not found\r\n"
	"\tby SMTP address\r\n"
	"   lookup\r\n"
	"x-display-name: Frank\r\n"
	"\r\n"
	"--_000_report_\r\n"
	"Content-Type: text/rfc822-headers\r\n"
	"\r\n"
	"From: Example Shop <news@example.org>\r\n"
	"Message-ID:\r\n"
	" <1795339800.00000000000000c2@example.org>\r\n"
	"\r\n"
	"--_000_report_--\r\n";

/* A report of RFC 6533: the global status part in base64, one block with
 * only an Original-Recipient and a status cut short, one with a UTF-8
 * address; the returned headers as message/global-headers.  The status
 * part says (CRLF lines):
 *   Reporting-MTA: dns; mx.example.net
 *
 *   Original-Recipient: utf-8; josé@Example.ORG
 *   Action: failed
 *   Status: 5.1
 *
 *   Final-Recipient: utf-8; 用户@example.cn
 *   Action: failed
 *   Status: (unknown user) 5.1.1
 *   Diagnostic-Code: smtp; 550 5.1.1 用户不存在 */
static const char global_dsn[] =
	"From: MAILER-DAEMON@mx.example.net\n"
	"To: news@example.org\n"
	"Subject: Undelivered Mail Returned to Sender\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=global-delivery-status; boundary=g\n"
	"\n"
	"--g\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"Your message could not be delivered.\n"
	"--g\n"
	"Content-Type: message/global-delivery-status\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"UmVwb3J0aW5nLU1UQTogZG5zOyBteC5leGFtcGxlLm5ldA0KDQpPcmlnaW5hbC1SZWNpcGllbnQ6\n"
	"IHV0Zi04OyBqb3PDqUBFeGFtcGxlLk9SRw0KQWN0aW9uOiBmYWlsZWQNClN0YXR1czogNS4xDQoN\n"
	"CkZpbmFsLVJlY2lwaWVudDogdXRmLTg7IOeUqOaIt0BleGFtcGxlLmNuDQpBY3Rpb246IGZhaWxl\n"
	"ZA0KU3RhdHVzOiAodW5rbm93biB1c2VyKSA1LjEuMQ0KRGlhZ25vc3RpYy1Db2RlOiBzbXRwOyA1\n"
	"NTAgNS4xLjEg55So5oi35LiN5a2Y5ZyoDQo=\n"
	"--g\n"
	"Content-Type: message/global-headers\n"
	"\n"
	"From: Example Shop <news@example.org>\n"
	"To: =?UTF-8?q?jos=C3=A9?= <jos\u00e9@example.org>\n"
	"Message-ID: <1795339800.00000000000000c3@example.org>\n"
	"--g--\n";

/* raw read as a DSN, which it must be. */
static struct crm_dsn *dsn_of(const char *raw, size_t len)
{
	struct crm_dsn *d = NULL;

	ck_assert_msg(crm_mail_dsn(&d, raw, len) == 1, "%s", crm_error_message());
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_ge(d->nrcpts, 1);
	return d;
}

static void rcpt_is(const struct crm_dsn_rcpt *r, const char *recipient, const char *action,
		    const char *status, const char *diagnostic)
{
	same(r->recipient, recipient);
	same(r->action, action);
	same(r->status, status);
	same(r->diagnostic, diagnostic);
}

START_TEST(test_dsn_postfix)
{
	struct crm_dsn *d = dsn_of(postfix_bounce, sizeof postfix_bounce - 1);
	struct crm_mail *m = NULL;

	same(d->original_id, "1795339800.00000000000000c0@example.org");
	same(d->reporting_mta, "mx1.example.org");
	ck_assert_uint_eq(d->nrcpts, 1);
	rcpt_is(&d->rcpts[0], "olga@example.ru", "failed", "5.1.1",
		"550 5.1.1 <olga@example.ru>: Recipient address rejected: User unknown in"
		" virtual mailbox table");
	crm_dsn_free(d);
	/* The same message as crm_mail_parse sees it. */
	ck_assert_int_eq(crm_mail_parse(&m, postfix_bounce, sizeof postfix_bounce - 1, CAP), CRM_OK);
	ck_assert_int_eq(m->report, 1);
	ck_assert_int_eq(m->automatic, 1);
	crm_mail_free(m);
}
END_TEST

START_TEST(test_dsn_exim)
{
	struct crm_dsn *d = dsn_of(exim_bounce, sizeof exim_bounce - 1);

	same(d->original_id, "campaign.12.4817@example.org");
	same(d->reporting_mta, "mail.example.com");
	ck_assert_uint_eq(d->nrcpts, 1);
	rcpt_is(&d->rcpts[0], "bob@example.net", "failed", "5.0.0",
		"550 5.7.1 Mailbox disabled for this recipient");
	crm_dsn_free(d);
}
END_TEST

START_TEST(test_dsn_delayed)
{
	struct crm_dsn *d = dsn_of(delayed, sizeof delayed - 1);

	same(d->original_id, "1795339800.00000000000000c1@example.org");
	ck_assert_uint_eq(d->nrcpts, 1);
	rcpt_is(&d->rcpts[0], "carol@example.com", "delayed", "4.2.2",
		"452 4.2.2 <carol@example.com>: Mailbox full");
	crm_dsn_free(d);
}
END_TEST

START_TEST(test_dsn_two_recipients)
{
	struct crm_dsn *d = dsn_of(two_rcpts, sizeof two_rcpts - 1);

	same(d->original_id, NULL);
	same(d->reporting_mta, "relay.example.net");
	ck_assert_uint_eq(d->nrcpts, 2);
	rcpt_is(&d->rcpts[0], "dave@example.net", "failed", "5.2.1", "550 5.2.1 Mailbox disabled");
	rcpt_is(&d->rcpts[1], "erin@example.net", "delivered", "2.0.0", "250 2.0.0 OK");
	crm_dsn_free(d);
}
END_TEST

START_TEST(test_dsn_crlf_folded)
{
	struct crm_dsn *d = dsn_of(exchange_crlf, sizeof exchange_crlf - 1);

	same(d->original_id, "1795339800.00000000000000c2@example.org");
	same(d->reporting_mta, "EX01.example.com");
	ck_assert_uint_eq(d->nrcpts, 1);
	/* The local part is the receiving host's business: kept as written. */
	rcpt_is(&d->rcpts[0], "Frank@example.com", "failed", "5.1.10",
		"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address"
		" lookup");
	crm_dsn_free(d);
}
END_TEST

START_TEST(test_dsn_global)
{
	struct crm_dsn *d = dsn_of(global_dsn, sizeof global_dsn - 1);
	struct crm_mail *m = NULL;

	same(d->original_id, "1795339800.00000000000000c3@example.org");
	same(d->reporting_mta, "mx.example.net");
	ck_assert_uint_eq(d->nrcpts, 2);
	rcpt_is(&d->rcpts[0], "jos\u00e9@example.org", "failed", NULL, NULL); /* "5.1" */
	rcpt_is(&d->rcpts[1], "\u7528\u6237@example.cn", "failed", "5.1.1",
		"550 5.1.1 \u7528\u6237\u4e0d\u5b58\u5728");
	crm_dsn_free(d);
	ck_assert_int_eq(crm_mail_parse(&m, global_dsn, sizeof global_dsn - 1, CAP), CRM_OK);
	ck_assert_int_eq(m->report, 1);
	crm_mail_free(m);
}
END_TEST

START_TEST(test_dsn_fixture)
{
	size_t len;
	char *raw = load("dsn.eml", &len);
	struct crm_dsn *d = dsn_of(raw, len);

	same(d->original_id, "1763867564.0123456789abcdef@example.org");
	same(d->reporting_mta, "mail.example.org");
	ck_assert_uint_eq(d->nrcpts, 1);
	rcpt_is(&d->rcpts[0], "nobody@example.com", "failed", "5.1.1",
		"550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
	crm_dsn_free(d);
	free(raw);
}
END_TEST

static void not_dsn(const char *raw)
{
	struct crm_dsn *d = (struct crm_dsn *)&d;

	ck_assert_int_eq(crm_mail_dsn(&d, raw, strlen(raw)), 0);
	ck_assert_ptr_null(d);
}

static void bad_dsn(const char *raw, const char *want)
{
	struct crm_dsn *d = (struct crm_dsn *)&d;

	ck_assert_int_eq(crm_mail_dsn(&d, raw, strlen(raw)), CRM_EDATA);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(crm_error_message(), want);
}

START_TEST(test_dsn_not_one)
{
	size_t len;
	char *raw = load("reply.eml", &len);
	const char *missing = strstr(postfix_bounce, "--3F2A11C0042.1795590902/mx1.example.org\n"
				     "Content-Description: Delivery report");
	const char *notes = strstr(postfix_bounce, "\nFinal-Recipient:");
	char cut[sizeof postfix_bounce];

	not_dsn(raw);
	free(raw);
	raw = load("autoreply.eml", &len);
	not_dsn(raw);
	free(raw);
	not_dsn("");
	not_dsn("just some words\n");
	not_dsn("From: a@example.com\nContent-Type: multipart/report;"
		" report-type=disposition-notification; boundary=b\n\n--b\n"
		"Content-Type: message/disposition-notification\n\n"
		"Final-Recipient: rfc822; a@example.com\n--b--\n");
	/* Says it is a delivery report, and is not one. */
	snprintf(cut, sizeof cut, "%.*s%s", (int)(missing - postfix_bounce), postfix_bounce,
		 strstr(missing, "--3F2A11C0042.1795590902/mx1.example.org\n"
			"Content-Description: Undelivered"));
	bad_dsn(cut, "delivery report without a delivery-status part");
	snprintf(cut, sizeof cut, "%.*s\n%s", (int)(notes - postfix_bounce), postfix_bounce,
		 strstr(notes, "--3F2A11C0042"));
	bad_dsn(cut, "delivery report about no recipient");
	bad_dsn("Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
		"Final-Recipient: rfc822;\nAction: failed\n--b--\n",
		"delivery report about no recipient");
	/* An empty status part (an empty array of bytes has no buffer). */
	bad_dsn("Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
		"--b\nContent-Type: message/delivery-status\n\n--b--\n",
		"delivery report about no recipient");
}
END_TEST

Suite *mail_suite(void)
{
	Suite *s = suite_create("mail");
	TCase *in = tcase_create("parse"), *src = tcase_create("sources");
	TCase *out = tcase_create("compose"), *dsn = tcase_create("dsn");

	tcase_add_checked_fixture(in, setup, NULL);
	tcase_add_test(in, test_thunderbird_alternative);
	tcase_add_test(in, test_latin1_quoted_printable);
	tcase_add_test(in, test_koi8r_base64);
	tcase_add_test(in, test_iso2022jp);
	tcase_add_test(in, test_html_only);
	tcase_add_test(in, test_attachments);
	tcase_add_test(in, test_autoreply);
	tcase_add_test(in, test_bulk);
	tcase_add_test(in, test_delivery_report);
	tcase_add_test(in, test_reply_threading);
	tcase_add_test(in, test_lying_charset);
	tcase_add_test(in, test_encoded_words);
	tcase_add_test(in, test_long_subject_round_trip);
	tcase_add_test(in, test_long_unspaced_subject);
	tcase_add_test(in, test_charsets);
	tcase_add_test(in, test_crlf_and_nul);
	tcase_add_test(in, test_flowed_delsp);
	tcase_add_test(in, test_automatic_headers);
	tcase_add_test(in, test_html_details);
	tcase_add_test(in, test_html_links);
	tcase_add_test(in, test_html_blockquote);
	tcase_add_test(in, test_refused);
	tcase_add_test(in, test_key);
	tcase_add_test(in, test_same_address);
	suite_add_tcase(s, in);
	tcase_add_checked_fixture(src, setup, NULL);
	tcase_add_test(src, test_mbox);
	tcase_add_test(src, test_maildir);
	tcase_add_test(src, test_each_file);
	tcase_add_test(src, test_maildir_deliver);
	suite_add_tcase(s, src);
	tcase_add_checked_fixture(out, setup, NULL);
	tcase_add_test(out, test_compose_round_trip);
	tcase_add_test(out, test_compose_automatic_and_names);
	tcase_add_test(out, test_compose_refused);
	tcase_add_test(out, test_compose_campaign);
	tcase_add_test(out, test_compose_html_ascii);
	tcase_add_test(out, test_compose_names_scripts);
	tcase_add_test(out, test_compose_hostile_names);
	tcase_add_test(out, test_compose_one_line);
	tcase_add_test(out, test_compose_long_words);
	tcase_add_test(out, test_compose_campaign_refused);
	tcase_add_test(out, test_new_id);
	tcase_add_test(out, test_send);
	suite_add_tcase(s, out);
	tcase_add_checked_fixture(dsn, setup, NULL);
	tcase_add_test(dsn, test_dsn_postfix);
	tcase_add_test(dsn, test_dsn_exim);
	tcase_add_test(dsn, test_dsn_delayed);
	tcase_add_test(dsn, test_dsn_two_recipients);
	tcase_add_test(dsn, test_dsn_crlf_folded);
	tcase_add_test(dsn, test_dsn_global);
	tcase_add_test(dsn, test_dsn_fixture);
	tcase_add_test(dsn, test_dsn_not_one);
	suite_add_tcase(s, dsn);
	return s;
}
