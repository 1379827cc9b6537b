/*
 * test_store_migrate.c - databases of every earlier schema version, made
 * here with the schema as that version shipped it (frozen copies: a shipped
 * migration must never change) and a run in it, open, read and upgrade:
 * version 0 (a new, empty file), version 1 as first released, version 1
 * with the settings table the releases before version 2 created on the
 * side, versions 2, 3, 4, 5 and 6. Each ends with the schema of a
 * new database, its run readable, without label-issue scores, found by the
 * search index and taking settings, verdicts, pins and kept results; a second open
 * changes nothing; a newer version is refused.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/read.h"
#include "store/scores.h"
#include "store/store.h"
#include "store/verdicts.h"

/* Schema version 1, as ExplaiNER 0.1 wrote it. */
static const char v1_sql[] =
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
    "CREATE INDEX entities_by_sentence ON entities (run_id, sentence_id);"
    "PRAGMA user_version = 1;";

/* What the releases of version 1 added on every read-write open. */
static const char v1_settings_sql[] =
    "CREATE TABLE IF NOT EXISTS settings (run_id INTEGER NOT NULL REFERENCES runs(id)"
    " ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))"
    " WITHOUT ROWID;";

/* Version 2: version 1 and its settings table, numbered. */
static const char v2_bump_sql[] = "PRAGMA user_version = 2;";

/* Version 3: version 2 and a reviewer's verdicts, as that migration shipped. */
static const char v3_sql[] =
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
    "CREATE INDEX sentences_by_source_id ON sentences (run_id, source_id);"
    "PRAGMA user_version = 3;";

/* Version 4: version 3 and the label-issue scores, as that migration shipped. */
static const char v4_sql[] =
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
    "CREATE INDEX sentence_scores_by_rank ON sentence_scores (run_id, rank);"
    "PRAGMA user_version = 4;";

/* Version 5: version 4, the search index and pins, as that migration shipped. */
static const char v5_sql[] =
    "CREATE VIRTUAL TABLE search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO search (rowid, text) SELECT (run_id << 32) | id, text FROM sentences;"
    "CREATE TABLE pins (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " sentence_id INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
    " PRIMARY KEY (run_id, sentence_id)) WITHOUT ROWID;"
    "CREATE INDEX entities_by_type ON entities (run_id, type, side, sentence_id);"
    "CREATE TRIGGER runs_forget AFTER DELETE ON runs BEGIN"
    " DELETE FROM search WHERE rowid BETWEEN old.id << 32 AND (old.id << 32) + 4294967295;"
    " DELETE FROM pins WHERE run_id = old.id; END;"
    "PRAGMA user_version = 5;";

/* Version 6: version 5 and the kept results with the Samples indexes. */
static const char v6_sql[] =
    "CREATE TABLE run_results (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (run_id, name)) WITHOUT ROWID;"
    "CREATE INDEX sentences_by_loss_errors ON sentences (run_id, loss DESC, n_word_errors);"
    "CREATE INDEX sentences_by_loss_order ON sentences (run_id, loss IS NULL, loss DESC, id);"
    "PRAGMA user_version = 6;";

/* A run of one sentence of one word, as version 1's writer stored it. */
static const char v1_run_sql[] =
    "INSERT INTO runs VALUES (1, 'k', '2026-01-02T03:04:05Z', 1.5, '0.1.0', 'm', 'mh', 'Bert',"
    " 'd.conll', 'dh', NULL, '{}', '{\"data\":\"IOB2\"}', 1, 1, 1, 4, '{}');"
    "INSERT INTO labels VALUES (1, 0, 'O'), (1, 1, 'B-PER');"
    "INSERT INTO documents VALUES (1, 0, 1);"
    "INSERT INTO sentences VALUES (1, 0, 0, 1, NULL, 'Ann', 1, 1, 0.25, 0, 0);"
    "INSERT INTO words VALUES (1, 0, 0, 'Ann', 1, 1, 0.9, 0.9, 0.25, 0.1, 0, NULL);"
    "INSERT INTO tokens VALUES (1, 0, 0, 7, 'Ann', 0, 0, 3, 1, 1, 1, 0.9, 0.25, 0.1, NULL);"
    "INSERT INTO entities VALUES (1, 0, 'gold', 0, 1, 'PER');";

