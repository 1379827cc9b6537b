/*
 * migrate.c - the schema of the run database (docs/schema.md) as the list
 * of its migrations, each taking schema version N-1 to N. A read-write open
 * applies the ones a database lacks in one transaction (a new, empty
 * database is version 0 and takes them all), so every database ends with
 * the same schema; a database from a newer ExplaiNER is refused. A change of
 * schema is a new migration at the end and XNR_STORE_SCHEMA_VERSION + 1;
 * a shipped migration never changes (test_store_migrate.c holds copies).
 */
#include <stdio.h>

#include "store/internal.h"

/* 0 -> 1: runs and everything they hold. */
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

/* 1 -> 2: per-run display settings. Version-1 databases opened by the
 * releases that created this table without a version bump already have it. */
static const char schema_v2[] =
    "CREATE TABLE IF NOT EXISTS settings (run_id INTEGER NOT NULL REFERENCES runs(id)"
    " ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))"
    " WITHOUT ROWID;";

/* 2 -> 3: a reviewer's verdicts on words and spans (docs/schema.md), keyed to
 * the data (path, split, content hash, sentence line or id and text), not
 * to a run, so they outlive every run of that data; and the indexes that
 * find a run's sentence from a verdict's line or id. */
static const char schema_verdicts[] =
    "CREATE TABLE verdicts (id INTEGER PRIMARY KEY, data_path TEXT NOT NULL, split TEXT,"
    " data_hash TEXT NOT NULL, source_line INTEGER NOT NULL, source_id TEXT,"
    " sentence_text TEXT NOT NULL, n_words INTEGER NOT NULL, start INTEGER NOT NULL,"
    " end INTEGER NOT NULL, span_text TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN"
    " ('label_error', 'model_error', 'ambiguous', 'skip')), labels TEXT, was TEXT,"
    " who TEXT NOT NULL, why TEXT NOT NULL, created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL, run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL);"
    "CREATE INDEX verdicts_by_data ON verdicts (data_path, split, source_line);"
    "CREATE INDEX verdicts_by_hash ON verdicts (data_hash);"
    "CREATE INDEX sentences_by_line ON sentences (run_id, source_line);"
    "CREATE INDEX sentences_by_source_id ON sentences (run_id, source_id);";

/* 3 -> 4: label-issue scores (`explainer issues`, store/scores.h). */
static const char schema_issues[] =
    "CREATE TABLE issue_runs (run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
    " reference_run INTEGER, created_at TEXT NOT NULL, explainer_version TEXT,"
    " method INTEGER NOT NULL, k INTEGER NOT NULL, weights TEXT NOT NULL,"
    " over_confident INTEGER NOT NULL, over_confident_reason TEXT, reference_accuracy REAL,"
    " neighbours INTEGER NOT NULL, summary TEXT);"
    "CREATE TABLE word_scores (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, idx INTEGER NOT NULL, self_confidence REAL, margin REAL,"
    " cl_issue INTEGER NOT NULL, cl_guess INTEGER, knn_split REAL, knn_ref REAL,"
    " knn_counts TEXT, neighbours BLOB, ref_neighbours BLOB, consistency REAL,"
    " consistency_counts TEXT, structure INTEGER NOT NULL, suggested INTEGER, kind TEXT,"
    " combined REAL NOT NULL, rank INTEGER NOT NULL, PRIMARY KEY (run_id, sentence_id, idx))"
    " WITHOUT ROWID;"
    "CREATE INDEX word_scores_by_rank ON word_scores (run_id, rank);"
    "CREATE TABLE entity_scores (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " side TEXT NOT NULL CHECK (side IN ('gold', 'pred', 'string')), type TEXT NOT NULL,"
    " text TEXT, self_confidence REAL, knn REAL, consistency REAL, consistency_counts TEXT,"
    " suggested TEXT, kind TEXT, combined REAL NOT NULL, rank INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, sentence_id, start, end, side)) WITHOUT ROWID;"
    "CREATE INDEX entity_scores_by_rank ON entity_scores (run_id, rank);"
    "CREATE TABLE sentence_scores (run_id INTEGER NOT NULL REFERENCES runs(id)"
    " ON DELETE CASCADE, id INTEGER NOT NULL, worst REAL, softmin REAL, combined REAL NOT NULL,"
    " rank INTEGER NOT NULL, n_flagged INTEGER NOT NULL, PRIMARY KEY (run_id, id))"
    " WITHOUT ROWID;"
    "CREATE INDEX sentence_scores_by_rank ON sentence_scores (run_id, rank);";

