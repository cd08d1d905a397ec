/* kpi.c - the measures of a period (report.h, crm-report(1)): the frame
 * that collects figures and splits a period by month or quarter, the
 * customer measures (CRR, churn, revenue, CLTV) and NPS and CSAT.  Sales
 * and service are in kpi_desk.c.
 *
 * Every figure keeps what it was computed from: ratios are exact integer
 * arithmetic rounded once; only CLTV, a product of ratios, goes through
 * floating point.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm/config.h"
#include "crm/error.h"
#include "crm/feedback.h"
#include "crm/money.h"
#include "crm/purchase.h"
#include "kpi_impl.h"

/* The measures in the order they are printed, each with the part of
 * its family that computes it. */
static const struct {
	const char *name;
	enum kpi_part part;
} names[] = {
	{ "customers_start", KPI_CUSTOMERS }, { "customers_end", KPI_CUSTOMERS },
	{ "new_customers", KPI_CUSTOMERS }, { "lost_customers", KPI_CUSTOMERS },
	{ "crr", KPI_CUSTOMERS }, { "churn", KPI_CUSTOMERS }, { "revenue", KPI_CUSTOMERS },
	{ "purchases", KPI_CUSTOMERS }, { "buyers", KPI_CUSTOMERS },
	{ "purchase_value", KPI_CUSTOMERS }, { "purchase_frequency", KPI_CUSTOMERS },
	{ "lifespan", KPI_CUSTOMERS }, { "cltv", KPI_CUSTOMERS }, { "nps", KPI_FEEDBACK },
	{ "csat", KPI_FEEDBACK }, { "deals_won", KPI_CLOSED }, { "deals_lost", KPI_CLOSED },
	{ "win_rate", KPI_CLOSED }, { "won_value", KPI_CLOSED }, { "sales_cycle_avg", KPI_CLOSED },
	{ "sales_cycle_median", KPI_CLOSED }, { "pipeline_deals", KPI_PIPELINE },
	{ "pipeline_value", KPI_PIPELINE }, { "pipeline_weighted", KPI_PIPELINE },
	{ "tickets", KPI_OPENED }, { "first_response_median", KPI_FIRST },
	{ "resolution_median", KPI_SOLVED }, { "sla_attainment", KPI_SOLVED },
	{ "backlog", KPI_BACKLOG }, { NULL, KPI_PARTS }
};

/* The family of each part. */
static const unsigned part_family[KPI_PARTS] = {
	CRM_KPI_CUSTOMERS, CRM_KPI_FEEDBACK, CRM_KPI_SALES, CRM_KPI_SALES,
	CRM_KPI_SERVICE, CRM_KPI_SERVICE, CRM_KPI_SERVICE, CRM_KPI_SERVICE
};

static int rank(const char *name)
{
	int i;

	for (i = 0; names[i].name && strcmp(names[i].name, name); i++)
		;
	return i;
}

int crm_kpi_known(const char *name)
{
	return names[rank(name)].name != NULL;
}

unsigned crm_kpi_family(const char *name)
{
	int i = rank(name);

	return names[i].name ? part_family[names[i].part] : 0;
}

const char *crm_kpi_name(size_t i)
{
	return i < sizeof names / sizeof *names ? names[i].name : NULL;
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

int kpi_add(struct kpi_run *r, const char *group, const char *name, const char *value,
            const char *num, const char *den, const char *unit, const char *note)
{
	struct crm_kpi *k = r->k;
	struct crm_measure *m;

	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 32;
		void *v = realloc(k->v, cap * sizeof *k->v);

		if (!v)
			return crm_error_nomem();
		k->v = v, k->cap = cap;
	}
	m = &k->v[k->n];
	m->group = dup0(r->label ? r->label : group), m->name = dup0(name);
	m->value = dup0(value), m->numerator = dup0(num), m->denominator = dup0(den);
	m->unit = dup0(unit), m->note = dup0(note);
	k->n++;
	if (!m->group || !m->name || !m->value || !m->numerator || !m->denominator || !m->unit ||
	    !m->note)
		return crm_error_nomem();
	return CRM_OK;
}

