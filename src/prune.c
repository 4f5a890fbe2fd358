/* Retention: remove what lies before a cutoff from Elasticsearch / OpenSearch and MongoDB (see
 * prune.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esclient.h"
#include "fsutil.h"
#include "mongoq.h"
#include "prune.h"
#include "redact.h"
#include "rowfmt.h"

#define NS_PER_DAY 86400000000000LL

int prune_cutoff(const char *before, const char *older_than, int64_t now_ns, int64_t *cutoff_ns, char *err,
		 size_t errlen)
{
	char again[16];

	if ((before == NULL) == (older_than == NULL)) {
		snprintf(err, errlen, "give exactly one of --before YYYY-MM-DD and --older-than DURATION");
		return -1;
	}
	if (before != NULL) {
		int64_t day = fsutil_parse_day(before);
		if (day >= 0)
			fsutil_format_day(day, again, sizeof(again));
		if (day < 0 || strcmp(again, before) != 0) {
			snprintf(err, errlen, "--before '%.40s' is not a date YYYY-MM-DD from 1970 on", before);
			return -1;
		}
		*cutoff_ns = day * NS_PER_DAY;
	} else {
		int64_t d;
		if (fsutil_parse_duration(older_than, &d) < 0 || d < 0) {
			snprintf(err, errlen, "--older-than '%.40s' is not a duration (e.g. 90d, 12h)", older_than);
			return -1;
		}
		*cutoff_ns = now_ns - d;
	}
	if (*cutoff_ns > now_ns) {
		char t[40];
		rowfmt_time_text(t, *cutoff_ns);
		snprintf(err, errlen, "the cutoff %s is in the future: refusing to remove data still arriving", t);
		return -1;
	}
	return 0;
}

/* qsort order of index names. */
static int by_name(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "index")),
		      json_string_value(json_object_get(*(json_t *const *)b, "index")));
}

/* Whether index (from _cat/indices) is one of c's, PREFIX-packets-PERIOD or PREFIX-flows-PERIOD,
 * with a period ending at or before cutoff_ns; its period's end into *end_ns. */
static int expired(const struct esclient *c, const char *index, int64_t cutoff_ns, int64_t *end_ns)
{
	static const char *const datasets[] = { "-packets-", "-flows-" };
	size_t pl = strlen(c->prefix);
	int64_t start;

	if (strncmp(index, c->prefix, pl) != 0)
		return 0;
	for (int i = 0; i < 2; i++) {
		size_t dl = strlen(datasets[i]);
		if (strncmp(index + pl, datasets[i], dl) == 0 &&
		    esclient_period_range(index + pl + dl, &start, end_ns) == 0)
			return *end_ns <= cutoff_ns;
	}
	return 0;
}

/* The indices of c: a JSON array (caller decrefs) of {index, docs.count} sorted by name, or NULL
 * with err. */
static json_t *list_indices(const struct esclient *c, char *err, size_t errlen)
{
	char path[512], *text = NULL;
	json_t *list = NULL;
	long st;

	snprintf(path, sizeof(path),
		 "/_cat/indices/%s-packets-*,%s-flows-*?format=json&h=index,docs.count&expand_wildcards=open,closed",
		 c->prefix, c->prefix);
	st = esclient_request(c, "GET", path, NULL, &text, err, errlen);
	if (st < 0)
		goto out;
	list = st == 200 ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "listing the indices %s-*: HTTP %ld: %.300s", c->prefix, st, text ? text : "");
		json_decref(list);
		list = NULL;
		goto out;
	}
	if (json_array_size(list) > 1) {
		json_t **v = calloc(json_array_size(list), sizeof(*v));
		if (v == NULL) {
			snprintf(err, errlen, "out of memory");
			json_decref(list);
			list = NULL;
			goto out;
		}
		size_t n = json_array_size(list);
		for (size_t i = 0; i < n; i++)
			v[i] = json_incref(json_array_get(list, i));
		qsort(v, n, sizeof(*v), by_name);
		json_array_clear(list);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(list, v[i]);
		free(v);
	}
out:
	free(text);
	return list;
}

