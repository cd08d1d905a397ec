/* check_template.c - the mail-merge templates: every tag, the standalone
 * line rule, HTML escaping, every parse error with its position, unknown
 * names, and a render that fails half-way. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/template.h"

/* The recipient every test renders: name, value pairs. */
static const char *const person[] = {
	"first_name", "Ada",
	"custom.team", "R&D",
	"a-b_9", "ok",
	"empty", "",
	"zero", "0",
	"space", " ",
	"html", "<b>\"Hi\" & 'bye'</b>",
	"raw", "{{first_name}}",
	NULL
};

/* Looks name up in person; a name not there has the value NULL. */
static int get(void *arg, const char *name, const char **val)
{
	(void)arg;
	*val = NULL;
	for (const char *const *kv = person; kv[0]; kv += 2)
		if (!strcmp(kv[0], name))
			*val = kv[1];
	return CRM_OK;
}

/* Parses and renders src; the caller frees the result. */
static char *render(const char *src, int html)
{
	crm_template *t = NULL;
	crm_buf out = CRM_BUF_INIT;

	ck_assert_msg(crm_template_parse(&t, src, "mail.txt") == CRM_OK, "%s: %s", src,
	              crm_error_message());
	ck_assert_int_eq(crm_template_render(t, html, get, NULL, &out), CRM_OK);
	crm_template_free(t);
	return crm_buf_detach(&out);
}

static void ck_render(const char *src, int html, const char *expect)
{
	char *got = render(src, html);

	ck_assert_msg(!strcmp(got, expect), "%s: got \"%s\", expected \"%s\"", src, got, expect);
	free(got);
}

static void ck_text(const char *src, const char *expect)
{
	ck_render(src, 0, expect);
}

static void ck_parse_error(const char *src, const char *message)
{
	crm_template *t = NULL;

	ck_assert_msg(crm_template_parse(&t, src, "mail.txt") == CRM_EDATA, "%s parsed", src);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(crm_error_message(), message);
}

START_TEST(test_template_variables)
{
	ck_text("Dear {{first_name}},", "Dear Ada,");
	ck_text("{{ first_name }}|{{\tfirst_name\t}}", "Ada|Ada");
	ck_text("{{custom.team}} {{a-b_9}}", "R&D ok");
	ck_text("[{{missing}}][{{empty}}]", "[][]");
	ck_text("no tags at all\n", "no tags at all\n");
	ck_text("", "");
}
END_TEST

START_TEST(test_template_fallbacks)
{
	ck_text("Dear {{missing|friend}},", "Dear friend,");
	ck_text("Dear {{ empty | dear friend }},", "Dear dear friend,");
	ck_text("Dear {{first_name|friend}},", "Dear Ada,");
	ck_text("{{missing| a}b{c|d }}", "a}b{c|d");
	ck_text("[{{missing|}}]", "[]");
	ck_text("{{missing|line one\nline two}}", "line one\nline two");
}
END_TEST

START_TEST(test_template_sections)
{
	ck_text("{{#first_name}}Hi {{.}}!{{/first_name}}", "Hi Ada!");
	ck_text("[{{#empty}}x{{/empty}}{{#missing}}y{{/missing}}]", "[]");
	ck_text("{{^empty}}none{{/empty}}{{^first_name}}some{{/first_name}}", "none");
	ck_text("{{# first_name }}x{{/ first_name }}{{ #first_name}}y{{ /first_name}}", "xy");
	/* Only NULL and "" are empty. */
	ck_text("{{#zero}}z{{/zero}}{{#space}}s{{/space}}{{^zero}}no{{/zero}}", "zs");
	/* {{.}} is the innermost {{#section}}, through inverted ones. */
	ck_text("{{#first_name}}{{#custom.team}}{{.}}{{/custom.team}}/{{.}}{{/first_name}}",
	        "R&D/Ada");
	ck_text("{{#first_name}}{{^empty}}{{.}}{{/empty}}{{/first_name}}", "Ada");
	ck_text("a{{#empty}}b{{#first_name}}c{{/first_name}}d{{/empty}}e", "ae");
}
END_TEST

