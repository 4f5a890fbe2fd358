/* Prometheus text for GET /metrics (see metrics.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fsutil.h"
#include "metrics.h"
#include "statekeys.h"
#include "redact.h"
#include "status.h"

/* One source of numbers: a checkpoint's status or a realtime stats.json. */
struct source {
	const char *job; /* watch | replay | realtime */
	const char *state;
	json_t *j; /* NULL when unreadable */
};

/* A label value with \, " and newlines escaped, as the text format wants. */
static void put_label(FILE *f, const char *key, const char *v, int first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", key);
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{job="..",state=".."[,extra="value"]} v */
static void sample(FILE *f, const char *name, const struct source *s, const char *extra, const char *extra_v,
		   long long v)
{
	fprintf(f, "%s{", name);
	put_label(f, "job", s->job, 1);
	put_label(f, "state", s->state, 0);
	if (extra != NULL)
		put_label(f, extra, extra_v, 0);
	fprintf(f, "} %lld\n", v);
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* The totals object of a source: a checkpoint's, or realtime's stats.json's (the same keys). */
static json_t *totals(const struct source *s)
{
	return json_object_get(s->j, SK_TOTALS);
}

static void render(FILE *f, struct source *srcs, size_t n, const struct metrics_sources *in)
{
	family(f, "pcapstream_state_up", "gauge", "1 if the checkpoint or realtime state folder could be read.");
	for (size_t i = 0; i < n; i++)
		sample(f, "pcapstream_state_up", &srcs[i], NULL, NULL, srcs[i].j != NULL);
	family(f, "pcapstream_rows_total", "counter", "Rows committed, per ingest job.");
	for (size_t i = 0; i < n; i++)
		if (srcs[i].j != NULL)
			sample(f, "pcapstream_rows_total", &srcs[i], NULL, NULL, num(totals(&srcs[i]), SK_ROWS));
	family(f, "pcapstream_sink_rows_total", "counter", "Rows a sink accepted, per ingest job and sink.");
	for (size_t i = 0; i < n; i++) {
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(totals(&srcs[i]), SK_SINKS), k, v)
		{
			char spec[1024];
			redact_text(k, spec, sizeof(spec)); /* older checkpoints may name a sink with its password */
			sample(f, "pcapstream_sink_rows_total", &srcs[i], "sink", spec,
			       (long long)json_integer_value(v));
		}
	}
	family(f, "pcapstream_batches_total", "counter", "Batches committed.");
	for (size_t i = 0; i < n; i++)
		if (srcs[i].j != NULL)
			sample(f, "pcapstream_batches_total", &srcs[i], NULL, NULL, num(totals(&srcs[i]), SK_BATCHES));
	family(f, "pcapstream_files_total", "counter", "Capture files ingested (watch and replay).");
	for (size_t i = 0; i < n; i++)
		if (srcs[i].j != NULL && strcmp(srcs[i].job, "realtime") != 0)
			sample(f, "pcapstream_files_total", &srcs[i], NULL, NULL, num(totals(&srcs[i]), SK_FILES));
	static const struct {
		const char *name, *type, *help, *key;
	} flowm[] = {
		{ "pcapstream_flows_total", "counter",
		  "Flow records reported (watch and replay, --emit flows or both).", SK_FLOWS },
		{ "pcapstream_flows_evicted_total", "counter",
		  "Flow records reported early because the flow table was full (raise --max-flows).",
		  SK_FLOWS_EVICTED },
		{ "pcapstream_flows_open", "gauge", "Flows open after the last committed batch.", SK_FLOWS_OPEN },
	};
	for (size_t m = 0; m < sizeof(flowm) / sizeof(flowm[0]); m++) {
		family(f, flowm[m].name, flowm[m].type, flowm[m].help);
		for (size_t i = 0; i < n; i++)
			if (srcs[i].j != NULL && json_object_get(totals(&srcs[i]), SK_FLOWS) != NULL)
				sample(f, flowm[m].name, &srcs[i], NULL, NULL, num(totals(&srcs[i]), flowm[m].key));
	}
	family(f, "pcapstream_retries_total", "counter", "Requests or items sent to a sink again.");
	for (size_t i = 0; i < n; i++)
		if (srcs[i].j != NULL)
			sample(f, "pcapstream_retries_total", &srcs[i], NULL, NULL, num(totals(&srcs[i]), SK_RETRIES));
	family(f, "pcapstream_dead_letters_total", "counter",
	       "Rows or records in a dead-letter file or topic, by reason (malformed input, refused by a sink).");
	for (size_t i = 0; i < n; i++) {
		if (srcs[i].j == NULL)
			continue;
		if (strcmp(srcs[i].job, "realtime") == 0)
			sample(f, "pcapstream_dead_letters_total", &srcs[i], "reason", "malformed",
			       num(totals(&srcs[i]), SK_MALFORMED));
		sample(f, "pcapstream_dead_letters_total", &srcs[i], "reason", "refused_by_sink",
		       num(totals(&srcs[i]), SK_DEAD_LETTERS));
	}
	family(f, "pcapstream_quarantined_files", "gauge", "Files in the quarantine folder.");
	for (size_t i = 0; i < n; i++)
		if (json_is_array(json_object_get(srcs[i].j, "quarantined")))
			sample(f, "pcapstream_quarantined_files", &srcs[i], NULL, NULL,
			       (long long)json_array_size(json_object_get(srcs[i].j, "quarantined")));
	family(f, "pcapstream_pending_files", "gauge", "Files waiting in the watched folder.");
	for (size_t i = 0; i < n; i++)
		if (json_object_get(srcs[i].j, "pending_files") != NULL)
			sample(f, "pcapstream_pending_files", &srcs[i], NULL, NULL, num(srcs[i].j, "pending_files"));
	family(f, "pcapstream_consumer_lag", "gauge",
	       "Records not yet consumed by realtime, per partition, as of its last batch.");
	for (size_t i = 0; i < n; i++) {
		size_t k;
		json_t *p;
		json_array_foreach(json_object_get(srcs[i].j, SK_LAG), k, p)
		{
			char part[16];
			snprintf(part, sizeof(part), "%lld", num(p, "partition"));
			fprintf(f, "pcapstream_consumer_lag{");
			put_label(f, "state", srcs[i].state, 1);
			put_label(f, "group", json_string_value(json_object_get(srcs[i].j, SK_GROUP)) ?: "", 0);
			put_label(f, "topic", json_string_value(json_object_get(p, SK_TOPIC)) ?: "", 0);
			put_label(f, "partition", part, 0);
			fprintf(f, "} %lld\n", num(p, SK_LAG));
		}
	}
	if (in->live != NULL) {
		struct live_stats st;
		live_get_stats(in->live, &st);
		family(f, "pcapstream_live_records_total", "counter", "Hot-topic messages read by the live view.");
		fprintf(f, "pcapstream_live_records_total %llu\n", (unsigned long long)st.records);
		family(f, "pcapstream_live_malformed_total", "counter", "Hot-topic messages that were not rows.");
		fprintf(f, "pcapstream_live_malformed_total %llu\n", (unsigned long long)st.malformed);
		family(f, "pcapstream_live_kafka_up", "gauge", "1 while the live view reaches Kafka.");
		fprintf(f, "pcapstream_live_kafka_up %d\n", !st.kafka_down);
	}
	family(f, "pcapstream_live_clients", "gauge", "WebSocket clients of the live chart.");
	fprintf(f, "pcapstream_live_clients %d\n", in->live_clients);
}

char *metrics_render(const struct metrics_sources *in, size_t *len)
{
	size_t n = 0, cap = 0;
	struct source *srcs = NULL;
	char *text = NULL, err[1024];
	FILE *f = NULL;

	for (const char *const *p = in->checkpoints; p != NULL && *p != NULL; p++)
		cap++;
	for (const char *const *p = in->realtime_states; p != NULL && *p != NULL; p++)
		cap++;
	srcs = calloc(cap + 1, sizeof(*srcs));
	if (srcs == NULL)
		goto out;
	for (const char *const *p = in->checkpoints; p != NULL && *p != NULL; p++, n++) {
		srcs[n].state = *p;
		srcs[n].j = status_collect(*p, err, sizeof(err));
		const char *source = json_string_value(json_object_get(srcs[n].j, "source"));
		srcs[n].job = source != NULL && strcmp(source, "replay") == 0 ? "replay" : "watch";
	}
	for (const char *const *p = in->realtime_states; p != NULL && *p != NULL; p++, n++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/stats.json", *p);
		char *t = fsutil_read_file(path, 1 << 20, NULL, err, sizeof(err));
		srcs[n].state = *p;
		srcs[n].job = "realtime";
		srcs[n].j = t != NULL ? json_loads(t, 0, NULL) : NULL;
		free(t);
	}
	f = open_memstream(&text, len);
	if (f == NULL)
		goto out;
	render(f, srcs, n, in);
	if (fclose(f) != 0) {
		free(text);
		text = NULL;
	}
out:
	for (size_t i = 0; i < n; i++)
		json_decref(srcs[i].j);
	free(srcs);
	return text;
}
