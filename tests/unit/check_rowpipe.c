/* check_rowpipe.c - rows read ahead on threads of their own, and the
 * bounded tables that keep what was worked out once. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/memo.h"
#include "crm.h"
#include "crm/norm.h"
#include "crm/cpu.h"
#include "crm/rowpipe.h"

/* A CSV of n rows "i,value i" after a header. */
static char *numbered_csv(int n, size_t *len)
{
	crm_buf b = CRM_BUF_INIT;

	crm_buf_puts(&b, "n,v\n");
	for (int i = 1; i <= n; i++)
		crm_buf_printf(&b, "%d,value %d\n", i, i);
	*len = b.len;
	return crm_buf_detach(&b);
}

static crm_reader *csv_reader(FILE *f)
{
	struct crm_reader_opts o = { .format = CRM_FORMAT_CSV };
	crm_reader *r;

	ck_assert_int_eq(crm_reader_open(&r, f, "in", &o), CRM_OK);
	return r;
}

/* The preparation step: counts the rows it saw, on the pipe's threads,
 * and passes on "n=" and the row's first value. */
static void count_rows(void *arg, const struct crm_row *row, crm_buf *out)
{
	atomic_fetch_add((atomic_int *)arg, 1);
	crm_buf_printf(out, "n=%s", row->values[0]);
}

/* Many more rows than the ring holds come back whole and in order, with
 * their lines, whether read ahead (on one thread or several) or not:
 * ask threads asked for, of which ahead start. */
