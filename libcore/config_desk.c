/* config_desk.c - the service-desk keys of the configuration: the queues
 * tickets are filed in, and how mail goes out and where unreadable mail
 * is put aside (crm-config(5)).
 *
 *   queues: [support, billing]
 *   mail:
 *     from: "Support <support@example.org>"
 *     send: /usr/sbin/sendmail -t -oi
 *     reject: ~/Maildir/.rejected
 *     attachment_cap: 10M
 *   calendars:
 *     office:
 *       timezone: Europe/Berlin
 *       hours: { weekdays: "09:00-17:00", sat: "10:00-14:00" }
 *       holidays: [2026-12-25, 2026-12-26]
 *       holiday_file: /etc/crm/holidays.ics
 *   sla:
 *     - { name: urgent, priority: urgent, calendar: office,
 *         first_response: 1h, next_response: 2h, resolution: 8h }
 *     - { name: standard, first_response: 8h, resolution: 40h }
 */
#include <stdlib.h>
#include <string.h>

#include "crm/calendar.h"
#include "crm/date.h"
#include "crm/error.h"
#include "crm/norm.h"
#include "config_impl.h"

static const char *const default_queues[] = { "support", NULL };

static const char default_send[] = "/usr/sbin/sendmail -t -oi";
#define DEFAULT_CAP (10L << 20)

void crm_config_desk_defaults(crm_config *c)
{
	c->desk.mail.send = default_send;
	c->desk.mail.attachment_cap = DEFAULT_CAP;
}

void crm_config_free_words(char **w)
{
	for (size_t i = 0; w && w[i]; i++)
		free(w[i]);
	free(w);
}

void crm_config_desk_free(crm_config *c)
{
	struct crm_desk *d = &c->desk;

	crm_config_free_words(d->queues);
	free((char *)d->mail.from);
	if (d->mail.send != default_send)
		free((char *)d->mail.send);
	free((char *)d->mail.reject);
	for (size_t i = 0; i < d->ncalendars; i++) {
		free(d->calendars[i].name);
		crm_calendar_free(d->calendars[i].cal);
	}
	free(d->calendars);
	for (size_t i = 0; i < d->npolicies; i++) {
		struct crm_sla_policy *p = &d->policies[i];

		free((char *)p->name);
		crm_config_free_words((char **)p->queues);
		crm_config_free_words((char **)p->priorities);
		crm_config_free_words((char **)p->tags);
		free(d->policy_text[i].calendar);
	}
	free(d->policies);
	free(d->policy_text);
}

/* Queue names are words: they are typed as options and matched as keys. */
static int queue_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') && !strchr("-_.", *s))
			return 0;
	return 1;
}

int crm_config_set_queues(const struct loader *ld, const struct cfg_key *key, yaml_node_t *node,
                          void *dst)
{
	struct crm_desk *d = &ld->cfg->desk;
	yaml_node_item_t *it;
	size_t n = 0, cap = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	const char *text;
	int rc = CRM_OK;

	(void)dst;
	if (!cap)
		return crm_ydoc_fail(ld->yd, node->start_mark, "'%s' needs at least one queue name"
		                     " (leave it out for the one queue, support)", key->name);
	if (!(d->queues = calloc(cap + 1, sizeof *d->queues)))
		return crm_error_nomem();
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top && !rc; it++) {
		yaml_node_t *v = crm_ydoc_node(ld->yd, *it);

		if ((rc = crm_ydoc_string(ld->yd, v, "queues", "a queue name", &text)))
			break;
		if (!queue_name(text))
			rc = crm_ydoc_fail(ld->yd, v->start_mark, "invalid queue name '%s' (lower-case"
			                   " letters, digits, '-', '_' and '.')", text);
		else if (crm_config_queue(ld->cfg, text))
			rc = crm_ydoc_fail(ld->yd, v->start_mark, "queue '%s' twice", text);
		else if (!(d->queues[n++] = strdup(text)))
			rc = crm_error_nomem();
	}
	return rc;
}

/* A size in bytes, with K, M or G for kibi-, mebi- and gibibytes. */
static int size_value(const char *s, long *out)
{
	char digits[24];
	long long v;
	size_t n = strspn(s, "0123456789");
	int shift = 0;

	if (!n || n >= sizeof digits || (s[n] && s[n + 1]))
		return 0;
	if (s[n])
		shift = s[n] == 'K' || s[n] == 'k' ? 10 : s[n] == 'M' ? 20 : s[n] == 'G' ? 30 : -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (shift < 0 || !crm_int_parse(digits, 0, 1LL << (40 - shift), &v))
		return 0;
	*out = (long)(v << shift);
	return 1;
}

