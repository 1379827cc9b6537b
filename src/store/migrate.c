/*
 * migrate.c - the schema of the run database (docs/schema.md) and bringing
 * an older database up to XNR_STORE_SCHEMA_VERSION on a read-write open;
 * a database from a newer ExplaiNER is refused.
 */
#include "store/internal.h"

static const char schema_v1[] =
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,"
    " duration_s REAL, explainer_version TEXT, model_path TEXT, model_hash TEXT,"
    " model_arch TEXT, data_path TEXT, data_hash TEXT, split TEXT, options TEXT,"
    " scheme TEXT, n_sentences INTEGER, n_words INTEGER, n_tokens INTEGER,"
    " hidden_size INTEGER, summary TEXT);"
    "CREATE TABLE labels (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " id INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (run_id, id)) WITHOUT ROWID;"
    "CREATE TABLE documents (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " id INTEGER NOT NULL, first_line INTEGER, PRIMARY KEY (run_id, id)) WITHOUT ROWID;"
    "CREATE TABLE sentences (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " id INTEGER NOT NULL, doc_id INTEGER, source_line INTEGER, source_id TEXT, text TEXT,"
    " n_words INTEGER, n_tokens INTEGER, loss REAL, n_word_errors INTEGER,"
    " n_entity_errors INTEGER, PRIMARY KEY (run_id, id));"
    "CREATE INDEX sentences_by_loss ON sentences (run_id, loss DESC);"
    "CREATE TABLE words (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, idx INTEGER NOT NULL, text TEXT, gold INTEGER,"
    " pred INTEGER, prob_pred REAL, prob_gold REAL, loss REAL, entropy REAL,"
    " first_token INTEGER, probs BLOB, PRIMARY KEY (run_id, sentence_id, idx))"
    " WITHOUT ROWID;"
    "CREATE INDEX words_by_labels ON words (run_id, gold, pred, loss);"
    "CREATE INDEX words_by_text ON words (run_id, text, loss);"
    /* Hidden states live apart so that scans of words stay small. */
    "CREATE TABLE hidden (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, idx INTEGER NOT NULL, vec BLOB NOT NULL,"
    " PRIMARY KEY (run_id, sentence_id, idx));"
    "CREATE TABLE tokens (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, idx INTEGER NOT NULL, token_id INTEGER, text TEXT,"
    " word_idx INTEGER, start INTEGER, end INTEGER, is_first INTEGER, gold INTEGER,"
    " pred INTEGER, prob_pred REAL, loss REAL, entropy REAL, probs BLOB,"
    " PRIMARY KEY (run_id, sentence_id, idx)) WITHOUT ROWID;"
    "CREATE INDEX tokens_by_text ON tokens (run_id, text, loss);"
    "CREATE TABLE entities (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, side TEXT NOT NULL CHECK (side IN ('gold', 'pred')),"
    " start INTEGER NOT NULL, end INTEGER NOT NULL, type TEXT NOT NULL);"
    "CREATE INDEX entities_by_sentence ON entities (run_id, sentence_id);";

/* Added after schema 1 shipped; IF NOT EXISTS brings older version-1
 * databases along (a no-op that takes no write lock once the table exists). */
static const char schema_settings[] =
    "CREATE TABLE IF NOT EXISTS settings (run_id INTEGER NOT NULL REFERENCES runs(id)"
    " ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))"
    " WITHOUT ROWID;";

enum xnr_status xnr__store_migrate(struct xnr_store *s, struct xnr_error *err)
{
	sqlite3_stmt *st = NULL;
	int version = -1;
	enum xnr_status rc;

	/* Reading the schema is the first real access: it fails on a non-database. */
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 0)
		return xnr_fail(err, XNR_ERR_IO, "%s: not an ExplaiNER database (%s)", s->path,
		                sqlite3_errmsg(s->db));
	if (version > XNR_STORE_SCHEMA_VERSION)
		return xnr_fail(err, XNR_ERR_UNSUPPORTED,
		                "%s: made by a newer ExplaiNER (schema %d, this one reads %d); "
		                "upgrade explainer",
		                s->path, version, XNR_STORE_SCHEMA_VERSION);
	if (version == XNR_STORE_SCHEMA_VERSION)
		return xnr__store_exec(s, schema_settings, err);
	rc = xnr__store_exec(s, "BEGIN IMMEDIATE", err);
	if (rc == XNR_OK)
		rc = xnr__store_exec(s, schema_v1, err);
	if (rc == XNR_OK)
		rc = xnr__store_exec(s, schema_settings, err);
	if (rc == XNR_OK)
		rc = xnr__store_exec(s, "PRAGMA user_version = 1; COMMIT", err);
	if (rc != XNR_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