static void check_order(int ask, int ahead)
{
	size_t len;
	char *text = numbered_csv(5 * CRM_ROWPIPE_ROWS + 7, &len), want[64];
	FILE *f = fmemopen(text, len, "r");
	crm_reader *r = csv_reader(f);
	crm_rowpipe *p;
	struct crm_row row;
	atomic_int prepared = 0;
	int n = 0, rc;
	size_t nh;

	ck_assert_int_eq(crm_rowpipe_open(&p, r, ask, count_rows, &prepared), CRM_OK);
	ck_assert_int_eq(crm_rowpipe_threads(p), ahead);
	while ((rc = crm_rowpipe_next(p, &row)) == 1) {
		n++;
		snprintf(want, sizeof want, "value %d", n);
		ck_assert_uint_eq(row.n, 2);
		ck_assert_str_eq(row.names[1], "v");
		ck_assert_str_eq(row.values[1], want);
		ck_assert_uint_eq(row.lens[1], strlen(want));
		ck_assert_int_eq(row.line, n + 1);
		ck_assert_ptr_null(row.error);
		/* What the preparation made comes with its own row. */
		snprintf(want, sizeof want, "n=%d", n);
		if (ahead) {
			ck_assert_uint_eq(row.nahead, strlen(want));
			ck_assert_mem_eq(row.ahead, want, row.nahead);
		} else {
			ck_assert_ptr_null(row.ahead);
		}
		ck_assert_ptr_nonnull(crm_rowpipe_header(p, &nh));
		ck_assert_uint_eq(nh, 2);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(crm_rowpipe_next(p, &row), 0); /* the end stays the end */
	ck_assert_int_eq(n, 5 * CRM_ROWPIPE_ROWS + 7);
	ck_assert_int_eq(prepared, ahead ? n : 0);
	ck_assert_int_eq(crm_rowpipe_offset(p), (long long)len);
	crm_rowpipe_close(p);
	crm_reader_close(r);
	fclose(f);
	free(text);
}

START_TEST(test_rows_in_order)
{
	check_order(1, 1);
	check_order(3, 3);
	check_order(0, 0);
}
END_TEST

static void *idle(void *arg)
{
	return arg;
}

/* When the system will not start a thread (here: none can have the stack
 * it is given by default), the pipe goes on without: the caller reads the
 * rows itself, and they come as they do from a pipe with no threads. */
START_TEST(test_threads_not_started)
{
	pthread_attr_t huge, saved;
	pthread_t t;

	ck_assert_int_eq(pthread_getattr_default_np(&saved), 0);
	ck_assert_int_eq(pthread_attr_init(&huge), 0);
	/* Past the 128 TB of a process's addresses. */
	ck_assert_int_eq(pthread_attr_setstacksize(&huge, (size_t)1 << 48), 0);
	ck_assert_int_eq(pthread_setattr_default_np(&huge), 0);
	if (!pthread_create(&t, NULL, idle, NULL)) {
		pthread_join(t, NULL);
		ck_abort_msg("a thread started with a stack past the address space");
	}
	check_order(1, 0);
	check_order(3, 0);
	ck_assert_int_eq(pthread_setattr_default_np(&saved), 0);
	pthread_attr_destroy(&huge);
	pthread_attr_destroy(&saved);
}
END_TEST

/* Two rows met in the preparation at once: the first of them waits
 * there for the second. */
struct meet {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int in, met;
};

static void wait_for_second(void *arg, const struct crm_row *row, crm_buf *out)
{
	struct meet *m = arg;
	struct timespec until;

	(void)out;
	if (strcmp(row->values[0], "1") && strcmp(row->values[0], "2"))
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 60; /* a guard against a hang, not a measure */
	pthread_mutex_lock(&m->lock);
	if (++m->in == 2) {
		m->met = 1;
		pthread_cond_broadcast(&m->cond);
	}
	while (!m->met && pthread_cond_timedwait(&m->cond, &m->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&m->lock);
}

/* With two threads, a row is prepared while the one before it still is:
 * the preparation runs side by side, and its rows still come in order. */
START_TEST(test_threads_prepare_together)
{
	size_t len;
	char *text = numbered_csv(100, &len);
	FILE *f = fmemopen(text, len, "r");
	crm_reader *r = csv_reader(f);
	struct meet m = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
	crm_rowpipe *p;
	struct crm_row row;
	int n = 0;

	ck_assert_int_eq(crm_rowpipe_open(&p, r, 2, wait_for_second, &m), CRM_OK);
	while (crm_rowpipe_next(p, &row) == 1)
		ck_assert_int_eq(atoi(row.values[0]), ++n);
	ck_assert_int_eq(n, 100);
	ck_assert_int_eq(m.met, 1);
	crm_rowpipe_close(p);
	crm_reader_close(r);
	fclose(f);
	free(text);
}
END_TEST

/* A malformed record stays a row with its reason; a malformed stream
 * ends with the reader's error and message, after the rows before it. */
START_TEST(test_errors_pass_through)
{
	static const char text[] = "a,b\n1,2\n1,2,3\nx\0y,2\n5,\"never closed\n";
	FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
	crm_reader *r = csv_reader(f);
	crm_rowpipe *p;
	struct crm_row row;
	char seen[256] = "";
	int rc;

	ck_assert_int_eq(crm_rowpipe_open(&p, r, 1, NULL, NULL), CRM_OK);
	while ((rc = crm_rowpipe_next(p, &row)) == 1) {
		size_t n = strlen(seen);
		snprintf(seen + n, sizeof seen - n, "%ld:%s|", row.line,
		         row.error ? row.error : row.values[0]);
	}
	ck_assert_str_eq(seen, "2:1|3:3 fields where the header has 2: '3' has no column|"
	                       "4:column 'a' holds a NUL byte|");
	ck_assert_int_eq(rc, CRM_EDATA);
	ck_assert_ptr_nonnull(strstr(crm_error_message(), "in:5"));
	crm_rowpipe_close(p);
	crm_reader_close(r);
	fclose(f);
}
END_TEST

/* Closing a pipe whose ring is full (the caller stopped early) ends its
 * thread. */
START_TEST(test_close_early)
{
	size_t len;
	char *text = numbered_csv(4 * CRM_ROWPIPE_ROWS, &len);
	FILE *f = fmemopen(text, len, "r");
	crm_reader *r = csv_reader(f);
	crm_rowpipe *p;
	struct crm_row row;

	ck_assert_int_eq(crm_rowpipe_open(&p, r, 3, NULL, NULL), CRM_OK);
	ck_assert_int_eq(crm_rowpipe_next(p, &row), 1);
	ck_assert_str_eq(row.values[0], "1");
	crm_rowpipe_close(p);
	crm_reader_close(r);
	fclose(f);
	free(text);
}
END_TEST

/* Rows of WIDE bytes: the ring holds CRM_ROWPIPE_BYTES of them, not
 * CRM_ROWPIPE_ROWS. */
#define WIDE 65536
#define NWIDE 300

struct lead {
	atomic_int prepared, taken, most;
};

/* Notes how many rows the pipe's threads are ahead of the caller. */
static void note_lead(void *arg, const struct crm_row *row, crm_buf *out)
{
	struct lead *l = arg;
	int ahead = ++l->prepared - l->taken, most = l->most;

	(void)row;
	(void)out;
	while (ahead > most && !atomic_compare_exchange_weak(&l->most, &most, ahead))
		;
}

/* A caller slower than the reader (it hashes each row twenty times, the
 * reader copies it once) finds it ahead by the byte limit, not the row
 * limit, and every row whole: one row more for each thread, which may
 * be reading one when the limit is reached. */
static void check_wide_rows(int threads)
{
	crm_buf b = CRM_BUF_INIT;
	char *cell = malloc(WIDE + 1);
	struct lead l = { 0 };
	struct crm_row row;
	crm_rowpipe *p;
	unsigned h = 0;
	FILE *f;
	crm_reader *r;
	int rc;

	memset(cell, 'x', WIDE);
	cell[WIDE] = '\0';
	crm_buf_puts(&b, "n,v\n");
	for (int i = 1; i <= NWIDE; i++)
		crm_buf_printf(&b, "%d,%s\n", i, cell);
	f = fmemopen(b.ptr, b.len, "r");
	r = csv_reader(f);
	ck_assert_int_eq(crm_rowpipe_open(&p, r, threads, note_lead, &l), CRM_OK);
	while ((rc = crm_rowpipe_next(p, &row)) == 1) {
		ck_assert_int_eq(atoi(row.values[0]), ++l.taken);
		ck_assert_uint_eq(strlen(row.values[1]), WIDE);
		for (int k = 0; k < 20; k++)
			for (const char *c = row.values[1]; *c; c++)
				h = (h ^ (unsigned char)*c) * 16777619u;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(l.taken, NWIDE);
	ck_assert_uint_ne(h, 0);
	ck_assert_int_le(l.most, CRM_ROWPIPE_BYTES / WIDE + 1 + threads);
	crm_rowpipe_close(p);
	crm_reader_close(r);
	fclose(f);
	crm_buf_free(&b);
	free(cell);
}

START_TEST(test_wide_rows)
{
	check_wide_rows(1);
	check_wide_rows(3);
}
END_TEST

/* A process pinned to one processor counts one, however many the
 * machine has (Check runs each test in a process of its own). */
START_TEST(test_processors_follow_affinity)
{
	cpu_set_t all, one;

	ck_assert_int_eq(sched_getaffinity(0, sizeof all, &all), 0);
	ck_assert_int_eq(crm_processors(), CPU_COUNT(&all));
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all)) {
			CPU_SET(c, &one);
			break;
		}
	ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0);
	ck_assert_int_eq(crm_processors(), 1);
}
END_TEST