static int set_mail_string(const struct loader *ld, yaml_node_t *v, const char *key,
                           const char **slot)
{
	const char *text;
	int rc = crm_ydoc_string(ld->yd, v, key, key[0] == 'f' ? "an address" : "a command or path",
	                         &text);
	char *copy;

	if (rc)
		return rc;
	if (!(copy = strdup(text)))
		return crm_error_nomem();
	if (*slot != default_send)
		free((char *)*slot);
	*slot = copy;
	return CRM_OK;
}

/* The reject Maildir, a path of the configuration: the folder it names. */
static int set_reject(const struct loader *ld, yaml_node_t *v, const char **slot)
{
	char *path;
	int rc;

	if ((rc = set_mail_string(ld, v, "reject", slot)) || (rc = crm_config_file_path(ld, v, &path)))
		return rc;
	free((char *)*slot);
	*slot = path;
	return CRM_OK;
}

int crm_config_set_mail(const struct loader *ld, const struct cfg_key *key, yaml_node_t *node,
                        void *dst)
{
	struct crm_mail_config *m = &ld->cfg->desk.mail;
	const yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *name;
	int rc = CRM_OK;

	(void)key, (void)dst;
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		if ((rc = crm_ydoc_key(ld->yd, node, p, &k)))
			break;
		name = crm_ydoc_text(k);
		v = crm_ydoc_node(ld->yd, p->value);
		if (!strcmp(name, "from"))
			rc = set_mail_string(ld, v, name, &m->from);
		else if (!strcmp(name, "send"))
			rc = set_mail_string(ld, v, name, &m->send);
		else if (!strcmp(name, "reject"))
			rc = set_reject(ld, v, &m->reject);
		else if (!strcmp(name, "attachment_cap")) {
			if (crm_ydoc_kind(v) != CRM_Y_SCALAR || !size_value(crm_ydoc_text(v),
			                                                    &m->attachment_cap))
				rc = crm_ydoc_fail(ld->yd, v->start_mark, "expected a size for"
				                   " 'attachment_cap' (bytes, or with K, M or G: 10M)");
		} else {
			rc = crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (mail has from,"
			                   " send, reject and attachment_cap)", name);
		}
	}
	return rc;
}

const char *const *crm_config_queues(const crm_config *c)
{
	return c && c->desk.queues ? (const char *const *)c->desk.queues : default_queues;
}

const char *crm_config_queue(const crm_config *c, const char *name)
{
	const char *const *q = crm_config_queues(c);

	for (size_t i = 0; q[i]; i++)
		if (!strcasecmp(q[i], name))
			return q[i];
	return NULL;
}

const struct crm_mail_config *crm_config_mail(const crm_config *c)
{
	static const struct crm_mail_config defaults = { NULL, default_send, NULL, DEFAULT_CAP };

	return c ? &c->desk.mail : &defaults;
}

static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* Adds one span of hours ("09:00-12:00", len bytes at p) of node n to
 * weekdays first..last of cal. */
static int add_span(const struct loader *ld, const yaml_node_t *n, const char *day,
                    const char *p, size_t len, crm_calendar *cal, int first, int last)
{
	char span[32];
	int a, b;

	while (len && p[len - 1] == ' ')
		len--;
	if (len >= sizeof span)
		len = sizeof span - 1;
	memcpy(span, p, len);
	span[len] = '\0';
	if (crm_calendar_span_parse(span, &a, &b))
		return crm_ydoc_fail(ld->yd, n->start_mark, "invalid hours '%s' for '%s' (expected"
		                     " HH:MM-HH:MM, e.g. 09:00-17:30)", span, day);
	for (int d = first; d <= last; d++)
		if (crm_calendar_hours(cal, d, a, b))
			return crm_ydoc_fail(ld->yd, n->start_mark, "%s: %s", day, crm_error_message());
	return CRM_OK;
}

/* Reads one scalar of a day key: spans separated by commas. */
static int read_spans(const struct loader *ld, const yaml_node_t *n, const char *day,
                      crm_calendar *cal, int first, int last)
{
	const char *text, *p;
	int rc = crm_ydoc_string(ld->yd, n, day, "spans of hours (09:00-17:00)", &text);

	for (p = text; !rc && *p; p += strspn(p, ", ")) {
		size_t len = strcspn(p, ",");

		rc = add_span(ld, n, day, p, len, cal, first, last);
		p += len;
	}
	return rc;
}

