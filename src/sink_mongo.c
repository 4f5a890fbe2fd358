/* The MongoDB sink: unordered bulk inserts of the rows as BSON documents with the deterministic
 * _id, pcap rows into `packets`, pmacct rows into `flows`, through a libmongoc client pool.
 *
 * A bulk whose only write errors are 11000 (duplicate key) is a success: those rows are already
 * there from an earlier run of the same batch. Any other write error, a write-concern error or a
 * server that cannot be reached fails flush(), and the engine retries the batch. The database
 * comes from the URI's path (default pcapstream); write concern from the URI (w=, journal=;
 * default w:1). */
#include <bson/bson.h>
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sink.h"

#define MONGO_BULK_DOCS 5000 /* documents per bulk request: bounds memory */

struct sink_mongo {
	mongoc_uri_t *uri;
	mongoc_client_pool_t *pool;
	mongoc_client_t *client; /* popped for a batch */
	char db[128];
	mongoc_bulk_operation_t *bulk[2]; /* packets, flows */
	size_t queued[2];
	struct sink_stats stats;
	char failure[1024];
};

static const char *const collections[2] = { "packets", "flows" };

static void mongo_close(void *state);

static int mongo_open(const char *arg, const struct sink_env *env, void **state, char *err, size_t errlen)
{
	struct sink_mongo *m = calloc(1, sizeof(*m));
	bson_error_t berr;
	const char *db;
	int rc = -1;

	(void)env;
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	m->uri = mongoc_uri_new_with_error(arg, &berr);
	if (m->uri == NULL) {
		snprintf(err, errlen, "bad MongoDB URI: %s (e.g. mongo:mongodb://127.0.0.1:27017/pcapstream)",
			 berr.message);
		goto out;
	}
	if (!mongoc_uri_has_option(m->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(m->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 5000);
	if (!mongoc_uri_has_option(m->uri, MONGOC_URI_APPNAME))
		mongoc_uri_set_appname(m->uri, "pcapstream");
	db = mongoc_uri_get_database(m->uri);
	snprintf(m->db, sizeof(m->db), "%s", db != NULL && db[0] != '\0' ? db : "pcapstream");
	m->pool = mongoc_client_pool_new(m->uri);
	if (m->pool == NULL) {
		snprintf(err, errlen, "cannot create a client pool for %s", arg);
		goto out;
	}
	mongoc_client_pool_set_error_api(m->pool, MONGOC_ERROR_API_VERSION_2);
	*state = m;
	m = NULL;
	rc = 0;
out:
	mongo_close(m);
	return rc;
}

static void drop_bulks(struct sink_mongo *m)
{
	for (int i = 0; i < 2; i++) {
		mongoc_bulk_operation_destroy(m->bulk[i]);
		m->bulk[i] = NULL;
		m->queued[i] = 0;
	}
}

static void mongo_abort(void *state)
{
	struct sink_mongo *m = state;

	drop_bulks(m);
	if (m->client != NULL) {
		mongoc_client_pool_push(m->pool, m->client);
		m->client = NULL;
	}
}

static int mongo_begin(void *state, uint64_t batch, char *err, size_t errlen)
{
	struct sink_mongo *m = state;

	(void)batch;
	mongo_abort(m);
	memset(&m->stats, 0, sizeof(m->stats));
	m->failure[0] = '\0';
	m->client = mongoc_client_pool_pop(m->pool);
	if (m->client == NULL) {
		snprintf(err, errlen, "no MongoDB client available");
		return -1;
	}
	return 0;
}

/* Whether reply holds write errors and every one is a duplicate key (11000), with no write-concern
 * error: rows an earlier run of the batch already stored. */
static int only_duplicates(const bson_t *reply)
{
	bson_iter_t it, errs;
	int n = 0;

	if (bson_iter_init_find(&it, reply, "writeConcernErrors") && BSON_ITER_HOLDS_ARRAY(&it)) {
		bson_iter_t wc;
		if (bson_iter_recurse(&it, &wc) && bson_iter_next(&wc))
			return 0;
	}
	if (!bson_iter_init_find(&it, reply, "writeErrors") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &errs))
		return 0;
	while (bson_iter_next(&errs)) {
		bson_iter_t e, code;
		if (!BSON_ITER_HOLDS_DOCUMENT(&errs) || !bson_iter_recurse(&errs, &e) || !bson_iter_find(&e, "code"))
			return 0;
		code = e;
		if (bson_iter_as_int64(&code) != 11000)
			return 0;
		n++;
	}
	return n > 0;
}

/* Send bulk i. Returns 0, or -1 with the reason in m->failure. */
static int execute(struct sink_mongo *m, int i)
{
	bson_t reply;
	bson_error_t berr;
	uint32_t ok;
	int rc = 0;

	if (m->bulk[i] == NULL)
		return 0;
	ok = mongoc_bulk_operation_execute(m->bulk[i], &reply, &berr);
	if (!ok && !only_duplicates(&reply)) {
		char *r = bson_as_relaxed_extended_json(&reply, NULL);
		snprintf(m->failure, sizeof(m->failure), "insert into %s.%s failed: %s (%.300s)", m->db, collections[i],
			 berr.message, r != NULL ? r : "");
		bson_free(r);
		rc = -1;
	}
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(m->bulk[i]);
	m->bulk[i] = NULL;
	m->queued[i] = 0;
	return rc;
}

static int mongo_write(void *state, const struct row *rows, size_t n, char *err, size_t errlen)
{
	struct sink_mongo *m = state;

	for (size_t r = 0; r < n; r++) {
		const struct row *row = &rows[r];
		int i = row_is_flow(row);
		bson_t doc;
		bson_error_t berr;

		if (m->bulk[i] == NULL) {
			bson_t opts = BSON_INITIALIZER;
			mongoc_collection_t *c = mongoc_client_get_collection(m->client, m->db, collections[i]);
			BSON_APPEND_BOOL(&opts, "ordered", false);
			m->bulk[i] = mongoc_collection_create_bulk_operation_with_opts(c, &opts);
			bson_destroy(&opts);
			mongoc_collection_destroy(c);
		}
		bson_init(&doc);
		if (row_to_bson(row, &doc) < 0) {
			bson_destroy(&doc);
			snprintf(err, errlen, "a row does not fit in a BSON document");
			return -1;
		}
		if (!mongoc_bulk_operation_insert_with_opts(m->bulk[i], &doc, NULL, &berr)) {
			bson_destroy(&doc);
			snprintf(err, errlen, "cannot queue an insert: %s", berr.message);
			return -1;
		}
		bson_destroy(&doc);
		if (++m->queued[i] >= MONGO_BULK_DOCS && execute(m, i) < 0) {
			snprintf(err, errlen, "%s", m->failure);
			return -1;
		}
	}
	return 0;
}

static int mongo_flush(void *state, char *err, size_t errlen)
{
	struct sink_mongo *m = state;

	for (int i = 0; i < 2; i++) {
		if (execute(m, i) < 0) {
			snprintf(err, errlen, "%s", m->failure);
			mongo_abort(m);
			return -1;
		}
	}
	mongoc_client_pool_push(m->pool, m->client);
	m->client = NULL;
	return 0;
}

static void mongo_stats(void *state, struct sink_stats *out)
{
	struct sink_mongo *m = state;

	*out = m->stats;
}

static void mongo_close(void *state)
{
	struct sink_mongo *m = state;

	if (m == NULL)
		return;
	if (m->pool != NULL)
		mongo_abort(m);
	mongoc_client_pool_destroy(m->pool);
	mongoc_uri_destroy(m->uri);
	free(m);
}

const struct sink_ops sink_mongo_ops = {
	.name = "mongo",
	.help = "mongo:mongodb://HOST:PORT/DB[?w=majority]  MongoDB (or FerretDB) collections packets and flows, "
		"unordered bulk inserts",
	.open = mongo_open,
	.begin = mongo_begin,
	.write = mongo_write,
	.flush = mongo_flush,
	.abort = mongo_abort,
	.stats = mongo_stats,
	.close = mongo_close,
};
