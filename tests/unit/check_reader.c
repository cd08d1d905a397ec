/* check_reader.c - reading records in every input format. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"
#include "crm/reader.h"

static char out[4096];

/* Reads text (len bytes) as format fmt and renders the rows as
 * "LINE:name=value,name=value|" ("!reason" for a malformed record, "~"
 * for null); returns the status of the last read. */
static const char *const *each; /* crm_reader_opts.each of read_as */

static int read_as(const char *fmt, const char *text, size_t len, const char *enc,
                   const char *columns)
{
	struct crm_reader_opts o = { .encoding = enc, .columns = columns, .each = each };
	FILE *f = fmemopen((void *)text, len, "r");
	struct crm_row row;
	crm_reader *r;
	int rc;

	out[0] = '\0';
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(crm_reader_format(&o.format, fmt), CRM_OK);
	if (!strcmp(fmt, "csv") && enc && !strcmp(enc, ";")) {
		o.delimiter = ';';
		o.encoding = NULL;
	}
	if ((rc = crm_reader_open(&r, f, "in", &o)) == 0)
		rc = 1;
	while (rc == 1 && (rc = crm_reader_next(r, &row)) == 1) {
		size_t n = strlen(out);
		n += (size_t)snprintf(out + n, sizeof out - n, "%ld:", row.line);
		if (row.error)
			n += (size_t)snprintf(out + n, sizeof out - n, "!%s", row.error);
		for (size_t i = 0; i < row.n && !row.error; i++)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%s=%s", i ? "," : "",
			                      row.names[i], row.values[i] ? row.values[i] : "~");
		snprintf(out + n, sizeof out - n, "|");
	}
	crm_reader_close(r);
	fclose(f);
	return rc;
}

#define READ(fmt, text) read_as(fmt, text, sizeof text - 1, NULL, NULL)

START_TEST(test_csv_basics)
{
	ck_assert_int_eq(READ("csv", "a,b\n1,2\n\n\"x,y\",\"say \"\"hi\"\"\"\n"), 0);
	ck_assert_str_eq(out, "2:a=1,b=2|4:a=x,y,b=say \"hi\"|");
}
END_TEST

START_TEST(test_csv_multiline_field_keeps_start_line)
{
	ck_assert_int_eq(READ("csv", "a,b\r\n1,\"two\r\nlines\"\r\n3,4"), 0);
	ck_assert_str_eq(out, "2:a=1,b=two\r\nlines|4:a=3,b=4|");
}
END_TEST

START_TEST(test_csv_bom_spaces_and_delimiter)
{
	static const char text[] = "\xef\xbb\xbf" "a;b\n x ; y\n";

	ck_assert_int_eq(read_as("csv", text, sizeof text - 1, ";", NULL), 0);
	ck_assert_str_eq(out, "2:a= x ,b= y|");
}
END_TEST

/* Without a delimiter given, the first line shows it: Excel's "sep=;"
 * line, else commas, then semicolons, then tabs outside quotes. */
START_TEST(test_csv_delimiter_from_the_first_line)
{
	ck_assert_int_eq(READ("csv", "a;b\n1,5;2\n"), 0);
	ck_assert_str_eq(out, "2:a=1,5,b=2|");
	ck_assert_int_eq(READ("csv", "sep=;\r\na;b\r\n1;2\r\n"), 0);
	ck_assert_str_eq(out, "3:a=1,b=2|");
	ck_assert_int_eq(READ("csv", "\"a;x\",b\n1,2\n"), 0);
	ck_assert_str_eq(out, "2:a;x=1,b=2|");
	ck_assert_int_eq(READ("csv", "\"a,x\";b\n1;2\n"), 0);
	ck_assert_str_eq(out, "2:a,x=1,b=2|");
	ck_assert_int_eq(READ("csv", "a\tb\n1\t2\n"), 0);
	ck_assert_str_eq(out, "2:a=1,b=2|");
	ck_assert_int_eq(READ("csv", "\n\nsep=|\na|b\n1|2\n"), 0);
	ck_assert_str_eq(out, "5:a=1,b=2|");
	ck_assert_int_eq(READ("csv", "a\n1;2\n"), 0);
	ck_assert_str_eq(out, "2:a=1;2|");
	/* A delimiter given is the delimiter. */
	ck_assert_int_eq(read_as("csv", "a,b;c\n1,2;3\n", 12, ";", NULL), 0);
	ck_assert_str_eq(out, "2:a,b=1,2,c=3|");
}
END_TEST

