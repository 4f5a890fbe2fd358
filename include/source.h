/* Sources: where rows come from. Each kind is an ops table (like struct sink_ops); the driver
 * (driver.c) runs every batch of every source the same way:
 *
 *   poll -> plan -> offsets/N -> sinks begin / read (rows) / flush -> commits/N -> ack
 *
 * A plan is JSON the driver stores in offsets/N before the batch runs; read() must turn the same
 * plan into the same rows every time (after a crash the driver replays it). A source's outcome of
 * a batch (what ack needs) is JSON the driver stores in commits/N. */
#ifndef PCAPSTREAM_SOURCE_H
#define PCAPSTREAM_SOURCE_H
#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "log.h"
#include "row.h"

struct checkpoint;

/* What poll() found. */
enum source_state {
	SOURCE_IDLE,  /* nothing to plan yet */
	SOURCE_READY, /* a batch can be planned (at the next trigger) */
	SOURCE_FULL,  /* a batch's worth is waiting: plan it now */
	SOURCE_DONE,  /* draining: nothing is left, and nothing is being waited for */
};

/* How read() hands its rows and dead letters to the driver. */
struct source_emit {
	/* Write n rows to every sink. 0, or -1 with err (a sink failed: the batch will be retried). */
	int (*rows)(void *drv, const struct row *rows, size_t n, char *err, size_t errlen);
	/* A record that cannot become a row: kept in the dead-letter file (JSON line: where it came
	 * from, the reason, the record), made durable before the commit. 0 or -1 with err. */
	int (*dead)(void *drv, json_t *letter, char *err, size_t errlen);
	void *drv;
};

/* What read() says about the batch it read, for the batch log line and the totals. */
struct source_batch {
	uint64_t rows;		   /* rows written to the sinks */
	uint64_t units;		   /* files, or records */
	uint64_t bad;		   /* files quarantined, records dead-lettered */
	struct log_field extra[4]; /* more fields for the batch log line (strings borrowed from the source) */
	int nextra;
};

/* How far a long run is (for the command's progress line). Units are files or records. */
struct source_progress {
	uint64_t units_done, units_total;
	uint64_t bytes_done, bytes_total;
};

/* What the driver offers a source. */
struct source_env {
	volatile sig_atomic_t *stop; /* non-zero once a stop is requested */
	int (*batch_now)(void *drv); /* run a batch of what is waiting now (Kafka rebalance) */
	void *drv;
};

struct source_ops {
	const char *name; /* "files", "kafka": the key of its outcome in commits/N */
	/* Whether the source's own state agrees with the checkpoint (before the sinks are opened).
	 * 0, or -1 with err (damage the user must see: nothing is ingested). */
	int (*check)(void *st, const struct checkpoint *ck, char *err, size_t errlen);
	/* Bring the source's own state up to the checkpoint (the batches committed so far) before any
	 * new batch. 0, or -1 with err (damage the user must see: nothing is ingested). */
	int (*recover)(void *st, struct checkpoint *ck, char *err, size_t errlen);
	/* Take in what has arrived, waiting at most wait_ns for more (0: do not wait). draining: the
	 * run ends once nothing is left (replay, --trigger once / available-now). */
	enum source_state (*poll)(void *st, int64_t wait_ns, int draining);
	/* The next batch's plan (a new JSON object) or *plan = NULL when nothing is waiting. unlimited:
	 * ignore the per-batch caps. 0, or -1 with err. */
	int (*plan)(void *st, uint64_t batch, int unlimited, json_t **plan, char *err, size_t errlen);
	/* Emit every row of the plan. Returns 0 with *outcome (new JSON, the source's part of
	 * commits/N) and *b; -1 when a sink failed (err; the driver retries the whole plan); 1 when a
	 * stop was requested; -2 when the plan is damaged (err). */
	int (*read)(void *st, uint64_t batch, json_t *plan, const struct source_emit *emit, json_t **outcome,
		    struct source_batch *b, char *err, size_t errlen);
	/* After commits/N: act on the outcome (registry, quarantine, cleanSource; Kafka offsets).
	 * Idempotent: it runs again after a crash. 0, or -1 with err (fatal). */
	int (*ack)(void *st, uint64_t batch, json_t *outcome, char *err, size_t errlen);
	/* Totals the source adds to every commit's "totals" (e.g. "files"); may add nothing. */
	void (*totals)(void *st, json_t *totals);
	/* Its live view for stats.json (Kafka: topic, group, lag); may add nothing. */
	void (*stats)(void *st, json_t *stats);
	void (*progress)(void *st, struct source_progress *p);
	/* The run ends (drained, stopped or failed): say what is left. */
	void (*finish)(void *st, int drained);
	void (*close)(void *st); /* accepts NULL */
};

extern const struct source_ops source_file_ops;
extern const struct source_ops source_kafka_ops;

#endif
