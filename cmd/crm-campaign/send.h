/* send.h - the verbs of crm-campaign that mail and read mail (send.c). */
#ifndef CRM_CAMPAIGN_SEND_H
#define CRM_CAMPAIGN_SEND_H

#include "cli.h"

extern const struct cli_opt send_opts[], triggers_opts[], trigger_opts[], unsubscribe_opts[],
	mailbox_opts[];

/* send ID [--limit N] [--rate N/min] [-n] [--to mbox:FILE|maildir:DIR] [--retry-in-doubt] */
int campaign_send(struct cli *c, int argc, char **argv);

/* trigger add [FIELD] --on birthday|anniversary|date-field --template T ... */
int campaign_trigger(struct cli *c, int argc, char **argv);

/* triggers run [--date DATE] and the options of send */
int campaign_triggers(struct cli *c, int argc, char **argv);

/* unsubscribe TOKEN | --mail FILE */
int campaign_unsubscribe(struct cli *c, int argc, char **argv);

/* bounces [FILE...|-] [--mbox FILE] [--maildir DIR] */
int campaign_bounces(struct cli *c, int argc, char **argv);

/* mail-in [FILE...|-] [--mbox FILE] [--maildir DIR] */
int campaign_mail_in(struct cli *c, int argc, char **argv);

#endif
