/* `pcapstream realtime`: its options. The work is realtime.c's (the Kafka source run by the
 * driver into the cold sinks and the hot topic). */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "fsutil.h"
#include "log.h"
#include "pmacct.h"
#include "realtime.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: pcapstream realtime --brokers HOST:PORT [options]\n\n"
	    "Consume pmacct's JSON flow records (kafka plugin, kafka_output: json) from Kafka, map them to\n"
	    "the row schema (event.dataset pmacct), write them to the cold sinks and republish them to the\n"
	    "hot topic. Each micro-batch is planned as offset ranges in the state folder before it runs and\n"
	    "committed there (then to Kafka) after every sink flushed: after a crash the same batch is run\n"
	    "again, so every sink, the file sink too, holds each record exactly once. Several instances in\n"
	    "one group share the partitions (each with its own --state-dir).\n\n"
	    "options:\n"
	    "  --brokers LIST            Kafka bootstrap servers (required)\n"
	    "  --topic NAME              pmacct's topic (default netflow)\n"
	    "  --group NAME              consumer group (default pcapstream)\n"
	    "  --hot-topic NAME          where rows are republished (default pcapstream.hot; \"off\" to disable)\n"
	    "  --sink SPEC               cold sink, repeatable (default file:out): es:URL, mongo:URI, file:DIR\n"
	    "  --interval DURATION       micro-batch length (default 2s)\n"
	    "  --max-rows N              rows per batch at most (default 20000)\n"
	    "  --max-bytes SIZE          record bytes per batch at most (default 32MB)\n"
	    "  --dead-letter FILE        malformed records with their reason (default STATE_DIR/dead-letter.ndjson)\n"
	    "  --dead-letter-topic NAME  send them to this topic instead\n"
	    "  --pmacct-timezone TZ      zone of pmacct's time strings, which carry none (default UTC)\n"
	    "  --state-dir DIR           the checkpoint (offsets/, commits/), sinks' own state such as ES dead\n"
	    "                            letters, and stats.json (counters and consumer lag for `serve\n"
	    "                            --realtime-state`, rewritten at most once a second; default\n"
	    "                            pcapstream-realtime)\n"
	    "  --log-format text|json    log lines (default text)\n\n"
	    "Options may come in any order; a JSON file given with --config holds any of them.\n"
	    "Exit status: 0 stopped on request (SIGINT, SIGTERM; the batch in flight is read again at\n"
	    "the next start); 2 usage or configuration error, or a sink that cannot be opened; 3 the\n"
	    "state folder cannot be used (not creatable, damaged, or another topic's or group's).\n");
}