/* Reads a day key ("09:00-12:00, 13:00-17:00", or a list of such) into
 * cal for weekdays first..last. */
static int read_day(const struct loader *ld, yaml_node_t *v, const char *day, crm_calendar *cal,
                    int first, int last)
{
	int rc = CRM_OK;

	if (crm_ydoc_kind(v) != CRM_Y_SEQUENCE)
		return read_spans(ld, v, day, cal, first, last);
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top && !rc; it++)
		rc = read_spans(ld, crm_ydoc_node(ld->yd, *it), day, cal, first, last);
	return rc;
}

static int read_hours(const struct loader *ld, yaml_node_t *node, crm_calendar *cal)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k;
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_MAPPING)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected a mapping of days to hours"
		                     " for 'hours'");
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		const char *day;
		int d = 0;

		if ((rc = crm_ydoc_key(ld->yd, node, p, &k)))
			break;
		day = crm_ydoc_text(k);
		while (d < 7 && strcmp(weekdays[d], day))
			d++;
		if (!strcmp(day, "weekdays"))
			rc = read_day(ld, crm_ydoc_node(ld->yd, p->value), day, cal, 0, 4);
		else if (!strcmp(day, "daily"))
			rc = read_day(ld, crm_ydoc_node(ld->yd, p->value), day, cal, 0, 6);
		else if (d < 7)
			rc = read_day(ld, crm_ydoc_node(ld->yd, p->value), day, cal, d, d);
		else
			rc = crm_ydoc_fail(ld->yd, k->start_mark, "unknown day '%s' (expected mon, tue,"
			                   " wed, thu, fri, sat, sun, weekdays or daily)", day);
	}
	return rc;
}

static int read_holidays(const struct loader *ld, yaml_node_t *node, crm_calendar *cal)
{
	yaml_node_item_t *it;
	const char *text;
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_SEQUENCE)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected a list of dates for"
		                     " 'holidays'");
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top && !rc; it++) {
		yaml_node_t *v = crm_ydoc_node(ld->yd, *it);

		if (!(rc = crm_ydoc_string(ld->yd, v, "holidays", "a date", &text)) &&
		    crm_calendar_holiday(cal, text))
			rc = crm_ydoc_fail(ld->yd, v->start_mark, "invalid holiday '%s' (expected"
			                   " YYYY-MM-DD)", text);
	}
	return rc;
}

/* The days off of an iCalendar file, found from the configuration
 * file's folder when the path is relative. */
static int read_holiday_file(const struct loader *ld, yaml_node_t *v, crm_calendar *cal)
{
	const char *text;
	char *path = NULL;
	int rc;

	if (!(rc = crm_ydoc_string(ld->yd, v, "holiday_file", "a path", &text)) &&
	    !(rc = crm_config_file_path(ld, v, &path)) && crm_calendar_holidays_ics(cal, path))
		rc = crm_ydoc_fail(ld->yd, v->start_mark, "%s", crm_error_message());
	free(path);
	return rc;
}

/* The zone first: hours and days off are read in it. */
static int read_calendar(const struct loader *ld, yaml_node_t *node, const char *name,
                         crm_calendar **out)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k, *zone = NULL;
	const char *key, *text = "UTC";
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_MAPPING)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected calendar '%s' (a mapping"
		                     " of timezone, hours, holidays and holiday_file)", name);
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++)
		if (!(rc = crm_ydoc_key(ld->yd, node, p, &k)) && !strcmp(crm_ydoc_text(k), "timezone"))
			zone = crm_ydoc_node(ld->yd, p->value);
	if (!rc && zone && !(rc = crm_ydoc_string(ld->yd, zone, "timezone", "a time zone", &text)) &&
	    crm_calendar_new(out, text))
		rc = crm_ydoc_fail(ld->yd, zone->start_mark, "unknown time zone '%s' (expected an"
		                   " IANA name such as Europe/Berlin)", text);
	if (!rc && !zone && crm_calendar_new(out, text))
		rc = crm_error_code();
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *v = crm_ydoc_node(ld->yd, p->value);

		k = crm_ydoc_node(ld->yd, p->key);
		key = crm_ydoc_text(k);
		if (!strcmp(key, "hours"))
			rc = read_hours(ld, v, *out);
		else if (!strcmp(key, "holidays"))
			rc = read_holidays(ld, v, *out);
		else if (!strcmp(key, "holiday_file"))
			rc = read_holiday_file(ld, v, *out);
		else if (!rc && strcmp(key, "timezone") && strcmp(key, "hours") &&
		         strcmp(key, "holidays") && strcmp(key, "holiday_file"))
			rc = crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (a calendar has"
			                   " timezone, hours, holidays and holiday_file)", key);
	}
	return rc;
}