START_TEST(test_memo)
{
	crm_memo *m = crm_memo_new(16);
	char key[16];

	ck_assert_ptr_null(crm_memo_get(m, "a"));
	ck_assert_int_eq(crm_memo_put(m, "a", "1"), CRM_OK);
	ck_assert_int_eq(crm_memo_put(m, "a", "2"), CRM_OK); /* the first stays */
	ck_assert_int_eq(crm_memo_put(m, "", ""), CRM_OK);
	ck_assert_str_eq(crm_memo_get(m, "a"), "1");
	ck_assert_str_eq(crm_memo_get(m, ""), "");
	/* Past three quarters of its slots the table starts again, so it
	 * never fills: the newest key is always there. */
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "k%d", i);
		ck_assert_int_eq(crm_memo_put(m, key, key + 1), CRM_OK);
		ck_assert_str_eq(crm_memo_get(m, key), key + 1);
	}
	ck_assert_ptr_null(crm_memo_get(m, "a"));
	crm_memo_clear(m);
	ck_assert_ptr_null(crm_memo_get(m, "k99"));
	crm_memo_free(m);
}
END_TEST

/* A number read a second time, valid or not, gives the same answer as
 * the first (the second comes from the table). */
START_TEST(test_phone_memo)
{
	char *a = NULL, *b = NULL;

	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(crm_phone_e164(&a, "030 901820", "DE"), CRM_OK);
		ck_assert_str_eq(a, "+4930901820");
		free(a);
		ck_assert_int_eq(crm_phone_e164(&a, "030 901820", "FR"), CRM_EDATA);
		ck_assert_ptr_null(a);
		ck_assert_int_eq(crm_phone_e164(&b, "12", "US"), CRM_EDATA);
		ck_assert_ptr_nonnull(strstr(crm_error_message(), "'12'"));
	}
}
END_TEST

Suite *rowpipe_suite(void)
{
	Suite *s = suite_create("rowpipe");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rows_in_order);
	tcase_add_test(tc, test_threads_not_started);
	tcase_add_test(tc, test_threads_prepare_together);
	tcase_add_test(tc, test_errors_pass_through);
	tcase_add_test(tc, test_close_early);
	tcase_add_test(tc, test_wide_rows);
	tcase_add_test(tc, test_processors_follow_affinity);
	tcase_add_test(tc, test_memo);
	tcase_add_test(tc, test_phone_memo);
	suite_add_tcase(s, tc);
	return s;
}
