/* store/internal.h - helpers shared by store.c and writer.c. */
#ifndef XNR_STORE_INTERNAL_H
#define XNR_STORE_INTERNAL_H

#include <sqlite3.h>

#include "core/status.h"
#include "store/store.h"

/* Run SQL with no results; XNR_ERR_IO with "path: sqlite message" on failure. */
enum xnr_status xnr__store_sql(sqlite3 *db, const char *sql, const char *path,
                               struct xnr_error *err);
const char *xnr__store_path(const struct xnr_store *store);

#endif