void crm_kpi_free(struct crm_kpi *k)
{
	for (size_t i = 0; i < k->n; i++) {
		struct crm_measure *m = &k->v[i];

		free((char *)m->group), free((char *)m->name), free((char *)m->value);
		free((char *)m->numerator), free((char *)m->denominator);
		free((char *)m->unit), free((char *)m->note);
	}
	free(k->v);
	memset(k, 0, sizeof *k);
}

const struct crm_measure *crm_kpi_find(const struct crm_kpi *k, const char *group,
                                       const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->v[i].group, group) && !strcmp(k->v[i].name, name))
			return &k->v[i];
	return NULL;
}

void crm_kpi_change(char *out, size_t n, const char *now, const char *was)
{
	const char *dot = strchr(now, '.');

	if (!*now || !*was) {
		*out = '\0';
		return;
	}
	snprintf(out, n, "%+.*f", dot ? (int)strlen(dot + 1) : 0,
	         strtod(now, NULL) - strtod(was, NULL));
	/* No change has no sign. */
	if (strspn(out + 1, ".0") == strlen(out + 1))
		memmove(out, out + 1, strlen(out));
}

const char *kpi_int(char *out, size_t size, int64_t n)
{
	snprintf(out, size, "%lld", (long long)n);
	return out;
}

void kpi_decimal(char *out, size_t size, int64_t num, int64_t den)
{
	crm_fixed(out, size, num, 1, den, 1);
}

void kpi_money(struct kpi_run *r, char *out, size_t size, int64_t minor)
{
	struct crm_money m = { minor, "" };

	snprintf(m.cur, sizeof m.cur, "%s", crm_config_currency(crm_db_config(r->db)));
	if (crm_money_format_amount(out, size, &m))
		snprintf(out, size, "%lld", (long long)minor);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t kpi_median2(int64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_i64);
	return n % 2 ? 2 * v[n / 2] : v[n / 2 - 1] + v[n / 2];
}

/* The groupings of each family: the people's owner, source or tags for
 * the customer and feedback measures (joined to the person's id, %s, only
 * when grouped by them: the joins cost more than the rest) (feedback also by its ticket's
 * queue), the deals' for sales, the tickets' assignee, channel, tags and
 * queue for service. */
static const struct grouping {
	unsigned family;
	const char *by;
	struct kpi_group g;
} groupings[] = {
	{ CRM_KPI_CUSTOMERS | CRM_KPI_FEEDBACK, NULL, { "", "''" } },
	{ CRM_KPI_CUSTOMERS | CRM_KPI_FEEDBACK, "owner",
	  { "LEFT JOIN contacts c ON c.id = %s", "coalesce(c.owner, '')" } },
	{ CRM_KPI_CUSTOMERS | CRM_KPI_FEEDBACK, "source",
	  { "LEFT JOIN contacts c ON c.id = %s", "coalesce(c.source, '')" } },
	{ CRM_KPI_CUSTOMERS | CRM_KPI_FEEDBACK, "tag",
	  { "LEFT JOIN contact_tags g ON g.contact_id = %s", "coalesce(g.tag, '')" } },
	{ CRM_KPI_FEEDBACK, "queue", { "", "coalesce(t.queue, '')" } },
	{ CRM_KPI_SALES, NULL, { "", "''" } },
	/* A deal's owner as it stood then (deal_history), as the forecast has it. */
	{ CRM_KPI_SALES, "owner", { "", "coalesce(h.owner, '')" } },
	{ CRM_KPI_SALES, "source", { "", "coalesce(d.source, '')" } },
	{ CRM_KPI_SALES, "tag", { "LEFT JOIN deal_tags g ON g.deal_id = d.id", "coalesce(g.tag, '')" } },
	{ CRM_KPI_SERVICE, NULL, { "", "''" } },
	{ CRM_KPI_SERVICE, "owner", { "", "coalesce(t.assignee, '')" } },
	{ CRM_KPI_SERVICE, "source", { "", "t.channel" } },
	{ CRM_KPI_SERVICE, "tag",
	  { "LEFT JOIN ticket_tags g ON g.ticket_id = t.id", "coalesce(g.tag, '')" } },
	{ CRM_KPI_SERVICE, "queue", { "", "coalesce(t.queue, '')" } },
};

static const struct kpi_group *grouping(unsigned family, const char *by)
{
	for (size_t i = 0; i < sizeof groupings / sizeof *groupings; i++)
		if ((groupings[i].family & family) &&
		    (by ? groupings[i].by && !strcmp(by, groupings[i].by) : !groupings[i].by))
			return &groupings[i].g;
	return NULL;
}

