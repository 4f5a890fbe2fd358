/* The driver: runs the batches of one source into the sinks, exactly once, for every command
 * that ingests (watch, replay, realtime). See source.h for the protocol. */
#ifndef PCAPSTREAM_DRIVER_H
#define PCAPSTREAM_DRIVER_H
#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "source.h"

enum driver_trigger {
	DRIVER_INTERVAL,      /* a batch per tick (and at once when the source is full), until stopped */
	DRIVER_ONCE,	      /* one batch of everything waiting, then return */
	DRIVER_AVAILABLE_NOW, /* batches until the source is drained, then return */
};

struct driver_progress {
	struct source_progress src;
	uint64_t rows;
	int64_t elapsed_ns;
};

struct driver_config {
	const char *checkpoint;	  /* the folder: offsets/, commits/, metadata, stats.json */
	json_t *metadata;	  /* what the checkpoint belongs to (checkpoint_open); borrowed */
	const char *const *sinks; /* specs */
	int nsinks;
	enum driver_trigger trigger;
	int64_t interval_ns;		 /* DRIVER_INTERVAL */
	int64_t retention_ns;		 /* prune the es:/mongo: sinks: once an hour (interval), once per run (once,
					    available-now); 0 = off */
	const char *dead_letter_file;	 /* sources' dead letters (NULL: CHECKPOINT/dead-letter.ndjson) */
	const char *dead_letter_topic;	 /* or this Kafka topic (NULL: the file) */
	const char *dead_letter_brokers; /* of that topic */
	/* The command's progress line: called at most twice a second and once at the end (final). */
	void (*progress)(void *arg, const struct driver_progress *p, int final);
	void *progress_arg;
};

struct driver_summary {
	uint64_t batches, rows, dead_letters;
};

/* driver_run()'s failure when a sink spec is wrong (a configuration error, exit 2). */
#define DRIVER_ECONFIG (-2)

struct driver;

/* Open the checkpoint and the sinks (no batch runs yet). The source state st is borrowed; the
 * driver's env for it (stop flag, batch_now) is in *env after this call, for the source's open.
 * Returns 0 and *out (driver_close frees), DRIVER_ECONFIG (a wrong sink spec) or -1 (the
 * checkpoint, a sink's conflict with it) with err. */
int driver_open(const struct driver_config *cfg, volatile sig_atomic_t *stop, struct driver **out, char *err,
		size_t errlen);

/* The env a source is opened with (valid while the driver lives). */
const struct source_env *driver_env(struct driver *d);

/* Run the source (ops, st) until the trigger says the run is over or a stop is requested:
 * recover, replay a batch left uncommitted, then plan and run batches. Returns 0 (done or
 * stopped on request), or -1 on a fatal error (damaged checkpoint, registry not durable) with err. */
int driver_run(struct driver *d, const struct source_ops *ops, void *st, struct driver_summary *sum, char *err,
	       size_t errlen);

/* Close the sinks and the checkpoint; accepts NULL. */
void driver_close(struct driver *d);

/* Whether the checkpoint's commits and offsets files the driver will read are there and readable
 * (the generic part of the check watch, replay and status make). 0, or -1 with err. */
int driver_check_checkpoint(const struct checkpoint *ck, int64_t first_needed, char *err, size_t errlen);

/* What to do about a damaged checkpoint: the end of every such error. */
#define DRIVER_DAMAGE_HINT                                                                                             \
	"pcapstream stopped rather than ingest files twice or lose them. Restore the checkpoint folder from a "        \
	"backup; or start afresh with a new, empty --checkpoint folder (and, for a file: sink, a new output "          \
	"folder: Elasticsearch and MongoDB drop repeated rows by id)"

#endif
