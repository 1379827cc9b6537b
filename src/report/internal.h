/* report/internal.h - helpers shared by the files of the report module. */
#ifndef XNR_REPORT_INTERNAL_H
#define XNR_REPORT_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/status.h"

/* XNR_ERR_IO with "<database file>: <sqlite message>". */
enum xnr_status xnr__report_sql_fail(sqlite3 *db, struct xnr_error *err);

/* XNR_OK when run `run` exists in db; XNR_ERR_IO naming the run otherwise. */
enum xnr_status xnr__report_check_run(sqlite3 *db, int64_t run, struct xnr_error *err);

#endif
