/* The dashboard's queries against Elasticsearch (see esq.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daily.h"
#include "esq.h"
#include "rowfmt.h"

/* The sums daily_count needs of the docs with field == host: source.bytes/packets and
 * destination.bytes/packets of those with source.bytes ("dir"), network.bytes/packets of those
 * without ("old": packets, pmacct records from before schema v2). */
static json_t *direction_agg(const char *field, const char *host)
{
	return json_pack("{s:{s:{s:s}},s:{s:{s:{s:s}},s:{s:{s:s}},s:{s:{s:s}},s:{s:{s:s}},"
			 "s:{s:{s:{s:{s:{s:s}}}},s:{s:{s:{s:s}},s:{s:{s:s}}}}}}",
			 "filter", "term", field, host, "aggs", "sb", "sum", "field", "source.bytes", "sp", "sum",
			 "field", "source.packets", "db", "sum", "field", "destination.bytes", "dp", "sum", "field",
			 "destination.packets", "old", "filter", "bool", "must_not", "exists", "field", "source.bytes",
			 "aggs", "nb", "sum", "field", "network.bytes", "np", "sum", "field", "network.packets");
}

/* The integer value of the metric sub-aggregation path a.b (b NULL: a) of bucket b (0 when absent). */
static int64_t agg_value(json_t *bucket, const char *a, const char *b)
{
	json_t *v = json_object_get(bucket, a);

	if (b != NULL)
		v = json_object_get(v, b);
	v = json_object_get(v, "value");
	return json_is_number(v) ? (int64_t)llround(json_number_value(v)) : 0;
}

/* Add what the direction_agg results "hs" (source = host) and "hd" (destination = host) of bucket
 * b send to and from the host to *s (daily_count's rule, summed by Elasticsearch). */
static void add_directions(json_t *b, struct daily_sums *s)
{
	static const char *const sides[2] = { "hs", "hd" };

	for (int i = 0; i < 2; i++) {
		json_t *d = json_object_get(b, sides[i]), *old = json_object_get(d, "old");
		struct daily_counts dir = {
			.has_dir = 1,
			.src_bytes = agg_value(d, "sb", NULL),
			.src_packets = agg_value(d, "sp", NULL),
			.dst_bytes = agg_value(d, "db", NULL),
			.dst_packets = agg_value(d, "dp", NULL),
			.src_is_host = i == 0,
			.dst_is_host = i == 1,
		};
		struct daily_counts legacy = {
			.bytes = agg_value(old, "nb", NULL),
			.packets = agg_value(old, "np", NULL),
			.src_is_host = i == 0,
			.dst_is_host = i == 1,
		};
		daily_count(&dir, &s->in_bytes, &s->out_bytes, &s->in_packets, &s->out_packets);
		daily_count(&legacy, &s->in_bytes, &s->out_bytes, &s->in_packets, &s->out_packets);
	}
}

/* {"bool": filter @timestamp in days [d0, d1], host at either end}. A new object. */
static json_t *host_days_query(const char *host, int64_t d0, int64_t d1)
{
	return json_pack("{s:{s:[{s:{s:{s:I,s:I,s:s}}}],s:[{s:{s:s}},{s:{s:s}}],s:i}}", "bool", "filter", "range",
			 "@timestamp", "gte", (json_int_t)(d0 * 86400000), "lt", (json_int_t)((d1 + 1) * 86400000),
			 "format", "epoch_millis", "should", "term", "source.ip", host, "term", "destination.ip", host,
			 "minimum_should_match", 1);
}

/* POST body q (stolen) to PREFIX-DATASET-*\/_search; the parsed answer (caller decrefs) or NULL
 * with err. what names the query in errors. */
static json_t *search(const struct esclient *c, const char *dataset, json_t *q, const char *what, char *err,
		      size_t errlen)
{
	char *body = q != NULL ? json_dumps(q, JSON_COMPACT) : NULL, *text = NULL, path[512];
	json_t *reply = NULL;

	if (body == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "/%s-%s-*/_search?ignore_unavailable=true&allow_no_indices=true", c->prefix,
		 dataset);
	long status = esclient_request(c, "POST", path, body, &text, err, errlen);
	if (status < 0)
		goto out;
	if (status != 200) {
		snprintf(err, errlen, "Elasticsearch answered %ld to the %s query: %.300s", status, what,
			 text ? text : "");
		goto out;
	}
	reply = json_loads(text, 0, NULL);
	if (reply == NULL)
		snprintf(err, errlen, "Elasticsearch's answer to the %s query is not JSON: %.300s", what, text);
out:
	free(text);
	free(body);
	json_decref(q);
	return reply;
}

