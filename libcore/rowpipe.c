/* rowpipe.c - reading rows on threads of their own; see rowpipe.h.
 *
 * A ring of CRM_ROWPIPE_ROWS slots.  A thread takes the slot after the
 * last one taken while one is free and the rows ready hold less than
 * CRM_ROWPIPE_BYTES, reads the next row into it, and prepares it.  Reading
 * is one thread at a time (the reader is a stream, and the slots must
 * follow it); preparing, the costly part, is not.  The caller empties the
 * slots in order, each once it is ready.  Each slot owns a copy of its row
 * in one buffer, so the threads may go on to the next while the caller
 * writes this one.
 *
 * The first thread works whenever there is room.  The others help only
 * while fewer than LOW_WATER rows wait: then the caller is about to wait
 * for rows, and a helper's time is not taken from it.  With the ring
 * fuller, the caller is what the rows wait for, and a helper would only
 * compete with it for a processor (two processors, 200,000 people into
 * an empty database: 7.61 s with one thread that always works, 9.15 s
 * with two).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crm/buf.h"
#include "crm/error.h"
#include "crm/rowpipe.h"
#include "internal.h"

/* What a slot keeps for its next row: buffers grown past this for a wide
 * row go, so that idle slots hold CRM_ROWPIPE_ROWS times this at most. */
#define SLOT_KEEP 4096

/* Below this many rows waiting, the helpers work too. */
#define LOW_WATER (CRM_ROWPIPE_ROWS / 4)

struct slot {
	int rc;            /* what crm_reader_next returned */
	int code;          /* rc < 0: the error and its message */
	crm_buf msg;
	long long offset;
	double read_s, prep_s; /* the thread's time on this row */
	struct crm_row row;
	const char **names, **values;
	size_t *lens, *noff, *voff, cap;
	crm_buf data;      /* names and values, each ending in a NUL */
	crm_buf ahead;     /* what the preparation made of the row */
	size_t bytes;      /* what the slot holds for the row */
	int ready;         /* read and prepared; the caller may take it */
};

/* A thread of the pipe: the first (helper 0) or a helper. */
struct worker {
	crm_rowpipe *p;
	int helper;
};

struct crm_rowpipe {
	crm_reader *r;
	crm_rowpipe_prep *prep;
	void *arg;
	pthread_t thread[CRM_ROWPIPE_THREADS];
	struct worker worker[CRM_ROWPIPE_THREADS];
	int nthreads;         /* started; 0: the caller reads */
	pthread_mutex_t read_lock; /* the reader, and taking the next slot */
	pthread_mutex_t lock;      /* everything below */
	pthread_cond_t filled, freed, low;
	struct slot slot[CRM_ROWPIPE_ROWS];
	size_t head, count;   /* the oldest slot taken, and how many are */
	size_t nready, held;  /* how many of those are ready, and their bytes */
	int reader_waits, caller_waits; /* who sleeps on freed, on filled */
	int helpers_wait;     /* how many sleep on low */
	int current, ended;   /* the caller holds slot head; it has had the end */
	int stop, eof;        /* close was called; a thread read the end */
	const char *const *header;
	size_t nheader;
	int have_header;      /* header and nheader are set */
	long long offset;
	double read_s, prep_s; /* summed by the caller as it takes the rows */
	double wait_s;         /* the caller's time waiting for rows */
};

/* Makes room for n columns: the five arrays in one block, carved up;
 * their contents need not survive (copy_row fills them afresh). */
static int reserve(struct slot *s, size_t n)
{
	void *block;

	if (n <= s->cap)
		return CRM_OK;
	if (!(block = malloc(n * (2 * sizeof(char *) + 3 * sizeof(size_t)))))
		return crm_error_nomem();
	free(s->names);
	s->names = block;
	s->values = s->names + n;
	s->lens = (size_t *)(s->values + n);
	s->noff = s->lens + n;
	s->voff = s->noff + n;
	s->cap = n;
	return CRM_OK;
}

/* Copies row into slot s: offsets first, pointers once the buffer stops
 * moving. */
static int copy_row(struct slot *s, const struct crm_row *row)
{
	size_t eoff = SIZE_MAX;
	int rc = reserve(s, row->n);

	crm_buf_clear(&s->data);
	for (size_t i = 0; i < row->n && !rc; i++) {
		s->noff[i] = s->data.len;
		rc = crm_buf_put(&s->data, row->names[i], strlen(row->names[i]) + 1);
		s->voff[i] = row->values[i] ? s->data.len : SIZE_MAX;
		s->lens[i] = row->lens[i];
		if (!rc && row->values[i] && !(rc = crm_buf_put(&s->data, row->values[i], row->lens[i])))
			rc = crm_buf_putc(&s->data, '\0');
	}
	if (!rc && row->error) {
		eoff = s->data.len;
		rc = crm_buf_put(&s->data, row->error, strlen(row->error) + 1);
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < row->n; i++) {
		s->names[i] = s->data.ptr + s->noff[i];
		s->values[i] = s->voff[i] == SIZE_MAX ? NULL : s->data.ptr + s->voff[i];
	}
	s->row = (struct crm_row){ row->n, s->names, s->values, s->lens, row->line,
	                           eoff == SIZE_MAX ? NULL : s->data.ptr + eoff, row->error_col,
	                           NULL, 0 };
	return CRM_OK;
}