START_TEST(test_template_comments_and_literals)
{
	ck_text("a{{! a note }}b{{!}}c", "abc");
	ck_text("a{{! one\ntwo }}b", "ab");
	ck_text("a { b } c }} d {x} {", "a { b } c }} d {x} {");
	ck_text("}}{{first_name}}}{ {first_name} }", "}}Ada}{ {first_name} }");
	/* Values are not templates. */
	ck_text("{{raw}} {{{raw}}}", "{{first_name}} {{first_name}}");
}
END_TEST

START_TEST(test_template_html_escaping)
{
	ck_render("<p>{{html}}</p>", 1, "<p>&lt;b&gt;&quot;Hi&quot; &amp; &#39;bye&#39;&lt;/b&gt;</p>");
	ck_render("<p>{{html}}</p>", 0, "<p><b>\"Hi\" & 'bye'</b></p>");
	ck_render("{{{html}}}|{{& html}}|{{&html}}", 1,
	          "<b>\"Hi\" & 'bye'</b>|<b>\"Hi\" & 'bye'</b>|<b>\"Hi\" & 'bye'</b>");
	ck_render("{{#custom.team}}{{.}}{{/custom.team}}", 1, "R&amp;D");
	ck_render("{{missing|<none> & co}}", 1, "&lt;none&gt; &amp; co");
	ck_render("{{missing|<none> & co}}", 0, "<none> & co");
	ck_render("{{{missing|<i>none</i>}}} {{& missing|<i>none</i>}}", 1,
	          "<i>none</i> <i>none</i>");
}
END_TEST

START_TEST(test_template_standalone_lines)
{
	ck_text("Hello\n{{#first_name}}\nyes\n{{/first_name}}\nbye\n", "Hello\nyes\nbye\n");
	ck_text("a\n  {{#empty}}  \nno\n\t{{/empty}}\nb\n", "a\nb\n");
	ck_text("a\r\n{{#first_name}}\r\nb\r\n  {{/first_name}}\t\r\nc\r\n", "a\r\nb\r\nc\r\n");
	ck_text("{{^empty}}\nshown\n{{/empty}}\n", "shown\n");
	ck_text("a\n{{! note }}\nb", "a\nb");
	ck_text("a\n  {{! one\ntwo }}  \r\nb", "a\nb");
	/* At the start and at the end without a newline. */
	ck_text("{{#first_name}}\nx\n  {{/first_name}}", "x\n");
	/* Not alone on their lines. */
	ck_text("{{#first_name}}{{/first_name}}\n", "\n");
	ck_text(" {{#first_name}}yes{{/first_name}}\n", " yes\n");
	ck_text("x {{! c }}\n{{! c }} y\n", "x \n y\n");
	/* Variables keep their lines, empty or not. */
	ck_text("{{first_name}}\n{{empty}}\n", "Ada\n\n");
}
END_TEST

