/* The file source's flows (see fileflows.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fileflows.h"
#include "flowstate.h"
#include "statekeys.h"

#define FILEFLOWS_CHUNK 512 /* flow records handed to the sinks at a time */

struct fileflows {
	struct flow_table *table;
	const char *ckdir;
	const struct source_emit *emit; /* while a batch is read */
	struct row *rows;		/* flow records waiting to go to the sinks */
	char (*ids)[17];		/* their id prefixes */
	size_t nrows;
	int clean;		    /* the table is the last commit's */
	int64_t committed;	    /* the last commit (-1: none), whose table flows/N holds */
	uint64_t open_committed;    /* its open flows */
	uint64_t total, evicted;    /* records (and evictions) of the committed batches */
	struct flow_stats at_begin; /* the table's counters when the batch being read began */
};

/* The records (and evictions) of the batch being read: the table's counters since it began. */
static void batch_counts(const struct fileflows *ff, uint64_t *records, uint64_t *evicted, uint64_t *open)
{
	struct flow_stats fst;

	flow_table_stats(ff->table, &fst);
	*records = fst.records - ff->at_begin.records;
	*evicted = fst.evicted - ff->at_begin.evicted;
	*open = fst.open;
}

int fileflows_open(const struct flow_config *cfg, const char *ckdir, struct fileflows **out, char *err, size_t errlen)
{
	struct fileflows *ff = calloc(1, sizeof(*ff));
	int rc = -1;

	*out = NULL;
	if (ff == NULL)
		goto oom;
	ff->ckdir = ckdir;
	ff->committed = -1;
	ff->clean = 1;
	ff->rows = calloc(FILEFLOWS_CHUNK, sizeof(*ff->rows));
	ff->ids = calloc(FILEFLOWS_CHUNK, sizeof(*ff->ids));
	if (ff->rows == NULL || ff->ids == NULL)
		goto oom;
	if (flow_table_new(cfg, &ff->table, err, errlen) < 0)
		goto out;
	*out = ff;
	ff = NULL;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	fileflows_free(ff);
	return rc;
}

/* Put the last commit's table back: its flows and its clock. 0, or -1 with err (flows/N damaged,
 * or missing while the commit says flows were open). */
static int restore(struct fileflows *ff, char *err, size_t errlen)
{
	if (ff->committed < 0) {
		flow_table_clear(ff->table);
		return 0;
	}
	return flowstate_load(ff->ckdir, (uint64_t)ff->committed, ff->open_committed > 0, ff->table, err, errlen);
}

int fileflows_recover(struct fileflows *ff, int64_t last_commit, json_t *totals, char *err, size_t errlen)
{
	ff->committed = last_commit;
	ff->total = (uint64_t)json_integer_value(json_object_get(totals, SK_FLOWS));
	ff->evicted = (uint64_t)json_integer_value(json_object_get(totals, SK_FLOWS_EVICTED));
	ff->open_committed = (uint64_t)json_integer_value(json_object_get(totals, SK_FLOWS_OPEN));
	ff->clean = 1;
	if (ff->open_committed > flow_table_max(ff->table)) {
		snprintf(err, errlen,
			 "the last run left %llu open flows, more than --max-flows %llu: restart with --max-flows %llu "
			 "or more (the checkpoint is fine)",
			 (unsigned long long)ff->open_committed, (unsigned long long)flow_table_max(ff->table),
			 (unsigned long long)ff->open_committed);
		return -1;
	}
	return restore(ff, err, errlen);
}

int fileflows_begin(struct fileflows *ff, const struct source_emit *emit, char *err, size_t errlen)
{
	ff->emit = emit;
	ff->nrows = 0;
	/* a retried or replayed batch starts from the last commit's table */
	if (!ff->clean && restore(ff, err, errlen) < 0)
		return -1;
	flow_table_stats(ff->table, &ff->at_begin);
	ff->clean = 0;
	return 0;
}

/* Hand the buffered records to the driver (every sink). 0, or -1 with err. */
static int deliver(struct fileflows *ff, char *err, size_t errlen)
{
	int rc = ff->emit->rows(ff->emit->drv, ff->rows, ff->nrows, err, errlen);

	ff->nrows = 0;
	return rc;
}

/* flow_emit_fn: a record into the buffer (its id prefix copied beside it). */
static int take_record(void *arg, const struct row *r, char *err, size_t errlen)
{
	struct fileflows *ff = arg;
	struct row *d;

	if (ff->nrows == FILEFLOWS_CHUNK && deliver(ff, err, errlen) < 0)
		return -1;
	d = &ff->rows[ff->nrows];
	memcpy(d, r, sizeof(*d));
	memcpy(ff->ids[ff->nrows], r->id_prefix, sizeof(ff->ids[0]));
	d->id_prefix = ff->ids[ff->nrows];
	ff->nrows++;
	return 0;
}

int fileflows_add(struct fileflows *ff, const struct row *rows, size_t n, char *err, size_t errlen)
{
	return flow_table_add_rows(ff->table, rows, n, take_record, ff, err, errlen);
}

int fileflows_end(struct fileflows *ff, uint64_t batch, int flush, char *err, size_t errlen)
{
	if (flush && flow_table_flush(ff->table, take_record, ff, err, errlen) < 0)
		return -1;
	if (ff->nrows > 0 && deliver(ff, err, errlen) < 0)
		return -1;
	/* saved even when empty: its clock decides what the next batch's frames do */
	return flowstate_save(ff->ckdir, batch, ff->table, err, errlen);
}

void fileflows_ack(struct fileflows *ff, uint64_t batch)
{
	uint64_t records, evicted, open;

	batch_counts(ff, &records, &evicted, &open);
	ff->total += records;
	ff->evicted += evicted;
	flow_table_stats(ff->table, &ff->at_begin); /* nothing is the next batch's yet */
	ff->committed = (int64_t)batch;
	ff->open_committed = open;
	ff->clean = 1;
	ff->emit = NULL;
	flowstate_prune(ff->ckdir, batch);
}

void fileflows_batch(const struct fileflows *ff, struct fileflows_batch *b)
{
	batch_counts(ff, &b->records, &b->evicted, &b->open);
}

void fileflows_totals(const struct fileflows *ff, json_t *totals)
{
	uint64_t records, evicted, open;

	batch_counts(ff, &records, &evicted, &open);
	json_object_set_new(totals, SK_FLOWS, json_integer((json_int_t)(ff->total + records)));
	json_object_set_new(totals, SK_FLOWS_OPEN, json_integer((json_int_t)open));
	json_object_set_new(totals, SK_FLOWS_EVICTED, json_integer((json_int_t)(ff->evicted + evicted)));
}

int fileflows_any_open(const struct fileflows *ff)
{
	struct flow_stats fst;

	flow_table_stats(ff->table, &fst);
	return fst.open > 0;
}

void fileflows_free(struct fileflows *ff)
{
	if (ff == NULL)
		return;
	flow_table_free(ff->table);
	free(ff->ids);
	free(ff->rows);
	free(ff);
}