int kpi_prepare(struct kpi_run *r, unsigned family, const char *sql, const char *id,
                crm_stmt **st, int *skip)
{
	const struct kpi_group *g = grouping(family, r->by);
	char text[4096], join[256];
	int rc;

	*skip = !g;
	if (!g)
		return CRM_OK;
	snprintf(join, sizeof join, g->join, id ? id : "");
	snprintf(text, sizeof text, sql, join, g->expr);
	if ((rc = crm_db_prepare(r->db, st, text)))
		return rc;
	for (int i = 1; i <= crm_stmt_params(*st); i++)
		crm_stmt_bind_text(*st, i, i == 1 ? r->from : i == 2 ? r->to : r->last);
	return CRM_OK;
}

/* One group of the customer measures. */
struct cust {
	char *group;
	int64_t start, end, lost, fresh;
	int64_t revenue, purchases, buyers;
	int64_t bought; /* purchases of a known buyer: a person not erased */
	int64_t spans, span_days; /* lost customers with a first and last purchase */
};

struct custs {
	struct cust *v;
	size_t n, cap;
};

/* The entry of group, added when create is set; NULL when it is not
 * there (or memory runs out: *nomem). */
static struct cust *cust_of(struct custs *cs, const char *group, int create, int *nomem)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->v[i].group, group))
			return &cs->v[i];
	*nomem = create;
	if (!create)
		return NULL;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 16;
		void *v = realloc(cs->v, cap * sizeof *cs->v);

		if (!v)
			return NULL;
		cs->v = v, cs->cap = cap;
	}
	memset(&cs->v[cs->n], 0, sizeof *cs->v);
	if (!(cs->v[cs->n].group = strdup(group)))
		return NULL;
	return &cs->v[cs->n++];
}

/* Runs sql (a kpi_prepare format) and hands each row to take with the
 * group's entry, adding groups not seen before when create is set. */
static int cust_rows(struct kpi_run *r, struct custs *cs, const char *sql, const char *id,
                     void (*take)(struct cust *, crm_stmt *), int create)
{
	crm_stmt *st;
	struct cust *c;
	int rc, skip, nomem;

	if ((rc = kpi_prepare(r, CRM_KPI_CUSTOMERS, sql, id, &st, &skip)) || skip)
		return rc;
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		if ((c = cust_of(cs, crm_stmt_text(st, 0), create, &nomem)))
			take(c, st);
		else if (nomem) {
			rc = crm_error_nomem();
			break;
		}
	}
	crm_stmt_finalize(st);
	return rc < 0 ? rc : CRM_OK;
}

static void take_counts(struct cust *c, crm_stmt *st)
{
	c->start += crm_stmt_int(st, 1), c->end += crm_stmt_int(st, 2);
	c->lost += crm_stmt_int(st, 3), c->fresh += crm_stmt_int(st, 4);
}

static void take_sales(struct cust *c, crm_stmt *st)
{
	c->revenue += crm_stmt_int(st, 1), c->purchases += crm_stmt_int(st, 2);
	c->buyers += crm_stmt_int(st, 3), c->bought += crm_stmt_int(st, 4);
}

static void take_spans(struct cust *c, crm_stmt *st)
{
	c->spans += crm_stmt_int(st, 1), c->span_days += crm_stmt_int(st, 2);
}

/* Who was a customer at the start (s) and at the end (e) of the period,
 * by purchase: one pass over the purchases of both windows; ?1 and ?2
 * the period's days, ?3 and ?4 the first days of their windows. */
static const char flags_sql[] =
	"INSERT INTO temp.kpi_cust SELECT p.contact_id, max(p.at < ?1), max(p.at >= ?4)"
	" FROM " UNREFUNDED " AND p.at >= ?3 AND p.at < ?2 GROUP BY p.contact_id;"
	"INSERT INTO temp.kpi_cust SELECT p.contact_id, max(p.at < ?1 AND w.at >= ?1),"
	" max(p.at >= ?4 AND w.at >= ?2) FROM " WHOLE " AND p.at >= ?3 AND p.at < ?2"
	" GROUP BY p.contact_id ON CONFLICT (id) DO UPDATE SET s = s OR excluded.s,"
	" e = e OR excluded.e;"
	"UPDATE temp.kpi_cust SET s = s AND id NOT IN " GONE("?1") ","
	" e = e AND id NOT IN " GONE("?2") ";"
	"DELETE FROM temp.kpi_cust WHERE NOT s AND NOT e";