/* The bytes slot s holds: its buffers and its arrays. */
static size_t slot_bytes(const struct slot *s)
{
	return s->data.cap + s->ahead.cap + s->cap * (2 * sizeof(char *) + 3 * sizeof(size_t));
}

/* Lets go of what slot s grew for a wide row. */
static void slot_trim(struct slot *s)
{
	if (slot_bytes(s) <= SLOT_KEEP)
		return;
	free(s->names);
	s->names = NULL;
	s->cap = 0;
	crm_buf_free(&s->data);
	crm_buf_free(&s->ahead);
}

/* Reads one row into slot s; returns what the reader did. */
static int fill(crm_rowpipe *p, struct slot *s)
{
	struct crm_row row;
	double t0 = crm_clock();
	int rc = crm_reader_next(p->r, &row);

	if (rc > 0 && (rc = copy_row(s, &row)) == CRM_OK)
		rc = 1;
	s->rc = rc;
	s->offset = crm_reader_offset(p->r);
	if (rc < 0) {
		s->code = crm_error_code();
		crm_buf_clear(&s->msg);
		crm_buf_puts(&s->msg, crm_error_message());
	}
	s->read_s = crm_clock() - t0;
	return rc;
}

/* Prepares the row in slot s, which this thread alone holds. */
static void prepare(crm_rowpipe *p, struct slot *s)
{
	double t0 = crm_clock();

	crm_buf_clear(&s->ahead);
	if (s->rc > 0 && p->prep)
		p->prep(p->arg, &s->row, &s->ahead);
	s->row.ahead = s->ahead.len ? s->ahead.ptr : NULL;
	s->row.nahead = s->ahead.len;
	s->bytes = slot_bytes(s);
	s->prep_s = crm_clock() - t0;
}

/* Whether the threads must wait for the caller to take rows. */
static int ring_full(const crm_rowpipe *p)
{
	return p->count == CRM_ROWPIPE_ROWS || (p->count && p->held >= CRM_ROWPIPE_BYTES);
}

/* Waits, as a helper, until fewer than LOW_WATER rows wait (or the
 * input has ended, or the pipe is closing). */
static void wait_to_help(crm_rowpipe *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->count >= LOW_WATER && !p->stop && !p->eof) {
		p->helpers_wait++;
		pthread_cond_wait(&p->low, &p->lock);
		p->helpers_wait--;
	}
	pthread_mutex_unlock(&p->lock);
}

/* Takes the next slot and reads a row into it, under the read lock so
 * that slots follow the input; returns the slot, or NULL once the input
 * has ended or the pipe is closing. */
static struct slot *take_and_read(crm_rowpipe *p)
{
	struct slot *s = NULL;
	int rc;

	pthread_mutex_lock(&p->read_lock);
	pthread_mutex_lock(&p->lock);
	while (ring_full(p) && !p->stop && !p->eof) {
		p->reader_waits = 1;
		pthread_cond_wait(&p->freed, &p->lock);
	}
	p->reader_waits = 0;
	if (!p->stop && !p->eof) {
		s = &p->slot[(p->head + p->count) % CRM_ROWPIPE_ROWS];
		p->count++;
	}
	pthread_mutex_unlock(&p->lock);
	if (s) {
		slot_trim(s);
		rc = fill(p, s);
		pthread_mutex_lock(&p->lock);
		/* The header is the reader's and stays put once read. */
		if (!p->have_header) {
			p->header = crm_reader_header(p->r, &p->nheader);
			p->have_header = 1;
		}
		if (rc <= 0) {
			p->eof = 1; /* the other threads end */
			pthread_cond_broadcast(&p->low);
		}
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&p->read_lock);
	return s;
}

/* Hands slot s, prepared, to the caller. */
static void hand_over(crm_rowpipe *p, struct slot *s)
{
	pthread_mutex_lock(&p->lock);
	s->ready = 1;
	p->nready++;
	p->held += s->bytes;
	/* A caller faster than the threads is woken for a batch of rows, not
	 * for each: each wake-up is a system call and a switch.  A batch is
	 * smaller when the rows are wide (the threads stop at
	 * CRM_ROWPIPE_BYTES), and the last one is what is left. */
	if (p->caller_waits && p->slot[p->head].ready &&
	    (p->nready >= CRM_ROWPIPE_ROWS / 8 || p->held >= CRM_ROWPIPE_BYTES ||
	     (p->eof && p->nready == p->count)))
		pthread_cond_signal(&p->filled);
	pthread_mutex_unlock(&p->lock);
}

