/* check_output.c - the record writer, byte for byte in every format. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/output.h"

static const struct crm_column cols3[] = {
	{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "note", CRM_COL_TEXT }
};

/* Three rows holding tab, newline, CR, backslash, quotes, commas and a NULL. */
static const char *const rows3[] = {
	"1", "Ada Lovelace", "tab\there",
	"2", "a,b \"q\"", NULL,
	"3", "back\\slash", "line1\nline2\r"
};

static struct crm_out_opts opts(enum crm_format f, bool header)
{
	struct crm_out_opts o = { .format = f, .header = header };

	return o;
}

/* Writes nrows rows through a writer into memory; returns the bytes (freed
 * by the caller) and their count in *len. */
static char *render(const struct crm_out_opts *o, const struct crm_column *cols, size_t ncols,
                    const char *const *vals, size_t nrows, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	crm_out *w;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(crm_out_new(&w, fp, o, cols, ncols), CRM_OK);
	for (size_t r = 0; r < nrows; r++)
		ck_assert_int_eq(crm_out_row(w, vals + r * ncols), CRM_OK);
	ck_assert_int_eq(crm_out_finish(w), CRM_OK);
	crm_out_free(w);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

static void expect_bytes(const struct crm_out_opts *o, const struct crm_column *cols,
                         size_t ncols, const char *const *vals, size_t nrows,
                         const char *want, size_t wantlen)
{
	size_t len;
	char *got = render(o, cols, ncols, vals, nrows, &len);

	if (memchr(want, '\0', wantlen) == NULL)
		ck_assert_str_eq(got, want);
	ck_assert_uint_eq(len, wantlen);
	ck_assert_mem_eq(got, want, wantlen);
	free(got);
}

#define EXPECT(o, cols, ncols, vals, nrows, lit) \
	expect_bytes(o, cols, ncols, vals, nrows, lit, sizeof lit - 1)

START_TEST(test_format_names)
{
	static const char *const names[] = { "table", "tsv", "csv", "jsonl", "json", "yaml" };
	enum crm_format f;

	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(crm_format_parse(&f, names[i]), CRM_OK);
		ck_assert_int_eq(f, i);
		ck_assert_str_eq(crm_format_name(f), names[i]);
	}
	ck_assert_int_eq(crm_format_parse(&f, "xml"), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "unknown format 'xml'");
	ck_assert_int_eq(crm_format_parse(&f, "TSV"), CRM_EUSAGE);
}
END_TEST

START_TEST(test_tsv)
{
	struct crm_out_opts o = opts(CRM_FORMAT_TSV, true);

	EXPECT(&o, cols3, 3, rows3, 3,
	       "id\tname\tnote\n"
	       "1\tAda Lovelace\ttab\\there\n"
	       "2\ta,b \"q\"\t\n"
	       "3\tback\\\\slash\tline1\\nline2\\r\n");
	o.header = false;
	EXPECT(&o, cols3, 3, rows3, 1, "1\tAda Lovelace\ttab\\there\n");
	o.null_term = true;
	EXPECT(&o, cols3, 3, rows3, 2, "1\tAda Lovelace\ttab\\there\0" "2\ta,b \"q\"\t\0");
}
END_TEST

/* Escapes at every position of the eight-byte blocks the scan reads. */
START_TEST(test_tsv_escape_positions)
{
	static const struct crm_column col[] = { { "v", CRM_COL_TEXT } };
	static const char *const vals[] = {
		"0123456\t", "01234567\r89", "0123456789abcdef\\", "\n0123456789", "\x01\x0e\x7f\xc3\xa9[]"
	};
	struct crm_out_opts o = opts(CRM_FORMAT_TSV, false);

	EXPECT(&o, col, 1, vals, 5,
	       "0123456\\t\n01234567\\r89\n0123456789abcdef\\\\\n\\n0123456789\n"
	       "\x01\x0e\x7f\xc3\xa9[]\n");
}
END_TEST

/* Values longer than the writer's record buffer, plain and escaped. */
START_TEST(test_tsv_long_values)
{
	static const struct crm_column cols[] = { { "a", CRM_COL_TEXT }, { "b", CRM_COL_TEXT } };
	struct crm_out_opts o = opts(CRM_FORMAT_TSV, false);
	size_t n = 20000, len;
	char *plain = malloc(n + 1), *tabs = malloc(n + 1), *want = malloc(3 * n + 3), *got;
	const char *vals[2] = { plain, tabs };

	memset(plain, 'x', n);
	plain[n] = '\0';
	memset(tabs, '\t', n);
	tabs[n] = '\0';
	memcpy(want, plain, n);
	want[n] = '\t';
	for (size_t i = 0; i < n; i++)
		memcpy(want + n + 1 + 2 * i, "\\t", 2);
	want[3 * n + 1] = '\n';
	got = render(&o, cols, 2, vals, 1, &len);
	ck_assert_uint_eq(len, 3 * n + 2);
	ck_assert_mem_eq(got, want, len);
	free(got);
	free(want);
	free(tabs);
	free(plain);
}
END_TEST