/* 4 -> 5: finding sentences and keeping them. `search` is the full-text
 * index of every sentence's text (FTS5, case and accents folded), its rowid
 * (run_id << 32) | sentence id, filled here for the runs already stored and
 * by the writer for new ones; `pins` the sentences a user keeps per run;
 * an index that finds the sentences with an entity of a type.
 * Virtual tables take no foreign keys, and sqlite3 leaves them off by
 * default: a trigger clears both when a run is deleted, so a later run that
 * takes its id starts clean. */
static const char schema_search_pins[] =
    "CREATE VIRTUAL TABLE search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO search (rowid, text) SELECT (run_id << 32) | id, text FROM sentences;"
    "CREATE TABLE pins (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
    " PRIMARY KEY (run_id, sentence_id)) WITHOUT ROWID;"
    "CREATE INDEX entities_by_type ON entities (run_id, type, side, sentence_id);"
    "CREATE TRIGGER runs_forget AFTER DELETE ON runs BEGIN"
    " DELETE FROM search WHERE rowid BETWEEN old.id << 32 AND (old.id << 32) + 4294967295;"
    " DELETE FROM pins WHERE run_id = old.id; END;";

/* 5 -> 6: what the pages of a large run need (issue #15). `run_results`
 * keeps what the server computes from every word of a run (metrics, the
 * taxonomy's cells, the confusions, the loss tables) under a name once it is
 * first asked for: a run's rows never change, so a fresh server answers from
 * it instead of scanning millions of words again. Two indexes serve the
 * Samples page: one covers its filter (loss, words wrong), so its count
 * reads no rows; one is the order of sentences by loss (sentences.c), so a
 * page reads its rows in order instead of sorting every sentence first.
 * Self-contained: no other step depends on it. */
static const char schema_results[] =
    "CREATE TABLE run_results (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (run_id, name)) WITHOUT ROWID;"
    "CREATE INDEX sentences_by_loss_errors ON sentences (run_id, loss DESC, n_word_errors);"
    "CREATE INDEX sentences_by_loss_order ON sentences (run_id, loss IS NULL, loss DESC, id);";

/* 6 -> 7: a run committed in pieces (store/writer.c) names its writer,
 * "HOST PID", until its last piece; readers skip such runs, and the next
 * writer deletes those whose process is gone. NULL: a complete run. */
static const char schema_writer[] = "ALTER TABLE runs ADD COLUMN writer TEXT;";

/* migrations[i] takes version i to i + 1. */
static const char *const migrations[XNR_STORE_SCHEMA_VERSION] = {
    schema_v1,          schema_v2,      schema_verdicts, schema_issues,
    schema_search_pins, schema_results, schema_writer};

/* The database's schema version, -1 when it is not a database. */
static int schema_version(const struct xnr_store *s)
{
	sqlite3_stmt *st = NULL;
	int version = -1;

	/* Reading the schema is the first real access: it fails on a non-database. */
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

enum xnr_status xnr__store_migrate(struct xnr_store *s, struct xnr_error *err)
{
	int version = schema_version(s), v;
	char bump[64];
	enum xnr_status rc;

	if (version < 0)
		return xnr_fail(err, XNR_ERR_FORMAT, "%s: not an ExplaiNER database (%s)", s->path,
		                sqlite3_errmsg(s->db));
	if (version > XNR_STORE_SCHEMA_VERSION)
		return xnr_fail(err, XNR_ERR_UNSUPPORTED,
		                "%s: made by a newer ExplaiNER (schema %d, this one reads %d); "
		                "upgrade explainer",
		                s->path, version, XNR_STORE_SCHEMA_VERSION);
	if (version == XNR_STORE_SCHEMA_VERSION)
		return XNR_OK;
	if ((rc = xnr__store_exec(s, "BEGIN IMMEDIATE", err)) != XNR_OK)
		return rc;
	/* Another writer may have upgraded it while this one waited for the lock. */
	for (v = schema_version(s); rc == XNR_OK && v < XNR_STORE_SCHEMA_VERSION; v++)
		rc = v < 0 ? xnr__store_fail(s, err) : xnr__store_exec(s, migrations[v], err);
	snprintf(bump, sizeof bump, "PRAGMA user_version = %d; COMMIT", XNR_STORE_SCHEMA_VERSION);
	if (rc == XNR_OK && (rc = xnr__store_exec(s, bump, err)) == XNR_OK)
		return XNR_OK;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	xnr_error_prefix(err, "upgrading the schema from version %d: ", version);
	return rc;
}
