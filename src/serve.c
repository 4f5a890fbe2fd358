/* The dashboard behind `pcapstream serve`: HTTP server, page, daily and conversations API, live chart,
 * metrics. */
#include <arpa/inet.h>
#include <errno.h>
#include <civetweb.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "daily.h"
#include "esclient.h"
#include "esq.h"
#include "fsutil.h"
#include "httpgate.h"
#include "live.h"
#include "log.h"
#include "metrics.h"
#include "mongoq.h"
#include "redact.h"
#include "serve.h"

#ifndef PCAPSTREAM_SOURCE_WEB
#define PCAPSTREAM_SOURCE_WEB "/usr/share/pcapstream/web"
#endif

#define SERVE_QUEUE	 64 /* accepted connections waiting for a worker (CivetWeb's connection_queue) */
#define SERVE_QUEUE_TEXT "64"

struct serve {
	char web_root[PATH_MAX];
	int backend; /* enum serve_backend */
	const char *mongo_uri;
	struct esclient es;
	const char *checkpoints[SERVE_MAX_SOURCES + 1];
	const char *rt_states[SERVE_MAX_SOURCES + 1];
	int ncheckpoints, nrt_states;
	struct live *live;
	pthread_mutex_t ws_mu; /* guards ws[] and nws */
	struct mg_connection **ws;
	int nws;
	/* Connections: each holds a CivetWeb worker from its first byte to its close (httpgate.h). */
	struct httpgate *gate;
	int max_live; /* live (WebSocket) clients at a time */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* --- responses --------------------------------------------------------------------------------- */

/* Send the status line, headers and body; a 503 says when to come back (Retry-After). Returns status. */
static int send_body(struct mg_connection *c, int status, const char *ctype, const char *body, size_t len)
{
	mg_printf(c,
		  "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
		  "X-Content-Type-Options: nosniff\r\n%sConnection: close\r\n\r\n",
		  status, mg_get_response_code_text(c, status), ctype, len,
		  status == 503 ? "Retry-After: " HTTPGATE_RETRY_AFTER_TEXT "\r\n" : "");
	mg_write(c, body, len);
	return status;
}

/* Send j (stolen) as JSON with the given status. */
static int send_json(struct mg_connection *c, int status, json_t *j)
{
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	int rc;

	if (text == NULL)
		rc = send_body(c, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
	else
		rc = send_body(c, status, "application/json", text, strlen(text));
	free(text);
	json_decref(j);
	return rc;
}

/* {"error": why, "param": param} with status 400 (param NULL: no "param"). */
static int send_error(struct mg_connection *c, int status, const char *param, const char *why)
{
	json_t *j = json_pack("{s:s}", "error", why);

	if (param != NULL)
		json_object_set_new(j, "param", json_string(param));
	return send_json(c, status, j);
}

static int only_get(struct mg_connection *c)
{
	const char *m = mg_get_request_info(c)->request_method;

	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return 0;
	send_error(c, 405, NULL, "only GET is allowed here");
	return -1;
}

/* --- connections ------------------------------------------------------------------------------- */

/* A marker in CivetWeb's user connection data: the connection holds a live slot. */
static char live_slot_marker;

/* CivetWeb's connection_close: uncount the connection, free its live slot. */
static void on_connection_close(const struct mg_connection *c)
{
	struct serve *s = mg_get_user_data(mg_get_context(c));
	const struct mg_request_info *ri = mg_get_request_info(c);
	int live = mg_get_user_connection_data(c) == &live_slot_marker;

	httpgate_closed(s->gate, ri != NULL ? ri->remote_addr : NULL, ri != NULL ? ri->remote_port : 0, live);
}

/* The client wants a WebSocket. */
static int wants_websocket(struct mg_connection *c)
{
	const char *up = mg_get_header(c, "Upgrade");

	return up != NULL && strcasestr(up, "websocket") != NULL;
}

/* CivetWeb's begin_request, before any handler. Every answer closes its connection (but a live
 * client's, which becomes a WebSocket), so that a finished request frees its worker at once. A
 * request with a body gets 413: no endpoint takes one, and CivetWeb would otherwise read it to its
 * end after the answer, holding the worker (a Content-Length of 99999999999999999999 held it for
 * good). A live client gets one of max_live slots until its connection closes, or 503 before the
 * WebSocket handshake when none is free. Returns 0 to let CivetWeb serve the request, else the
 * status already sent. */
static int on_begin_request(struct mg_connection *c)
{
	struct serve *s = mg_get_user_data(mg_get_context(c));
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *cl = mg_get_header(c, "Content-Length");
	char why[160];

	if (mg_get_header(c, "Transfer-Encoding") != NULL || (cl != NULL && strspn(cl, "0") != strlen(cl))) {
		mg_disable_connection_keep_alive(c);
		return send_error(c, 413, NULL, "this server takes no request body");
	}
	if (ri->local_uri == NULL || strcmp(ri->local_uri, "/ws/live") != 0 || !wants_websocket(c)) {
		mg_disable_connection_keep_alive(c);
		return 0;
	}
	if (httpgate_take_live(s->gate) < 0) {
		mg_disable_connection_keep_alive(c);
		snprintf(why, sizeof(why), "too many live clients (at most %d); poll GET /api/live instead",
			 s->max_live);
		return send_error(c, 503, NULL, why);
	}
	/* not must_close: CivetWeb's WebSocket loop ends when it is set */
	mg_set_user_connection_data(c, &live_slot_marker);
	return 0;
}

/* --- the page ---------------------------------------------------------------------------------- */

static const struct {
	const char *uri, *file, *mime;
} static_files[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/index.html", "index.html", "text/html; charset=utf-8" },
	{ "/app.js", "app.js", "text/javascript; charset=utf-8" },
	{ "/style.css", "style.css", "text/css; charset=utf-8" },
	{ "/vendor/echarts.min.js", "node_modules/echarts/dist/echarts.min.js", "text/javascript; charset=utf-8" },
	{ NULL, NULL, NULL },
};

static int handle_static(struct mg_connection *c, void *cbdata)
{
	struct serve *s = cbdata;
	const char *uri = mg_get_request_info(c)->local_uri;

	if (only_get(c) < 0)
		return 405;
	for (int i = 0; static_files[i].uri != NULL; i++) {
		if (strcmp(uri, static_files[i].uri) != 0)
			continue;
		char path[PATH_MAX + 64];
		snprintf(path, sizeof(path), "%s/%s", s->web_root, static_files[i].file);
		if (access(path, R_OK) != 0)
			return send_error(c, 404, NULL, "not installed: run `make web` (npm ci in web/)");
		mg_send_mime_file(c, path, static_files[i].mime);
		return 200;
	}
	return send_error(c, 404, NULL, "no such page");
}

/* --- GET /api/daily, GET /api/conversations ---------------------------------------------------- */

/* Send res (stolen) with 200, or, when it is NULL, 503 naming the backend with err (redacted: the
 * answer goes to whoever asks) and log it under what. */
static int send_result(struct mg_connection *c, struct serve *s, json_t *res, const char *what, const char *err)
{
	const char *name = s->backend == SERVE_MONGO ? "mongo" : "es";
	char shown[1024];

	if (res != NULL)
		return send_json(c, 200, res);
	redact_text(err, shown, sizeof(shown));
	log_line(LOG_WARN, what, (struct log_field[]){ LOG_S("backend", name), LOG_S("error", err) }, 2);
	return send_json(
	    c, 503,
	    json_pack("{s:s,s:s,s:s}", "error",
		      s->backend == SERVE_MONGO ? "MongoDB is unavailable" : "Elasticsearch is unavailable", "backend",
		      name, "detail", shown));
}

/* GET /api/daily: 400 naming a bad parameter, else the backend's answer or 503. */
static int handle_daily(struct mg_connection *c, void *cbdata)
{
	struct serve *s = cbdata;
	struct daily_query q;
	const char *param = NULL;
	char why[512], err[1024] = "";
	json_t *res;

	if (only_get(c) < 0)
		return 405;
	if (daily_parse_query(mg_get_request_info(c)->query_string, &q, &param, why, sizeof(why)) < 0)
		return send_error(c, 400, param, why);
	if (s->backend == SERVE_MONGO)
		res = mongoq_daily(s->mongo_uri, q.dataset, q.host, q.from, q.to, err, sizeof(err));
	else
		res = esq_daily(&s->es, q.dataset, q.host, q.from, q.to, err, sizeof(err));
	return send_result(c, s, res, "daily query failed", err);
}

/* GET /api/conversations: 400 naming a bad parameter, else the backend's answer or 503. */
static int handle_conversations(struct mg_connection *c, void *cbdata)
{
	struct serve *s = cbdata;
	struct daily_conv_query q;
	const char *param = NULL;
	char why[512], err[1024] = "";
	json_t *res;

	if (only_get(c) < 0)
		return 405;
	if (daily_parse_conversations(mg_get_request_info(c)->query_string, &q, &param, why, sizeof(why)) < 0)
		return send_error(c, 400, param, why);
	if (s->backend == SERVE_MONGO)
		res = mongoq_conversations(s->mongo_uri, &q, err, sizeof(err));
	else
		res = esq_conversations(&s->es, &q, err, sizeof(err));
	return send_result(c, s, res, "conversations query failed", err);
}

/* --- GET /metrics ------------------------------------------------------------------------------ */

static int live_clients(struct serve *s)
{
	int n;

	pthread_mutex_lock(&s->ws_mu);
	n = s->nws;
	pthread_mutex_unlock(&s->ws_mu);
	return n;
}

/* The metrics of metrics_render, then the dashboard's own connections: open now, refused so far. */
static int handle_metrics(struct mg_connection *c, void *cbdata)
{
	struct serve *s = cbdata;
	struct metrics_sources src = {
		.checkpoints = s->checkpoints,
		.realtime_states = s->rt_states,
		.live = s->live,
		.live_clients = live_clients(s),
	};
	size_t len = 0;
	char own[512];
	int open, n;
	uint64_t refused;

	if (only_get(c) < 0)
		return 405;
	char *text = metrics_render(&src, &len);
	if (text == NULL)
		return send_error(c, 500, NULL, "out of memory");
	httpgate_counts(s->gate, &open, &refused);
	n = snprintf(own, sizeof(own),
		     "# HELP pcapstream_http_connections Connections open to the dashboard (serve) now.\n"
		     "# TYPE pcapstream_http_connections gauge\n"
		     "pcapstream_http_connections %d\n"
		     "# HELP pcapstream_http_refused_total Connections and live clients serve refused with 503.\n"
		     "# TYPE pcapstream_http_refused_total counter\n"
		     "pcapstream_http_refused_total %llu\n",
		     open, (unsigned long long)refused);
	mg_printf(c,
		  "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		  "Content-Length: %zu\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
		  "Connection: close\r\n\r\n",
		  len + (size_t)n);
	mg_write(c, text, len);
	mg_write(c, own, (size_t)n);
	free(text);
	return 200;
}

/* --- the live chart ---------------------------------------------------------------------------- */

/* {"status": ok|down|off, "error", "window_s"}, plus "type": type and the kept windows under
 * history_key when these are not NULL. A new object the caller decrefs. */
static json_t *live_state(struct serve *s, const char *type, const char *history_key)
{
	json_t *j = s->live != NULL ? live_status_json(s->live)
				    : json_pack("{s:s,s:s}", "status", "off", "error",
						"the live chart is off: serve was started without --brokers");

	if (type != NULL)
		json_object_set_new(j, "type", json_string(type));
	if (history_key != NULL)
		json_object_set_new(j, history_key, s->live != NULL ? live_history(s->live) : json_array());
	return j;
}

static int handle_live(struct mg_connection *c, void *cbdata)
{
	struct serve *s = cbdata;

	if (only_get(c) < 0)
		return 405;
	return send_json(c, 200, live_state(s, NULL, "points"));
}

/* The WebSocket handshake goes on (0) when on_begin_request gave the connection a live slot; the
 * clients over max_live were answered 503 there. */
static int ws_connect(const struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	return mg_get_user_connection_data(c) != &live_slot_marker; /* non-zero refuses */
}

/* Send text to one client; called with ws_mu held. */
static void ws_send(struct mg_connection *c, const char *text)
{
	mg_websocket_write(c, MG_WEBSOCKET_OPCODE_TEXT, text, strlen(text));
}

static void ws_ready(struct mg_connection *c, void *cbdata)
{
	struct serve *s = cbdata;
	json_t *hello = live_state(s, "hello", "history");
	char *text = json_dumps(hello, JSON_COMPACT);

	pthread_mutex_lock(&s->ws_mu);
	if (s->nws < s->max_live)
		s->ws[s->nws++] = c;
	if (text != NULL)
		ws_send(c, text);
	pthread_mutex_unlock(&s->ws_mu);
	free(text);
	json_decref(hello);
}

static int ws_data(struct mg_connection *c, int bits, char *data, size_t len, void *cbdata)
{
	(void)c;
	(void)data;
	(void)len;
	(void)cbdata;
	return (bits & 0x0f) != MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE; /* client messages are ignored */
}

static void ws_close(const struct mg_connection *c, void *cbdata)
{
	struct serve *s = cbdata;

	pthread_mutex_lock(&s->ws_mu);
	for (int i = 0; i < s->nws; i++) {
		if (s->ws[i] == c) {
			s->ws[i] = s->ws[--s->nws];
			break;
		}
	}
	pthread_mutex_unlock(&s->ws_mu);
}

/* The live view's callback: a closed window (or, with p NULL, a Kafka state change) to every client. */
static void on_live(const struct live_point *p, void *arg)
{
	struct serve *s = arg;
	json_t *j = p != NULL ? live_point_json(p) : live_state(s, "status", NULL);
	char *text;

	if (p != NULL)
		json_object_set_new(j, "type", json_string("point"));
	text = json_dumps(j, JSON_COMPACT);
	pthread_mutex_lock(&s->ws_mu);
	for (int i = 0; i < s->nws && text != NULL; i++)
		ws_send(s->ws[i], text);
	pthread_mutex_unlock(&s->ws_mu);
	free(text);
	json_decref(j);
}

/* --- start-up ---------------------------------------------------------------------------------- */

/* CivetWeb's own messages (e.g. "cannot bind to 127.0.0.1:8080") go to our log. */
static int on_civetweb_log(const struct mg_connection *c, const char *message)
{
	(void)c;
	log_line(LOG_WARN, "http server", (struct log_field[]){ LOG_S("message", message) }, 1);
	return 1;
}

/* Find the page: the flag, PCAPSTREAM_WEB_ROOT, web/ beside the build (EXE/../web), the web/ of
 * the source tree it was built from, the installed copy. 0, or -1 with err. */
static int find_web_root(const char *flag, char *out, size_t outlen, char *err, size_t errlen)
{
	char exe[PATH_MAX], beside[PATH_MAX + 16], probe[PATH_MAX + 32];
	const char *cands[5] = { flag, flag == NULL ? getenv("PCAPSTREAM_WEB_ROOT") : NULL, NULL, PCAPSTREAM_SOURCE_WEB,
				 "/usr/share/pcapstream/web" };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash != NULL)
			*slash = '\0';
		snprintf(beside, sizeof(beside), "%s/../web", exe);
		cands[2] = beside;
	}
	for (int i = 0; i < 5; i++) {
		if (cands[i] == NULL)
			continue;
		snprintf(probe, sizeof(probe), "%s/index.html", cands[i]);
		if (access(probe, R_OK) == 0 && realpath(cands[i], out) != NULL) {
			(void)outlen;
			return 0;
		}
		if (i < 2) {
			snprintf(err, errlen, "%s has no index.html: give the web/ folder of pcapstream", cands[i]);
			return -1;
		}
	}
	snprintf(err, errlen, "cannot find the page (web/index.html): use --web-root DIR");
	return -1;
}

