/* The dashboard's live view: a consumer of the hot topic (its own consumer group, starting at the
 * latest offsets) that sums network.bytes and network.packets of the rows arriving in each
 * wall-clock window (10 s by default), keeps the last windows as history, and hands each closed
 * window to a callback. Runs in a thread of its own. */
#ifndef PCAPSTREAM_LIVE_H
#define PCAPSTREAM_LIVE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct live;

struct live_point {
	int64_t t_ms; /* start of the window, ms since the epoch */
	uint64_t bytes, packets;
};

struct live_stats {
	uint64_t records;   /* hot-topic messages read */
	uint64_t malformed; /* messages that were not a row with network.bytes */
	uint64_t points;    /* windows closed */
	int kafka_down;	    /* 1 while the brokers cannot be reached */
};

/* Called from the live thread for each closed window (zeros included), and with p == NULL when
 * the Kafka state changes (read it with live_status_json). Must not block for long. */
typedef void (*live_cb)(const struct live_point *p, void *arg);

struct live_config {
	const char *brokers, *topic, *group;
	int64_t window_ms;
	size_t history; /* windows kept for clients that connect */
};

/* Start consuming. Returns 0 and *out (stop with live_stop), or -1 with err (nothing started). */
int live_start(const struct live_config *cfg, live_cb cb, void *arg, struct live **out, char *err, size_t errlen);

/* The kept windows, oldest first, as a JSON array of {t, bytes, packets} (caller decrefs). */
json_t *live_history(struct live *l);

/* {"status": "ok"|"down", "error": text or null, "window_s": N} (caller decrefs). */
json_t *live_status_json(struct live *l);

/* Counters so far. */
void live_get_stats(struct live *l, struct live_stats *out);

/* A point as the JSON object {t, bytes, packets} (caller decrefs). */
json_t *live_point_json(const struct live_point *p);

/* Stop the thread, close the consumer, free. Accepts NULL. */
void live_stop(struct live *l);

#endif
