/* The Kafka source (see source.h): records of one topic, read by a consumer group. */
#ifndef PCAPSTREAM_SOURCE_KAFKA_H
#define PCAPSTREAM_SOURCE_KAFKA_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "source.h"

struct source_kafka_config {
	const char *brokers, *topic, *group;
	size_t max_rows;    /* records per batch at most */
	uint64_t max_bytes; /* record bytes per batch at most */
	uint64_t prefetch;  /* bytes librdkafka may fetch ahead (queued.max.messages.kbytes) */
};

/* The checkpoint metadata of a Kafka source's state folder (brokers are not part of it: a
 * cluster may be reached by another address). Returns a new object or NULL (out of memory). */
json_t *source_kafka_metadata(const struct source_kafka_config *cfg);

/* Join the group and subscribe (no record is read yet). cfg and env must outlive the source.
 * Returns 0 and *out (for source_kafka_ops; its close frees), or -1 with err. */
int source_kafka_open(const struct source_kafka_config *cfg, const struct source_env *env, void **out, char *err,
		      size_t errlen);

#endif