/* Warn when Elasticsearch lacks the index template: without it addresses are mapped as text and
 * the daily query finds nothing for them. The server starts anyway (ES may come up later). */
static void check_es_template(const struct esclient *es)
{
	char path[256], err[1024];

	snprintf(path, sizeof(path), "/_index_template/%s", es->prefix);
	long st = esclient_request(es, "GET", path, NULL, NULL, err, sizeof(err));
	if (st == 404)
		log_line(LOG_WARN,
			 "Elasticsearch has no pcapstream index template: addresses are not mapped as ip and the daily "
			 "query misses them; run `pcapstream setup --es URL` before ingesting",
			 (struct log_field[]){ LOG_S("template", es->prefix) }, 1);
	else if (st < 0)
		log_line(LOG_WARN, "Elasticsearch is not reachable yet; /api/daily answers 503 until it is",
			 (struct log_field[]){ LOG_S("error", err) }, 1);
}

int serve_run(const struct serve_config *o, char *err, size_t errlen)
{
	struct serve s = { 0 };
	struct mg_context *ctx = NULL;
	struct mg_callbacks cbs = {
		.log_message = on_civetweb_log,
		.connection_close = on_connection_close,
		.begin_request = on_begin_request,
	};
	char why[1024], group[256], threads[16], timeout_ms[24], host[128] = "host";
	int rc = SERVE_ECONFIG;

	pthread_mutex_init(&s.ws_mu, NULL);
	s.backend = o->backend;
	s.mongo_uri = o->mongo;
	for (int i = 0; i < o->ncheckpoints && i < SERVE_MAX_SOURCES; i++)
		s.checkpoints[s.ncheckpoints++] = o->checkpoints[i];
	for (int i = 0; i < o->nrt_states && i < SERVE_MAX_SOURCES; i++)
		s.rt_states[s.nrt_states++] = o->rt_states[i];
	if (esclient_parse(o->es, &s.es, why, sizeof(why)) < 0) {
		char shown[1024], rwhy[1024];
		snprintf(err, errlen, "--es %s: %s", redact_text(o->es, shown, sizeof(shown)),
			 redact_text(why, rwhy, sizeof(rwhy)));
		goto out;
	}
	if (find_web_root(o->web_root, s.web_root, sizeof(s.web_root), err, errlen) < 0)
		goto out;
	char probe[PATH_MAX + 64];
	snprintf(probe, sizeof(probe), "%s/node_modules/echarts/dist/echarts.min.js", s.web_root);
	if (access(probe, R_OK) != 0)
		log_line(LOG_WARN, "ECharts is not installed: the charts will not draw (run `make web`)",
			 (struct log_field[]){ LOG_S("missing", probe) }, 1);
	s.gate = httpgate_new((int)o->threads, (int)o->per_client, SERVE_QUEUE);
	s.max_live = s.gate != NULL ? httpgate_max_live(s.gate) : 0;
	s.ws = calloc((size_t)s.max_live + 1, sizeof(*s.ws));
	if (s.gate == NULL || s.ws == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (o->brokers != NULL) {
		gethostname(host, sizeof(host) - 1);
		snprintf(group, sizeof(group), "pcapstream-serve-%s-%ld", host, (long)getpid());
		struct live_config lc = {
			.brokers = o->brokers,
			.topic = o->hot_topic,
			.group = o->live_group != NULL ? o->live_group : group,
			.window_ms = o->window_ns / 1000000,
			.history = (size_t)o->history,
		};
		if (live_start(&lc, on_live, &s, &s.live, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "live view: %s", why);
			goto out;
		}
	}
	if (s.backend == SERVE_ES)
		check_es_template(&s.es);
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	snprintf(threads, sizeof(threads), "%ld", o->threads);
	snprintf(timeout_ms, sizeof(timeout_ms), "%lld", (long long)(o->request_timeout_ns / 1000000));
	const char *mgopts[] = {
		"listening_ports",
		o->listen,
		"num_threads",
		threads,
		"request_timeout_ms", /* the whole request line and headers, from the first read */
		timeout_ms,
		"enable_keep_alive",
		"no",
		"connection_queue",
		SERVE_QUEUE_TEXT,
		"websocket_timeout_ms",
		"30000",
		"enable_websocket_ping_pong",
		"yes",
		NULL,
	};
	httpgate_install(s.gate);
	ctx = mg_start(&cbs, &s, mgopts);
	if (ctx == NULL) {
		snprintf(err, errlen, "cannot listen on %s (in use, or not ADDR:PORT; see the message above)",
			 o->listen);
		rc = SERVE_ELISTEN;
		goto out;
	}
	mg_set_request_handler(ctx, "/api/daily$", handle_daily, &s);
	mg_set_request_handler(ctx, "/api/conversations$", handle_conversations, &s);
	mg_set_request_handler(ctx, "/api/live$", handle_live, &s);
	mg_set_request_handler(ctx, "/metrics$", handle_metrics, &s);
	mg_set_websocket_handler(ctx, "/ws/live$", ws_connect, ws_ready, ws_data, ws_close, &s);
	mg_set_request_handler(ctx, "/", handle_static, &s);
	log_line(LOG_INFO, "serving",
		 (struct log_field[]){
		     LOG_S("listen", o->listen), LOG_S("backend", o->backend == SERVE_ES ? "es" : "mongo"),
		     LOG_S("web_root", s.web_root), LOG_S("live", o->brokers != NULL ? o->hot_topic : "off"),
		     LOG_I("checkpoints", s.ncheckpoints), LOG_I("realtime_states", s.nrt_states) },
		 6);
	while (!stop_requested)
		pause();
	log_msg(LOG_INFO, "stopping");
	rc = 0;
out:
	if (ctx != NULL)
		mg_stop(ctx);
	httpgate_install(NULL);
	live_stop(s.live);
	free(s.ws);
	httpgate_free(s.gate);
	pthread_mutex_destroy(&s.ws_mu);
	return rc;
}
