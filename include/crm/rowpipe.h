/* rowpipe.h - reading rows on threads of their own, ahead of their use.
 *
 * A bulk import spends most of its time writing, one row after another,
 * while parsing the next rows and normalising much of their values need
 * no database at all.  A row pipe runs a reader on threads of its own,
 * with a preparation step per row (an import parses the row's phone
 * numbers there and puts its text and addresses in their stored forms, so
 * that the writing thread finds them done), and hands the rows over in
 * input order, each with what its preparation made.  The threads read
 * one at a time and prepare side by side: the preparation is what costs.
 * At most CRM_ROWPIPE_ROWS rows wait, and of them CRM_ROWPIPE_BYTES of
 * text past the first ready and one a thread being prepared: memory stays
 * flat whatever the size of the input and the width of its rows.
 *
 * The reader must not block for ever (a regular file, not a terminal or a
 * pipe whose writer waits on us): closing the pipe waits for the row being
 * read.
 */
#ifndef CRM_ROWPIPE_H
#define CRM_ROWPIPE_H

#include <stddef.h>

#include "crm/buf.h"
#include "crm/reader.h"

/* Enough rows to cover the caller's pauses: an import stops taking rows
 * while it writes a chunk of search entries (2,048 records), and with a
 * ring of 512 the reader then filled it and stopped, and the import
 * waited for it after.  A row of a dozen short columns (bench/gen-people)
 * holds about 2 kB in its slot, so a full ring of them takes 4 MB. */
#define CRM_ROWPIPE_ROWS 2048
#define CRM_ROWPIPE_BYTES (8u << 20)

/* The most threads a pipe runs: preparing past this many rows at once
 * would leave none of the machine to the caller's writes. */
#define CRM_ROWPIPE_THREADS 4

typedef struct crm_rowpipe crm_rowpipe;

/* Called on one of the pipe's threads for each row read, while the others
 * prepare other rows with the same arg: must touch nothing the caller's
 * thread uses, nor anything of arg's another call changes without a
 * lock, and report no errors (it only prepares).  What it appends to out
 * comes with the row (its ahead and nahead). */
typedef void crm_rowpipe_prep(void *arg, const struct crm_row *row, crm_buf *out);

/* Starts reading r (owned by the caller, closed after the pipe) on
 * threads threads of the pipe's own (at most CRM_ROWPIPE_THREADS),
 * preparing each row with prep (may be NULL).  With none, the pipe only
 * passes the reader's rows on, unprepared: for a reader that may block.
 * Threads the system will not start are done without (fewer, or none:
 * crm_rowpipe_threads); the only error is running out of memory. */
int crm_rowpipe_open(crm_rowpipe **out, crm_reader *r, int threads, crm_rowpipe_prep *prep,
                     void *arg);

/* How many threads the pipe runs: those asked for, or fewer when the
 * system would not start them all. */
int crm_rowpipe_threads(const crm_rowpipe *p);

/* As crm_reader_next: 1 and the next row (valid until the next call), 0
 * at the end, or the reader's error with its message. */
int crm_rowpipe_next(crm_rowpipe *p, struct crm_row *row);

/* The reader's offset after the row last returned. */
long long crm_rowpipe_offset(const crm_rowpipe *p);

/* The reader's header once a row (or the end) has been returned: as
 * crm_reader_header. */
const char *const *crm_rowpipe_header(const crm_rowpipe *p, size_t *n);

/* The line the header was read from: as crm_reader_header_line. */
long crm_rowpipe_header_line(const crm_rowpipe *p);

/* How the input is written, once a row has been returned: as
 * crm_reader_style. */
void crm_rowpipe_style(const crm_rowpipe *p, struct crm_style *s);

/* Seconds the pipe's threads (0 without any) spent reading and preparing
 * the rows returned so far, all threads' summed, and the caller spent
 * waiting for them. */
void crm_rowpipe_times(const crm_rowpipe *p, double *read, double *prep, double *wait);

/* Stops the thread and frees the pipe; NULL-safe. */
void crm_rowpipe_close(crm_rowpipe *p);

#endif
