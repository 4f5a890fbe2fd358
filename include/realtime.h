/* realtime: the Kafka source run by the driver into the cold sinks and the hot topic. */
#ifndef PCAPSTREAM_REALTIME_H
#define PCAPSTREAM_REALTIME_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "driver.h"

#define REALTIME_MAX_SINKS 16

struct realtime_config {
	const char *brokers, *topic, *group;
	const char *hot_topic;	       /* NULL: off */
	const char *dead_letter;       /* NULL: STATE_DIR/dead-letter.ndjson */
	const char *dead_letter_topic; /* NULL: the file */
	const char *state_dir;	       /* the checkpoint folder */
	const char *sinks[REALTIME_MAX_SINKS];
	int nsinks;
	int64_t interval_ns;
	int64_t retention_ns; /* prune the stores of what is older, once an hour; 0 = off */
	size_t max_rows;
	uint64_t max_bytes;
	uint64_t prefetch; /* bytes the consumer may fetch ahead */
};

/* Consume until *stop. Returns 0 (stopped on request), DRIVER_ECONFIG (a sink spec or the
 * dead-letter topic cannot be used) or -1 (state folder, damaged checkpoint) with err. */
int realtime_run(const struct realtime_config *cfg, volatile sig_atomic_t *stop, struct driver_summary *sum, char *err,
		 size_t errlen);

#endif