int crm_config_set_calendars(const struct loader *ld, const struct cfg_key *key,
                             yaml_node_t *node, void *dst)
{
	struct crm_desk *d = &ld->cfg->desk;
	const yaml_node_pair_t *p;
	size_t n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	yaml_node_t *k;
	int rc = CRM_OK;

	(void)key, (void)dst;
	if (!n)
		return crm_ydoc_fail(ld->yd, node->start_mark, "'calendars' names no calendar");
	if (!(d->calendars = calloc(n, sizeof *d->calendars)))
		return crm_error_nomem();
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		struct crm_named_calendar *c = &d->calendars[d->ncalendars];

		if ((rc = crm_ydoc_key(ld->yd, node, p, &k)))
			break;
		if (!(c->name = strdup(crm_ydoc_text(k))))
			return crm_error_nomem();
		d->ncalendars++;
		rc = read_calendar(ld, crm_ydoc_node(ld->yd, p->value), c->name, &c->cal);
	}
	return rc;
}

/* A target in business time: minutes or hours ("90m", "4h", "1h30m").
 * Days are refused: how long a business day is depends on the calendar. */
static int target_value(const char *s, long *out)
{
	int64_t secs;

	if (strpbrk(s, "dw") || crm_span_parse(s, &secs) || secs <= 0 || secs > 1000000L * 3600) {
		crm_error_clear();
		return 0;
	}
	*out = (long)secs;
	return 1;
}

/* A policy condition: one word or a list of them. */
static int read_words(const struct loader *ld, yaml_node_t *v, const char *key,
                      const char *const **out)
{
	size_t n = crm_ydoc_kind(v) == CRM_Y_SEQUENCE
	           ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 1;
	char **w = calloc(n + 1, sizeof *w);
	const char *text;
	int rc = w ? CRM_OK : crm_error_nomem();

	for (size_t i = 0; i < n && !rc; i++) {
		yaml_node_t *item = crm_ydoc_kind(v) == CRM_Y_SEQUENCE
		                    ? crm_ydoc_node(ld->yd, v->data.sequence.items.start[i]) : v;

		if (!(rc = crm_ydoc_string(ld->yd, item, key, "a word or a list", &text)) &&
		    !(w[i] = strdup(text)))
			rc = crm_error_nomem();
	}
	*out = (const char *const *)w;
	return rc;
}

static const char *const priorities[] = { "low", "normal", "high", "urgent", NULL };

/* Checks that the words of a condition are known priorities or queues. */
static int check_words(const struct loader *ld, yaml_mark_t m, const char *key,
                       const char *const *w)
{
	for (size_t i = 0; w && w[i]; i++) {
		size_t k = 0;

		if (!strcmp(key, "queue") && !crm_config_queue(ld->cfg, w[i]))
			return crm_ydoc_fail(ld->yd, m, "unknown queue '%s'", w[i]);
		while (!strcmp(key, "priority") && priorities[k] && strcmp(priorities[k], w[i]))
			k++;
		if (!strcmp(key, "priority") && !priorities[k])
			return crm_ydoc_fail(ld->yd, m, "unknown priority '%s' (expected"
			                     " low, normal, high or urgent)", w[i]);
	}
	return CRM_OK;
}

static int read_policy(const struct loader *ld, yaml_node_t *node, struct crm_sla_policy *pol,
                       struct crm_policy_text *pt)
{
	const yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *key, *text;
	int rc = CRM_OK;

