/* The engine: trigger loop, checkpoint protocol, file registry, quarantine, cleanSource.
 * It knows files, batches and sinks; it does not know packets (pcaprow/decode do). */
#ifndef PCAPSTREAM_ENGINE_H
#define PCAPSTREAM_ENGINE_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "driver.h"
#include "flow.h"

enum engine_mode { ENGINE_WATCH, ENGINE_REPLAY };
enum engine_trigger { TRIGGER_INTERVAL, TRIGGER_ONCE, TRIGGER_AVAILABLE_NOW };
enum engine_clean { CLEAN_OFF, CLEAN_ARCHIVE, CLEAN_DELETE };
/* --emit: bits */
enum engine_emit { ENGINE_EMIT_PACKETS = 1, ENGINE_EMIT_FLOWS = 2 };

struct engine_config {
	enum engine_mode mode;
	const char *const *paths; /* watch: the one folder; replay: files and folders */
	int npaths;
	const char *checkpoint;
	enum engine_trigger trigger;
	int64_t interval_ns; /* TRIGGER_INTERVAL */
	uint64_t max_files;  /* per batch; 0 = no limit */
	uint64_t max_bytes;  /* per batch; 0 = no limit (a batch always takes at least one file) */
	int latest_first;
	int64_t max_file_age_ns; /* 0 = off */
	enum engine_clean clean;
	const char *archive_dir;
	int recursive;
	const char *quarantine_dir;
	int64_t quiet_ns;	  /* a file found by a rescan is taken once its size is stable this long */
	int64_t forget_after_ns;  /* registry entries of files gone longer than this are dropped */
	int64_t retention_ns;	  /* prune the stores of what is older, once an hour; 0 = off */
	size_t max_pending;	  /* files tracked in memory at most; more wait on disk */
	int emit;		  /* ENGINE_EMIT_* bits */
	struct flow_config flow;  /* the flow table, when emit has ENGINE_EMIT_FLOWS */
	const char *const *sinks; /* specs */
	int nsinks;
	int progress; /* progress line on stderr (replay on a TTY) */
	/* the command's progress line, when progress is set; see driver.h */
	void (*progress_fn)(void *arg, const struct driver_progress *p, int final);
	void *progress_arg;
};

struct engine_summary {
	uint64_t batches;
	uint64_t files; /* files fully ingested */
	uint64_t rows;
	uint64_t duplicates;  /* files skipped: content already ingested */
	uint64_t quarantined; /* files moved to quarantine (truncated ones' rows are counted in rows) */
	uint64_t vanished;    /* planned files that disappeared or changed before they could be read */
};

/* engine_run()'s failure when a sink spec is wrong: a configuration error, not a fault of the
 * data or the checkpoint (a sink whose output conflicts with the checkpoint is fatal: -1). */
#define ENGINE_ECONFIG (-2)

/* Run until *stop becomes non-zero (watch, interval trigger) or until the available files are
 * ingested (once / available-now / replay). Returns 0; ENGINE_ECONFIG when a sink cannot be
 * opened from its spec; or -1 on another fatal error (bad checkpoint, ...); message in err. A
 * stop request abandons the batch in progress; it is replayed with the same plan at the next
 * start. */
int engine_run(const struct engine_config *cfg, volatile sig_atomic_t *stop, struct engine_summary *sum, char *err,
	       size_t errlen);

#endif