/* path, with sql run on it first (NULL: an empty file). */
static void make(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	remove(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sql)
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* The schema as text: every table and index with its SQL, in name order,
 * and the version. */
static void schema_of(const char *path, char *out, size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t used = 0;

	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name || ': ' || coalesce(sql, '') FROM"
	                                    " sqlite_master ORDER BY name",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && used < size)
		used +=
		    (size_t)snprintf(out + used, size - used, "%s\n", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (used < size)
		snprintf(out + used, size - used, "version %d\n", sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The schema of a new database (in dir). */
static void new_schema(const char *dir, char *out, size_t size)
{
	char path[4200];
	struct xnr_store *s = NULL;
	struct xnr_error err;

	snprintf(path, sizeof path, "%s/new.db", dir);
	remove(path);
	assert_int_equal(xnr_store_open(path, 1, &s, &err), XNR_OK);
	xnr_store_close(s);
	schema_of(path, out, size);
}

/* The upgraded run takes a verdict, and lists it as current. */
static void verdict_on_old_run(struct xnr_store *s)
{
	static const char *const fix[] = {"O"};
	struct xnr_verdict_input in = {XNR_VERDICT_LABEL_ERROR, 0, 1, fix, "ann", "not a name"};
	struct xnr_verdict *v = NULL;
	struct xnr_error err;
	int64_t id = 0;
	size_t n = 0;

	assert_int_equal(xnr_verdict_add(s, 1, 0, &in, &id, &err), XNR_OK);
	assert_int_equal(xnr_store_verdicts(s, 1, -1, &v, &n, &err), XNR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].state, XNR_VERDICT_CURRENT);
	assert_string_equal(v[0].was[0], "B-PER");
	assert_string_equal(v[0].span_text, "Ann");
	xnr_verdicts_free(v, n);
}

/* The upgraded run's sentence is in the search index, and takes a pin. */
static void search_old_run(struct xnr_store *s)
{
	struct xnr_sentence_query q = xnr_sentence_query_default(1);
	struct xnr_pin *pins = NULL;
	struct xnr_error err;
	int64_t total = 0;
	size_t n = 0;

	q.text = "ann";
	assert_int_equal(xnr_store_sentences_count(s, &q, &total, &err), XNR_OK);
	assert_int_equal(total, 1);
	assert_int_equal(xnr_store_pin(s, 1, 0, "kept", &err), XNR_OK);
	assert_int_equal(xnr_store_pins(s, 1, &pins, &n, &err), XNR_OK);
	assert_int_equal(n, 1);
	xnr_pins_free(pins, n);
}

/* The upgraded run keeps computed results (schema 6), and has none yet. */
static void kept_on_old_run(struct xnr_store *s)
{
	struct xnr_error err;
	void *back = NULL;
	size_t n = 0;

	assert_int_equal(xnr_store_result_get(s, 1, "metrics", &back, &n, &err), XNR_ERR_NOT_FOUND);
	assert_int_equal(xnr_store_result_put(s, 1, "metrics", "{}", 2, &err), XNR_OK);
	assert_int_equal(xnr_store_result_get(s, 1, "metrics", &back, &n, &err), XNR_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(back, "{}", 2);
	free(back);
}

/* Open (upgrade) path; it has the new schema, and its run (if any) reads
 * and takes settings. */
static void upgrade(const char *path, const char *want, int has_run)
{
	static char got[16384];
	struct xnr_setting set = {"color.PER", "#123456"}, *back = NULL;
	struct xnr_issue_run rec;
	struct xnr_store *s = NULL;
	struct xnr_run run;
	struct xnr_error err;
	size_t n = 0;

	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_OK);
	schema_of(path, got, sizeof got);
	assert_string_equal(got, want);
	if (has_run) {
		assert_int_equal(xnr_store_run_get(s, 1, &run, &err), XNR_OK);
		assert_string_equal(run.created_at, "2026-01-02T03:04:05Z");
		assert_int_equal(run.n_labels, 2);
		xnr_run_free(&run);
		assert_int_equal(xnr_settings_save(s, 1, &set, 1, &err), XNR_OK);
		assert_int_equal(xnr_settings_load(s, 1, &back, &n, &err), XNR_OK);
		assert_int_equal(n, 1);
		assert_string_equal(back[0].value, "#123456");
		xnr_settings_free(back, n);
		verdict_on_old_run(s);
		assert_int_equal(xnr_store_issue_run(s, 1, &rec, &err), XNR_ERR_NOT_FOUND);
		assert_non_null(strstr(err.msg, "no label-issue scores"));
		search_old_run(s);
		kept_on_old_run(s);
	}
	xnr_store_close(s);
	/* the second open finds nothing to do */
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_OK);
	xnr_store_close(s);
	schema_of(path, got, sizeof got);
	assert_string_equal(got, want);
}

static void test_every_earlier_version(void **state)
{
	static char want[16384];
	static char sql[sizeof v1_sql + sizeof v1_settings_sql + sizeof v1_run_sql + sizeof v3_sql +
	                sizeof v4_sql + sizeof v5_sql + sizeof v6_sql];
	const char *dir = tu_tmpdir("store_migrate");
	char path[4200];
	(void)state;

	new_schema(dir, want, sizeof want);
	assert_non_null(strstr(want, "settings: CREATE TABLE"));
	assert_non_null(strstr(want, "verdicts: CREATE TABLE"));
	assert_non_null(strstr(want, "word_scores: CREATE TABLE"));
	assert_non_null(strstr(want, "search: CREATE VIRTUAL TABLE"));
	assert_non_null(strstr(want, "pins: CREATE TABLE"));
	assert_non_null(strstr(want, "runs_forget: CREATE TRIGGER"));
	assert_non_null(strstr(want, "run_results: CREATE TABLE"));
	assert_non_null(strstr(want, "sentences_by_loss_errors: CREATE INDEX"));
	assert_non_null(strstr(want, "writer TEXT"));
	assert_non_null(strstr(want, "version 7\n"));
	snprintf(path, sizeof path, "%s/v0.db", dir);
	make(path, NULL);
	upgrade(path, want, 0);
	snprintf(sql, sizeof sql, "%s%s", v1_sql, v1_run_sql);
	snprintf(path, sizeof path, "%s/v1.db", dir);
	make(path, sql);
	upgrade(path, want, 1);
	snprintf(sql, sizeof sql, "%s%s%s", v1_sql, v1_settings_sql, v1_run_sql);
	snprintf(path, sizeof path, "%s/v1_settings.db", dir);
	make(path, sql);
	upgrade(path, want, 1);
	snprintf(sql, sizeof sql, "%s%s%s%s", v1_sql, v1_settings_sql, v1_run_sql, v2_bump_sql);
	snprintf(path, sizeof path, "%s/v2.db", dir);
	make(path, sql);
	upgrade(path, want, 1);
	snprintf(sql, sizeof sql, "%s%s%s%s", v1_sql, v1_settings_sql, v1_run_sql, v3_sql);
	snprintf(path, sizeof path, "%s/v3.db", dir);
	make(path, sql);
	upgrade(path, want, 1);
	snprintf(sql, sizeof sql, "%s%s%s%s%s", v1_sql, v1_settings_sql, v1_run_sql, v3_sql,
	         v4_sql);
	snprintf(path, sizeof path, "%s/v4.db", dir);
	make(path, sql);
	upgrade(path, want, 1);
	snprintf(sql, sizeof sql, "%s%s%s%s%s%s", v1_sql, v1_settings_sql, v1_run_sql, v3_sql,
	         v4_sql, v5_sql);
	snprintf(path, sizeof path, "%s/v5.db", dir);
	make(path, sql);
	upgrade(path, want, 1);
	snprintf(sql, sizeof sql, "%s%s%s%s%s%s%s", v1_sql, v1_settings_sql, v1_run_sql, v3_sql,
	         v4_sql, v5_sql, v6_sql);
	snprintf(path, sizeof path, "%s/v6.db", dir);
	make(path, sql);
	upgrade(path, want, 1);
}

/* A version-1 database read before an upgrade has no settings and no scores. */
static void test_read_only_before_upgrade(void **state)
{
	static char sql[sizeof v1_sql + sizeof v1_run_sql];
	const char *dir = tu_tmpdir("store_migrate_ro");
	char path[4200];
	struct xnr_setting *kv = NULL;
	struct xnr_store *s = NULL;
	struct xnr_run run;
	struct xnr_error err;
	size_t n = 5;
	(void)state;

	snprintf(sql, sizeof sql, "%s%s", v1_sql, v1_run_sql);
	snprintf(path, sizeof path, "%s/v1.db", dir);
	make(path, sql);
	assert_int_equal(xnr_store_open_read(path, &s, &err), XNR_OK);
	assert_int_equal(xnr_store_run_get(s, 1, &run, &err), XNR_OK);
	xnr_run_free(&run);
	assert_int_equal(xnr_settings_load(s, 1, &kv, &n, &err), XNR_OK);
	assert_int_equal(n, 0);
	assert_null(kv);
	{ /* nor label-issue scores */
		struct xnr_issue_run rec;
		assert_int_equal(xnr_store_issue_run(s, 1, &rec, &err), XNR_ERR_NOT_FOUND);
	}
	xnr_store_close(s);
}

static void test_newer_is_refused(void **state)
{
	const char *dir = tu_tmpdir("store_migrate_new");
	char path[4200], sql[64];
	struct xnr_store *s = NULL;
	struct xnr_error err;
	(void)state;

	snprintf(path, sizeof path, "%s/future.db", dir);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", XNR_STORE_SCHEMA_VERSION + 1);
	make(path, sql);
	assert_int_equal(xnr_store_open(path, 0, &s, &err), XNR_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "newer ExplaiNER"));
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_earlier_version),
	    cmocka_unit_test(test_read_only_before_upgrade),
	    cmocka_unit_test(test_newer_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
