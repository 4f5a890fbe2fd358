/* realtime: the Kafka source run by the driver (see realtime.h). */
#include <stdio.h>
#include "driver.h"
#include "log.h"
#include "realtime.h"
#include "source_kafka.h"

int realtime_run(const struct realtime_config *cfg, volatile sig_atomic_t *stop, struct driver_summary *sum, char *err,
		 size_t errlen)
{
	const char *sinks[REALTIME_MAX_SINKS + 1];
	char hot[1200];
	struct source_kafka_config kc = {
		.brokers = cfg->brokers,
		.topic = cfg->topic,
		.group = cfg->group,
		.max_rows = cfg->max_rows,
		.max_bytes = cfg->max_bytes,
		.prefetch = cfg->prefetch,
	};
	struct driver_config dc = {
		.checkpoint = cfg->state_dir,
		.sinks = sinks,
		.nsinks = cfg->nsinks,
		.trigger = DRIVER_INTERVAL,
		.interval_ns = cfg->interval_ns,
		.retention_ns = cfg->retention_ns,
		.dead_letter_file = cfg->dead_letter,
		.dead_letter_topic = cfg->dead_letter_topic,
		.dead_letter_brokers = cfg->brokers,
	};
	struct driver *d = NULL;
	void *src = NULL;
	json_t *meta = source_kafka_metadata(&kc);
	int rc = -1;

	for (int i = 0; i < cfg->nsinks; i++)
		sinks[i] = cfg->sinks[i];
	if (cfg->hot_topic != NULL) {
		snprintf(hot, sizeof(hot), "kafka:%s/%s", cfg->brokers, cfg->hot_topic);
		sinks[dc.nsinks++] = hot;
	}
	if (meta == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	dc.metadata = meta;
	rc = driver_open(&dc, stop, &d, err, errlen);
	if (rc < 0)
		goto out;
	rc = DRIVER_ECONFIG; /* the client's settings, or the subscription */
	if (source_kafka_open(&kc, driver_env(d), &src, err, errlen) < 0)
		goto out;
	log_line(LOG_INFO, "consuming",
		 (struct log_field[]){
		     LOG_S("brokers", cfg->brokers), LOG_S("topic", cfg->topic), LOG_S("group", cfg->group),
		     LOG_S("hot_topic", cfg->hot_topic ? cfg->hot_topic : "off"), LOG_I("sinks", cfg->nsinks) },
		 5);
	rc = driver_run(d, &source_kafka_ops, src, sum, err, errlen);
out:
	source_kafka_ops.close(src);
	driver_close(d);
	json_decref(meta);
	return rc;
}