START_TEST(test_template_parse_errors)
{
	ck_parse_error("Hello {{name", "mail.txt:1:7: '{{' is not closed");
	ck_parse_error("Dear {{name,\nsee {{link}}", "mail.txt:1:6: '{{' is not closed");
	ck_parse_error("{{{name", "mail.txt:1:1: '{{{' is not closed");
	ck_parse_error("Hi {{{name}}!", "mail.txt:1:4: '{{{' is not closed by '}}}'");
	ck_parse_error("a\n  {{ }}", "mail.txt:2:3: empty name");
	ck_parse_error("{{#}}{{/}}", "mail.txt:1:1: empty name");
	ck_parse_error("x{{{}}}", "mail.txt:1:2: empty name");
	ck_parse_error("{{ | friend }}", "mail.txt:1:1: empty name");
	ck_parse_error("{{first name}}",
	               "mail.txt:1:1: invalid name 'first name' (letters, digits, '_', '-' and '.' only)");
	ck_parse_error("{{a\nb}}", "mail.txt:1:1: invalid name 'a...' (letters, digits, '_', '-' and '.' only)");
	/* Cut at 40 bytes, but not inside the é that straddles them. */
	ck_parse_error("{{nom_de_famille_avec_des_accents_comme_xé_ou_è}}",
	               "mail.txt:1:1: invalid name 'nom_de_famille_avec_des_accents_comme_x...' "
	               "(letters, digits, '_', '-' and '.' only)");
	ck_parse_error("x{{/a}}", "mail.txt:1:2: {{/a}} closes no open section");
	ck_parse_error("\n\n{{#b}}\n{{/a}}\n", "mail.txt:4:1: {{/a}} closes {{#b}} opened at 3:1");
	ck_parse_error("{{^b}}{{/a}}", "mail.txt:1:7: {{/a}} closes {{^b}} opened at 1:1");
	ck_parse_error("{{#a}}\n{{#b}}x{{/b}}\n", "mail.txt:1:1: {{#a}} is not closed");
	ck_parse_error("{{#a}}{{^b}}", "mail.txt:1:7: {{^b}} is not closed");
	ck_parse_error("{{#a|x}}{{/a}}", "mail.txt:1:1: only a variable takes a fallback ('|')");
	ck_parse_error("{{.}}", "mail.txt:1:1: {{.}} outside a {{#section}}");
	ck_parse_error("{{^a}}{{.}}{{/a}}", "mail.txt:1:7: {{.}} outside a {{#section}}");
	ck_parse_error("{{#.}}{{/.}}", "mail.txt:1:1: '.' cannot name a section");
	ck_parse_error("{{=<% %>=}}", "mail.txt:1:1: delimiter changes ({{=...=}}) are not supported");
	ck_parse_error("{{> footer}}", "mail.txt:1:1: partials ({{>...}}) are not supported");
}
END_TEST

START_TEST(test_template_errors_count_characters)
{
	/* G r ü ß e , and a space: 7 characters, 9 bytes. */
	ck_parse_error("Grüße, {{ }}", "mail.txt:1:8: empty name");
	ck_parse_error("Hi\n😀 {{name", "mail.txt:2:3: '{{' is not closed");
	ck_parse_error("ok\nab\xff", "mail.txt:2:3: invalid UTF-8 (byte 0xff)");
	ck_parse_error("é\xc3(", "mail.txt:1:2: invalid UTF-8 (byte 0xc3)");
	ck_parse_error("{{a|\xe9t\xe9}}", "mail.txt:1:5: invalid UTF-8 (byte 0xe9)");
	ck_parse_error("over\xc0\xaflong", "mail.txt:1:5: invalid UTF-8 (byte 0xc0)");
	ck_parse_error("\xed\xa0\x80", "mail.txt:1:1: invalid UTF-8 (byte 0xed)");
}
END_TEST

START_TEST(test_template_nesting_limit)
{
	crm_buf src = CRM_BUF_INIT;
	crm_template *t = NULL;

	for (int i = 0; i < 16; i++)
		crm_buf_puts(&src, "{{#a}}");
	crm_buf_puts(&src, "{{^empty}}");
	ck_parse_error(crm_buf_str(&src), "mail.txt:1:97: sections nested deeper than 16");
	src.len -= strlen("{{^empty}}");
	for (int i = 0; i < 16; i++)
		crm_buf_puts(&src, "{{/a}}");
	ck_assert_int_eq(crm_template_parse(&t, crm_buf_str(&src), "mail.txt"), CRM_OK);
	crm_template_free(t);
	crm_buf_free(&src);
}
END_TEST

/* Knows the names of person but "nick", and lists the names asked. */
static int known(void *arg, const char *name)
{
	crm_buf *asked = arg;

	crm_buf_printf(asked, "%s,", name);
	return strcmp(name, "nick") != 0 && strcmp(name, "gone") != 0;
}

