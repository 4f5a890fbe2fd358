/* The daily traffic query against Elasticsearch (see esq.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daily.h"
#include "esq.h"

/* {"bytes": sum of network.bytes, "packets": sum of network.packets} of the docs with field == host. */
static json_t *direction_agg(const char *field, const char *host)
{
	return json_pack("{s:{s:{s:s}},s:{s:{s:{s:s}},s:{s:{s:s}}}}", "filter", "term", field, host, "aggs", "bytes",
			 "sum", "field", "network.bytes", "packets", "sum", "field", "network.packets");
}

/* The integer value of sub-aggregation name.what of bucket b (0 when absent). */
static int64_t agg_value(json_t *b, const char *name, const char *what)
{
	json_t *v = json_object_get(json_object_get(json_object_get(b, name), what), "value");

	return json_is_number(v) ? (int64_t)llround(json_number_value(v)) : 0;
}

json_t *esq_daily(const struct esclient *c, const char *dataset, const char *host, const char *from, const char *to,
		  char *err, size_t errlen)
{
	int64_t d0, d1;
	json_t *q = NULL, *reply = NULL, *res = NULL;
	char *body = NULL, *text = NULL, path[512];
	struct daily_sums *sums = NULL;

	if (daily_range(from, to, &d0, &d1, err, errlen) < 0)
		goto out;
	q = json_pack("{s:i,s:{s:{s:[{s:{s:{s:I,s:I,s:s}}}],s:[{s:{s:s}},{s:{s:s}}],s:i}},"
		      "s:{s:{s:{s:s,s:s,s:s,s:i},s:{s:o,s:o}}}}",
		      "size", 0, "query", "bool", "filter", "range", "@timestamp", "gte", (json_int_t)(d0 * 86400000),
		      "lt", (json_int_t)((d1 + 1) * 86400000), "format", "epoch_millis", "should", "term", "source.ip",
		      host, "term", "destination.ip", host, "minimum_should_match", 1, "aggs", "days", "date_histogram",
		      "field", "@timestamp", "calendar_interval", "1d", "time_zone", "UTC", "min_doc_count", 1, "aggs",
		      "in", direction_agg("destination.ip", host), "out", direction_agg("source.ip", host));
	body = q != NULL ? json_dumps(q, JSON_COMPACT) : NULL;
	sums = calloc((size_t)(d1 - d0 + 1), sizeof(*sums));
	if (body == NULL || sums == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "/%s-%s-*/_search?ignore_unavailable=true&allow_no_indices=true", c->prefix,
		 dataset);
	long status = esclient_request(c, "POST", path, body, &text, err, errlen);
	if (status < 0)
		goto out;
	if (status != 200) {
		snprintf(err, errlen, "Elasticsearch answered %ld to the daily query: %.300s", status,
			 text ? text : "");
		goto out;
	}
	reply = json_loads(text, 0, NULL);
	json_t *buckets = json_object_get(json_object_get(json_object_get(reply, "aggregations"), "days"), "buckets");
	if (!json_is_array(buckets)) {
		snprintf(err, errlen, "Elasticsearch's answer has no aggregations.days.buckets: %.300s", text);
		goto out;
	}
	size_t i;
	json_t *b;
	json_array_foreach(buckets, i, b)
	{
		int64_t day = json_integer_value(json_object_get(b, "key")) / 86400000;
		if (day < d0 || day > d1)
			continue;
		sums[day - d0].in_bytes = agg_value(b, "in", "bytes");
		sums[day - d0].out_bytes = agg_value(b, "out", "bytes");
		sums[day - d0].in_packets = agg_value(b, "in", "packets");
		sums[day - d0].out_packets = agg_value(b, "out", "packets");
	}
	res = daily_rows(d0, d1, sums);
	if (res == NULL)
		snprintf(err, errlen, "out of memory");
out:
	free(sums);
	json_decref(reply);
	free(text);
	free(body);
	json_decref(q);
	return res;
}