/* The same by status, from the two days' customers. */
static const char status_sql[] =
	"INSERT INTO temp.kpi_cust SELECT id, id IN temp.kpi_start, id IN temp.kpi_end"
	" FROM (SELECT id FROM temp.kpi_start UNION SELECT id FROM temp.kpi_end)";

int kpi_exec(crm_db *db, const char *sql, void (*bind)(crm_stmt *st, void *arg), void *arg)
{
	const char *next;
	crm_stmt *st;
	char *one;
	int rc = CRM_OK;

	for (; *sql && !rc; sql = next) {
		next = strchr(sql, ';');
		next = next ? next + 1 : sql + strlen(sql);
		if (!(one = strndup(sql, (size_t)(next - sql))))
			return crm_error_nomem();
		rc = crm_db_prepare(db, &st, one);
		free(one);
		if (rc)
			break;
		bind(st, arg);
		rc = crm_stmt_done(st);
		crm_stmt_finalize(st);
	}
	return rc;
}

/* The days a period's statements are bound to: ?1 and ?2 the period's,
 * ?3 and ?4 the first days of the active windows before them. */
struct period_days {
	const char *day[4];
};

static void bind_period(crm_stmt *st, void *arg)
{
	const struct period_days *d = arg;

	for (int i = 1; i <= crm_stmt_params(st) && i <= 4; i++)
		crm_stmt_bind_text(st, i, d->day[i - 1]);
}

static int run_period(struct kpi_run *r, const char *sql)
{
	long w = crm_config_report(crm_db_config(r->db))->active_window;
	char a[CRM_DATE_LEN], b[CRM_DATE_LEN];
	struct period_days d = { { r->from, r->to, a, b } };

	crm_date_add_days(a, r->from, -w), crm_date_add_days(b, r->to, -w);
	return kpi_exec(r->db, sql, bind_period, &d);
}

/* Fills temp.kpi_cust(id, s, e) with everyone who was a customer at the
 * start or the end of the period. */
static int flags(struct kpi_run *r)
{
	int rc;

	if ((rc = crm_db_exec(r->db, "DROP TABLE IF EXISTS temp.kpi_cust")) ||
	    (rc = crm_db_exec(r->db, "CREATE TEMP TABLE kpi_cust (id INTEGER PRIMARY KEY,"
	                             " s INTEGER NOT NULL, e INTEGER NOT NULL)")))
		return rc;
	if (crm_config_report(crm_db_config(r->db))->rule == CRM_CUSTOMER_STATUS)
		return (rc = crm_report_customers(r->db, "kpi_start", r->from)) ||
		               (rc = crm_report_customers(r->db, "kpi_end", r->to))
		           ? rc
		           : run_period(r, status_sql);
	return run_period(r, flags_sql);
}

static const char counts_sql[] =
	"SELECT %2$s, sum(u.s), sum(u.e), sum(u.s AND NOT u.e), sum(u.e AND NOT u.s)"
	" FROM temp.kpi_cust u %1$s GROUP BY 1";

/* Net revenue (refunds count on their own day), purchases and buyers,
 * and the purchases of those buyers. */
static const char sales_sql[] =
	"SELECT %2$s, coalesce(sum(crm_base(p.total, p.total_currency, p.at)), 0),"
	" count(*) FILTER (WHERE p.refund_of IS NULL),"
	" count(DISTINCT p.contact_id) FILTER (WHERE p.refund_of IS NULL),"
	" count(p.contact_id) FILTER (WHERE p.refund_of IS NULL)"
	" FROM purchases p %1$s"
	" WHERE p.at >= ?1 AND p.at < ?2 AND p.status <> 'cancelled' AND p.archived_at IS NULL"
	" GROUP BY 1";

/* The days from first to last purchase of everyone who bought before the
 * end but is no customer at it. */