START_TEST(test_header_without_rows)
{
	struct crm_out_opts o = opts(CRM_FORMAT_TSV, true);

	EXPECT(&o, cols3, 3, rows3, 0, "id\tname\tnote\n");
	o.format = CRM_FORMAT_CSV;
	EXPECT(&o, cols3, 3, rows3, 0, "id,name,note\r\n");
	o.header = false;
	EXPECT(&o, cols3, 3, rows3, 0, "");
	o.format = CRM_FORMAT_JSONL;
	EXPECT(&o, cols3, 3, rows3, 0, "");
	o.format = CRM_FORMAT_JSON;
	EXPECT(&o, cols3, 3, rows3, 0, "[]\n");
	o.format = CRM_FORMAT_YAML;
	EXPECT(&o, cols3, 3, rows3, 0, "[]\n");
	o.format = CRM_FORMAT_TABLE;
	EXPECT(&o, cols3, 3, rows3, 0, "");
}
END_TEST

START_TEST(test_csv)
{
	static const struct crm_column cols[] = { { "v", CRM_COL_TEXT } };
	static const char *const vals[] = { " lead", "trail ", "", NULL, "in side", "cr\rx" };
	struct crm_out_opts o = opts(CRM_FORMAT_CSV, true);

	EXPECT(&o, cols3, 3, rows3, 3,
	       "id,name,note\r\n"
	       "1,Ada Lovelace,tab\there\r\n"
	       "2,\"a,b \"\"q\"\"\",\r\n"
	       "3,back\\slash,\"line1\nline2\r\"\r\n");
	o.header = false;
	EXPECT(&o, cols, 1, vals, 6, "\" lead\"\r\n\"trail \"\r\n\r\n\r\nin side\r\n\"cr\rx\"\r\n");
	o.null_term = true;
	EXPECT(&o, cols, 1, vals, 2, "\" lead\"\0\"trail \"\0");
}
END_TEST

/* As the spreadsheet it came from reads: ';' between, the mark first. */
START_TEST(test_csv_delimiter_and_bom)
{
	static const struct crm_column cols[] = { { "v", CRM_COL_TEXT } };
	static const char *const vals[] = { "a;b" };
	struct crm_out_opts o = opts(CRM_FORMAT_CSV, true);

	o.delimiter = ';';
	o.bom = true;
	EXPECT(&o, cols3, 3, rows3, 2,
	       "\xef\xbb\xbfid;name;note\r\n"
	       "1;Ada Lovelace;tab\there\r\n"
	       "2;\"a,b \"\"q\"\"\";\r\n");
	o.header = false;
	o.bom = false;
	EXPECT(&o, cols, 1, vals, 1, "\"a;b\"\r\n");
}
END_TEST

START_TEST(test_csv_safe)
{
	static const struct crm_column cols[] = { { "t", CRM_COL_TEXT }, { "n", CRM_COL_NUMBER } };
	static const char *const vals[] = {
		"=SUM(A1)", "-12.50",
		"+1", "-5",
		"@x", "=1",
		"\tx", "+3",
		"=a,b", "0",
		"a=b", NULL,
		"-", "1-2"
	};
	struct crm_out_opts o = opts(CRM_FORMAT_CSV, false);

	EXPECT(&o, cols, 2, vals, 1, "=SUM(A1),-12.50\r\n");
	o.csv_safe = true;
	EXPECT(&o, cols, 2, vals, 7,
	       "'=SUM(A1),-12.50\r\n"
	       "'+1,-5\r\n"
	       "'@x,'=1\r\n"
	       "\"'\tx\",+3\r\n"
	       "\"'=a,b\",0\r\n"
	       "a=b,\r\n"
	       "'-,1-2\r\n");
}
END_TEST

START_TEST(test_jsonl)
{
	struct crm_out_opts o = opts(CRM_FORMAT_JSONL, true);

	EXPECT(&o, cols3, 3, rows3, 3,
	       "{\"id\":1,\"name\":\"Ada Lovelace\",\"note\":\"tab\\there\"}\n"
	       "{\"id\":2,\"name\":\"a,b \\\"q\\\"\",\"note\":null}\n"
	       "{\"id\":3,\"name\":\"back\\\\slash\",\"note\":\"line1\\nline2\\r\"}\n");
	o.null_term = true;
	EXPECT(&o, cols3, 3, rows3, 1,
	       "{\"id\":1,\"name\":\"Ada Lovelace\",\"note\":\"tab\\there\"}\0");
}
END_TEST

