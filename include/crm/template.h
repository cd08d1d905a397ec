/* template.h - mail-merge templates for crm-campaign: a small subset of
 * Mustache, parsed once and rendered once per recipient.
 *
 *   {{name}}  {{ custom.key }}   the value of a name (dots belong to it)
 *   {{name|fallback text}}       the fallback when the value is empty
 *   {{{name}}}  {{& name}}       the value, never HTML-escaped
 *   {{#name}}...{{/name}}        the inside when the value is not empty
 *   {{^name}}...{{/name}}        the inside when the value is empty
 *   {{.}}                        inside {{#name}}: that section's value
 *   {{! comment}}                nothing
 *
 * A value is empty when it is NULL or "", and only then: "0", "false" and
 * " " are not empty.  Sections are conditions, never loops.  Names are
 * letters, digits, '_', '-' and '.'; blanks (space, tab) may surround a
 * name and a fallback inside the braces, and are not part of either.  A
 * fallback is literal text up to the closing "}}"; values and fallbacks
 * are inserted as they are, never read as templates.  A line holding only
 * blanks and one section, inverted-section or comment tag leaves nothing
 * behind, not even its LF or CRLF, as in Mustache.  A "{" or "}" that
 * opens or closes no tag is text.  There are no partials, lambdas or
 * delimiter changes, and no way to write a literal "{{".
 */
#ifndef CRM_TEMPLATE_H
#define CRM_TEMPLATE_H

#include "crm/buf.h"

typedef struct crm_template crm_template;

/* Parses src (UTF-8, NUL-terminated) into *out, which the caller frees
 * with crm_template_free; src need not outlive it.  label names the
 * source in messages ("welcome.txt", "subject").  CRM_EDATA with the
 * message "LABEL:LINE:COL: what is wrong", LINE and COL counted from 1 in
 * characters and pointing at the "{{" of the tag at fault, for a tag not
 * closed, an empty or invalid name, a fallback on a section tag, {{.}}
 * outside a section, a section closed that is not open or closed by
 * another name ("{{/a}} closes {{#b}} opened at 3:1"), a section left open
 * at the end (at its opening tag), sections nested deeper than 16, a
 * partial or a delimiter change; and at the bad byte for text that is not
 * UTF-8.  CRM_ENOMEM.  *out is NULL on failure. */
int crm_template_parse(crm_template **out, const char *src, const char *label);

/* Frees t (NULL-safe). */
void crm_template_free(crm_template *t);

/* Calls known(arg, name) for every variable and section name t uses, in
 * source order ({{.}} is not asked about: it is its section's name); the
 * first name for which it returns 0 makes the result CRM_EDATA
 * "LABEL:LINE:COL: unknown variable 'NAME'".  Returns CRM_OK when every
 * name is known. */
int crm_template_check(const crm_template *t, int (*known)(void *arg, const char *name),
                       void *arg);

/* Appends t rendered to out.  get(arg, name, &val) returns CRM_OK with
 * *val the value (borrowed until get is next called; NULL or "" is
 * empty), or an error code, which stops rendering and is returned; get is
 * asked once per tag shown, so {{.}} asks again for its section's name.
 * html non-zero: the values and fallbacks of {{name}} are HTML-escaped
 * (& < > " '), those of {{{name}}} and {{& name}} are not, nor is the
 * template's own text; html zero: nothing is escaped.  Returns CRM_OK,
 * get's error or CRM_ENOMEM; on failure out is left as it was. */
int crm_template_render(const crm_template *t, int html,
                        int (*get)(void *arg, const char *name, const char **val), void *arg,
                        crm_buf *out);

#endif
