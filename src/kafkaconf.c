/* The librdkafka configuration every Kafka client starts from (see kafkaconf.h). */
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