START_TEST(test_json)
{
	struct crm_out_opts o = opts(CRM_FORMAT_JSON, true);

	EXPECT(&o, cols3, 3, rows3, 2,
	       "[\n"
	       "{\"id\":1,\"name\":\"Ada Lovelace\",\"note\":\"tab\\there\"},\n"
	       "{\"id\":2,\"name\":\"a,b \\\"q\\\"\",\"note\":null}\n"
	       "]\n");
	EXPECT(&o, cols3, 3, rows3, 1,
	       "[\n{\"id\":1,\"name\":\"Ada Lovelace\",\"note\":\"tab\\there\"}\n]\n");
}
END_TEST

START_TEST(test_json_escapes_and_numbers)
{
	static const struct crm_column cols[] = {
		{ "s", CRM_COL_TEXT }, { "i", CRM_COL_INT }, { "n", CRM_COL_NUMBER }
	};
	static const char *const vals[] = {
		"\x01\x1f\b\f\xe2\x80\xa8\xe2\x80\xa9 caf\xc3\xa9 \xe6\x9d\xb1\x7f/", "007", "-0.5e-3",
		"42", "12abc", "1234.50 EUR",
		"x", "-0", "1."
	};
	struct crm_out_opts o = opts(CRM_FORMAT_JSONL, false);

	EXPECT(&o, cols, 3, vals, 3,
	       "{\"s\":\"\\u0001\\u001f\\b\\f\\u2028\\u2029 caf\xc3\xa9 \xe6\x9d\xb1\x7f/\","
	       "\"i\":\"007\",\"n\":-0.5e-3}\n"
	       "{\"s\":\"42\",\"i\":\"12abc\",\"n\":\"1234.50 EUR\"}\n"
	       "{\"s\":\"x\",\"i\":-0,\"n\":\"1.\"}\n");
}
END_TEST

/* A figure that could not be had (an NPS of no responses) is null beside
 * the numbers, in JSON as crm(7) writes an empty field; a text column's
 * empty string stays a string, and TSV writes both empty. */
/* crm(7): an empty field is null in JSON, text or number, as a NULL is. */
START_TEST(test_empty_is_null)
{
	static const struct crm_column cols[] = { { "s", CRM_COL_TEXT }, { "n", CRM_COL_NUMBER } };
	static const char *const vals[] = { "", "" };
	struct crm_out_opts j = opts(CRM_FORMAT_JSONL, false), t = opts(CRM_FORMAT_TSV, false);

	EXPECT(&j, cols, 2, vals, 1, "{\"s\":null,\"n\":null}\n");
	EXPECT(&t, cols, 2, vals, 1, "\t\n");
}
END_TEST

START_TEST(test_json_quote)
{
	crm_buf b = CRM_BUF_INIT;

	ck_assert_int_eq(crm_json_quote(&b, "a\"b\\c\n\x01\xe2\x80\xa9z"), CRM_OK);
	ck_assert_str_eq(crm_buf_str(&b), "\"a\\\"b\\\\c\\n\\u0001\\u2029z\"");
	crm_buf_clear(&b);
	ck_assert_int_eq(crm_json_quote(&b, ""), CRM_OK);
	ck_assert_str_eq(crm_buf_str(&b), "\"\"");
	crm_buf_free(&b);
}
END_TEST

START_TEST(test_yaml)
{
	static const char *const vals[] = {
		"1", "123", "true",
		"2", "", "plain text",
		"3", NULL, "null"
	};
	struct crm_out_opts o = opts(CRM_FORMAT_YAML, true);

	EXPECT(&o, cols3, 3, vals, 3,
	       "- id: 1\n  name: '123'\n  note: 'true'\n"
	       "- id: 2\n  name: null\n  note: plain text\n"
	       "- id: 3\n  name: null\n  note: 'null'\n");
}
END_TEST

/* Strings a plain YAML scalar would turn into another type. */
static const char *const yaml_typed[] = {
	"123", "true", "null", "~", "yes", "No", "off", "1e3", "0x1F", "0o17", "1:30",
	"2026-11-22", ".inf", "-.5", "+33142685300", "-1", "3.14", ".NaN", "<<", "="
};

