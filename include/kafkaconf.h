/* The librdkafka configuration every Kafka client of pcapstream starts from. */
#ifndef PCAPSTREAM_KAFKACONF_H
#define PCAPSTREAM_KAFKACONF_H
#include <librdkafka/rdkafka.h>

/* A new configuration (caller owns it until rd_kafka_new takes it; rd_kafka_conf_destroy
 * otherwise) whose log lines go through log.c, in the process's log format, instead of
 * librdkafka's own "%3|...|FAIL|..." lines on standard error. NULL when out of memory. */
rd_kafka_conf_t *kafkaconf_new(void);

/* Callbacks a client may have (NULL: none) and their opaque pointer. */
struct kafkaconf_callbacks {
	void (*delivery)(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
	void (*error)(rd_kafka_t *rk, int err, const char *reason, void *opaque);
	void (*rebalance)(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts, void *opaque);
	void *opaque;
};

/* A client of type from kafkaconf_new() with settings and then more (each a list of name/value
 * pairs ending with { NULL, NULL }; more may be NULL) and the callbacks (cb may be NULL). Returns
 * it (rd_kafka_destroy frees), or NULL with err (a setting refused, or out of memory). */
rd_kafka_t *kafkaconf_client(rd_kafka_type_t type, const char *const (*settings)[2], const char *const (*more)[2],
			     const struct kafkaconf_callbacks *cb, char *err, size_t errlen);

#endif