static const char spans_sql[] =
	"SELECT %2$s, count(*), sum(x.days) FROM (SELECT p.contact_id AS id,"
	"  CAST(julianday(substr(max(p.at), 1, 10)) - julianday(substr(min(p.at), 1, 10)) AS INTEGER)"
	"  AS days FROM purchases p INDEXED BY purchases_paid WHERE" PAID " AND p.at < ?2"
	"  GROUP BY p.contact_id) x"
	" %1$s WHERE x.id NOT IN (SELECT id FROM temp.kpi_cust WHERE e) GROUP BY 1";

/* The lifespan in years CLTV uses, as num / den: 1 / annual churn, or
 * when nobody was lost in the period the mean first-to-last purchase
 * span of everyone lost before its end; *den 0 when there is neither.
 * note says which. */
static void lifespan(const struct kpi_run *r, const struct cust *c, int64_t *num,
                     int64_t *den, char *note, size_t size)
{
	*num = *den = 0;
	if (c->lost > 0) {
		*num = r->year_num * c->start, *den = r->year_den * c->lost;
		snprintf(note, size, "1 / annual churn");
	} else if (c->spans > 0) {
		*num = c->span_days, *den = c->spans * 365;
		snprintf(note, size, "none lost in the period: mean first-to-last purchase span"
		         " of the %lld customer%s lost before its end", (long long)c->spans,
		         c->spans == 1 ? "" : "s");
	} else {
		snprintf(note, size, "no customer lost yet");
	}
}

/* CLTV = purchase value x purchase frequency x lifespan, each printed
 * beside it. */
static int cltv(struct kpi_run *r, const struct cust *c)
{
	const char *cur = crm_config_currency(crm_db_config(r->db));
	char v[64], n[64], d[32], note[128];
	int64_t fnum = 0, fden = 0, lnum, lden;
	int rc, have = c->purchases > 0 && c->buyers > 0 && r->year_num > 0;

	v[0] = '\0';
	if (have) {
		kpi_money(r, v, sizeof v, crm_purchase_average(c->revenue, c->purchases));
		/* Over the purchases whose buyer is known: one of a company
		 * alone, or of a person since erased, has nobody to count. */
		fnum = c->bought * r->year_den, fden = c->buyers * r->year_num;
	}
	if ((rc = kpi_add(r, c->group, "purchase_value", v, have ? (kpi_money(r, n, sizeof n, c->revenue), n) : NULL,
	                  have ? kpi_int(d, sizeof d, c->purchases) : NULL, cur,
	                  have ? "revenue / purchases" : "no purchases")))
		return rc;
	crm_fixed(v, sizeof v, fnum, 1, fden, 2);
	if ((rc = kpi_add(r, c->group, "purchase_frequency", have ? v : NULL,
	                  have ? kpi_int(n, sizeof n, c->bought) : NULL,
	                  have ? kpi_int(d, sizeof d, c->buyers) : NULL, "per year",
	                  have ? "their purchases / buyers, annualised" : "no purchases")))
		return rc;
	lifespan(r, c, &lnum, &lden, note, sizeof note);
	crm_fixed(v, sizeof v, lnum, 1, lden, 2);
	if ((rc = kpi_add(r, c->group, "lifespan", lden ? v : NULL, NULL, NULL, "years", note)))
		return rc;
	if (have && lden)
		kpi_money(r, v, sizeof v, (int64_t)nearbyint((double)c->revenue / (double)c->purchases *
		                                             ((double)fnum / (double)fden) *
		                                             ((double)lnum / (double)lden)));
	return kpi_add(r, c->group, "cltv", have && lden ? v : NULL, NULL, NULL, cur,
	               !have ? "no purchases" : !lden ? note
	                     : "purchase_value x purchase_frequency x lifespan");
}