static void *run(void *arg)
{
	const struct worker *w = arg;
	struct slot *s;

	for (;;) {
		if (w->helper)
			wait_to_help(w->p);
		if (!(s = take_and_read(w->p)))
			return NULL;
		prepare(w->p, s);
		hand_over(w->p, s);
	}
}

int crm_rowpipe_open(crm_rowpipe **out, crm_reader *r, int threads, crm_rowpipe_prep *prep,
                     void *arg)
{
	crm_rowpipe *p = calloc(1, sizeof *p);

	*out = NULL;
	if (!p)
		return crm_error_nomem();
	p->r = r;
	p->prep = prep;
	p->arg = arg;
	pthread_mutex_init(&p->read_lock, NULL);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->filled, NULL);
	pthread_cond_init(&p->freed, NULL);
	pthread_cond_init(&p->low, NULL);
	if (threads > CRM_ROWPIPE_THREADS)
		threads = CRM_ROWPIPE_THREADS;
	/* A thread the system will not start (at its limit of threads or of
	 * memory) only costs speed: the pipe goes on with those it has, and
	 * with none passes the rows on for the caller to prepare. */
	for (; p->nthreads < threads; p->nthreads++) {
		p->worker[p->nthreads] = (struct worker){ p, p->nthreads > 0 };
		if (pthread_create(&p->thread[p->nthreads], NULL, run, &p->worker[p->nthreads]))
			break;
	}
	*out = p;
	return CRM_OK;
}

int crm_rowpipe_next(crm_rowpipe *p, struct crm_row *row)
{
	struct slot *s;

	if (!p->nthreads)
		return crm_reader_next(p->r, row);
	pthread_mutex_lock(&p->lock);
	if (p->current && !p->ended) {
		p->held -= p->slot[p->head].bytes;
		p->slot[p->head].ready = 0;
		p->head = (p->head + 1) % CRM_ROWPIPE_ROWS;
		p->count--;
		p->nready--;
		/* A full ring wakes the threads once half of it is free, not for
		 * every row: each wake-up is a system call. */
		if (p->reader_waits && p->count <= CRM_ROWPIPE_ROWS / 2 &&
		    p->held <= CRM_ROWPIPE_BYTES / 2)
			pthread_cond_signal(&p->freed);
		if (p->helpers_wait && p->count < LOW_WATER)
			pthread_cond_broadcast(&p->low);
	}
	if (!p->slot[p->head].ready) {
		double t = crm_clock();

		while (!p->slot[p->head].ready) {
			p->caller_waits = 1;
			pthread_cond_wait(&p->filled, &p->lock);
		}
		p->wait_s += crm_clock() - t;
	}
	p->caller_waits = 0;
	p->current = 1;
	s = &p->slot[p->head];
	p->offset = s->offset;
	p->read_s += s->read_s;
	p->prep_s += s->prep_s;
	p->ended = s->rc <= 0;
	pthread_mutex_unlock(&p->lock);
	if (s->rc < 0)
		return crm_error_set(s->code, "%s", crm_buf_str(&s->msg));
	if (s->rc > 0)
		*row = s->row;
	return s->rc;
}

int crm_rowpipe_threads(const crm_rowpipe *p)
{
	return p->nthreads;
}

long long crm_rowpipe_offset(const crm_rowpipe *p)
{
	return p->nthreads ? p->offset : crm_reader_offset(p->r);
}

const char *const *crm_rowpipe_header(const crm_rowpipe *p, size_t *n)
{
	if (!p->nthreads)
		return crm_reader_header(p->r, n);
	*n = p->nheader;
	return p->header;
}

long crm_rowpipe_header_line(const crm_rowpipe *p)
{
	/* Set before the header, which a row returned has handed over. */
	return crm_reader_header_line(p->r);
}

void crm_rowpipe_style(const crm_rowpipe *p, struct crm_style *s)
{
	/* All is set before the header, which a row returned has handed over. */
	crm_reader_style(p->r, s);
}

void crm_rowpipe_times(const crm_rowpipe *p, double *read, double *prep, double *wait)
{
	*read = p->read_s;
	*prep = p->prep_s;
	*wait = p->wait_s;
}

void crm_rowpipe_close(crm_rowpipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->freed);
	pthread_cond_broadcast(&p->low);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->thread[i], NULL);
	for (size_t i = 0; i < CRM_ROWPIPE_ROWS; i++) {
		struct slot *s = &p->slot[i];

		free(s->names); /* the block of all five arrays */
		crm_buf_free(&s->data);
		crm_buf_free(&s->ahead);
		crm_buf_free(&s->msg);
	}
	pthread_cond_destroy(&p->filled);
	pthread_cond_destroy(&p->freed);
	pthread_cond_destroy(&p->low);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->read_lock);
	free(p);
}
