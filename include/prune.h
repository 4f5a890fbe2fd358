/* Retention: remove what lies before a cutoff time from the stores.
 *
 * Elasticsearch / OpenSearch: whole indices PREFIX-packets-PERIOD and PREFIX-flows-PERIOD whose
 * period (day, month or year, from the name) ends at or before the cutoff are deleted; an index
 * that holds time on both sides of the cutoff is kept whole. MongoDB: the documents of the
 * collections packets and flows whose @timestamp is before the cutoff are deleted. Running it again
 * removes nothing more (idempotent). Used by `pcapstream prune` and, once an hour, by the batch
 * drivers' retention:
 *
 *	static int64_t last;               (per driver)
 *	if (retention_ns > 0 && prune_due(&last, fsutil_mono_ns()))
 *		for each --sink spec:
 *			struct prune_opts o = { .cutoff_ns = fsutil_now_ns() - retention_ns, .out = NULL };
 *			struct prune_result r = { 0 };
 *			if (prune_sink_target(spec, &o) && prune_run(&o, &r, err, sizeof(err)) < 0)
 *				log a warning with err (redacted) and go on: the next hour tries again
 *			else log r (indices, documents) when anything was removed
 */
#ifndef PCAPSTREAM_PRUNE_H
#define PCAPSTREAM_PRUNE_H
#include <stdint.h>
#include <stdio.h>

struct prune_opts {
	int64_t cutoff_ns; /* remove what lies before this UTC time (ns since the epoch) */
	const char *es;	   /* an es: sink spec without "es:" (URL[,URL...][?prefix=P...]), or NULL */
	const char *mongo; /* a MongoDB URI (the mongo: sink's spec), or NULL */
	int dry_run;	   /* only say what would be removed */
	FILE *out;	   /* one line per index deleted and per collection pruned; NULL: silent */
};

struct prune_result {
	int indices;	       /* indices deleted (dry run: that would be) */
	int64_t es_docs;       /* the documents they held */
	int64_t mongo_docs[2]; /* documents deleted (dry run: that would be) from packets, flows */
};

/* The cutoff of `prune`: before (YYYY-MM-DD: that day's 00:00 UTC) or older_than (a duration,
 * e.g. 30d: now_ns minus it), exactly one of them non-NULL, into *cutoff_ns. Returns 0, or -1 with
 * err when both or neither are given, the text is not a date or duration, or the cutoff is after
 * now_ns (a cutoff in the future would remove data still arriving). */
int prune_cutoff(const char *before, const char *older_than, int64_t now_ns, int64_t *cutoff_ns, char *err,
		 size_t errlen);

/* Remove (or with dry_run count) what lies before o->cutoff_ns in o->es and o->mongo (each
 * skipped when NULL), adding to *res (zero it first). Returns 0, or -1 with err when a store
 * cannot be reached or refuses (what was removed before that stays removed: a second run goes
 * on from there). */
int prune_run(const struct prune_opts *o, struct prune_result *res, char *err, size_t errlen);

/* How often the batch drivers' retention runs prune_run. */
#define PRUNE_EVERY_NS (3600LL * 1000000000LL)

/* Point o->es or o->mongo at the store of a --sink spec ("es:..." or "mongo:..."; the pointer is
 * into sink_spec, which must outlive o). Returns 1 when the sink is one prune handles, 0 when not
 * (file:, kafka:, null: hold nothing to expire here). */
int prune_sink_target(const char *sink_spec, struct prune_opts *o);

/* Whether retention is due at now_mono_ns (monotonic clock): the first call, then once per
 * PRUNE_EVERY_NS; when it is, *last_mono_ns becomes now_mono_ns. Returns 1 or 0. */
int prune_due(int64_t *last_mono_ns, int64_t now_mono_ns);

#endif