/* Customers at start and end, new and lost, CRR and churn. */
static int retention(struct kpi_run *r, const struct cust *c)
{
	char a[32], b[32], v[32];
	const char *why = c->start ? "" : "no customers at start";
	int rc;

	if ((rc = kpi_add(r, c->group, "customers_start", kpi_int(v, sizeof v, c->start), NULL,
	                  NULL, "", "")) ||
	    (rc = kpi_add(r, c->group, "customers_end", kpi_int(v, sizeof v, c->end), NULL, NULL,
	                  "", "")) ||
	    (rc = kpi_add(r, c->group, "new_customers", kpi_int(v, sizeof v, c->fresh), NULL,
	                  NULL, "", "")) ||
	    (rc = kpi_add(r, c->group, "lost_customers", kpi_int(v, sizeof v, c->lost), NULL,
	                  NULL, "", "")))
		return rc;
	crm_feedback_percent(v, sizeof v, c->end - c->fresh, c->start);
	if ((rc = kpi_add(r, c->group, "crr", v, kpi_int(a, sizeof a, c->end - c->fresh),
	                  kpi_int(b, sizeof b, c->start), "%",
	                  c->start ? "(customers_end - new_customers) / customers_start" : why)))
		return rc;
	crm_feedback_percent(v, sizeof v, c->lost, c->start);
	return kpi_add(r, c->group, "churn", v, kpi_int(a, sizeof a, c->lost),
	               kpi_int(b, sizeof b, c->start), "%",
	               c->start ? "lost_customers / customers_start" : why);
}

static int revenue(struct kpi_run *r, const struct cust *c)
{
	char v[64];
	int rc;

	kpi_money(r, v, sizeof v, c->revenue);
	if ((rc = kpi_add(r, c->group, "revenue", v, NULL, NULL,
	                  crm_config_currency(crm_db_config(r->db)), "net of refunds")) ||
	    (rc = kpi_add(r, c->group, "purchases", kpi_int(v, sizeof v, c->purchases), NULL, NULL,
	                  "", "")) ||
	    (rc = kpi_add(r, c->group, "buyers", kpi_int(v, sizeof v, c->buyers), NULL, NULL, "",
	                  "")))
		return rc;
	return cltv(r, c);
}

/* Whether some group lost nobody: its lifespan needs the spans. */
static int lost_none(const struct custs *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!cs->v[i].lost)
			return 1;
	return 0;
}

static int customers(struct kpi_run *r)
{
	struct custs cs = { NULL, 0, 0 };
	int rc, nomem;

	if ((rc = flags(r)) || (rc = cust_rows(r, &cs, counts_sql, "u.id", take_counts, 1)) ||
	    (rc = cust_rows(r, &cs, sales_sql, "p.contact_id", take_sales, 1)) ||
	    /* Without groups the figures are there, zero, even with no one. */
	    (!r->by && !cust_of(&cs, "", 1, &nomem) && (rc = crm_error_nomem())) ||
	    (lost_none(&cs) && (rc = cust_rows(r, &cs, spans_sql, "x.id", take_spans, 0))))
		goto out;
	for (size_t i = 0; i < cs.n && !rc; i++) {
		r->k->events += cs.v[i].start + cs.v[i].end + cs.v[i].purchases;
		if (!(rc = retention(r, &cs.v[i])))
			rc = revenue(r, &cs.v[i]);
	}
out:
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i].group);
	free(cs.v);
	return rc;
}

/* NPS and CSAT of the responses given in the period. */
static const char feedback_sql[] =
	"SELECT %2$s, f.kind, f.score, count(*) FROM responses f"
	" LEFT JOIN tickets t ON t.id = f.ticket_id %1$s"
	" WHERE f.at >= ?1 AND f.at < ?2 AND f.archived_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1";

/* The figures of one group's tallies. */
static int feedback_group(struct kpi_run *r, const char *group,
                          const struct crm_feedback_tally *nps,
                          const struct crm_feedback_tally *csat)
{
	char v[32], n[32], d[32], note[128];
	int rc;

	crm_feedback_nps(v, sizeof v, nps);
	snprintf(note, sizeof note, nps->responses ? "%lld promoters, %lld passives, %lld detractors"
	                                           : "no responses",
	         (long long)nps->promoters, (long long)nps->passives, (long long)nps->detractors);
	if ((rc = kpi_add(r, group, "nps", v, kpi_int(n, sizeof n, nps->promoters - nps->detractors),
	                  kpi_int(d, sizeof d, nps->responses), "%", note)))
		return rc;
	crm_feedback_csat(v, sizeof v, csat);
	return kpi_add(r, group, "csat", v, kpi_int(n, sizeof n, csat->satisfied),
	               kpi_int(d, sizeof d, csat->responses), "%",
	               csat->responses ? "responses of 4 or 5 / responses" : "no responses");
}

