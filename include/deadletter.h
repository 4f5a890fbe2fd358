/* Dead letters: records a source could not turn into rows, kept with their reason, in a file
 * (NDJSON) or a Kafka topic. The driver writes a batch's letters once every sink has flushed the
 * batch and before commits/N, in one go: a file is first cut back to its size when the batch was
 * planned, so a batch run again after a crash leaves its letters there once. */
#ifndef PCAPSTREAM_DEADLETTER_H
#define PCAPSTREAM_DEADLETTER_H
#include <stddef.h>
#include <stdint.h>

struct deadletter;

/* A writer into file (created on the first letter), or into topic on brokers when topic is not
 * NULL. Returns 0 and *out (deadletter_close frees) or -1 with err. */
int deadletter_open(const char *file, const char *brokers, const char *topic, struct deadletter **out, char *err,
		    size_t errlen);

/* Where the letters of the next batch will start: the file's size (0 if it does not exist yet),
 * or -1 for a topic (which is appended to: at least once). */
int64_t deadletter_position(const struct deadletter *dl);

/* Write a batch's letters (len bytes of NDJSON lines) durably: a file is first cut back to at
 * (when at >= 0 and it is longer), then appended to and fsynced; a topic gets one message per line
 * and every delivery report. 0, or -1 with err. */
int deadletter_commit(struct deadletter *dl, int64_t at, const char *lines, size_t len, char *err, size_t errlen);

void deadletter_close(struct deadletter *dl); /* accepts NULL */

#endif
