/* The librdkafka configuration every Kafka client of pcapstream starts from. */
#ifndef PCAPSTREAM_KAFKACONF_H
#define PCAPSTREAM_KAFKACONF_H
#include <librdkafka/rdkafka.h>

/* A new configuration (caller owns it until rd_kafka_new takes it; rd_kafka_conf_destroy
 * otherwise) whose log lines go through log.c, in the process's log format, instead of
 * librdkafka's own "%3|...|FAIL|..." lines on standard error. NULL when out of memory. */
rd_kafka_conf_t *kafkaconf_new(void);

#endif