/* The Elasticsearch / OpenSearch part of prune_run. */
static int prune_es(const struct prune_opts *o, struct prune_result *res, char *err, size_t errlen)
{
	struct esclient c;
	struct esclient_server srv;
	json_t *list = NULL, *ix;
	char why[1024];
	size_t i;
	int rc = -1;

	if (esclient_parse(o->es, &c, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--es: %s", why);
		goto out;
	}
	if (esclient_detect(&c, &srv, err, errlen) < 0)
		goto out;
	if (o->out != NULL) {
		char t[40];
		rowfmt_time_text(t, o->cutoff_ns);
		char more[48] = "";
		if (c.nurls > 1)
			snprintf(more, sizeof(more), " (and %d more nodes)", c.nurls - 1);
		fprintf(o->out, "prune: %s %s at %s%s: indices %s-packets-*, %s-flows-* whose period ended by %s\n",
			srv.opensearch ? "OpenSearch" : "Elasticsearch", srv.version, c.url, more, c.prefix, c.prefix,
			t);
	}
	list = list_indices(&c, err, errlen);
	if (list == NULL)
		goto out;
	json_array_foreach(list, i, ix)
	{
		const char *name = json_string_value(json_object_get(ix, "index"));
		json_t *dc = json_object_get(ix, "docs.count"); /* a string; null for a closed index */
		int64_t end, docs = json_is_string(dc)	  ? strtoll(json_string_value(dc), NULL, 10)
				    : json_is_integer(dc) ? (int64_t)json_integer_value(dc)
							  : 0;
		char path[600], day[16];
		if (name == NULL || !expired(&c, name, o->cutoff_ns, &end))
			continue;
		fsutil_format_day(end / NS_PER_DAY, day, sizeof(day));
		if (!o->dry_run) {
			snprintf(path, sizeof(path), "/%s", name);
			long st = esclient_request(&c, "DELETE", path, NULL, NULL, err, errlen);
			if (st < 0)
				goto out;
			if (st != 200 && st != 404) { /* 404: deleted meanwhile, by another prune */
				snprintf(err, errlen, "%s refused to delete %s: HTTP %ld",
					 srv.opensearch ? "OpenSearch" : "Elasticsearch", name, st);
				goto out;
			}
		}
		if (o->out != NULL)
			fprintf(o->out, "prune: %s index %s (%lld documents, period ended %s)\n",
				o->dry_run ? "would delete" : "deleted", name, (long long)docs, day);
		res->indices++;
		res->es_docs += docs;
	}
	rc = 0;
out:
	json_decref(list);
	return rc;
}

int prune_sink_target(const char *sink_spec, struct prune_opts *o)
{
	if (strncmp(sink_spec, "es:", 3) == 0) {
		o->es = sink_spec + 3;
		return 1;
	}
	if (strncmp(sink_spec, "mongo:", 6) == 0) {
		o->mongo = sink_spec + 6;
		return 1;
	}
	return 0;
}

int prune_due(int64_t *last_mono_ns, int64_t now_mono_ns)
{
	if (*last_mono_ns != 0 && now_mono_ns - *last_mono_ns < PRUNE_EVERY_NS)
		return 0;
	*last_mono_ns = now_mono_ns;
	return 1;
}

int prune_run(const struct prune_opts *o, struct prune_result *res, char *err, size_t errlen)
{
	static const char *const colls[2] = { "packets", "flows" };
	char t[40], shown[1024];

	rowfmt_time_text(t, o->cutoff_ns);
	if (o->es != NULL && prune_es(o, res, err, errlen) < 0)
		return -1;
	if (o->mongo == NULL)
		return 0;
	for (int i = 0; i < 2; i++) {
		int64_t n =
		    mongoq_prune(o->mongo, colls[i], rowfmt_floor_div(o->cutoff_ns, 1000000), o->dry_run, err, errlen);
		if (n < 0)
			return -1;
		if (o->out != NULL)
			fprintf(o->out, "prune: %s %lld documents of %s before %s at %s\n",
				o->dry_run ? "would delete" : "deleted", (long long)n, colls[i], t,
				redact_text(o->mongo, shown, sizeof(shown)));
		res->mongo_docs[i] += n;
	}
	return 0;
}
