/* Prometheus text exposition of what the ingest jobs have done, for `serve`'s GET /metrics. */
#ifndef PCAPSTREAM_METRICS_H
#define PCAPSTREAM_METRICS_H
#include <stddef.h>
#include "live.h"

struct metrics_sources {
	const char *const *checkpoints;	    /* watch/replay checkpoint folders, NULL-terminated */
	const char *const *realtime_states; /* realtime --state-dir folders (stats.json), NULL-terminated */
	struct live *live;		    /* the live view, or NULL */
	int live_clients;		    /* WebSocket clients connected now */
};

/* The metrics as Prometheus text format 0.0.4: a malloc'd string the caller frees (*len its
 * length), or NULL when out of memory. A folder that cannot be read yields
 * pcapstream_state_up{...} 0 and no other samples for it; nothing fails because of it. */
char *metrics_render(const struct metrics_sources *src, size_t *len);

#endif