json_t *esq_daily(const struct esclient *c, const char *dataset, const char *host, const char *from, const char *to,
		  char *err, size_t errlen)
{
	int64_t d0, d1;
	json_t *reply = NULL, *res = NULL;
	struct daily_sums *sums = NULL;

	if (daily_range(from, to, &d0, &d1, err, errlen) < 0)
		goto out;
	sums = calloc((size_t)(d1 - d0 + 1), sizeof(*sums));
	if (sums == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	reply = search(c, dataset,
		       json_pack("{s:i,s:o,s:{s:{s:{s:s,s:s,s:s,s:i},s:{s:o,s:o}}}}", "size", 0, "query",
				 host_days_query(host, d0, d1), "aggs", "days", "date_histogram", "field", "@timestamp",
				 "calendar_interval", "1d", "time_zone", "UTC", "min_doc_count", 1, "aggs", "hs",
				 direction_agg("source.ip", host), "hd", direction_agg("destination.ip", host)),
		       "daily", err, errlen);
	if (reply == NULL)
		goto out;
	json_t *buckets = json_object_get(json_object_get(json_object_get(reply, "aggregations"), "days"), "buckets");
	if (!json_is_array(buckets)) {
		snprintf(err, errlen, "Elasticsearch's answer has no aggregations.days.buckets");
		goto out;
	}
	size_t i;
	json_t *b;
	json_array_foreach(buckets, i, b)
	{
		int64_t day = json_integer_value(json_object_get(b, "key")) / 86400000;
		if (day >= d0 && day <= d1)
			add_directions(b, &sums[day - d0]);
	}
	res = daily_rows(d0, d1, sums);
	if (res == NULL)
		snprintf(err, errlen, "out of memory");
out:
	free(sums);
	json_decref(reply);
	return res;
}

/* --- conversations ------------------------------------------------------------------------------ */

/* The value at a dotted path of a document's _source, or NULL. */
static json_t *src_get(json_t *src, const char *path)
{
	char part[64];
	const char *p = path;

	for (const char *dot = strchr(p, '.'); dot != NULL && src != NULL; dot = strchr(p, '.')) {
		snprintf(part, sizeof(part), "%.*s", (int)(dot - p), p);
		src = json_object_get(src, part);
		p = dot + 1;
	}
	return json_object_get(src, p);
}

/* The string at a dotted path of _source (NULL when absent or not a string). */
static const char *src_str(json_t *src, const char *path)
{
	json_t *v = src_get(src, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The integer at a dotted path of _source, or -1 when absent. */
static int64_t src_int(json_t *src, const char *path)
{
	json_t *v = src_get(src, path);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* The _source of the first hit of top_hits aggregation name of bucket b, or NULL. */
static json_t *top_source(json_t *b, const char *name)
{
	json_t *hits = json_object_get(json_object_get(json_object_get(b, name), "hits"), "hits");

	return json_object_get(json_array_get(hits, 0), "_source");
}

/* Fill *cv with conversation (cid, vlan) from one composite bucket b of the details query.
 * Returns 0, or -1 with err. */
static int conv_from_bucket(json_t *b, const char *cid, const char *vlan, struct daily_conv *cv, char *err,
			    size_t errlen)
{
	json_t *first = top_source(b, "first"), *last = top_source(b, "last");
	const char *t, *end;
	struct daily_sums s = { 0 };

	memset(cv, 0, sizeof(*cv));
	if (first == NULL) {
		snprintf(err, errlen, "Elasticsearch's conversation bucket has no first record");
		return -1;
	}
	snprintf(cv->community_id, sizeof(cv->community_id), "%s", cid);
	snprintf(cv->vlan, sizeof(cv->vlan), "%s", vlan);
	t = src_str(first, "network.transport");
	snprintf(cv->transport, sizeof(cv->transport), "%s", t != NULL ? t : "");
	t = src_str(first, "source.ip");
	snprintf(cv->src_ip, sizeof(cv->src_ip), "%s", t != NULL ? t : "");
	t = src_str(first, "destination.ip");
	snprintf(cv->dst_ip, sizeof(cv->dst_ip), "%s", t != NULL ? t : "");
	cv->src_port = src_int(first, "source.port");
	cv->dst_port = src_int(first, "destination.port");
	t = src_str(first, "event.start");
	if (t == NULL)
		t = src_str(first, "@timestamp");
	if (t == NULL || rowfmt_parse_time(t, strlen(t), &cv->start_ns) < 0) {
		snprintf(err, errlen, "Elasticsearch's first record has no start time");
		return -1;
	}
	end = last != NULL ? src_str(last, "event.end") : NULL;
	if (end == NULL || rowfmt_parse_time(end, strlen(end), &cv->end_ns) < 0 || cv->end_ns < cv->start_ns)
		cv->end_ns = cv->start_ns;
	add_directions(b, &s);
	cv->in_bytes = s.in_bytes;
	cv->out_bytes = s.out_bytes;
	cv->in_packets = s.in_packets;
	cv->out_packets = s.out_packets;
	cv->bytes = agg_value(b, "bytes", NULL);
	cv->packets = agg_value(b, "packets", NULL);
	cv->records = json_integer_value(json_object_get(b, "doc_count"));
	for (int k = 0; k < 3; k++) {
		size_t i;
		json_t *nb;
		json_array_foreach(json_object_get(json_object_get(b, daily_conv_name_fields[k]), "buckets"), i, nb)
		    daily_conv_add_name(cv, k, json_string_value(json_object_get(nb, "key")),
					json_integer_value(json_object_get(nb, "doc_count")));
	}
	return 0;
}

/* Conversation buckets per page of the composite aggregation. */
#define ESQ_CONV_PAGE 1000

/* The sub-aggregations of a conversation's details: sums, directions, the first record, the last
 * end, the names. A new object, or NULL. */
static json_t *conv_detail_aggs(const char *host)
{
	static const char *const first_fields[] = { "source.ip",	"source.port",	     "destination.ip",
						    "destination.port", "network.transport", "event.start",
						    "@timestamp" };
	json_t *src = json_array(), *aggs;

	for (size_t i = 0; i < sizeof(first_fields) / sizeof(first_fields[0]); i++)
		json_array_append_new(src, json_string(first_fields[i]));
	aggs = json_pack("{s:{s:{s:s}},s:{s:{s:s}},s:o,s:o,"
			 "s:{s:{s:i,s:[{s:{s:s}}],s:o}},"
			 "s:{s:{s:i,s:[{s:{s:s,s:s,s:s}}],s:[s]}}}",
			 "bytes", "sum", "field", "network.bytes", "packets", "sum", "field", "network.packets", "hs",
			 direction_agg("source.ip", host), "hd", direction_agg("destination.ip", host), "first",
			 "top_hits", "size", 1, "sort", "@timestamp", "order", "asc", "_source", src, "last",
			 "top_hits", "size", 1, "sort", "event.end", "order", "desc", "missing", "_last",
			 "unmapped_type", "date_nanos", "_source", "event.end");
	for (int k = 0; k < 3 && aggs != NULL; k++)
		json_object_set_new(
		    aggs, daily_conv_name_fields[k],
		    json_pack("{s:{s:s,s:i}}", "terms", "field", daily_conv_name_fields[k], "size", DAILY_CONV_NAMES));
	return aggs;
}

/* One page of the composite aggregation "convs" over (Community ID, VLAN id) of the host's flow
 * records of the day (only those of the Community IDs cids when not NULL), after the key after
 * (NULL: from the start), with the sub-aggregations aggs (stolen); page 0 also counts the records
 * without a Community ID ("nocid"). The answer's aggregations (caller decrefs) or NULL with err. */
static json_t *conv_page(const struct esclient *c, const struct daily_conv_query *q, json_t *cids, json_t *after,
			 json_t *aggs, int with_nocid, char *err, size_t errlen)
{
	json_t *query = host_days_query(q->host, q->d, q->d), *comp, *all, *reply, *out;

	if (cids != NULL)
		json_array_append_new(json_object_get(json_object_get(query, "bool"), "filter"),
				      json_pack("{s:{s:O}}", "terms", "network.community_id", cids));
	comp = json_pack("{s:{s:[{s:{s:{s:s}}},{s:{s:{s:s,s:b}}}],s:i},s:o}", "composite", "sources", "cid", "terms",
			 "field", "network.community_id", "vlan", "terms", "field", "network.vlan.id", "missing_bucket",
			 1, "size", ESQ_CONV_PAGE, "aggs", aggs);
	if (comp != NULL && after != NULL)
		json_object_set(json_object_get(comp, "composite"), "after", after);
	all = json_pack("{s:o}", "convs", comp);
	if (all != NULL && with_nocid)
		json_object_set_new(all, "nocid",
				    json_pack("{s:{s:{s:{s:{s:s}}}},s:{s:{s:{s:s}}}}", "filter", "bool", "must_not",
					      "exists", "field", "network.community_id", "aggs", "bytes", "sum",
					      "field", "network.bytes"));
	reply = search(c, "flows", json_pack("{s:i,s:o,s:o}", "size", 0, "query", query, "aggs", all), "conversations",
		       err, errlen);
	out = json_incref(json_object_get(reply, "aggregations"));
	if (reply != NULL && !json_is_array(json_object_get(json_object_get(out, "convs"), "buckets"))) {
		snprintf(err, errlen, "Elasticsearch's answer has no aggregations.convs.buckets");
		json_decref(out);
		out = NULL;
	}
	json_decref(reply);
	return out;
}

/* After a page of conv_page: *after becomes its after_key (the previous one released) and *ag is
 * released. Returns 1 when another page may follow, 0 when this one was the last. */
static int next_page(json_t **ag, json_t **after)
{
	json_t *convs = json_object_get(*ag, "convs");
	size_t nb = json_array_size(json_object_get(convs, "buckets"));

	json_decref(*after);
	*after = json_incref(json_object_get(convs, "after_key"));
	json_decref(*ag);
	*ag = NULL;
	return *after != NULL && nb >= ESQ_CONV_PAGE;
}

/* A composite bucket's Community ID and VLAN id ("" when it has none) into *cid and *vlan. 0 or -1. */
static int bucket_key(json_t *b, const char **cid, const char **vlan)
{
	json_t *key = json_object_get(b, "key");
	json_t *v = json_object_get(key, "vlan");

	*cid = json_string_value(json_object_get(key, "cid"));
	*vlan = json_is_string(v) ? json_string_value(v) : "";
	return *cid != NULL ? 0 : -1;
}

json_t *esq_conversations(const struct esclient *c, const struct daily_conv_query *q, char *err, size_t errlen)
{
	struct daily_top top = { 0 };
	json_t *ag = NULL, *after = NULL, *cids = NULL, *res = NULL;
	int64_t nocid_records = 0, nocid_bytes = 0;
	struct daily_conv *cv = calloc(1, sizeof(*cv));
	size_t i;
	json_t *b;
	const char *cid, *vlan;

	if (cv == NULL || daily_top_init(&top, (size_t)q->limit) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* 1: every conversation's bytes, page by page, the best kept (memory: limit conversations) */
	for (int page = 0;; page++) {
		ag = conv_page(c, q, NULL, after, json_pack("{s:{s:{s:s}}}", "bytes", "sum", "field", "network.bytes"),
			       page == 0, err, errlen);
		if (ag == NULL)
			goto out;
		if (page == 0) {
			json_t *nocid = json_object_get(ag, "nocid");
			nocid_records = json_integer_value(json_object_get(nocid, "doc_count"));
			nocid_bytes = agg_value(nocid, "bytes", NULL);
		}
		json_t *convs = json_object_get(ag, "convs"), *buckets = json_object_get(convs, "buckets");
		json_array_foreach(buckets, i, b)
		{
			if (bucket_key(b, &cid, &vlan) < 0)
				continue;
			memset(cv, 0, sizeof(*cv));
			snprintf(cv->community_id, sizeof(cv->community_id), "%s", cid);
			snprintf(cv->vlan, sizeof(cv->vlan), "%s", vlan);
			cv->bytes = agg_value(b, "bytes", NULL);
			daily_top_offer(&top, cv);
		}
		if (!next_page(&ag, &after))
			break;
	}
	daily_top_sort(&top);
	/* 2: the details of the chosen ones */
	cids = json_array();
	for (i = 0; i < top.n && cids != NULL; i++)
		json_array_append_new(cids, json_string(top.v[i].community_id));
	json_decref(after);
	after = NULL;
	for (int page = 0; top.n > 0; page++) {
		ag = conv_page(c, q, cids, after, conv_detail_aggs(q->host), 0, err, errlen);
		if (ag == NULL)
			goto out;
		json_t *convs = json_object_get(ag, "convs"), *buckets = json_object_get(convs, "buckets");
		json_array_foreach(buckets, i, b)
		{
			if (bucket_key(b, &cid, &vlan) < 0)
				continue;
			for (size_t k = 0; k < top.n; k++) {
				if (strcmp(top.v[k].community_id, cid) != 0 || strcmp(top.v[k].vlan, vlan) != 0)
					continue;
				if (conv_from_bucket(b, cid, vlan, &top.v[k], err, errlen) < 0)
					goto out;
				break;
			}
		}
		if (!next_page(&ag, &after))
			break;
	}
	daily_top_sort(&top); /* the sums again, should rows have come in between */
	res = daily_conv_answer(q, top.v, top.n, nocid_records, nocid_bytes);
	if (res == NULL)
		snprintf(err, errlen, "out of memory");
out:
	json_decref(cids);
	json_decref(after);
	json_decref(ag);
	daily_top_free(&top);
	free(cv);
	return res;
}