/* Strings that need care for other reasons: indicators, breaks, spaces. */
static const char *const yaml_tricky[] = {
	" lead", "trail ", "a: b", "#hash", "x #y", "- dash", "-", "line1\nline2",
	"line1\nline2\n", "\nleading break", "ends in breaks\n\n", "crlf\r\nend", "cr\ronly",
	"tab\there", "quote ' and \"", "back\\slash", "\xe6\x9d\xb1\xe4\xba\xac caf\xc3\xa9",
	"ls\xe2\x80\xa8ps\xe2\x80\xa9", "nel\xc2\x85", "\x1b[31m", "[flow]", "{a: 1}",
	"*alias", "&anchor", "!tag", "%pct", "@at", "`tick", "|pipe", ">gt", "? q", "key:",
	"multi\n  indented\n\ttabbed\n", " \n ", "a  b", "\n", "\357\273\277bom", "plain"
};

struct scalar {
	char *value;
	size_t len;
	yaml_scalar_style_t style;
};

/* Parses a sequence of one-key mappings and returns the values in order. */
static size_t yaml_values(const char *doc, size_t len, struct scalar *out, size_t max)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t n = 0, scalars = 0;
	bool done = false;

	ck_assert_int_eq(yaml_parser_initialize(&p), 1);
	yaml_parser_set_input_string(&p, (const unsigned char *)doc, len);
	while (!done) {
		ck_assert_msg(yaml_parser_parse(&p, &ev), "yaml parse error: %s", p.problem);
		if (ev.type == YAML_SCALAR_EVENT && scalars++ % 2 == 1) {
			ck_assert_uint_lt(n, max);
			out[n].len = ev.data.scalar.length;
			out[n].value = malloc(out[n].len + 1);
			memcpy(out[n].value, ev.data.scalar.value, out[n].len + 1);
			out[n++].style = ev.data.scalar.style;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return n;
}

/* Writes each string as one row, reads the YAML back and compares. */
static void yaml_round_trip(const char *const *vals, size_t n, bool typed)
{
	static const struct crm_column col[] = { { "v", CRM_COL_TEXT } };
	struct crm_out_opts o = opts(CRM_FORMAT_YAML, true);
	struct scalar got[64];
	size_t len, count;
	char *doc = render(&o, col, 1, vals, n, &len);

	count = yaml_values(doc, len, got, 64);
	ck_assert_uint_eq(count, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(got[i].len == strlen(vals[i]) && !memcmp(got[i].value, vals[i], got[i].len),
		              "value %zu came back as '%s' from:\n%s", i, got[i].value, doc);
		if (typed)
			ck_assert_msg(got[i].style != YAML_PLAIN_SCALAR_STYLE,
			              "'%s' written plain:\n%s", vals[i], doc);
		free(got[i].value);
	}
	free(doc);
	/* Each as the last value too: libyaml may close the document with "...". */
	for (size_t i = 0; i < n; i++) {
		doc = render(&o, col, 1, vals + i, 1, &len);
		ck_assert_msg(!strstr(doc, "\n...\n"), "document end marker after '%s'", vals[i]);
		free(doc);
	}
}

START_TEST(test_yaml_round_trip)
{
	yaml_round_trip(yaml_typed, sizeof yaml_typed / sizeof yaml_typed[0], true);
	yaml_round_trip(yaml_tricky, sizeof yaml_tricky / sizeof yaml_tricky[0], false);
}
END_TEST

START_TEST(test_yaml_multiline)
{
	static const struct crm_column col[] = { { "v", CRM_COL_TEXT } };
	static const char *const vals[] = { "line1\nline2\n" };
	struct crm_out_opts o = opts(CRM_FORMAT_YAML, true);

	static const char *const odd[] = { "cr\ronly", "ls\xe2\x80\xa8x", "two\n\n", "1\n2" };

	EXPECT(&o, col, 1, vals, 1, "- v: |\n    line1\n    line2\n");
	/* Breaks other than LF would come back as LF from a block scalar. */
	EXPECT(&o, col, 1, odd, 4,
	       "- v: \"cr\\ronly\"\n- v: \"ls\\Lx\"\n- v: \"two\\n\\n\"\n- v: |-\n    1\n    2\n");
}
END_TEST

START_TEST(test_yaml_numbers)
{
	static const struct crm_column cols[] = { { "i", CRM_COL_INT }, { "n", CRM_COL_NUMBER } };
	static const char *const vals[] = { "42", "-12.50", "007", "1e3", NULL, "" };
	struct crm_out_opts o = opts(CRM_FORMAT_YAML, true);

	/* "n" reads as false in YAML 1.1, so even that key is quoted; an
	 * empty number is no figure, null like a NULL. */
	EXPECT(&o, cols, 2, vals, 3,
	       "- i: 42\n  'n': -12.50\n- i: '007'\n  'n': '1e3'\n- i: null\n  'n': null\n");
}
END_TEST

START_TEST(test_table)
{
	static const struct crm_column cols[] = {
		{ "id", CRM_COL_INT }, { "name", CRM_COL_TEXT }, { "city", CRM_COL_TEXT }
	};
	static const char *const vals[] = {
		"1", "Ada", "\xe6\x9d\xb1\xe4\xba\xac",
		"10", "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d", "Paris",
		"7", "x\ty", NULL
	};
	struct crm_out_opts o = opts(CRM_FORMAT_TABLE, true);

	EXPECT(&o, cols, 3, vals, 3,
	       "id  name    city\n"
	       " 1  Ada     \xe6\x9d\xb1\xe4\xba\xac\n"
	       "10  \xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d  Paris\n"
	       " 7  x\\ty\n");
	o.color = true;
	EXPECT(&o, cols, 3, vals, 1,
	       "\033[1mid  name  city\033[0m\n"
	       " 1  Ada   \xe6\x9d\xb1\xe4\xba\xac\n");
	o.header = false;
	o.color = false;
	EXPECT(&o, cols, 3, vals, 2,
	       " 1  Ada     \xe6\x9d\xb1\xe4\xba\xac\n"
	       "10  \xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d  Paris\n");
}
END_TEST

START_TEST(test_table_controls)
{
	static const struct crm_column cols[] = { { "a", CRM_COL_TEXT }, { "b", CRM_COL_TEXT } };
	static const char *const vals[] = {
		"\x1b[31mred", "x",
		"c1\xc2\x9b", "line\r\nnext",
		"", "",
	};
	struct crm_out_opts o = opts(CRM_FORMAT_TABLE, false);

	EXPECT(&o, cols, 2, vals, 3,
	       "\\x1b[31mred  x\n"
	       "c1\\u009b     line\\r\\nnext\n"
	       "\n");
}
END_TEST

START_TEST(test_dev_full)
{
	static const char *const vals[] = { "1", "x", "y" };

	for (int f = CRM_FORMAT_TABLE; f <= CRM_FORMAT_YAML; f++) {
		struct crm_out_opts o = opts((enum crm_format)f, true);
		FILE *fp = fopen("/dev/full", "w");
		crm_out *w;

		if (!fp)
			return;
		ck_assert_int_eq(crm_out_new(&w, fp, &o, cols3, 3), CRM_OK);
		ck_assert_int_eq(crm_out_row(w, vals), CRM_OK);
		ck_assert_int_eq(crm_out_finish(w), CRM_EIO);
		ck_assert_str_eq(crm_error_message(), "write error: No space left on device");
		crm_out_free(w);
		fclose(fp);
	}
}
END_TEST

START_TEST(test_dev_full_midway)
{
	static const char *const vals[] = { "1", "a value long enough to fill buffers soon", NULL };
	struct crm_out_opts o = opts(CRM_FORMAT_TSV, true);
	FILE *fp = fopen("/dev/full", "w");
	crm_out *w;
	int rc = CRM_OK, i;

	if (!fp)
		return;
	ck_assert_int_eq(crm_out_new(&w, fp, &o, cols3, 3), CRM_OK);
	for (i = 0; i < 100000 && !rc; i++)
		rc = crm_out_row(w, vals);
	ck_assert_int_eq(rc, CRM_EIO);
	ck_assert_int_eq(crm_out_row(w, vals), CRM_EIO);
	ck_assert_int_eq(crm_out_finish(w), CRM_EIO);
	crm_out_free(w);
	fclose(fp);
}
END_TEST

Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_format_names);
	tcase_add_test(tc, test_tsv);
	tcase_add_test(tc, test_tsv_escape_positions);
	tcase_add_test(tc, test_tsv_long_values);
	tcase_add_test(tc, test_header_without_rows);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_csv_delimiter_and_bom);
	tcase_add_test(tc, test_csv_safe);
	tcase_add_test(tc, test_jsonl);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_escapes_and_numbers);
	tcase_add_test(tc, test_empty_is_null);
	tcase_add_test(tc, test_json_quote);
	tcase_add_test(tc, test_yaml);
	tcase_add_test(tc, test_yaml_round_trip);
	tcase_add_test(tc, test_yaml_multiline);
	tcase_add_test(tc, test_yaml_numbers);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_table_controls);
	tcase_add_test(tc, test_dev_full);
	tcase_add_test(tc, test_dev_full_midway);
	suite_add_tcase(s, tc);
	return s;
}
