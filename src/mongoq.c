/* Indexes and the daily traffic query against MongoDB or FerretDB. */
#include <bson/bson.h>
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daily.h"
#include "mongoq.h"

static mongoc_client_t *connect_uri(const char *uri_text, char *db, size_t dblen, char *err, size_t errlen)
{
	bson_error_t berr;
	mongoc_uri_t *uri = mongoc_uri_new_with_error(uri_text, &berr);
	mongoc_client_t *c;

	if (uri == NULL) {
		snprintf(err, errlen, "bad MongoDB URI: %s", berr.message);
		return NULL;
	}
	if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 5000);
	const char *d = mongoc_uri_get_database(uri);
	snprintf(db, dblen, "%s", d != NULL && d[0] != '\0' ? d : "pcapstream");
	c = mongoc_client_new_from_uri(uri);
	mongoc_uri_destroy(uri);
	if (c == NULL)
		snprintf(err, errlen, "cannot create a MongoDB client");
	else
		mongoc_client_set_error_api(c, MONGOC_ERROR_API_VERSION_2);
	return c;
}

/* Whether collection coll of d has an index called name. */
static int has_index(mongoc_database_t *d, const char *coll, const char *name)
{
	mongoc_collection_t *c = mongoc_database_get_collection(d, coll);
	mongoc_cursor_t *cur = mongoc_collection_find_indexes_with_opts(c, NULL);
	const bson_t *doc;
	int found = 0;

	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		if (bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it) &&
		    strcmp(bson_iter_utf8(&it, NULL), name) == 0)
			found = 1;
	}
	mongoc_cursor_destroy(cur);
	mongoc_collection_destroy(c);
	return found;
}

int mongoq_setup(const char *uri, char *err, size_t errlen)
{
	static const char *const colls[] = { "packets", "flows", NULL };
	static const char *const keys[] = { "@timestamp", "source.ip", "destination.ip", NULL };
	char db[128];
	mongoc_client_t *c = connect_uri(uri, db, sizeof(db), err, errlen);
	mongoc_database_t *d = NULL;
	int rc = -1;

	if (c == NULL)
		return -1;
	d = mongoc_client_get_database(c, db);
	for (int i = 0; colls[i] != NULL; i++) {
		bson_t cmd = BSON_INITIALIZER, indexes, reply;
		bson_error_t berr;
		char idx[16];
		int missing = 0;
		BSON_APPEND_UTF8(&cmd, "createIndexes", colls[i]);
		BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &indexes);
		for (int k = 0; keys[k] != NULL; k++) {
			bson_t index, key;
			char name[64];
			snprintf(name, sizeof(name), "%s_1", keys[k]);
			/* Only missing ones: FerretDB 1.24 panics on createIndexes for existing indexes. */
			if (has_index(d, colls[i], name))
				continue;
			snprintf(idx, sizeof(idx), "%d", missing++);
			BSON_APPEND_DOCUMENT_BEGIN(&indexes, idx, &index);
			BSON_APPEND_DOCUMENT_BEGIN(&index, "key", &key);
			BSON_APPEND_INT32(&key, keys[k], 1);
			bson_append_document_end(&index, &key);
			BSON_APPEND_UTF8(&index, "name", name);
			bson_append_document_end(&indexes, &index);
		}
		bson_append_array_end(&cmd, &indexes);
		if (missing == 0) {
			bson_destroy(&cmd);
			continue;
		}
		bool ok = mongoc_database_write_command_with_opts(d, &cmd, NULL, &reply, &berr);
		bson_destroy(&cmd);
		bson_destroy(&reply);
		if (!ok) {
			snprintf(err, errlen, "createIndexes on %s.%s: %s", db, colls[i], berr.message);
			goto out;
		}
	}
	rc = 0;
out:
	mongoc_database_destroy(d);
	mongoc_client_destroy(c);
	return rc;
}

/* The int64 at a dotted path of doc, or 0 when it is missing. */
static int64_t int_at(const bson_t *doc, const char *path)
{
	bson_iter_t it, v;

	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &v))
		return 0;
	return bson_iter_as_int64(&v);
}

/* Whether the UTF-8 string at a dotted path of doc equals s. */
static int str_at_is(const bson_t *doc, const char *path, const char *s)
{
	bson_iter_t it, v;

	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &v) || !BSON_ITER_HOLDS_UTF8(&v))
		return 0;
	return strcmp(bson_iter_utf8(&v, NULL), s) == 0;
}