	if (crm_ydoc_kind(node) != CRM_Y_MAPPING)
		return crm_ydoc_fail(ld->yd, node->start_mark, "expected an SLA policy (a mapping of"
		                     " name, conditions, calendar and targets)");
	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top && !rc; p++) {
		long *target = NULL;

		if ((rc = crm_ydoc_key(ld->yd, node, p, &k)))
			break;
		key = crm_ydoc_text(k);
		v = crm_ydoc_node(ld->yd, p->value);
		if (!strcmp(key, "first_response"))
			target = &pol->first_response;
		else if (!strcmp(key, "next_response"))
			target = &pol->next_response;
		else if (!strcmp(key, "resolution"))
			target = &pol->resolution;
		if (target) {
			if (crm_ydoc_kind(v) != CRM_Y_SCALAR || !target_value(crm_ydoc_text(v), target))
				rc = crm_ydoc_fail(ld->yd, v->start_mark, "expected a time in business"
				                   " minutes or hours for '%s' (30m, 4h, 1h30m)", key);
		} else if (!strcmp(key, "name")) {
			if (!(rc = crm_ydoc_string(ld->yd, v, key, "a name", &text)) &&
			    !(pol->name = strdup(text)))
				rc = crm_error_nomem();
		} else if (!strcmp(key, "calendar")) {
			pt->calendar_mark = v->start_mark;
			if (!(rc = crm_ydoc_string(ld->yd, v, key, "a calendar name", &text)) &&
			    !(pt->calendar = strdup(text)))
				rc = crm_error_nomem();
		} else if (!strcmp(key, "queue")) {
			pt->queue_mark = v->start_mark;
			rc = read_words(ld, v, key, &pol->queues);
		} else if (!strcmp(key, "priority")) {
			if (!(rc = read_words(ld, v, key, &pol->priorities)))
				rc = check_words(ld, v->start_mark, key, pol->priorities);
		} else if (!strcmp(key, "tag")) {
			rc = read_words(ld, v, key, &pol->tags);
		} else {
			rc = crm_ydoc_fail(ld->yd, k->start_mark, "unknown key '%s' (a policy has name,"
			                   " queue, priority, tag, calendar, first_response,"
			                   " next_response and resolution)", key);
		}
	}
	if (!rc && !pol->name)
		rc = crm_ydoc_fail(ld->yd, node->start_mark, "an SLA policy needs a name");
	if (!rc && !pol->first_response && !pol->next_response && !pol->resolution)
		rc = crm_ydoc_fail(ld->yd, node->start_mark, "SLA policy '%s' sets no target",
		                   pol->name);
	return rc;
}

int crm_config_set_sla(const struct loader *ld, const struct cfg_key *key, yaml_node_t *node,
                       void *dst)
{
	struct crm_desk *d = &ld->cfg->desk;
	size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	int rc = CRM_OK;

	(void)key, (void)dst;
	if (!(d->policies = calloc(n ? n : 1, sizeof *d->policies)) ||
	    !(d->policy_text = calloc(n ? n : 1, sizeof *d->policy_text)))
		return crm_error_nomem();
	for (size_t i = 0; i < n && !rc; i++) {
		yaml_node_t *v = crm_ydoc_node(ld->yd, node->data.sequence.items.start[i]);

		d->npolicies++;
		rc = read_policy(ld, v, &d->policies[i], &d->policy_text[i]);
		for (size_t j = 0; !rc && j < i; j++)
			if (!strcmp(d->policies[j].name, d->policies[i].name))
				rc = crm_ydoc_fail(ld->yd, v->start_mark, "SLA policy '%s' twice",
				                   d->policies[i].name);
	}
	return rc;
}

/* Policies name calendars and queues that may come later in the file. */
int crm_config_check_desk(const struct loader *ld)
{
	struct crm_desk *d = &ld->cfg->desk;
	int rc = CRM_OK;

	for (size_t i = 0; i < d->npolicies && !rc; i++) {
		struct crm_policy_text *pt = &d->policy_text[i];

		rc = check_words(ld, pt->queue_mark, "queue", d->policies[i].queues);
		if (!rc && pt->calendar &&
		    !(d->policies[i].calendar = crm_config_calendar(ld->cfg, pt->calendar)))
			rc = crm_ydoc_fail(ld->yd, pt->calendar_mark, "unknown calendar '%s'",
			                   pt->calendar);
	}
	return rc;
}

const crm_calendar *crm_config_calendar(const crm_config *c, const char *name)
{
	for (size_t i = 0; c && i < c->desk.ncalendars; i++)
		if (!strcmp(c->desk.calendars[i].name, name))
			return c->desk.calendars[i].cal;
	return NULL;
}

size_t crm_config_sla(const crm_config *c, const struct crm_sla_policy **out)
{
	*out = c ? c->desk.policies : NULL;
	return c ? c->desk.npolicies : 0;
}
