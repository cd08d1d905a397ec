/* ical.h - what libcore's users of libical share (recur.c, ics.c). */
#ifndef CRM_ICAL_H
#define CRM_ICAL_H

#include <libical/ical.h>

/* Reads a date ("YYYY-MM-DD") or timestamp ("YYYY-MM-DDTHH:MM:SSZ") as
 * libical's time: a DATE or a UTC DATE-TIME.  CRM_EDATA otherwise. */
int crm_ical_time(const char *s, struct icaltimetype *t);

#endif
