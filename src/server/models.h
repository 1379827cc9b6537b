/*
 * models.h - the server's model cache (models.c): the model folder of a run,
 * and inference engines loaded once per folder and shared by the requests and
 * jobs of the Probing, Activations and Find Duplicates pages. Internal to the
 * server module (api_model.c is the user).
 */
#ifndef XNR_SERVER_MODELS_H
#define XNR_SERVER_MODELS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "infer/infer.h"
#include "server/internal.h"

struct xnr__model; /* one loaded engine, in the cache */

/* The model folder of run (its runs.model_path): an absolute path as it is; a
 * relative one (the folder the run was made in is unknown) is tried against
 * the server's working folder, then the database's folder, then as a
 * Hugging Face id in the local hub cache. dir gets the first that has a
 * config.json. Errors: XNR_ERR_IO (no such run, or the model folder is gone:
 * the message says where it looked and how to fix it), XNR_ERR_LIMIT (path
 * too long), XNR_ERR_INTERNAL (database). Thread safe. */
enum xnr_status xnr__model_dir(const struct xnr__app *app, sqlite3 *db, int64_t run, char *dir,
                               size_t dir_bytes, struct xnr_error *err);

/* Borrow the engine of model folder dir, loading it on first use (layers: an
 * engine that keeps every layer's FFN activations, for the Activations page;
 * a separate engine since that costs memory per token). The engine is locked
 * for the caller until xnr__model_release: engines are single-threaded, so
 * concurrent users of one model wait their turn. At most a few engines stay
 * loaded; the least recently used idle one is closed to make room.
 * Errors: those of xnr_engine_open, XNR_ERR_LIMIT (every slot busy),
 * XNR_ERR_NOMEM. Thread safe. */
enum xnr_status xnr__model_acquire(struct xnr__app *app, const char *dir, int layers,
                                   struct xnr__model **out, struct xnr_error *err);
struct xnr_engine *xnr__model_engine(struct xnr__model *m);
/* Give the engine back (m may be NULL). */
void xnr__model_release(struct xnr__app *app, struct xnr__model *m);

#endif
