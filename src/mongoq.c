/* Indexes and the dashboard's queries (daily traffic, conversations) against MongoDB or FerretDB. */
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

/* Whether doc has a value at a dotted path. */
static int has_at(const bson_t *doc, const char *path)
{
	bson_iter_t it, v;

	return bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &v);
}

/* What doc counts for host (daily_count's rule) into *c. */
static void counts_of(const bson_t *doc, const char *host, struct daily_counts *c)
{
	c->has_dir = has_at(doc, "source.bytes");
	c->bytes = int_at(doc, "network.bytes");
	c->packets = int_at(doc, "network.packets");
	c->src_bytes = int_at(doc, "source.bytes");
	c->src_packets = int_at(doc, "source.packets");
	c->dst_bytes = int_at(doc, "destination.bytes");
	c->dst_packets = int_at(doc, "destination.packets");
	c->src_is_host = str_at_is(doc, "source.ip", host);
	c->dst_is_host = str_at_is(doc, "destination.ip", host);
}

/* Adds every row of coll with host at either end and @timestamp in days [d0, d1] to sums (d1 - d0
 * + 1 entries) by daily_count's rule: one find, its documents cut down to the fields it needs and
 * summed here as they stream in, so memory stays at one cursor batch. Returns 0, or -1 with err
 * (sums then hold a part). */
static int sum_days(mongoc_collection_t *coll, const char *host, int64_t d0, int64_t d1, struct daily_sums *sums,
		    char *err, size_t errlen)
{
	bson_t *filter = BCON_NEW("$or", "[", "{", "source.ip", BCON_UTF8(host), "}", "{", "destination.ip",
				  BCON_UTF8(host), "}", "]", "@timestamp", "{", "$gte", BCON_DATE_TIME(d0 * 86400000),
				  "$lt", BCON_DATE_TIME((d1 + 1) * 86400000), "}");
	bson_t *opts =
	    BCON_NEW("projection", "{", "_id", BCON_INT32(0), "@timestamp", BCON_INT32(1), "source.ip", BCON_INT32(1),
		     "destination.ip", BCON_INT32(1), "network.bytes", BCON_INT32(1), "network.packets", BCON_INT32(1),
		     "source.bytes", BCON_INT32(1), "source.packets", BCON_INT32(1), "destination.bytes", BCON_INT32(1),
		     "destination.packets", BCON_INT32(1), "}");
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
		struct daily_counts dc;
		counts_of(doc, host, &dc);
		daily_count(&dc, &s->in_bytes, &s->out_bytes, &s->in_packets, &s->out_packets);
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

/* --- conversations ------------------------------------------------------------------------------ */

/* The UTF-8 string at a dotted path of doc (valid while doc is), or NULL. */
static const char *str_at(const bson_t *doc, const char *path)
{
	bson_iter_t it, v;

	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &v) || !BSON_ITER_HOLDS_UTF8(&v))
		return NULL;
	return bson_iter_utf8(&v, NULL);
}

/* The time at path (a BSON Date) in ns, exact from PATH_ns when the row has it; -1 when absent. */
static int64_t time_at(const bson_t *doc, const char *path)
{
	bson_iter_t it, v;
	char ns_path[64];

	snprintf(ns_path, sizeof(ns_path), "%s_ns", path);
	if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, ns_path, &v) && BSON_ITER_HOLDS_INT64(&v))
		return bson_iter_int64(&v);
	if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &v) && BSON_ITER_HOLDS_DATE_TIME(&v))
		return bson_iter_date_time(&v) * 1000000;
	return -1;
}

/* Add flow record doc to conversation g (daily_count's rule, the first record's endpoints). */
static void conv_add(struct daily_conv *g, const bson_t *doc, const char *host)
{
	struct daily_counts dc;
	int64_t ts = time_at(doc, "@timestamp"), start = time_at(doc, "event.start"), end = time_at(doc, "event.end");
	const char *t;

	if (start < 0)
		start = ts;
	if (g->records == 0 || ts < g->first_ts) {
		g->first_ts = ts;
		g->start_ns = start;
		t = str_at(doc, "network.transport");
		snprintf(g->transport, sizeof(g->transport), "%s", t != NULL ? t : "");
		t = str_at(doc, "source.ip");
		snprintf(g->src_ip, sizeof(g->src_ip), "%s", t != NULL ? t : "");
		t = str_at(doc, "destination.ip");
		snprintf(g->dst_ip, sizeof(g->dst_ip), "%s", t != NULL ? t : "");
		g->src_port = has_at(doc, "source.port") ? int_at(doc, "source.port") : -1;
		g->dst_port = has_at(doc, "destination.port") ? int_at(doc, "destination.port") : -1;
	}
	if (end > g->end_ns)
		g->end_ns = end;
	counts_of(doc, host, &dc);
	daily_count(&dc, &g->in_bytes, &g->out_bytes, &g->in_packets, &g->out_packets);
	g->bytes += dc.bytes;
	g->packets += dc.packets;
	g->records++;
	for (int k = 0; k < 3; k++)
		daily_conv_add_name(g, k, str_at(doc, daily_conv_name_fields[k]), 1);
}

