/* The dashboard behind `pcapstream serve`: an HTTP server (CivetWeb) with the page from web/, the
 * daily traffic API over MongoDB or Elasticsearch, the live chart's WebSocket fed from the hot
 * topic, and Prometheus metrics of the ingest jobs. */
#ifndef PCAPSTREAM_SERVE_H
#define PCAPSTREAM_SERVE_H
#include <stddef.h>
#include <stdint.h>

#define SERVE_MAX_SOURCES 16 /* --checkpoint and --realtime-state folders, each */
#define SERVE_MIN_THREADS 16

enum serve_backend { SERVE_MONGO, SERVE_ES };

/* serve_run()'s failures: cannot listen (exit 1), a configuration error (exit 2). */
#define SERVE_ELISTEN (-1)
#define SERVE_ECONFIG (-2)

struct serve_config {
	const char *listen; /* ADDR:PORT */
	int backend;	    /* enum serve_backend: where /api/daily reads */
	const char *mongo, *es;
	const char *brokers;		    /* NULL: the live chart is off */
	const char *hot_topic, *live_group; /* live_group NULL: pcapstream-serve-HOST-PID */
	const char *web_root;		    /* NULL: found (PCAPSTREAM_WEB_ROOT, beside the binary, ...) */
	int64_t window_ns, request_timeout_ns;
	long history, threads, per_client;
	const char *checkpoints[SERVE_MAX_SOURCES];
	int ncheckpoints;
	const char *rt_states[SERVE_MAX_SOURCES];
	int nrt_states;
};

/* Serve until SIGINT or SIGTERM. Returns 0 when stopped on request, SERVE_ELISTEN when the
 * address cannot be listened on, SERVE_ECONFIG on a configuration error (bad --es, no page, the
 * live view cannot start); err says what and what to do, without passwords. */
int serve_run(const struct serve_config *cfg, char *err, size_t errlen);

#endif