static int feedback(struct kpi_run *r)
{
	struct crm_feedback_tally t[2];
	char *group = NULL;
	crm_stmt *st;
	int rc, skip, any = 0;

	if ((rc = kpi_prepare(r, CRM_KPI_FEEDBACK, feedback_sql, "f.contact_id", &st, &skip)) || skip)
		return rc;
	memset(t, 0, sizeof t);
	while ((rc = crm_stmt_step(st)) == CRM_ROW) {
		const char *g = crm_stmt_text(st, 0), *kind = crm_stmt_text(st, 1);

		if (group && strcmp(group, g)) {
			if ((rc = feedback_group(r, group, &t[0], &t[1])))
				break;
			memset(t, 0, sizeof t);
		}
		if (!group || strcmp(group, g)) {
			free(group);
			if (!(group = strdup(g))) {
				rc = crm_error_nomem();
				break;
			}
		}
		crm_feedback_count(&t[strcmp(kind, "nps") != 0], kind, (int)crm_stmt_int(st, 2),
		                   crm_stmt_int(st, 3));
		r->k->events += crm_stmt_int(st, 3);
		any = 1;
	}
	crm_stmt_finalize(st);
	/* Without groups the figures are there, empty, even with no responses. */
	if (rc == CRM_DONE && (any || !r->by))
		rc = feedback_group(r, group ? group : "", &t[0], &t[1]);
	free(group);
	return rc < 0 ? rc : rc;
}

/* Whether the period [from, to) is whole calendar months, and how many. */
static int whole_months(const char *from, const char *to, int *months)
{
	int fy, fm, fd, ty, tm, td;

	if (sscanf(from, "%d-%d-%d", &fy, &fm, &fd) != 3 || sscanf(to, "%d-%d-%d", &ty, &tm, &td) != 3)
		return 0;
	*months = (ty - fy) * 12 + (tm - fm);
	return fd == 1 && td == 1 && *months > 0;
}

/* The period's length in years, as num / den: whole months / 12, else
 * days / 365. */
static void years_of(const char *from, const char *to, int64_t *num, int64_t *den)
{
	int months;

	if (whole_months(from, to, &months))
		*num = months, *den = 12;
	else
		*num = crm_date_diff(from, to), *den = 365;
}

static int measure(struct kpi_run *r, unsigned families)
{
	int rc;

	years_of(r->from, r->to, &r->year_num, &r->year_den);
	if ((rc = crm_date_add_days(r->last, r->to, -1)))
		return rc;
	if ((families & CRM_KPI_CUSTOMERS) && (rc = customers(r)))
		return rc;
	if ((families & CRM_KPI_FEEDBACK) && (rc = feedback(r)))
		return rc;
	if ((families & CRM_KPI_SALES) && (rc = kpi_sales(r)))
		return rc;
	if ((families & CRM_KPI_SERVICE) && (rc = kpi_service(r)))
		return rc;
	return CRM_OK;
}

/* Measures each month or quarter of the period in turn, as its group. */
static int by_period(struct kpi_run *r, const struct crm_kpi_opts *o, unsigned families)
{
	char name[CRM_PERIOD_LEN], a[CRM_DATE_LEN], b[CRM_DATE_LEN], cur[CRM_DATE_LEN];
	int rc;

	memcpy(cur, o->from, CRM_DATE_LEN);
	r->by = NULL;
	while (strcmp(cur, o->to) < 0) {
		if ((rc = crm_period_of(name, cur, o->by)) || (rc = crm_period_parse(a, b, name, 0)))
			return rc;
		memcpy(r->from, cur, CRM_DATE_LEN);
		memcpy(r->to, strcmp(b, o->to) < 0 ? b : o->to, CRM_DATE_LEN);
		r->label = name;
		if ((rc = measure(r, families)))
			return rc;
		memcpy(cur, b, CRM_DATE_LEN);
	}
	return CRM_OK;
}

static int cmp_measure(const void *a, const void *b)
{
	const struct crm_measure *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c ? c : rank(x->name) - rank(y->name);
}

