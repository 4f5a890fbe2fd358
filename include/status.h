/* What a watch/replay checkpoint says: shared by `pcapstream status` and the metrics of `serve`. */
#ifndef PCAPSTREAM_STATUS_H
#define PCAPSTREAM_STATUS_H
#include <jansson.h>
#include <stddef.h>

/* Read checkpoint dir: returns a new JSON object (caller decrefs) with source, checkpoint,
 * last_committed_batch, batch_in_flight, committed_at, totals {rows, files, batches,
 * dead_letters, retries, sinks}, rows_per_sink, registry_files, pending_files/pending_bytes
 * (watch only) and quarantined [{file, reason}]. NULL with err when dir is not a checkpoint or
 * cannot be read; nothing is written either way. */
json_t *status_collect(const char *dir, char *err, size_t errlen);

/* status_collect with the kind of failure: 0 and *out; -1 when dir is not a checkpoint (no
 * metadata); -2 when it is one but damaged or unreadable, with the same message watch and replay
 * give before they refuse to start (exit 3). */
int status_read(const char *dir, json_t **out, char *err, size_t errlen);

#endif