/* Offer the finished conversation g to t. */
static void conv_done(struct daily_top *t, struct daily_conv *g)
{
	if (g->end_ns < g->start_ns)
		g->end_ns = g->start_ns;
	daily_top_offer(t, g);
}

json_t *mongoq_conversations(const char *uri, const struct daily_conv_query *q, char *err, size_t errlen)
{
	char db[128];
	mongoc_client_t *c = NULL;
	mongoc_collection_t *coll = NULL;
	mongoc_cursor_t *cur = NULL;
	bson_t *filter = NULL, *opts = NULL;
	struct daily_top t = { 0 };
	struct daily_conv *g = calloc(1, sizeof(*g));
	int64_t without_records = 0, without_bytes = 0;
	int open = 0;
	const bson_t *doc;
	bson_error_t berr;
	json_t *out = NULL;

	if (g == NULL || daily_top_init(&t, (size_t)q->limit) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	c = connect_uri(uri, db, sizeof(db), err, errlen);
	if (c == NULL)
		goto out;
	coll = mongoc_client_get_collection(c, db, "flows");
	filter = BCON_NEW("$or", "[", "{", "source.ip", BCON_UTF8(q->host), "}", "{", "destination.ip",
			  BCON_UTF8(q->host), "}", "]", "@timestamp", "{", "$gte", BCON_DATE_TIME(q->d * 86400000),
			  "$lt", BCON_DATE_TIME((q->d + 1) * 86400000), "}");
	opts = BCON_NEW("projection", "{", "_id", BCON_INT32(0), "@timestamp", BCON_INT32(1), "@timestamp_ns",
			BCON_INT32(1), "event.start", BCON_INT32(1), "event.start_ns", BCON_INT32(1), "event.end",
			BCON_INT32(1), "event.end_ns", BCON_INT32(1), "source.ip", BCON_INT32(1), "source.port",
			BCON_INT32(1), "source.bytes", BCON_INT32(1), "source.packets", BCON_INT32(1), "destination.ip",
			BCON_INT32(1), "destination.port", BCON_INT32(1), "destination.bytes", BCON_INT32(1),
			"destination.packets", BCON_INT32(1), "network.transport", BCON_INT32(1), "network.bytes",
			BCON_INT32(1), "network.packets", BCON_INT32(1), "network.vlan.id", BCON_INT32(1),
			"network.community_id", BCON_INT32(1), "dns.question.name", BCON_INT32(1), "url.domain",
			BCON_INT32(1), "tls.client.server_name", BCON_INT32(1), "}", "sort", "{",
			"network.community_id", BCON_INT32(1), "network.vlan.id", BCON_INT32(1), "}");
	/* Sorted by Community ID and VLAN id, one conversation's records come together: each is summed
	 * as they stream in and offered to the top list, so memory stays at limit conversations. */
	cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		const char *cid = str_at(doc, "network.community_id"), *vlan = str_at(doc, "network.vlan.id");
		if (cid == NULL) {
			without_records++;
			without_bytes += int_at(doc, "network.bytes");
			continue;
		}
		if (vlan == NULL)
			vlan = "";
		if (open && (strcmp(cid, g->community_id) != 0 || strcmp(vlan, g->vlan) != 0)) {
			conv_done(&t, g);
			open = 0;
		}
		if (!open) {
			memset(g, 0, sizeof(*g));
			snprintf(g->community_id, sizeof(g->community_id), "%s", cid);
			snprintf(g->vlan, sizeof(g->vlan), "%s", vlan);
			open = 1;
		}
		conv_add(g, doc, q->host);
	}
	if (mongoc_cursor_error(cur, &berr)) {
		snprintf(err, errlen, "find: %s", berr.message);
		goto out;
	}
	if (open)
		conv_done(&t, g);
	daily_top_sort(&t);
	out = daily_conv_answer(q, t.v, t.n, without_records, without_bytes);
	if (out == NULL)
		snprintf(err, errlen, "out of memory");
out:
	mongoc_cursor_destroy(cur);
	bson_destroy(opts);
	bson_destroy(filter);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(c);
	daily_top_free(&t);
	free(g);
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
