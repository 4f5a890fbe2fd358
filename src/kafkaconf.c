/* The librdkafka configuration every Kafka client starts from (see kafkaconf.h). */
#include <stdio.h>
#include "kafkaconf.h"
#include "log.h"

/* librdkafka's log callback, called from any of its threads (log_line writes each line with one
 * write()). Syslog levels: 0-3 are errors, 4 warnings, the rest information. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	enum log_level l = level <= 3 ? LOG_ERROR : level == 4 ? LOG_WARN : LOG_INFO;

	log_line(l, buf,
		 (struct log_field[]){ LOG_S("source", "librdkafka"), LOG_S("facility", fac),
				       LOG_S("client", rd_kafka_name(rk)) },
		 3);
}

rd_kafka_conf_t *kafkaconf_new(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	if (conf != NULL)
		rd_kafka_conf_set_log_cb(conf, on_log);
	return conf;
}

/* Apply a settings list to conf. 0, or -1 with err. */
static int apply(rd_kafka_conf_t *conf, const char *const (*settings)[2], char *err, size_t errlen)
{
	for (int i = 0; settings != NULL && settings[i][0] != NULL; i++)
		if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], err, errlen) != RD_KAFKA_CONF_OK)
			return -1;
	return 0;
}

rd_kafka_t *kafkaconf_client(rd_kafka_type_t type, const char *const (*settings)[2], const char *const (*more)[2],
			     const struct kafkaconf_callbacks *cb, char *err, size_t errlen)
{
	rd_kafka_conf_t *conf = kafkaconf_new();
	rd_kafka_t *rk = NULL;

	if (conf == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (apply(conf, settings, err, errlen) < 0 || apply(conf, more, err, errlen) < 0)
		goto out;
	if (cb != NULL) {
		if (cb->delivery != NULL)
			rd_kafka_conf_set_dr_msg_cb(conf, cb->delivery);
		if (cb->error != NULL)
			rd_kafka_conf_set_error_cb(conf, cb->error);
		if (cb->rebalance != NULL)
			rd_kafka_conf_set_rebalance_cb(conf, cb->rebalance);
		rd_kafka_conf_set_opaque(conf, cb->opaque);
	}
	rk = rd_kafka_new(type, conf, err, errlen);
	if (rk != NULL)
		conf = NULL; /* the client owns it */
out:
	if (conf != NULL)
		rd_kafka_conf_destroy(conf);
	return rk;
}