static int parse_args(int argc, char **argv, struct realtime_config *c, const char **tz, enum log_format *lf)
{
	static const struct option lopts[] = {
		{ "brokers", required_argument, NULL, 'b' },
		{ "topic", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "hot-topic", required_argument, NULL, 'H' },
		{ "sink", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "max-rows", required_argument, NULL, 'r' },
		{ "max-bytes", required_argument, NULL, 'B' },
		{ "dead-letter", required_argument, NULL, 'd' },
		{ "dead-letter-topic", required_argument, NULL, 'D' },
		{ "pmacct-timezone", required_argument, NULL, 'z' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "log-format", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;

	for (;;) {
		int o = getopt_long(argc, argv, "h", lopts, NULL);
		if (o == -1)
			break;
		switch (o) {
		case 'b':
			c->brokers = optarg;
			break;
		case 't':
			c->topic = optarg;
			break;
		case 'g':
			c->group = optarg;
			break;
		case 'H':
			c->hot_topic = strcmp(optarg, "off") == 0 ? NULL : optarg;
			break;
		case 's':
			if (c->nsinks == REALTIME_MAX_SINKS) {
				fprintf(stderr, "pcapstream realtime: at most %d sinks\n", REALTIME_MAX_SINKS);
				return -1;
			}
			c->sinks[c->nsinks++] = optarg;
			break;
		case 'i':
			if (fsutil_parse_duration(optarg, &c->interval_ns) < 0 || c->interval_ns < 10000000) {
				fprintf(stderr,
					"pcapstream realtime: --interval '%s' is not a duration of 10ms or more\n",
					optarg);
				return -1;
			}
			break;
		case 'r':
			c->max_rows = strtoul(optarg, &end, 10);
			if (*end != '\0' || c->max_rows < 1 || c->max_rows > 10000000) {
				fprintf(stderr, "pcapstream realtime: --max-rows '%s' is not between 1 and 10000000\n",
					optarg);
				return -1;
			}
			break;
		case 'B':
			if (fsutil_parse_size(optarg, &c->max_bytes) < 0 || c->max_bytes < 1024) {
				fprintf(stderr, "pcapstream realtime: --max-bytes '%s' is not a size of 1k or more\n",
					optarg);
				return -1;
			}
			break;
		case 'd':
			c->dead_letter = optarg;
			break;
		case 'D':
			c->dead_letter_topic = optarg;
			break;
		case 'z':
			*tz = optarg;
			break;
		case 'S':
			c->state_dir = optarg;
			break;
		case 'l':
			if (log_parse_format(optarg, lf) < 0) {
				fprintf(stderr, "pcapstream realtime: --log-format is text or json\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pcapstream realtime: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	if (c->brokers == NULL) {
		fprintf(stderr, "pcapstream realtime: --brokers is required (see --help)\n");
		return -1;
	}
	if (pmacct_set_timezone(*tz) < 0) {
		fprintf(stderr,
			"pcapstream realtime: --pmacct-timezone '%s' is not UTC or a zone in /usr/share/zoneinfo\n",
			*tz);
		return -1;
	}
	return 0;
}

/* The argv built from --config: the file's options first, so the flags after them win. */
struct cfg_argv {
	char **argv; /* argv[0], the file's options, then the command line's (without --config) */
	int argc;
	char **owned; /* strings made here, freed with the struct */
	int nowned;
};

static void cfg_argv_free(struct cfg_argv *c)
{
	for (int i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->argv);
}

/* Fill c from argv and, if --config FILE is given, from FILE: a JSON object of the same options
 * ({"brokers": "...", "sink": ["es:..."], "max-rows": 5000}). The file's sinks are dropped when
 * the command line names any. Returns 0, or -1 with a message printed. */
static int with_config(int argc, char **argv, struct cfg_argv *c)
{
	const char *file = NULL;
	json_t *root = NULL, *val;
	json_error_t jerr;
	const char *key;
	int flag_sinks = 0, rc = -1;
	size_t cap = (size_t)argc + 1;

	memset(c, 0, sizeof(*c));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			file = argv[i + 1];
		if (strcmp(argv[i], "--sink") == 0)
			flag_sinks = 1;
	}
	if (file != NULL) {
		root = json_load_file(file, 0, &jerr);
		if (root == NULL || !json_is_object(root)) {
			fprintf(stderr, "pcapstream realtime: config %s: %s\n", file,
				root == NULL ? jerr.text : "expected a JSON object of options");
			goto out;
		}
		json_object_foreach(root, key, val) cap += 2 * (json_is_array(val) ? json_array_size(val) : 1);
	}
	c->argv = calloc(cap, sizeof(*c->argv));
	c->owned = calloc(cap, sizeof(*c->owned));
	if (c->argv == NULL || c->owned == NULL)
		goto out;
	c->argv[c->argc++] = argv[0];
	json_object_foreach(root, key, val)
	{
		size_t count = json_is_array(val) ? json_array_size(val) : 1;
		char name[80];
		snprintf(name, sizeof(name), "--%s", key);
		for (char *p = name + 2; *p != '\0'; p++)
			*p = *p == '_' ? '-' : *p;
		if (strcmp(name, "--sink") == 0 && flag_sinks)
			continue;
		for (size_t i = 0; i < count; i++) {
			json_t *v = json_is_array(val) ? json_array_get(val, i) : val;
			char text[4096];
			if (json_is_string(v)) {
				snprintf(text, sizeof(text), "%s", json_string_value(v));
			} else if (json_is_integer(v)) {
				snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
			} else {
				fprintf(stderr, "pcapstream realtime: config %s: \"%s\" must be a string or a number\n",
					file, key);
				goto out;
			}
			c->owned[c->nowned] = strdup(name);
			c->argv[c->argc++] = c->owned[c->nowned++];
			c->owned[c->nowned] = strdup(text);
			c->argv[c->argc++] = c->owned[c->nowned++];
		}
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			i++;
			continue;
		}
		c->argv[c->argc++] = argv[i];
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int cmd_realtime(int argc, char **argv)
{
	struct realtime_config c = {
		.topic = "netflow",
		.group = "pcapstream",
		.hot_topic = "pcapstream.hot",
		.state_dir = "pcapstream-realtime",
		.interval_ns = 2000000000LL,
		.max_rows = 20000,
		.max_bytes = 32 << 20,
	};
	const char *tz = "UTC";
	enum log_format lf = LOG_TEXT;
	struct driver_summary sum = { 0 };
	struct cfg_argv ca;
	char err[2048];
	int rc = 2;

	if (with_config(argc, argv, &ca) < 0)
		goto out;
	int pa = parse_args(ca.argc, ca.argv, &c, &tz, &lf);
	if (pa != 0) {
		rc = pa > 0 ? 0 : 2;
		goto out;
	}
	log_set_format(lf);
	if (c.nsinks == 0) {
		c.sinks[c.nsinks++] = "file:out";
		log_msg(LOG_INFO, "no --sink given: writing NDJSON batches into ./out (file:out)");
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int rr = realtime_run(&c, &stop_requested, &sum, err, sizeof(err));
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
	cfg_argv_free(&ca);
	return rc;
}