/* The figures of one part of group as they read with no data. */
static int empty_part(struct kpi_run *r, enum kpi_part part, const char *group)
{
	struct crm_feedback_tally t[2];
	struct cust c;
	int rc;

	switch (part) {
	case KPI_CUSTOMERS:
		memset(&c, 0, sizeof c);
		c.group = (char *)group;
		return (rc = retention(r, &c)) ? rc : revenue(r, &c);
	case KPI_FEEDBACK:
		memset(t, 0, sizeof t);
		return feedback_group(r, group, &t[0], &t[1]);
	default:
		return kpi_desk_empty(r, part, group);
	}
}

/* A group with the parts it has figures of in r's report, and the
 * families it has figures of there or in the period compared. */
struct have {
	const char *group;
	unsigned parts, families;
};

static int cmp_have(const void *a, const void *b)
{
	return strcmp(((const struct have *)a)->group, ((const struct have *)b)->group);
}

/* Adds to r's report the parts each group lacks of the families it has
 * figures of in r's report or in other (may be NULL).  Each part is a
 * query that yields only the groups it finds rows of: without this a
 * count of 0 would be no row at all, and a fall to 0 would not show. */
static int fill(struct kpi_run *r, const struct crm_kpi *other)
{
	size_t n = r->k->n + (other ? other->n : 0), m = 0;
	struct have *h = n ? malloc(n * sizeof *h) : NULL;
	int rc = CRM_OK;

	if (n && !h)
		return crm_error_nomem();
	for (size_t i = 0; i < n; i++) {
		const struct crm_measure *x = i < r->k->n ? &r->k->v[i] : &other->v[i - r->k->n];
		enum kpi_part p = names[rank(x->name)].part;

		h[i].group = x->group;
		h[i].parts = i < r->k->n && p < KPI_PARTS ? 1u << p : 0;
		h[i].families = p < KPI_PARTS ? part_family[p] : 0;
	}
	if (n)
		qsort(h, n, sizeof *h, cmp_have);
	for (size_t i = 0; i < n && !rc; i = m) {
		unsigned parts = 0, families = 0;

		for (m = i; m < n && !strcmp(h[m].group, h[i].group); m++)
			parts |= h[m].parts, families |= h[m].families;
		for (int p = 0; p < KPI_PARTS && !rc; p++)
			if ((families & part_family[p]) && !(parts & 1u << p))
				rc = empty_part(r, (enum kpi_part)p, h[i].group);
	}
	free(h);
	return rc;
}

/* Whether a report by by has groups fill completes: month and quarter
 * are periods of their own, each with every figure. */
static int by_group(const char *by)
{
	return by && strcmp(by, "month") && strcmp(by, "quarter");
}

int crm_kpi_fill(crm_db *db, const struct crm_kpi_opts *o, struct crm_kpi *k,
                 const struct crm_kpi *other)
{
	struct kpi_run r = { db, k, NULL, o->by, "", "", "", 0, 0 };
	int rc;

	if (!by_group(o->by))
		return CRM_OK;
	if ((rc = fill(&r, other)))
		return rc;
	if (k->n)
		qsort(k->v, k->n, sizeof *k->v, cmp_measure);
	return CRM_OK;
}

static int valid_by(const char *by)
{
	static const char *const ok[] = { "month", "quarter", "owner", "source", "tag", "queue" };

	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (!strcmp(by, ok[i]))
			return 1;
	return 0;
}

int crm_report_kpi(crm_db *db, const struct crm_kpi_opts *o, struct crm_kpi *k)
{
	struct kpi_run r = { db, k, NULL, o->by, "", "", "", 0, 0 };
	unsigned families = o->families ? o->families : CRM_KPI_ALL;
	int rc;

	if (o->by && !valid_by(o->by))
		return crm_error_set(CRM_EUSAGE, "--by takes month, quarter, owner, source, tag or"
		                     " queue, not '%s'", o->by);
	if (strlen(o->from) != 10 || strlen(o->to) != 10)
		return crm_error_set(CRM_EUSAGE, "a period is two dates");
	if (o->by && (!strcmp(o->by, "month") || !strcmp(o->by, "quarter")))
		rc = by_period(&r, o, families);
	else {
		memcpy(r.from, o->from, CRM_DATE_LEN), memcpy(r.to, o->to, CRM_DATE_LEN);
		if (!(rc = measure(&r, families)) && by_group(o->by))
			rc = fill(&r, NULL);
	}
	if (!rc && k->n)
		qsort(k->v, k->n, sizeof *k->v, cmp_measure);
	return rc;
}
