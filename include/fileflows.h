/* The file source's flows (watch and replay with --emit flows or both): the open-flow table as the
 * source's state, kept in step with the checkpoint.
 *
 * A batch's reading runs fileflows_begin, fileflows_add (the packet rows, by chunk), fileflows_end
 * (flush if the plan says so, the records to the sinks, the table saved as flows/N); the commit
 * then runs fileflows_ack. A batch read again (a retry, or a replay after a crash) starts from the
 * last commit's table, so it gives the same records with the same ids. */
#ifndef PCAPSTREAM_FILEFLOWS_H
#define PCAPSTREAM_FILEFLOWS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "flow.h"
#include "source.h"

struct fileflows;

/* What the last batch read reported, for its log line. */
struct fileflows_batch {
	uint64_t records; /* flow records written to the sinks */
	uint64_t evicted; /* of which reported early: the table was full */
	uint64_t open;	  /* flows open after it */
};

/* A flows part for a file source whose checkpoint folder is ckdir (borrowed; it must outlive it).
 * Returns 0 and *out (fileflows_free frees), or -1 with err (out of memory). */
int fileflows_open(const struct flow_config *cfg, const char *ckdir, struct fileflows **out, char *err, size_t errlen);

/* Take up where commit last_commit (its "totals", may be NULL when none) left off: the counters,
 * and the open flows from flows/last_commit. Returns 0, or -1 with err (flows/N damaged or
 * missing: nothing may be ingested). */
int fileflows_recover(struct fileflows *ff, int64_t last_commit, json_t *totals, char *err, size_t errlen);

/* A batch's reading starts; records go out through emit (borrowed until fileflows_end). Returns 0,
 * or -1 with err (the last commit's table could not be read back). */
int fileflows_begin(struct fileflows *ff, const struct source_emit *emit, char *err, size_t errlen);

/* n packet rows, in capture order, into the table; records that end go to the sinks as their
 * buffer fills. 0, or -1 with err (a sink failed, or memory ran out: the batch is retried). */
int fileflows_add(struct fileflows *ff, const struct row *rows, size_t n, char *err, size_t errlen);

/* The batch's reading ends: with flush, every open flow is reported; the records left go to the
 * sinks and the table is saved as flows/batch (before commits/batch). 0, or -1 with err. */
int fileflows_end(struct fileflows *ff, uint64_t batch, int flush, char *err, size_t errlen);

/* commits/batch is written: the table is now that commit's; older flows/N files go. */
void fileflows_ack(struct fileflows *ff, uint64_t batch);

/* The batch being read (or last read) so far. */
void fileflows_batch(const struct fileflows *ff, struct fileflows_batch *b);

/* The totals of every commit: "flows", "flows_open", "flows_evicted" (the batch being committed
 * included). */
void fileflows_totals(const struct fileflows *ff, json_t *totals);

/* Whether flows are open now. */
int fileflows_any_open(const struct fileflows *ff);

void fileflows_free(struct fileflows *ff); /* accepts NULL */

#endif