/* LinkedIn's notes above its header ("Notes:", a paragraph, a blank
 * line) are no records; below the header, "Notes:" is a value. */
START_TEST(test_csv_notes_above_the_header)
{
	ck_assert_int_eq(READ("csv", "Notes:\r\n\"When exporting, some emails, ...\"\r\n\r\n"
	                             "First Name,URL\r\nAna,https://x.example/in/ana\r\n"), 0);
	ck_assert_str_eq(out, "5:First Name=Ana,URL=https://x.example/in/ana|");
	ck_assert_int_eq(READ("csv", "\nNotes:\nsome; notes\n\na;b\n1;2\n"), 0);
	ck_assert_str_eq(out, "6:a=1,b=2|");
	ck_assert_int_eq(READ("csv", "Notes\nNotes:\n"), 0);
	ck_assert_str_eq(out, "2:Notes=Notes:|");
	ck_assert_int_eq(READ("csv", "Notes: none\n1\n"), 0);
	ck_assert_str_eq(out, "2:Notes: none=1|");
	/* Notes never followed by a header: an input of no records. */
	ck_assert_int_eq(READ("csv", "Notes:\nonly notes\n"), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* A spreadsheet's empty rows under its data: separators alone, as many
 * as its widest row had, are blank lines. */
START_TEST(test_empty_rows_are_blank_lines)
{
	ck_assert_int_eq(READ("csv", "a,b\n1,2\n,\n,,,,\n\"\",\n3,4\n,\n"), 0);
	ck_assert_str_eq(out, "2:a=1,b=2|6:a=3,b=4|");
	ck_assert_int_eq(READ("tsv", "a\tb\n\t\n1\t2\n"), 0);
	ck_assert_str_eq(out, "3:a=1,b=2|");
	ck_assert_int_eq(READ("csv", "a,b\n,x\n"), 0);
	ck_assert_str_eq(out, "2:a=,b=x|");
	ck_assert_int_eq(READ("csv", ",\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: column 1 of the header has no name");
}
END_TEST

START_TEST(test_csv_field_count_and_nul)
{
	static const char text[] = "a,b\n1\n1,2,3\nx\0y,2\n5,6\n";

	ck_assert_int_eq(READ("csv", text), 0);
	ck_assert_str_eq(out, "2:!1 field where the header has 2|3:!3 fields where the header has 2: '3' has no column|"
	                      "4:!column 'a' holds a NUL byte|5:a=5,b=6|");
}
END_TEST

/* Excel for Mac's "CSV (Macintosh)" ends its lines in CR alone. */
START_TEST(test_csv_cr_line_ends)
{
	ck_assert_int_eq(READ("csv", "a,b\r1,2\r\"x\ry\",3\r"), 0);
	ck_assert_str_eq(out, "2:a=1,b=2|3:a=x\ny,b=3|");
	ck_assert_int_eq(READ("csv", "a,b\r\n1,\"x\ry\"\r\n"), 0);
	ck_assert_str_eq(out, "2:a=1,b=x\ry|");
}
END_TEST

/* A spreadsheet's unnamed last columns: empty, they are no fields. */
START_TEST(test_csv_unnamed_last_columns)
{
	ck_assert_int_eq(READ("csv", "a,b,,\r\n1,2,,\r\n3,4\r\n5,6,,x\r\n7,8,,,\r\n"), 0);
	ck_assert_str_eq(out, "2:a=1,b=2|3:a=3,b=4|4:!a value under column 4, which the header"
	                      " does not name: 'x'|5:!5 fields where the header has 2|");
}
END_TEST

START_TEST(test_csv_stream_errors)
{
	ck_assert_int_eq(READ("csv", "a,b\n1,2\n3,\"open\nstill open\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:3: quoted field never closed");
	ck_assert_int_eq(READ("csv", "Email,Name,email\n"), 0);
	ck_assert_int_eq(READ("csv", "Email,Name,Email\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: column 'Email' appears twice in the header");
	ck_assert_int_eq(READ("csv", "a,,c\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: column 2 of the header has no name");
}
END_TEST

START_TEST(test_csv_huge_field_is_a_bad_record)
{
	size_t big = (1 << 20) + 10, len = 0;
	char *text = malloc(big + 32);

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "a,b\n1,");
	memset(text + len, 'x', big);
	len += big;
	len += (size_t)sprintf(text + len, "\n2,3\n");
	ck_assert_int_eq(read_as("csv", text, len, NULL, NULL), 0);
	ck_assert_str_eq(out, "2:!column 'b' is longer than 1048576 bytes|3:a=2,b=3|");
	free(text);
}
END_TEST

START_TEST(test_columns_instead_of_header)
{
	ck_assert_int_eq(read_as("csv", "1,2\n", 4, NULL, "x,y"), 0);
	ck_assert_str_eq(out, "1:x=1,y=2|");
	ck_assert_int_eq(read_as("jsonl", "{}\n", 3, NULL, "x,y"), CRM_EUSAGE);
}
END_TEST

START_TEST(test_tsv_escapes)
{
	ck_assert_int_eq(READ("tsv", "a\tb\nx\\ty\\nz\tback\\\\slash \\q\n"), 0);
	ck_assert_str_eq(out, "2:a=x\ty\nz,b=back\\slash \\q|");
}
END_TEST

START_TEST(test_jsonl_types_and_bad_lines)
{
	ck_assert_int_eq(READ("jsonl", "{\"i\":7,\"r\":1.5,\"t\":true,\"n\":null,\"l\":[\"a\",\"b\"]}\n"
	                               "\n{oops\n[1]\n{\"o\":{\"x\":1}}\n{\"s\":\"ok\"}\n"), 0);
	ck_assert_str_eq(out, "1:i=7,r=1.5,t=true,n=~,l=a,b|"
	                      "3:!invalid JSON at column 5: string or '}' expected near 'oops'|"
	                      "4:!a JSON object expected, not '[1]'|5:o.x=1|"
	                      "6:s=ok|");
}
END_TEST

/* Services' APIs nest their objects: members of an object are columns
 * named by their path, as the toolkit's own output names custom.KEY; an
 * array no column can mean stays its JSON text. */
START_TEST(test_json_nested_objects)
{
	ck_assert_int_eq(READ("jsonl", "{\"id\":\"ch_1\",\"billing_details\":{\"address\":"
	                               "{\"city\":\"Zürich\",\"line1\":null},\"email\":\"a@b.ch\"},"
	                               "\"metadata\":{},\"custom\":{\"tier\":2},"
	                               "\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\"}],"
	                               "\"m\":[1,[2]],\"t\":[\"x\",\"y\"]}\n"), 0);
	ck_assert_str_eq(out, "1:id=ch_1,billing_details.address.city=Zürich,"
	                      "billing_details.address.line1=~,billing_details.email=a@b.ch,"
	                      "custom.tier=2,lines=[{\"sku\":\"A\"},{\"sku\":\"B\"}],m=[1,[2]],t=x,y|");
}
END_TEST

/* An array of objects that name themselves (Mailchimp's tags, each
 * {"id": 9, "name": "vip"}) is the list of their names, beside scalars
 * too; one object without a string name keeps the array's JSON text. */
START_TEST(test_json_list_of_named_objects)
{
	ck_assert_int_eq(READ("jsonl", "{\"tags\":[{\"id\":9,\"name\":\"vip\"},"
	                               "{\"id\":10,\"name\":\"new\"}],\"e\":[]}\n"
	                               "{\"tags\":[\"a\",{\"name\":\"b\"}]}\n"
	                               "{\"tags\":[{\"name\":\"a\"},{\"id\":3}]}\n"
	                               "{\"tags\":[{\"name\":7}]}\n"), 0);
	ck_assert_str_eq(out, "1:tags=vip,new,e=|2:tags=a,b|3:tags=[{\"name\":\"a\"},{\"id\":3}]|"
	                      "4:tags=[{\"name\":7}]|");
}
END_TEST

/* An order's line items, an array of objects, are a row each, the
 * order's members repeated on every one as a shop's CSV export writes
 * them; an array that is empty, or holds anything but objects, is one row
 * as before, and so is a member the reader was not told of. */
START_TEST(test_json_rows_of_each_object)
{
	static const char *const lines[] = { "items", "line_items", NULL };

	each = lines;
	ck_assert_int_eq(READ("jsonl", "{\"id\":7,\"line_items\":[{\"sku\":\"A\",\"q\":2},"
	                               "{\"sku\":\"B\",\"p\":{\"x\":1}}],\"total\":\"9.00\"}\n"
	                               "{\"id\":8,\"line_items\":[]}\n"
	                               "{\"id\":9,\"line_items\":[{\"sku\":\"C\"},3],\"notes\":[{\"a\":1}]}\n"
	                               "[{\"line_items\":[{\"sku\":\"D\"}]}]\n"
	                               "{\"id\":10,\"line_items\":[{\"sku\":\"E\"}]}\n"), 0);
	ck_assert_str_eq(out, "1:id=7,line_items.sku=A,line_items.q=2,total=9.00|"
	                      "1:id=7,line_items.sku=B,line_items.p.x=1,total=9.00|"
	                      "2:id=8,line_items=|"
	                      "3:id=9,line_items=[{\"sku\":\"C\"},3],notes=[{\"a\":1}]|"
	                      "4:!a JSON object expected, not '[{\"line_items\":[{\"sku\":\"D\"}]}]'|"
	                      "5:id=10,line_items.sku=E|");
	ck_assert_int_eq(READ("json", "[{\"n\":1,\"items\":[{\"s\":\"a\"},\n{\"s\":\"b\"}]},\n"
	                              " {\"n\":2}]"), 0);
	ck_assert_str_eq(out, "1:n=1,items.s=a|1:n=1,items.s=b|3:n=2|");
	each = NULL;
}
END_TEST

/* Amounts and prices written as JSON numbers come back as written, not
 * as the nearest double's seventeen digits. */
START_TEST(test_json_numbers_as_written)
{
	ck_assert_int_eq(READ("jsonl", "{\"a\":19.99,\"b\":1234.56,\"c\":0.29,\"d\":9.9900,"
	                               "\"e\":100.0,\"f\":-0.5,\"g\":123456789.12}\n"), 0);
	ck_assert_str_eq(out, "1:a=19.99,b=1234.56,c=0.29,d=9.99,e=100,f=-0.5,g=123456789.12|");
}
END_TEST

START_TEST(test_json_array)
{
	ck_assert_int_eq(READ("json", "[\n  {\"a\": 1},\n\n  {\"a\": \"x\\ny\",\n   \"b\": 2}\n]\n"), 0);
	ck_assert_str_eq(out, "2:a=1|4:a=x\ny,b=2|");
	ck_assert_int_eq(READ("json", " [ ] "), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* An API's page: its first member that is an array of objects is the
 * records; what is around it (counts, cursors, links) is left. */
START_TEST(test_json_page)
{
	ck_assert_int_eq(READ("json", "{\"users\": [{\"a\": 1},\n {\"a\": 2}], \"next_page\": null,"
	                              " \"count\": 2}\n"), 0);
	ck_assert_str_eq(out, "1:a=1|2:a=2|");
	ck_assert_int_eq(READ("json", "{\"object\": \"list\", \"ids\": [1, [2], \"x\"], \"meta\": {\"p\": [{}]},"
	                              " \"none\": [],\n\"data\": [{\"a\": 3}],"
	                              " \"_links\": [{\"href\": \"x\"}], \"more\": {\"b\": [1]}}"), 0);
	ck_assert_str_eq(out, "2:a=3|");
	ck_assert_int_eq(READ("json", "{\"data\": [], \"has_more\": false}"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(READ("json", " { } "), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: no array of objects in the JSON object");
	ck_assert_int_eq(READ("json", "{\"a\":1}"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: no array of objects in the JSON object");
	ck_assert_int_eq(READ("json", "{\"data\": [{\"a\": 1}] \"n\": 1}"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: ',' or '}' expected in the JSON object");
	ck_assert_int_eq(READ("json", "{\"data\" [{\"a\": 1}]}"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: ':' expected in the JSON object");
	ck_assert_int_eq(READ("json", "{\"data\": [{\"a\": 1}],\n\"n\": 1"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:2: the JSON object is never closed");
	ck_assert_int_eq(READ("json", "{\"data\": [{\"a\": 1}]} []"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: text after the end of the JSON array");
	ck_assert_int_eq(READ("json", "{7: [{\"a\": 1}]}"), CRM_EDATA);
}
END_TEST

/* Pipedrive writes a person's addresses as objects, one primary. */
START_TEST(test_json_primary_value)
{
	ck_assert_int_eq(READ("jsonl", "{\"email\": [{\"label\": \"home\", \"value\": \"b@x.org\","
	                               " \"primary\": false}, {\"label\": \"work\", \"value\": \"a@x.org\","
	                               " \"primary\": true}], \"phone\": [{\"value\": \"\", \"primary\": false}],"
	                               " \"tags\": [{\"value\": \"v\"}]}\n"), 0);
	ck_assert_str_eq(out, "1:email=a@x.org,phone=,tags=[{\"value\":\"v\"}]|");
}
END_TEST

START_TEST(test_json_stream_errors)
{
	ck_assert_int_eq(READ("json", "\"a\""), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
	                 "in:1: a JSON array of objects, or an object holding one, expected");
	ck_assert_int_eq(READ("json", "[{\"a\":1}\n{\"a\":2}]"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:2: ',' or ']' expected in the JSON array");
	ck_assert_int_eq(READ("json", "[{\"a\":1},\n{\"a\":"), CRM_EDATA);
	ck_assert_int_eq(READ("json", "[{\"a\":1}"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: the JSON array is never closed");
	ck_assert_int_eq(READ("json", "[]\n[]"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:2: text after the end of the JSON array");
}
END_TEST

START_TEST(test_yaml)
{
	ck_assert_int_eq(READ("yaml", "# people\n- a: 1\n  b: null\n  c: 'null'\n  t: [x, y]\n"
	                              "- a: ~\n  m: {x: 1}\n- {a: 3}\n"), 0);
	ck_assert_str_eq(out, "2:a=1,b=~,c=null,t=x,y|6:!field 'm' holds a nested collection|"
	                      "8:a=3|");
}
END_TEST

START_TEST(test_yaml_stream_errors)
{
	ck_assert_int_eq(READ("yaml", "- a: 1\n- b: [\n"), CRM_EDATA);
	ck_assert_int_eq(strncmp(crm_error_message(), "in:3: ", 6), 0);
	ck_assert_int_eq(READ("yaml", "a: 1\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: a sequence of mappings expected");
	ck_assert_int_eq(READ("yaml", "- just text\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: a mapping expected, not a scalar");
}
END_TEST

START_TEST(test_vcard)
{
	ck_assert_int_eq(READ("vcf",
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada King\r\nN:Lovelace;Ada;;;\r\n"
		"EMAIL;TYPE=work:ada@example.org\r\nitem1.EMAIL:ada@home.example\r\n"
		"TEL:+44 20 7946 0000\r\nORG:Engines\\, Ltd;R&D\r\n"
		"ADR:;;1 Main St;London;;N1 9GU;GB\r\nBDAY:18151210\r\n"
		"NOTE:Met at a\r\n  conference\r\nCATEGORIES:vip,math\r\nPHOTO:xyz\r\n"
		"END:VCARD\r\n\r\nbegin:vcard\nfn:Grace Brewster Hopper\nbday:1906-12-09\nend:vcard\n"), 0);
	ck_assert_str_eq(out,
		"1:last_name=Lovelace,first_name=Ada,email=ada@example.org,"
		"custom.email2=ada@home.example,phone=+44 20 7946 0000,company=Engines, Ltd,"
		"street=1 Main St,city=London,postal_code=N1 9GU,country=GB,birth_date=1815-12-10,"
		"note=Met at a conference,tags=vip,math|"
		"17:birth_date=1906-12-09,first_name=Grace Brewster,last_name=Hopper|");
	/* Apple's N:;;;; names nobody: FN does. */
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Ada Lovelace\r\n"
	                              "END:VCARD\r\n"), 0);
	ck_assert_str_eq(out, "1:first_name=Ada,last_name=Lovelace|");
	/* FN alone is split as a column of full names is: "Last, First" (its
	 * comma escaped), a title, a particle. */
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\r\nFN:Smith\\, John\r\nEND:VCARD\r\n"
	                              "BEGIN:VCARD\r\nFN:Dr. Jane Smith\r\nEND:VCARD\r\n"
	                              "BEGIN:VCARD\r\nFN:Maria da Silva\r\nEND:VCARD\r\n"), 0);
	ck_assert_str_eq(out, "1:first_name=John,last_name=Smith|4:first_name=Jane,last_name=Smith|"
	                      "7:first_name=Maria,last_name=da Silva|");
	/* Android's vCard 2.1: quoted-printable, soft line breaks included. */
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\r\nVERSION:2.1\r\n"
	                              "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=4D=C3=BC=6C=6C=65=72;"
	                              "=4A=C3=BC=72=67=65=6E;;;\r\n"
	                              "NOTE;QUOTED-PRINTABLE:one =\r\ntwo\r\nEND:VCARD\r\n"), 0);
	ck_assert_str_eq(out, "1:last_name=M\xc3\xbcller,first_name=J\xc3\xbcrgen,note=one two|");
	/* Older phones' 2.1: quoted-printable Latin-1 or cp1252; a set no one
	 * knows rejects its card, naming the line. */
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\r\nVERSION:2.1\r\n"
	                              "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\n"
	                              "NOTE;CHARSET=windows-1252;QUOTED-PRINTABLE:=80 5 =96 cash\r\n"
	                              "END:VCARD\r\n"
	                              "BEGIN:VCARD\r\nN;CHARSET=X-NONE;QUOTED-PRINTABLE:=FC\r\n"
	                              "END:VCARD\r\n"), 0);
	ck_assert_str_eq(out, "1:last_name=M\xc3\xbcller,first_name=J\xc3\xbcrgen,"
	                      "note=\xe2\x82\xac 5 \xe2\x80\x93 cash|6:!N: unknown CHARSET 'X-NONE' (line 7)|");
	/* A birthday without its year; a telephone as a URI. */
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\r\nFN:Ada\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-05-20\r\n"
	                              "TEL;VALUE=uri:tel:+1-418-656-9254;ext=102\r\nEND:VCARD\r\n"
	                              "BEGIN:VCARD\r\nFN:Bo\r\nBDAY:--0203\r\nEND:VCARD\r\n"), 0);
	ck_assert_str_eq(out, "1:custom.birthday=--05-20,phone=+1-418-656-9254 ext. 102,first_name=Ada|"
	                      "6:custom.birthday=--02-03,first_name=Bo|");
	/* Apple's 1604 is no year even where the parameter saying so is lost. */
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\r\nFN:Cy\r\nBDAY;VALUE=date:1604-08-15\r\nEND:VCARD\r\n"
	                              "BEGIN:VCARD\r\nFN:Di\r\nBDAY:16040302\r\nEND:VCARD\r\n"
	                              "BEGIN:VCARD\r\nFN:Ed\r\nBDAY:1964-08-15\r\nEND:VCARD\r\n"), 0);
	ck_assert_str_eq(out, "1:custom.birthday=--08-15,first_name=Cy|5:custom.birthday=--03-02,first_name=Di|"
	                      "9:birth_date=1964-08-15,first_name=Ed|");
}
END_TEST

START_TEST(test_vcard_errors)
{
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\nFN:x\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: vCard never ends (no END:VCARD)");
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\nFN:x\nBEGIN:VCARD\nFN:y\nEND:VCARD\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(),
	                 "in:3: BEGIN:VCARD inside the card begun at line 1 (no END:VCARD before it)");
	ck_assert_int_eq(READ("vcf", "hello\n"), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: BEGIN:VCARD expected");
	ck_assert_int_eq(READ("vcf", "BEGIN:VCARD\nno colon here\nEND:VCARD\n"), 0);
	ck_assert_str_eq(out, "1:!line 2 is not NAME:VALUE|");
}
END_TEST

START_TEST(test_encodings)
{
	ck_assert_int_eq(read_as("csv", "n\nM\xfcller\n", 9, "latin1", NULL), 0);
	ck_assert_str_eq(out, "2:n=M\xc3\xbcller|");
	/* UTF-16 with its byte-order mark: "n\n\u00e9\n". */
	ck_assert_int_eq(read_as("csv", "\xff\xfen\0\n\0\xe9\0\n\0", 10, "UTF-16", NULL), 0);
	ck_assert_str_eq(out, "2:n=\xc3\xa9|");
	/* The mark alone says UTF-16, little- or big-endian, with no --encoding. */
	ck_assert_int_eq(read_as("csv", "\xff\xfen\0\n\0\xe9\0\n\0", 10, NULL, NULL), 0);
	ck_assert_str_eq(out, "2:n=\xc3\xa9|");
	ck_assert_int_eq(read_as("csv", "\xfe\xff\0n\0\n\0\xe9\0\n", 10, NULL, NULL), 0);
	ck_assert_str_eq(out, "2:n=\xc3\xa9|");
	ck_assert_int_eq(read_as("csv", "n\n\x81\n", 4, "cp1252", NULL), CRM_EDATA);
	ck_assert_str_eq(crm_error_message(), "in:1: not valid cp1252 text (byte 2)");
	ck_assert_int_eq(read_as("csv", "n\n", 2, "klingon", NULL), CRM_EUSAGE);
	ck_assert_str_eq(crm_error_message(), "unknown encoding 'klingon'");
}
END_TEST

START_TEST(test_format_names)
{
	enum crm_format f;

	ck_assert_int_eq(crm_reader_format(&f, "vcard"), CRM_OK);
	ck_assert_int_eq(f, CRM_FORMAT_VCF);
	ck_assert_int_eq(crm_reader_format(&f, "table"), CRM_EUSAGE);
	ck_assert_int_eq(crm_reader_guess("exports/people.CSV"), CRM_FORMAT_CSV);
	ck_assert_int_eq(crm_reader_guess("a.ndjson"), CRM_FORMAT_JSONL);
	ck_assert_int_eq(crm_reader_guess("a.yml"), CRM_FORMAT_YAML);
	ck_assert_int_eq(crm_reader_guess("dir.v2/people"), -1);
	ck_assert_int_eq(crm_reader_guess("-"), -1);
}
END_TEST

Suite *reader_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_csv_basics);
	tcase_add_test(tc, test_csv_multiline_field_keeps_start_line);
	tcase_add_test(tc, test_csv_bom_spaces_and_delimiter);
	tcase_add_test(tc, test_csv_delimiter_from_the_first_line);
	tcase_add_test(tc, test_csv_notes_above_the_header);
	tcase_add_test(tc, test_empty_rows_are_blank_lines);
	tcase_add_test(tc, test_csv_field_count_and_nul);
	tcase_add_test(tc, test_csv_unnamed_last_columns);
	tcase_add_test(tc, test_csv_cr_line_ends);
	tcase_add_test(tc, test_csv_stream_errors);
	tcase_add_test(tc, test_csv_huge_field_is_a_bad_record);
	tcase_add_test(tc, test_columns_instead_of_header);
	tcase_add_test(tc, test_tsv_escapes);
	tcase_add_test(tc, test_jsonl_types_and_bad_lines);
	tcase_add_test(tc, test_json_nested_objects);
	tcase_add_test(tc, test_json_list_of_named_objects);
	tcase_add_test(tc, test_json_rows_of_each_object);
	tcase_add_test(tc, test_json_numbers_as_written);
	tcase_add_test(tc, test_json_array);
	tcase_add_test(tc, test_json_stream_errors);
	tcase_add_test(tc, test_json_page);
	tcase_add_test(tc, test_json_primary_value);
	tcase_add_test(tc, test_yaml);
	tcase_add_test(tc, test_yaml_stream_errors);
	tcase_add_test(tc, test_vcard);
	tcase_add_test(tc, test_vcard_errors);
	tcase_add_test(tc, test_encodings);
	tcase_add_test(tc, test_format_names);
	suite_add_tcase(s, tc);
	return s;
}
