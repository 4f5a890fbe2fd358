/* Indexes and the daily traffic query against MongoDB or FerretDB. */
#include <bson/bson.h>
#include <mongoc/mongoc.h>
#include <stdio.h>
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

/* The sum of `what` (a field path such as "$network.bytes") over the documents with field == host
 * and @timestamp in [t0, t1) ms. One accumulator per $group: FerretDB 1.24 computes only the first
 * accumulator of a $group and returns 0 for the others. */
static int sum_of(mongoc_collection_t *coll, const char *field, const char *host, int64_t t0, int64_t t1,
		  const char *what, int64_t *sum, char *err, size_t errlen)
{
	bson_t *pipeline = BCON_NEW("pipeline", "[", "{", "$match", "{", field, BCON_UTF8(host), "@timestamp", "{",
				    "$gte", BCON_DATE_TIME(t0), "$lt", BCON_DATE_TIME(t1), "}", "}", "}", "{", "$group",
				    "{", "_id", BCON_NULL, "sum", "{", "$sum", BCON_UTF8(what), "}", "}", "}", "]");
	mongoc_cursor_t *cur = mongoc_collection_aggregate(coll, MONGOC_QUERY_NONE, pipeline, NULL, NULL);
	const bson_t *doc;
	bson_error_t berr;
	int rc = 0;

	*sum = 0;
	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		if (bson_iter_init_find(&it, doc, "sum"))
			*sum = bson_iter_as_int64(&it);
	}
	if (mongoc_cursor_error(cur, &berr)) {
		snprintf(err, errlen, "aggregate: %s", berr.message);
		rc = -1;
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(pipeline);
	return rc;
}

/* Bytes and packets of one direction (field == host) in [t0, t1). */
static int sum_direction(mongoc_collection_t *coll, const char *field, const char *host, int64_t t0, int64_t t1,
			 int64_t *bytes, int64_t *packets, char *err, size_t errlen)
{
	if (sum_of(coll, field, host, t0, t1, "$network.bytes", bytes, err, errlen) < 0)
		return -1;
	return sum_of(coll, field, host, t0, t1, "$network.packets", packets, err, errlen);
}

json_t *mongoq_daily(const char *uri, const char *collection, const char *host, const char *from, const char *to,
		     char *err, size_t errlen)
{
	int64_t d0, d1;
	char db[128];
	mongoc_client_t *c = NULL;
	mongoc_collection_t *coll = NULL;
	json_t *out = NULL;

	if (daily_range(from, to, &d0, &d1, err, errlen) < 0)
		return NULL;
	c = connect_uri(uri, db, sizeof(db), err, errlen);
	if (c == NULL)
		return NULL;
	coll = mongoc_client_get_collection(c, db, collection);
	out = json_array();
	for (int64_t d = d0; d <= d1; d++) {
		int64_t inb, inp, outb, outp, t0 = d * 86400000, t1 = (d + 1) * 86400000;
		if (sum_direction(coll, "destination.ip", host, t0, t1, &inb, &inp, err, errlen) < 0 ||
		    sum_direction(coll, "source.ip", host, t0, t1, &outb, &outp, err, errlen) < 0) {
			json_decref(out);
			out = NULL;
			break;
		}
		json_array_append_new(out, daily_row(d, inb, outb, inp, outp));
	}
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(c);
	return out;
}
