/* `pcapstream serve`: the dashboard's options; serve.c does the serving. */
#include <stdio.h>
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "serve.h"

struct serve_opts {
	struct serve_config serve;
	enum log_format log_format;
};

static const struct config_choice backend_choices[] = {
	{ "mongo", SERVE_MONGO },
	{ "es", SERVE_ES },
	{ NULL, 0 },
};

#define S(field) CONFIG_AT(struct serve_opts, serve.field)

static const struct config_opt serve_opts[] = {
	{ .flag = "listen",
	  .type = CONFIG_STRING,
	  .arg = "ADDR:PORT",
	  .def = "127.0.0.1:8080",
	  S(listen),
	  .help = "where to listen (IPv4 only)" },
	{ .flag = "backend",
	  .type = CONFIG_ENUM,
	  .choices = backend_choices,
	  .def = "mongo",
	  S(backend),
	  .help = "where /api/daily reads" },
	{ .flag = "mongo",
	  .type = CONFIG_STRING,
	  .arg = "URI",
	  .def = "mongodb://127.0.0.1:27017/pcapstream",
	  S(mongo),
	  .help = "MongoDB" },
	{ .flag = "es",
	  .type = CONFIG_STRING,
	  .arg = "URL[?options]",
	  .def = "http://127.0.0.1:9200",
	  S(es),
	  .help = "Elasticsearch, as the es: sink spec" },
	{ .flag = "brokers",
	  .type = CONFIG_STRING,
	  .arg = "LIST",
	  S(brokers),
	  .help = "Kafka, for the live chart (without it the live chart is off)" },
	{ .flag = "hot-topic",
	  .type = CONFIG_STRING,
	  .arg = "NAME",
	  .def = "pcapstream.hot",
	  S(hot_topic),
	  .help = "the hot topic realtime writes" },
	{ .flag = "live-group",
	  .type = CONFIG_STRING,
	  .arg = "NAME",
	  S(live_group),
	  .help = "consumer group of the live view (default pcapstream-serve-HOST-PID: each dashboard sees every "
		  "record, from the latest offsets)" },
	{ .flag = "window",
	  .type = CONFIG_DURATION,
	  .def = "10s",
	  .min = 1000000000LL,
	  S(window_ns),
	  .help = "live window" },
	{ .flag = "history",
	  .type = CONFIG_INT,
	  .def = "60",
	  .min = 1,
	  .max = 100000,
	  S(history),
	  .help = "windows sent to a new client" },
	{ .flag = "checkpoint",
	  .type = CONFIG_STRINGS,
	  .arg = "DIR",
	  CONFIG_LIST(struct serve_opts, serve.checkpoints, serve.ncheckpoints),
	  .help = "a watch/replay checkpoint to report in /metrics" },
	{ .flag = "realtime-state",
	  .type = CONFIG_STRINGS,
	  .arg = "DIR",
	  CONFIG_LIST(struct serve_opts, serve.rt_states, serve.nrt_states),
	  .help = "a realtime --state-dir to report in /metrics" },
	{ .flag = "web-root",
	  .type = CONFIG_STRING,
	  .arg = "DIR",
	  S(web_root),
	  .help = "the page's folder (default: PCAPSTREAM_WEB_ROOT, else web/ beside the binary's folder or in the "
		  "source tree it was built from, else /usr/share/pcapstream/web)" },
	{ .flag = "threads",
	  .type = CONFIG_INT,
	  .def = "256",
	  .min = SERVE_MIN_THREADS,
	  .max = 100000,
	  S(threads),
	  .help = "HTTP worker threads: each open connection holds one; live clients get at most 1/8 of them, and "
		  "past 7/8 an address with a connection open gets 503 for another" },
	{ .flag = "max-per-client",
	  .type = CONFIG_INT,
	  .def = "16",
	  .min = 1,
	  .max = 100000,
	  S(per_client),
	  .help = "connections at a time from one client address; more get 503 with Retry-After at once" },
	{ .flag = "request-timeout",
	  .type = CONFIG_DURATION,
	  .def = "10s",
	  .min = 1000000000LL,
	  .max = 3600000000000LL,
	  S(request_timeout_ns),
	  .help = "time a client has to send its request line and headers" },
	{ .flag = "log-format",
	  .type = CONFIG_ENUM,
	  .choices = config_log_formats,
	  .def = "text",
	  CONFIG_AT(struct serve_opts, log_format),
	  .help = "log lines" },
	{ .flag = NULL },
};

#undef S

static const struct config_cmd serve_cmd = {
	.name = "serve",
	.usage = "usage: pcapstream serve [options]\n\n"
		 "The dashboard: a page with the daily traffic of a host (stacked in/out bytes per day) and a live\n"
		 "chart of the hot topic (bytes per 10 s window), plus an HTTP API and Prometheus metrics.\n\n"
		 "  GET /                   the page (web/index.html)\n"
		 "  GET /api/daily?host=IP&from=YYYY-MM-DD&to=YYYY-MM-DD[&dataset=flows|packets]\n"
		 "                          [{day, inBytes, outBytes, inPackets, outPackets}] per UTC day (flows:\n"
		 "                          the default, a flow counts on the day of its start)\n"
		 "  GET /api/conversations?host=IP&day=YYYY-MM-DD[&limit=N]\n"
		 "                          the host's top conversations of the day by bytes (N 1..1000, 20)\n"
		 "  GET /api/live           {status, window_s, points: [{t, bytes, packets}]}\n"
		 "  WebSocket /ws/live      the history on connect, then one point per window (503 when the\n"
		 "                          live clients are at their cap: then poll /api/live)\n"
		 "  GET /metrics            rows per sink, batches, retries, dead letters, quarantined files,\n"
		 "                          consumer lag (from --checkpoint and --realtime-state folders)\n",
	.after = "Options may come in any order. Exit status: 0 stopped on request (SIGINT, SIGTERM); 1 cannot\n"
		 "listen (address in use or not ADDR:PORT); 2 usage or configuration error.\n",
	.opts = serve_opts,
	.max_operands = 0,
	.variant = 0,
};

int cmd_serve(int argc, char **argv)
{
	struct serve_opts o = { 0 };
	struct config_args *args = NULL;
	char err[2048];
	int rc = 0;

	if (config_parse_main(&serve_cmd, argc, argv, &o, &args, &rc) < 0)
		goto out;
	log_set_format(o.log_format);
	rc = serve_run(&o.serve, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "pcapstream serve: %s\n", err);
	rc = rc == SERVE_ELISTEN ? 1 : rc < 0 ? 2 : 0;
out:
	config_args_free(args);
	return rc;
}