START_TEST(test_template_check_unknown)
{
	crm_template *t = NULL;
	crm_buf asked = CRM_BUF_INIT;

	ck_assert_int_eq(crm_template_parse(&t, "Hi {{first_name}}\n{{#vip}}\n {{ nick }} {{.}}\n"
	                                        "{{/vip}}{{^gone}}{{/gone}}", "mail.txt"), CRM_OK);
	ck_assert_int_eq(crm_template_check(t, known, &asked), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "mail.txt:3:2: unknown variable 'nick'");
	ck_assert_str_eq(crm_buf_str(&asked), "first_name,vip,nick,");
	crm_template_free(t);
	crm_buf_clear(&asked);
	ck_assert_int_eq(crm_template_parse(&t, "x\n{{#vip}}{{.}}{{/vip}}{{^gone}}{{/gone}}",
	                                    "subject"), CRM_OK);
	ck_assert_int_eq(crm_template_check(t, known, &asked), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "subject:2:22: unknown variable 'gone'");
	ck_assert_str_eq(crm_buf_str(&asked), "vip,gone,");
	crm_template_free(t);
	ck_assert_int_eq(crm_template_parse(&t, "{{first_name}}", "subject"), CRM_OK);
	ck_assert_int_eq(crm_template_check(t, known, &asked), CRM_OK);
	crm_template_free(t);
	crm_buf_free(&asked);
}
END_TEST

/* Fails on "boom", counting the names asked. */
static int get_or_fail(void *arg, const char *name, const char **val)
{
	(*(int *)arg)++;
	if (!strcmp(name, "boom"))
		return crm_error_set(CRM_ENOTFOUND, "no field '%s'", name);
	return get(NULL, name, val);
}

START_TEST(test_template_get_error_stops)
{
	crm_template *t = NULL;
	crm_buf out = CRM_BUF_INIT;
	int asked = 0;

	crm_buf_puts(&out, "kept:");
	ck_assert_int_eq(crm_template_parse(&t, "a{{first_name}}b{{boom}}c{{zero}}", "m"), CRM_OK);
	ck_assert_int_eq(crm_template_render(t, 1, get_or_fail, &asked, &out), CRM_ENOTFOUND);
	ck_assert_str_eq(crm_error_message(), "no field 'boom'");
	ck_assert_int_eq(asked, 2);
	ck_assert_str_eq(crm_buf_str(&out), "kept:");
	crm_template_free(t);
	crm_buf_free(&out);
}
END_TEST

static int known_all(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return 1;
}

START_TEST(test_template_many_tags)
{
	crm_buf src = CRM_BUF_INIT, out = CRM_BUF_INIT;
	crm_template *t = NULL;

	/* 100,000 tags, half of the sections shown. */
	for (int i = 0; i < 12500; i++)
		crm_buf_puts(&src, "{{#zero}}{{first_name}}-{{/zero}}{{!c}}"
		                   "{{#empty}}{{first_name}}{{/empty}}{{!c}}");
	ck_assert_int_eq(crm_template_parse(&t, crm_buf_str(&src), "big"), CRM_OK);
	ck_assert_int_eq(crm_template_check(t, known_all, NULL), CRM_OK);
	ck_assert_int_eq(crm_template_render(t, 1, get, NULL, &out), CRM_OK);
	ck_assert_uint_eq(out.len, 12500 * strlen("Ada-"));
	ck_assert(!strncmp(out.ptr, "Ada-Ada-", 8));
	crm_template_free(t);
	crm_buf_free(&src);
	crm_buf_free(&out);
}
END_TEST

Suite *template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_template_variables);
	tcase_add_test(tc, test_template_fallbacks);
	tcase_add_test(tc, test_template_sections);
	tcase_add_test(tc, test_template_comments_and_literals);
	tcase_add_test(tc, test_template_html_escaping);
	tcase_add_test(tc, test_template_standalone_lines);
	tcase_add_test(tc, test_template_parse_errors);
	tcase_add_test(tc, test_template_errors_count_characters);
	tcase_add_test(tc, test_template_nesting_limit);
	tcase_add_test(tc, test_template_check_unknown);
	tcase_add_test(tc, test_template_get_error_stops);
	tcase_add_test(tc, test_template_many_tags);
	suite_add_tcase(s, tc);
	return s;
}
