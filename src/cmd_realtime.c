/* `pcapstream realtime`: its options. The work is realtime.c's (the Kafka source run by the
 * driver into the cold sinks and the hot topic). */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "communityid.h"
#include "config.h"
#include "log.h"
#include "pmacct.h"
#include "realtime.h"
#include "sink.h"

struct rt_opts {
	struct realtime_config rt;
	const char *tz;
	enum log_format log_format;
	uint16_t community_id_seed;
};

#define RT(field) CONFIG_AT(struct rt_opts, rt.field)

static const struct config_opt rt_opts[] = {
	{ .flag = "brokers",
	  .type = CONFIG_STRING,
	  .arg = "LIST",
	  .required = 1,
	  RT(brokers),
	  .help = "Kafka bootstrap servers" },
	{ .flag = "topic",
	  .type = CONFIG_STRING,
	  .arg = "NAME",
	  .def = "netflow",
	  RT(topic),
	  .help = "the topic: pmacct's records and/or pcapstream's own rows (what watch --sink kafka: writes)" },
	{ .flag = "group",
	  .type = CONFIG_STRING,
	  .arg = "NAME",
	  .def = "pcapstream",
	  RT(group),
	  .help = "consumer group" },
	{ .flag = "hot-topic",
	  .type = CONFIG_STRING,
	  .arg = "NAME",
	  .def = "pcapstream.hot",
	  .off = "off",
	  RT(hot_topic),
	  .help = "where rows are republished; off: nowhere" },
	{ .flag = "sink",
	  .type = CONFIG_STRINGS,
	  .arg = "SPEC",
	  CONFIG_LIST(struct rt_opts, rt.sinks, rt.nsinks),
	  .help = "cold sink, repeatable; default file:out",
	  .help_more = sink_print_help },
	{ .flag = "interval",
	  .type = CONFIG_DURATION,
	  .def = "2s",
	  .min = 10000000LL,
	  RT(interval_ns),
	  .help = "micro-batch length" },
	{ .flag = "max-rows",
	  .type = CONFIG_INT,
	  .def = "20000",
	  .min = 1,
	  .max = 10000000,
	  RT(max_rows),
	  .help = "records per batch at most" },
	{ .flag = "max-bytes",
	  .type = CONFIG_SIZE,
	  .def = "32MB",
	  .min = 1024,
	  RT(max_bytes),
	  .help = "record bytes per batch at most" },
	{ .flag = "prefetch",
	  .type = CONFIG_SIZE,
	  .def = "64MB",
	  .min = 1 << 20,
	  .max = 2LL << 30,
	  RT(prefetch),
	  .help = "records the consumer fetches ahead, in bytes: more catches up faster after a backlog (256MB "
		  "about 2.6x on make bench-kafka) at that much more memory" },
	{ .flag = "retention",
	  .type = CONFIG_DURATION,
	  .min = 3600000000000LL,
	  .off = "off",
	  RT(retention_ns),
	  .help = "once an hour, prune the es: and mongo: sinks of what is older than this (as `pcapstream prune "
		  "--older-than`); off by default" },
	{ .flag = "dead-letter",
	  .type = CONFIG_STRING,
	  .arg = "FILE",
	  RT(dead_letter),
	  .help = "malformed records with their reason (default STATE_DIR/dead-letter.ndjson)" },
	{ .flag = "dead-letter-topic",
	  .type = CONFIG_STRING,
	  .arg = "NAME",
	  RT(dead_letter_topic),
	  .help = "send them to this topic instead" },
	{ .flag = "pmacct-timezone",
	  .type = CONFIG_STRING,
	  .arg = "TZ",
	  .def = "UTC",
	  CONFIG_AT(struct rt_opts, tz),
	  .help = "zone of pmacct's time strings, which carry none" },
	{ .flag = "state-dir",
	  .type = CONFIG_STRING,
	  .arg = "DIR",
	  .def = "pcapstream-realtime",
	  RT(state_dir),
	  .help = "the checkpoint (offsets/, commits/, one process at a time), sinks' own state such as ES dead "
		  "letters, and stats.json (counters and consumer lag for `serve --realtime-state`)" },
	{ .flag = "log-format",
	  .type = CONFIG_ENUM,
	  .choices = config_log_formats,
	  .def = "text",
	  CONFIG_AT(struct rt_opts, log_format),
	  .help = "log lines" },
	CONFIG_COMMUNITY_ID_SEED(struct rt_opts, community_id_seed),
	{ .flag = NULL },
};

#undef RT

static const struct config_cmd rt_cmd = {
	.name = "realtime",
	.usage = "usage: pcapstream realtime --brokers HOST:PORT [options]\n\n"
		 "Consume a Kafka topic: pmacct's JSON flow records (kafka plugin, kafka_output: json), mapped\n"
		 "to the row schema (event.dataset pmacct), and pcapstream's own rows (what `watch --sink\n"
		 "kafka:` writes, keeping their ids), told apart record by record. Rows go to the cold sinks\n"
		 "and are republished to the hot topic. Each micro-batch is planned as offset ranges in the\n"
		 "state folder before it runs and committed there (then to Kafka) after every sink flushed:\n"
		 "after a crash the same batch runs again, so every sink, the file sink too, holds each record\n"
		 "exactly once. Several instances in one group (each with its own --state-dir) share the\n"
		 "partitions.\n",
	.after = "Exit status: 0 stopped on request (SIGINT, SIGTERM; the batch in flight is read again at\n"
		 "the next start); 2 usage or configuration error, or a sink that cannot be opened; 3 the\n"
		 "state folder cannot be used (not creatable, damaged, in use by another process, or another\n"
		 "topic's or group's).\n",
	.opts = rt_opts,
	.max_operands = 0,
	.variant = 0,
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int cmd_realtime(int argc, char **argv)
{
	struct rt_opts o;
	struct config_args *args = NULL;
	struct driver_summary sum = { 0 };
	char err[2048];
	int rc = 2;

	memset(&o, 0, sizeof(o));
	if (config_parse_main(&rt_cmd, argc, argv, &o, &args, &rc) < 0)
		goto out;
	rc = 2;
	if (pmacct_set_timezone(o.tz) < 0) {
		fprintf(stderr,
			"pcapstream realtime: --pmacct-timezone '%s' is not UTC or a zone in /usr/share/zoneinfo\n",
			o.tz);
		goto out;
	}
	log_set_format(o.log_format);
	communityid_set_seed(o.community_id_seed);
	if (o.rt.nsinks == 0) {
		o.rt.sinks[o.rt.nsinks++] = "file:out";
		log_msg(LOG_INFO, "no --sink given: writing NDJSON batches into ./out (file:out)");
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int rr = realtime_run(&o.rt, &stop_requested, &sum, err, sizeof(err));
	if (rr < 0) {
		log_line(LOG_ERROR, rr == DRIVER_ECONFIG ? "cannot start" : "stopped by a fatal error",
			 (struct log_field[]){ LOG_S("error", err) }, 1);
		rc = rr == DRIVER_ECONFIG ? 2 : 3;
		goto out;
	}
	log_line(LOG_INFO, "stopped",
		 (struct log_field[]){ LOG_I("batches", sum.batches), LOG_I("rows", sum.rows),
				       LOG_I("dead_letters", sum.dead_letters) },
		 3);
	rc = 0;
out:
	config_args_free(args);
	return rc;
}
