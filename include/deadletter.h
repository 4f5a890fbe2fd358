/* Dead letters: records a source could not turn into rows, kept with their reason, in a file
 * (NDJSON, appended) or a Kafka topic. The driver makes them durable before a batch commits. */
#ifndef PCAPSTREAM_DEADLETTER_H
#define PCAPSTREAM_DEADLETTER_H
#include <jansson.h>
#include <stddef.h>

struct deadletter;

/* A writer into file (created on the first letter), or into topic on brokers when topic is not
 * NULL. Returns 0 and *out (deadletter_close frees) or -1 with err. */
int deadletter_open(const char *file, const char *brokers, const char *topic, struct deadletter **out, char *err,
		    size_t errlen);

/* Append one letter (a JSON object, one line). 0 or -1 with err. */
int deadletter_write(struct deadletter *dl, json_t *letter, char *err, size_t errlen);

/* Make every letter written so far durable (fsync, or every delivery report received). 0 or -1. */
int deadletter_sync(struct deadletter *dl, char *err, size_t errlen);

/* What the letters go to ("FILE" or "kafka topic NAME"), for messages. */
const char *deadletter_name(const struct deadletter *dl);

void deadletter_close(struct deadletter *dl); /* accepts NULL */

#endif
