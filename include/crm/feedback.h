/* feedback.h - NPS and CSAT responses and the CSAT surveys mailed about
 * solved tickets (crm-feedback(1)).  Responses are an entity of the
 * registry (field.h), called "response": add, set, list and the rest work
 * on them as on any record; the figures, the surveys and reading a mailed
 * answer are here. */
#ifndef CRM_FEEDBACK_H
#define CRM_FEEDBACK_H

#include <stddef.h>
#include <stdint.h>

#include "crm/db.h"

/* Reads the score a survey answer starts with: its first line that is not
 * blank or quoted ("> ...") must begin with one digit from 1 to 5, alone
 * or followed by "/5", " out of 5", a blank or punctuation ("4", "4 - good",
 * "5/5", "3. slow").  Stores the score in *score and in *comment
 * (malloc'd, the caller frees; NULL when there is none) the rest of the
 * line after the separators and the following lines up to the quoted
 * text or its attribution ("On ... wrote:").  Returns 1 when text has a
 * score, 0 when it has none (*comment NULL), or CRM_ENOMEM. */
int crm_feedback_answer(const char *text, int *score, char **comment);

/* Formats part / whole x 100 into out (size n) with one decimal, halves
 * rounded away from zero, computed exactly in integers ("33.3", "-12.5",
 * "100.0"); an empty string when whole is not above zero. */
void crm_feedback_percent(char *out, size_t n, int64_t part, int64_t whole);

/* The counts behind the figures of one group of responses. */
struct crm_feedback_tally {
	int64_t responses;
	int64_t promoters;  /* nps 9-10 */
	int64_t passives;   /* nps 7-8 */
	int64_t detractors; /* nps 0-6 */
	int64_t satisfied;  /* csat 4-5 */
};

/* Counts n responses of kind ("nps" or "csat") with score into t. */
void crm_feedback_count(struct crm_feedback_tally *t, const char *kind, int score, int64_t n);

/* Formats the NPS of t (% promoters - % detractors) and its CSAT
 * (satisfied / responses x 100) as crm_feedback_percent does. */
void crm_feedback_nps(char *out, size_t n, const struct crm_feedback_tally *t);
void crm_feedback_csat(char *out, size_t n, const struct crm_feedback_tally *t);

/* The report rows of crm_feedback_report: kind "nps" gives group,
 * responses, promoters, passives, detractors, nps; "csat" gives group,
 * responses, satisfied, csat. */
#define CRM_NPS_COLUMNS 6
#define CRM_CSAT_COLUMNS 4

/* Calls fn with one row per group of the live responses of kind whose
 * time is in [from, to) (dates "YYYY-MM-DD"; NULL: unbounded), grouped by
 * by -- "queue" or "assignee" (of the response's ticket; empty without
 * one) or "month" (of the response time), NULL: no groups -- in the order
 * of the groups, then a row "total".  Stores the number of responses in
 * *responses (no row at all when it is 0).  CRM_EUSAGE for another kind
 * or by. */
int crm_feedback_report(crm_db *db, const char *kind, const char *from, const char *to,
                        const char *by, int (*fn)(void *arg, const char *const *vals), void *arg,
                        int64_t *responses);

/* What crm_feedback_survey does. */
struct crm_survey_opts {
	const char *since; /* tickets solved or closed at or after this time (UTC timestamp) */
	int sample;        /* percent of the tickets due to survey, 0-100 */
	int64_t cooldown;  /* seconds: nobody surveyed within it is surveyed again */
	int dry_run;       /* record the surveys, send nothing (the caller rolls back) */
};

/* One survey sent (or, in a dry run, due). */
struct crm_survey {
	int64_t ticket;
	int64_t contact;
	const char *email;      /* the person's address */
	const char *message_id; /* the survey's Message-ID, without brackets */
};

/* Whether ticket id falls in a sample of pct percent: a fixed hash of the
 * id, so that every run picks the same tickets. */
int crm_feedback_sampled(int64_t id, int pct);

/* Mails a CSAT survey about each ticket solved or closed since o->since
 * whose requester has an email address (and has not refused mail), has
 * not been surveyed about it before, was not surveyed within the cooldown,
 * and is in the sample; records each in the survey log and calls fn with
 * it.  Mail goes through the configured mail.send command, from mail.from.
 * Stores the number sent in *sent.  A failed hand-off stops the run: the
 * surveys sent before it stay recorded (the caller commits them) and its
 * status is returned. */
int crm_feedback_survey(crm_db *db, const struct crm_survey_opts *o,
                        int (*fn)(void *arg, const struct crm_survey *s), void *arg,
                        int64_t *sent);

struct crm_mail;

/* Records m as the CSAT response to the survey its In-Reply-To or
 * References name, when it answers an unanswered one with a score.
 * Stores in *ticket the ticket of the survey m names (0: none), and
 * returns 1 when it recorded a response, 0 when m is no such answer
 * (robots' mail never is). */
int crm_feedback_mail_in(crm_db *db, const struct crm_mail *m, int64_t *ticket);

#endif
