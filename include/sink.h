/* Sinks: where rows go. Each kind is an ops table; the engine only sees struct sink.
 *
 * Protocol per batch: begin(batch) once, write() any number of times, then flush() makes every
 * row of the batch durable (or fails), or abort() throws the batch's partial output away. A
 * batch may be begun again with the same id after abort or after a crash: a sink must make
 * the second delivery of the same rows harmless (same file name, same document ids). */
#ifndef PCAPSTREAM_SINK_H
#define PCAPSTREAM_SINK_H
#include <stddef.h>
#include <stdint.h>
#include "row.h"

/* What a sink may use besides its spec. */
struct sink_env {
	const char *state_dir; /* a folder of its own for durable state (dead letters), or NULL */
};

/* Per-batch counters a sink reports after flush(). */
struct sink_stats {
	uint64_t dead_letters; /* rows refused for good, written to the dead-letter file */
	uint64_t retries;      /* requests or items sent again */
};

/* open()'s failure when the spec is right but what it names conflicts with the state around it
 * (a file: folder holding another checkpoint's batches): not a configuration error but damage
 * to refuse. Any other failure (-1) means the spec itself is wrong. */
#define SINK_ECONFLICT (-3)

struct sink_ops {
	const char *name; /* the spec prefix: "file" in "file:OUTDIR" */
	const char *help; /* one line for --help */
	/* Create an instance from the text after "name:" (arg may be ""). 0, or -1 or SINK_ECONFLICT
	 * with err. */
	int (*open)(const char *arg, const struct sink_env *env, void **state, char *err, size_t errlen);
	int (*begin)(void *state, uint64_t batch, char *err, size_t errlen);
	int (*write)(void *state, const struct row *rows, size_t n, char *err, size_t errlen);
	int (*flush)(void *state, char *err, size_t errlen);
	void (*abort)(void *state);
	void (*stats)(void *state, struct sink_stats *out); /* counters of the current batch */
	void (*close)(void *state);			    /* accepts NULL */
};

struct sink;

/* Open a sink from a spec such as "file:out" or "null". Returns 0 and *out (free with
 * sink_close), or -1 (a wrong spec) or SINK_ECONFLICT (see above) with a message in err naming
 * the spec and what is wrong. */
int sink_open(const char *spec, const struct sink_env *env, struct sink **out, char *err, size_t errlen);

/* The per-batch protocol above; each returns 0 or -1 with a message in err. */
int sink_begin(struct sink *s, uint64_t batch, char *err, size_t errlen);
int sink_write(struct sink *s, const struct row *rows, size_t n, char *err, size_t errlen);
int sink_flush(struct sink *s, char *err, size_t errlen);
void sink_abort(struct sink *s);
void sink_stats(struct sink *s, struct sink_stats *out);

/* The spec the sink was opened with ("file:out"), credentials masked: what logs and state files
 * name the sink by. */
const char *sink_spec(const struct sink *s);

/* Close and free; accepts NULL. */
void sink_close(struct sink *s);

/* Write one line per sink kind ("  file:OUTDIR  ...") for --help. */
void sink_print_help(void *file);

extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_null_ops;
extern const struct sink_ops sink_es_ops;
extern const struct sink_ops sink_mongo_ops;
extern const struct sink_ops sink_kafka_ops;

#endif