/* Adds every row of coll with host at either end and @timestamp in days [d0, d1] to sums (d1 - d0
 * + 1 entries): one find, its documents cut down to five fields and summed here as they stream in,
 * so memory stays at one cursor batch. A row from host to itself counts both ways. Returns 0, or
 * -1 with err (sums then hold a part). */
static int sum_days(mongoc_collection_t *coll, const char *host, int64_t d0, int64_t d1, struct daily_sums *sums,
		    char *err, size_t errlen)
{
	bson_t *filter = BCON_NEW("$or", "[", "{", "source.ip", BCON_UTF8(host), "}", "{", "destination.ip",
				  BCON_UTF8(host), "}", "]", "@timestamp", "{", "$gte", BCON_DATE_TIME(d0 * 86400000),
				  "$lt", BCON_DATE_TIME((d1 + 1) * 86400000), "}");
	bson_t *opts = BCON_NEW("projection", "{", "_id", BCON_INT32(0), "@timestamp", BCON_INT32(1), "source.ip",
				BCON_INT32(1), "destination.ip", BCON_INT32(1), "network.bytes", BCON_INT32(1),
				"network.packets", BCON_INT32(1), "}");
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	const bson_t *doc;
	bson_error_t berr;
	int rc = 0;

	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		int64_t ms, day;

		if (!bson_iter_init_find(&it, doc, "@timestamp") || !BSON_ITER_HOLDS_DATE_TIME(&it))
			continue;
		ms = bson_iter_date_time(&it);
		day = (ms >= 0 ? ms : ms - 86399999) / 86400000;
		if (day < d0 || day > d1)
			continue;
		struct daily_sums *s = &sums[day - d0];
		int64_t bytes = int_at(doc, "network.bytes"), packets = int_at(doc, "network.packets");
		if (str_at_is(doc, "destination.ip", host)) {
			s->in_bytes += bytes;
			s->in_packets += packets;
		}
		if (str_at_is(doc, "source.ip", host)) {
			s->out_bytes += bytes;
			s->out_packets += packets;
		}
	}
	if (mongoc_cursor_error(cur, &berr)) {
		snprintf(err, errlen, "find: %s", berr.message);
		rc = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	return rc;
}

json_t *mongoq_daily(const char *uri, const char *collection, const char *host, const char *from, const char *to,
		     char *err, size_t errlen)
{
	int64_t d0, d1;
	char db[128];
	mongoc_client_t *c = NULL;
	mongoc_collection_t *coll = NULL;
	struct daily_sums *sums = NULL;
	json_t *out = NULL;

	if (daily_range(from, to, &d0, &d1, err, errlen) < 0)
		goto out;
	sums = calloc((size_t)(d1 - d0 + 1), sizeof(*sums));
	if (sums == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c = connect_uri(uri, db, sizeof(db), err, errlen);
	if (c == NULL)
		goto out;
	coll = mongoc_client_get_collection(c, db, collection);
	if (sum_days(coll, host, d0, d1, sums, err, errlen) < 0)
		goto out;
	out = daily_rows(d0, d1, sums);
	if (out == NULL)
		snprintf(err, errlen, "out of memory");
out:
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(c);
	free(sums);
	return out;
}

int64_t mongoq_prune(const char *uri, const char *collection, int64_t cutoff_ms, int dry_run, char *err, size_t errlen)
{
	char db[128];
	mongoc_client_t *c = connect_uri(uri, db, sizeof(db), err, errlen);
	mongoc_collection_t *coll = NULL;
	bson_t *filter = BCON_NEW("@timestamp", "{", "$lt", BCON_DATE_TIME(cutoff_ms), "}");
	bson_t reply = BSON_INITIALIZER;
	bson_error_t berr;
	bson_iter_t it;
	int64_t n = -1;

	if (c == NULL)
		goto out;
	coll = mongoc_client_get_collection(c, db, collection);
	if (dry_run) {
		n = mongoc_collection_count_documents(coll, filter, NULL, NULL, NULL, &berr);
		if (n < 0)
			snprintf(err, errlen, "counting %s.%s before the cutoff: %s", db, collection, berr.message);
		goto out;
	}
	bson_destroy(&reply);
	if (!mongoc_collection_delete_many(coll, filter, NULL, &reply, &berr)) {
		snprintf(err, errlen, "deleting from %s.%s: %s", db, collection, berr.message);
		goto out;
	}
	n = bson_iter_init_find(&it, &reply, "deletedCount") ? bson_iter_as_int64(&it) : 0;
out:
	bson_destroy(&reply);
	bson_destroy(filter);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(c);
	return n;
}
