/* campaign_impl.h - what the files of crm-campaign's library share
 * (campaign_send.c, campaign_render.c, campaign_trigger.c,
 * campaign_mail.c).  Internal to libcore. */
#ifndef CRM_CAMPAIGN_IMPL_H
#define CRM_CAMPAIGN_IMPL_H

#include "crm/campaign.h"
#include "crm/template.h"
#include "internal.h"

/* A campaign or trigger as stored. */
struct campaign {
	int64_t id;
	char *name, *kind, *segment, *template, *from, *from_name, *subject, *deliver, *on;
	char *mail_name; /* the name of mail.from, when from is its address */
	long days_before;
	int64_t points;
};

/* Reads campaign id into *c (free with campaign_free); CRM_ENOTFOUND
 * when there is none live. */
int campaign_read(crm_db *db, int64_t id, struct campaign *c);
void campaign_free(struct campaign *c);

/* One language variant of a template, parsed. */
struct variant {
	char *language; /* "" for the default */
	crm_template *subject, *from_name, *text, *html;
};

/* The people a run goes to, with the values its templates read. */
struct people {
	char **names;      /* the query's columns: id, name, email, language, then variables */
	size_t ncols;
	char **vals;       /* n rows of ncols values (NULL: empty) */
	char **occasion;   /* triggers: the day greeted, per row; else NULL */
	int64_t *years;
	size_t n, cap;
};

/* What renders a campaign's messages. */
struct renderer {
	crm_db *db;
	const struct campaign *c;
	struct variant *v;
	size_t nv;
	struct people ppl;
	unsigned char key[64]; /* the unsubscribe key */
	size_t keylen;
	/* the person being rendered */
	size_t row;
	char token[CRM_TOKEN_MAX];
	char *url;
	char *mailto;    /* the unsubscribe address, ASCII (make_url, once) */
	crm_buf company; /* company.FIELD values of the row, NUL-separated */
	char last_company[24]; /* the company id they are of */
	int has_company;
	char years[24];
};

/* Loads the variants of c's template and the unsubscribe key, and
 * stores in *fields the contact fields a query must read for them
 * ("id,name,email,language,..."; malloc'd). */
int renderer_open(struct renderer *r, crm_db *db, const struct campaign *c, char **fields);
void renderer_close(struct renderer *r);

/* Collects the rows of q (whose fields are the renderer's) into r->ppl. */
int renderer_collect(struct renderer *r, crm_query *q);

/* Composes the message of row i to address email with Message-ID mid,
 * into *raw (malloc'd). */
int renderer_message(struct renderer *r, size_t i, const char *email, const char *mid,
                     char **raw, size_t *len);

/* Returns value column name of row i, or NULL. */
const char *people_value(const struct people *p, size_t i, const char *name);

/* The key tokens are signed with. */
int campaign_key(crm_db *db, unsigned char key[64], size_t *len);

/* Formats the token of campaign and person signed with key into out. */
void campaign_sign(const unsigned char *key, size_t keylen, int64_t campaign, int64_t person,
                   char out[CRM_TOKEN_MAX]);

/* Checks a delivery target: NULL, "mbox:FILE" or "maildir:DIR"
 * (CRM_EUSAGE, saying so, else CRM_OK). */
int campaign_target_check(const char *to);

/* Sends to the people of r (loaded), occurrence occ ("" for campaigns). */
int campaign_run(struct renderer *r, const char *occ, const struct crm_send_opts *o,
                 int (*fn)(void *arg, const struct crm_send_event *e), void *arg,
                 struct crm_send_tally *t);

#endif
