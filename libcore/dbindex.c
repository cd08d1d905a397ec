/* dbindex.c - a table's indexes dropped while a bulk write fills it, then
 * built again.
 *
 * Entry by entry, in the random order of emails, phone numbers and names,
 * the indexes of people took 10-12 s of the 23 s SQLite alone needs to
 * write a million of them; built once after the rows, from sorted keys,
 * 5 s.  So an import into an empty table leaves the indexes that no row
 * is looked up by to the end (crm_import_begin).  It runs inside one
 * transaction: a rollback, or a kill, brings the indexes back as they
 * were.  (Not for emptying a table: dropping an index of a million
 * entries inside a transaction, with secure_delete on, held 70 MB more
 * than the page cache.)
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Steps over one string of a saved list. */
static const char *next(const char *p)
{
	return p + strlen(p) + 1;
}

/* Appends "name\0sql\0" to *saved for each index crm_indexes_drop drops. */
static int list(crm_db *db, const char *table, const char *keep, crm_buf *saved)
{
	crm_stmt *st;
	int rc = crm_db_stmt(db, &st, "SELECT m.name, m.sql FROM sqlite_master m"
	                     " JOIN pragma_index_list(?1) l ON l.name = m.name"
	                     " WHERE m.sql IS NOT NULL AND NOT l.\"unique\" AND NOT l.partial"
	                     " AND NOT EXISTS (SELECT 1 FROM pragma_index_info(m.name) i"
	                     " WHERE i.name IN (SELECT value FROM json_each(?2)))");

	if (rc)
		return rc;
	crm_stmt_bind_text(st, 1, table);
	crm_stmt_bind_text(st, 2, keep);
	while ((rc = crm_stmt_step(st)) == CRM_ROW)
		for (int c = 0; c < 2 && rc == CRM_ROW; c++)
			if (crm_buf_put(saved, crm_stmt_text(st, c), strlen(crm_stmt_text(st, c)) + 1))
				rc = crm_error_nomem();
	crm_stmt_reset(st);
	return rc < 0 ? rc : CRM_OK;
}

int crm_indexes_drop(crm_db *db, const char *table, const char *keep, crm_buf *saved)
{
	crm_buf sql = CRM_BUF_INIT;
	size_t from = saved->len;
	int rc;

	if (!db->in_tx)
		return crm_error_set(CRM_EFAIL, "indexes dropped outside a transaction");
	if ((rc = list(db, table, keep, saved)))
		return rc;
	for (const char *p = saved->ptr + from, *end = saved->ptr + saved->len; !rc && p < end;
	     p = next(next(p))) {
		crm_buf_clear(&sql);
		rc = crm_buf_printf(&sql, "DROP INDEX \"%s\"", p) ? crm_error_nomem()
		     : crm_db_exec(db, crm_buf_str(&sql));
	}
	crm_buf_free(&sql);
	return rc;
}

/* SQLite sorts the keys in as much memory as the page cache may hold, and
 * its temporary files are in memory for an import (crm_db_memory_journal):
 * a million people's email keys took 40 MB more than the cache.  The sort
 * goes to a temporary file instead, past the SORT_MB the cache is cut to
 * meanwhile, and on a second thread beside this one (a fifth less time
 * for a million keys): the caller's other thread, if any, has ended. */
#define SORT_MB 8

int crm_indexes_build(crm_db *db, const crm_buf *saved)
{
	char restore[64];
	int rc, end, store = 0, cache = 0;

	if (!saved->len)
		return CRM_OK;
	if ((rc = crm_db_int(db, "PRAGMA cache_size", &cache)) ||
	    (rc = crm_db_temp_store(db, 1, &store)))
		return rc;
	if (!(rc = crm_db_cache_mb(db, SORT_MB)) && !(rc = crm_db_exec(db, "PRAGMA threads = 1")))
		for (const char *p = saved->ptr, *e = p + saved->len; !rc && p < e; p = next(next(p)))
			rc = crm_db_exec(db, next(p));
	/* Put back whether or not the build went through: the connection
	 * outlives a failed import. */
	snprintf(restore, sizeof restore, "PRAGMA threads = 0; PRAGMA cache_size = %d", cache);
	if (!(end = crm_db_exec(db, restore)))
		end = crm_db_temp_store(db, store, &store);
	return rc ? rc : end;
}
