/* The Elasticsearch / OpenSearch sink: _bulk "create" requests with the deterministic _id, into
 * daily (or monthly, yearly: index_period) indices by @timestamp, gzip-compressed, several in
 * flight (curl multi), spread over the nodes of the spec in turn.
 *
 * A node that gives no answer is set aside for a while (1 s, doubling to 30 s while it stays
 * down) and the request goes to the next node; a node set aside is tried again once its pause is
 * over, or sooner when every node is set aside. A request only fails the batch when no node
 * answers it.
 *
 * Per item: 2xx and 409 (already there: a replayed row) are success; 429 and 5xx items are sent
 * again in a smaller request after a capped exponential backoff with jitter; any other 4xx is
 * written to the batch's dead-letter file with ES's error and counted. A request that gets no
 * answer, or keeps failing, fails flush(): the engine then retries the whole batch later, and
 * the repeat costs only 409s. Dead letters go to STATE/dead-letter/es-<batch>.ndjson, written
 * atomically at flush, so a replayed batch rewrites it instead of adding to it. */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "esclient.h"
#include "fsutil.h"
#include "growbuf.h"
#include "rowfmt.h"
#include "sink.h"

#define ES_MAX_ATTEMPTS	  8 /* sends of one item within a flush before the batch fails */
#define ES_BACKOFF_MIN_MS 200
#define ES_BACKOFF_MAX_MS 10000
#define ES_ACTION_MAX	  512	     /* one action line */
#define ES_RESPONSE_MAX	  (64 << 20) /* a bulk response larger than this is an error */
#define ES_ITEM_MIN	  32	     /* fewer bytes than any item (its action line alone is longer) */
#define ES_DOWN_MIN_MS	  1000	     /* first pause of a node that gave no answer */
#define ES_DOWN_MAX_MS	  30000	     /* longest pause */

struct es_req {
	CURL *easy;
	struct growbuf body; /* NDJSON: action + document lines; capped at one request's size */
	size_t *starts;	     /* offset of each item's action line; starts[nitems] == body.len */
	size_t nitems, capitems;
	struct growbuf gz;   /* the body, gzip-compressed */
	struct growbuf resp; /* the answer, capped at ES_RESPONSE_MAX */
	int attempt;	     /* 1 for a first send */
	int busy;
	int node;	/* the node this send went to */
	int unanswered; /* sends of this content in a row that got no answer */
};

struct sink_es {
	struct esclient c;
	struct curl_slist *hdrs;
	CURLM *multi;
	struct es_req *reqs; /* c.inflight + 1: one being filled, the rest in flight or free */
	int nreqs;
	struct es_req *cur;
	char *dlq_dir;
	char dlq_tmp[4300], dlq_final[4200];
	FILE *dlq;
	uint64_t batch;
	struct sink_stats stats;
	char failure[1024]; /* first reason the batch cannot be flushed */
	int64_t cached_day;
	int cached_flows;
	char cached_index[200];
	int64_t backoff_ms;
	struct growbuf scratch; /* one row's JSON for a dead letter written here (rows without @timestamp) */
	size_t body_max;	/* one request's largest body: bulk_bytes plus one item */
	unsigned next_node;	/* where the round robin over the nodes goes on */
	int64_t down_until[ESCLIENT_MAX_NODES]; /* monotonic ns: the node is set aside until then */
	int64_t down_ms[ESCLIENT_MAX_NODES];	/* its current pause, 0 while it answers */
};

static void es_close(void *state);

/* curl's write callback: the answer into r->resp; 0 (curl fails the transfer) past its cap. */
static size_t on_resp(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct es_req *r = arg;
	size_t n = size * nmemb;

	return growbuf_append(&r->resp, ptr, n) == 0 ? n : 0;
}

/* An empty request, ready to be filled for a first send. */
static void req_reset(struct es_req *r)
{
	growbuf_reset(&r->body);
	r->nitems = 0;
	growbuf_reset(&r->resp);
	r->attempt = 1;
	r->busy = 0;
	r->unanswered = 0;
}

/* Room for `more` items in r->starts (plus the end offset). 0, or -1 out of memory / past the cap
 * (one item per ES_ITEM_MIN bytes of the largest body). */
static int room_for_items(struct sink_es *s, struct es_req *r, size_t more)
{
	return growbuf_array((void **)&r->starts, &r->capitems, r->nitems + more + 1, sizeof(size_t),
			     s->body_max / ES_ITEM_MIN + 2);
}

/* The node for the next send: the next one in turn that is not set aside, else (every node set
 * aside) the one whose pause ends first. */
static int pick_node(struct sink_es *s)
{
	int64_t now = fsutil_mono_ns();
	int best = 0;

	for (int k = 0; k < s->c.nurls; k++) {
		int i = (int)((s->next_node + (unsigned)k) % (unsigned)s->c.nurls);
		if (s->down_until[i] <= now) {
			s->next_node = (unsigned)i + 1;
			return i;
		}
		if (s->down_until[i] < s->down_until[best])
			best = i;
	}
	return best;
}

/* Node i gave no answer: set it aside for a pause that doubles while it stays down. */
static void node_down(struct sink_es *s, int i)
{
	int64_t ms = s->down_ms[i] ? s->down_ms[i] * 2 : ES_DOWN_MIN_MS;

	s->down_ms[i] = ms > ES_DOWN_MAX_MS ? ES_DOWN_MAX_MS : ms;
	s->down_until[i] = fsutil_mono_ns() + s->down_ms[i] * 1000000LL;
}

static void fail(struct sink_es *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct sink_es *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failure[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->failure, sizeof(s->failure), fmt, ap);
	va_end(ap);
}

static int es_open(const char *arg, const struct sink_env *env, void **state, char *err, size_t errlen)
{
	struct sink_es *s = calloc(1, sizeof(*s));
	int rc = -1;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (esclient_parse(arg, &s->c, err, errlen) < 0)
		goto out;
	s->body_max = s->c.bulk_bytes + ES_ACTION_MAX + ROW_JSON_MAX + 2;
	growbuf_init(&s->scratch, ROW_JSON_MAX + 1);
	s->hdrs = curl_slist_append(NULL, "Content-Type: application/x-ndjson");
	if (s->c.gzip)
		s->hdrs = curl_slist_append(s->hdrs, "Content-Encoding: gzip");
	if (s->c.auth_header[0] != '\0')
		s->hdrs = curl_slist_append(s->hdrs, s->c.auth_header);
	s->multi = curl_multi_init();
	s->nreqs = s->c.inflight + 1;
	s->reqs = calloc((size_t)s->nreqs, sizeof(*s->reqs));
	if (s->hdrs == NULL || s->multi == NULL || s->reqs == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (int i = 0; i < s->nreqs; i++) {
		growbuf_init(&s->reqs[i].body, s->body_max);
		growbuf_init(&s->reqs[i].gz, s->body_max + s->body_max / 8 + 1024); /* > deflateBound */
		growbuf_init(&s->reqs[i].resp, ES_RESPONSE_MAX);
		s->reqs[i].easy = curl_easy_init();
		if (s->reqs[i].easy == NULL) {
			snprintf(err, errlen, "curl init failed");
			goto out;
		}
		req_reset(&s->reqs[i]);
	}
	if (env != NULL && env->state_dir != NULL) {
		size_t n = strlen(env->state_dir) + 16;
		s->dlq_dir = malloc(n);
		if (s->dlq_dir != NULL)
			snprintf(s->dlq_dir, n, "%s/dead-letter", env->state_dir);
	} else {
		s->dlq_dir = strdup("dead-letter");
	}
	if (s->dlq_dir == NULL || fsutil_mkdirs(s->dlq_dir, err, errlen) < 0)
		goto out;
	s->cached_day = INT64_MIN;
	*state = s;
	s = NULL;
	rc = 0;
out:
	es_close(s);
	return rc;
}

/* gzip r->body into r->gz. Returns the compressed length, or 0 on failure. */
static size_t compress_body(struct es_req *r)
{
	z_stream z;
	size_t bound;
	char *dst;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	bound = deflateBound(&z, r->body.len);
	growbuf_reset(&r->gz);
	dst = growbuf_reserve(&r->gz, bound);
	if (dst == NULL) {
		deflateEnd(&z);
		return 0;
	}
	z.next_in = (unsigned char *)r->body.data;
	z.avail_in = (uInt)r->body.len;
	z.next_out = (unsigned char *)dst;
	z.avail_out = (uInt)bound;
	int zrc = deflate(&z, Z_FINISH);
	size_t out = z.total_out;
	deflateEnd(&z);
	return zrc == Z_STREAM_END ? out : 0;
}

/* Send r to the next node (pick_node), as a transfer of the multi handle. */
static void send_req(struct sink_es *s, struct es_req *r)
{
	CURL *e = r->easy;
	size_t gzlen = 0;
	char url[1200];

	r->node = pick_node(s);
	snprintf(url, sizeof(url), "%s/_bulk?filter_path=errors,items.*.status,items.*.error", s->c.urls[r->node]);
	curl_easy_reset(e);
	esclient_apply(&s->c, e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	if (s->c.gzip)
		gzlen = compress_body(r);
	if (s->c.gzip && gzlen > 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->gz.data);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)gzlen);
	} else {
		if (s->c.gzip) {
			fail(s, "gzip compression failed");
			return;
		}
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.data);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_resp);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	growbuf_reset(&r->resp);
	r->busy = 1;
	curl_multi_add_handle(s->multi, e);
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* The batch's dead-letter file, opened on first use. 0, or -1 after fail(). */
static int dlq_open(struct sink_es *s)
{
	char err[512];

	if (s->dlq != NULL)
		return 0;
	snprintf(s->dlq_final, sizeof(s->dlq_final), "%s/es-%010llu.ndjson", s->dlq_dir, (unsigned long long)s->batch);
	snprintf(s->dlq_tmp, sizeof(s->dlq_tmp), "%s.tmp", s->dlq_final);
	s->dlq = fopen(s->dlq_tmp, "w");
	if (s->dlq == NULL) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		fail(s, "cannot create dead-letter file %s: %s", s->dlq_tmp, err);
		return -1;
	}
	return 0;
}

/* A row without @timestamp (its capture time is outside what a row holds: error.message says
 * so) has no daily index: it goes to the dead-letter file with that reason instead of being sent.
 * buf holds at least ROW_JSON_MAX bytes. */
static void dead_letter_row(struct sink_es *s, const struct row *row, char *buf)
{
	json_t *error;
	char *errtext;

	if (dlq_open(s) < 0)
		return;
	error = json_pack("{s:s,s:s}", "type", "no_timestamp", "reason",
			  (row->has & ROW_HAS_error_message) ? row->error_message : "the row has no @timestamp");
	errtext = error != NULL ? json_dumps(error, JSON_COMPACT) : NULL;
	size_t n = row_to_json(row, buf, 1);
	fprintf(s->dlq, "{\"batch\":%llu,\"status\":0,\"error\":%s,\"action\":null,\"doc\":%.*s}\n",
		(unsigned long long)s->batch, errtext != NULL ? errtext : "null", (int)n, buf);
	free(errtext);
	json_decref(error);
	s->stats.dead_letters++;
}

/* Write item i of r to the dead-letter file with the error ES gave. */
static void dead_letter(struct sink_es *s, struct es_req *r, size_t i, long status, json_t *error)
{
	const char *action = r->body.data + r->starts[i];
	const char *doc = memchr(action, '\n', r->starts[i + 1] - r->starts[i]);
	size_t doclen;

	if (dlq_open(s) < 0)
		return;
	doc = doc != NULL ? doc + 1 : action;
	doclen = (size_t)(r->body.data + r->starts[i + 1] - doc);
	while (doclen > 0 && doc[doclen - 1] == '\n')
		doclen--;
	char *errtext = error != NULL ? json_dumps(error, JSON_COMPACT) : NULL;
	fprintf(s->dlq, "{\"batch\":%llu,\"status\":%ld,\"error\":%s,\"action\":%.*s,\"doc\":%.*s}\n",
		(unsigned long long)s->batch, status, errtext != NULL ? errtext : "null",
		(int)(doc - action - 1 > 0 ? doc - action - 1 : 0), action, (int)doclen, doc);
	free(errtext);
	s->stats.dead_letters++;
}

/* Items of r that must be sent again are copied into *retry (allocated on first use). */
static void add_retry(struct sink_es *s, struct es_req *r, size_t i, struct es_req *retry)
{
	size_t n = r->starts[i + 1] - r->starts[i];

	if (room_for_items(s, retry, 1) < 0 || growbuf_append(&retry->body, r->body.data + r->starts[i], n) < 0) {
		fail(s, "out of memory");
		return;
	}
	retry->starts[retry->nitems++] = retry->body.len - n;
	retry->starts[retry->nitems] = retry->body.len;
}

/* A finished request: sort its items into done, retry and dead letters. A request whose items
 * need another send is refilled with them and sent again after a backoff. */
static void finished(struct sink_es *s, struct es_req *r, CURLcode code)
{
	struct es_req retry = { 0 };
	json_t *root = NULL, *items;
	long status = 0;
	const char *resp;

	curl_multi_remove_handle(s->multi, r->easy);
	r->busy = 0;
	growbuf_init(&retry.body, s->body_max);
	if (code != CURLE_OK) {
		node_down(s, r->node);
		/* the same content to another node, while one has not been asked yet: a node
		 * that took it before it went away answers the repeat with 409s */
		if (++r->unanswered < s->c.nurls && s->failure[0] == '\0') {
			send_req(s, r);
			return;
		}
		fail(s, "%s: %s%s", s->c.urls[r->node], curl_easy_strerror(code),
		     s->c.nurls > 1 ? " (no node answered)" : "");
		goto out;
	}
	r->unanswered = 0;
	s->down_ms[r->node] = 0;
	s->down_until[r->node] = 0;
	resp = r->resp.data != NULL ? r->resp.data : "";
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status == 429 || status >= 500) {
		for (size_t i = 0; i < r->nitems; i++)
			add_retry(s, r, i, &retry);
		goto requeue;
	}
	if (status != 200) {
		fail(s, "_bulk answered HTTP %ld: %.300s", status, resp);
		goto out;
	}
	/* Fast path: ES says no item failed ("errors" comes first in the response). */
	if (memmem(resp, r->resp.len < 64 ? r->resp.len : 64, "\"errors\":false", 15) != NULL)
		goto out;
	root = json_loadb(resp, r->resp.len, 0, NULL);
	items = json_object_get(root, "items");
	if (!json_is_array(items) || json_array_size(items) != r->nitems) {
		if (json_is_false(json_object_get(root, "errors")))
			goto out;
		fail(s, "_bulk response without one result per item: %.300s", resp);
		goto out;
	}
	for (size_t i = 0; i < r->nitems; i++) {
		json_t *item = json_array_get(items, i);
		const char *k;
		json_t *res = NULL, *v;
		json_object_foreach(item, k, v) res = v;
		long st = (long)json_integer_value(json_object_get(res, "status"));
		if ((st >= 200 && st < 300) || st == 409)
			continue;
		if (st == 429 || st >= 500 || st == 0)
			add_retry(s, r, i, &retry);
		else
			dead_letter(s, r, i, st, json_object_get(res, "error"));
	}
requeue:
	if (retry.nitems > 0 && s->failure[0] == '\0') {
		if (r->attempt >= ES_MAX_ATTEMPTS) {
			fail(s, "%zu items still refused (HTTP %ld / 429 / 5xx) after %d attempts", retry.nitems,
			     status, r->attempt);
			goto out;
		}
		/* swap the retry items into r and send it again after a pause */
		int attempt = r->attempt + 1;
		struct growbuf b = r->body;
		size_t *st = r->starts;
		size_t capi = r->capitems;
		r->body = retry.body;
		r->starts = retry.starts;
		r->capitems = retry.capitems;
		r->nitems = retry.nitems;
		retry.body = b;
		retry.starts = st;
		retry.capitems = capi;
		int64_t ms = s->backoff_ms ? s->backoff_ms * 2 : ES_BACKOFF_MIN_MS;
		if (ms > ES_BACKOFF_MAX_MS)
			ms = ES_BACKOFF_MAX_MS;
		s->backoff_ms = ms;
		s->stats.retries += r->nitems;
		sleep_ms(ms + ms * (rand() % 41 - 20) / 100);
		r->attempt = attempt;
		send_req(s, r);
		growbuf_free(&retry.body);
		free(retry.starts);
		json_decref(root);
		return;
	}
out:
	growbuf_free(&retry.body);
	free(retry.starts);
	json_decref(root);
	req_reset(r);
}

/* Drive transfers until none is running (all) or at least one request slot is free. */
static void pump(struct sink_es *s, int all)
{
	for (;;) {
		int running = 0, msgs, busy = 0;
		curl_multi_perform(s->multi, &running);
		for (CURLMsg *m = curl_multi_info_read(s->multi, &msgs); m != NULL;
		     m = curl_multi_info_read(s->multi, &msgs)) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct es_req *r = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			finished(s, r, m->data.result);
		}
		for (int i = 0; i < s->nreqs; i++)
			busy += s->reqs[i].busy;
		if (busy == 0 || (!all && busy < s->nreqs - 1))
			return;
		curl_multi_poll(s->multi, NULL, 0, 100, NULL);
	}
}

static struct es_req *free_req(struct sink_es *s)
{
	for (;;) {
		for (int i = 0; i < s->nreqs; i++) {
			if (!s->reqs[i].busy && &s->reqs[i] != s->cur)
				return &s->reqs[i];
		}
		pump(s, 0);
	}
}

static void es_abort(void *state)
{
	struct sink_es *s = state;

	for (int i = 0; i < s->nreqs; i++) {
		if (s->reqs[i].busy)
			curl_multi_remove_handle(s->multi, s->reqs[i].easy);
		req_reset(&s->reqs[i]);
	}
	if (s->dlq != NULL) {
		fclose(s->dlq);
		s->dlq = NULL;
		unlink(s->dlq_tmp);
	}
	s->cur = NULL;
}

static int es_begin(void *state, uint64_t batch, char *err, size_t errlen)
{
	struct sink_es *s = state;

	(void)err;
	(void)errlen;
	es_abort(s);
	s->batch = batch;
	s->failure[0] = '\0';
	s->backoff_ms = 0;
	memset(&s->stats, 0, sizeof(s->stats));
	s->cur = &s->reqs[0];
	return 0;
}

static int es_write(void *state, const struct row *rows, size_t n, char *err, size_t errlen)
{
	struct sink_es *s = state;
	struct es_req *r = s->cur;

	for (size_t i = 0; i < n && s->failure[0] == '\0'; i++) {
		const struct row *row = &rows[i];
		if (!(row->has & ROW_HAS_timestamp)) {
			char *buf = growbuf_reserve(&s->scratch, ROW_JSON_MAX);
			if (buf == NULL) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			dead_letter_row(s, row, buf);
			continue;
		}
		int flows = row_is_flow(row);
		int64_t day = rowfmt_floor_div(row->timestamp, 86400000000000LL);
		if (day != s->cached_day || flows != s->cached_flows) {
			esclient_index_name(&s->c, flows, row->timestamp, s->cached_index, sizeof(s->cached_index));
			s->cached_day = day;
			s->cached_flows = flows;
		}
		char *p = growbuf_reserve(&r->body, ES_ACTION_MAX + ROW_JSON_MAX + 1);
		if (p == NULL || room_for_items(s, r, 1) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r->starts[r->nitems++] = r->body.len;
		p = rowfmt_lit(p, "{\"create\":{\"_index\":\"", 21);
		size_t il = strlen(s->cached_index);
		p = rowfmt_lit(p, s->cached_index, il);
		p = rowfmt_lit(p, "\",\"_id\":", 8);
		p = rowfmt_id(p, row->id_prefix, row->id_seq);
		p = rowfmt_lit(p, "}}\n", 3);
		p += row_to_json(row, p, 0);
		*p++ = '\n';
		r->body.len = (size_t)(p - r->body.data);
		r->starts[r->nitems] = r->body.len;
		if (r->body.len >= s->c.bulk_bytes) {
			send_req(s, r);
			r = free_req(s);
			s->cur = r;
		}
	}
	if (s->failure[0] != '\0') {
		snprintf(err, errlen, "%s", s->failure);
		return -1;
	}
	return 0;
}

static int es_flush(void *state, char *err, size_t errlen)
{
	struct sink_es *s = state;
	char why[512];

	if (s->cur != NULL && s->cur->nitems > 0 && s->failure[0] == '\0') {
		send_req(s, s->cur);
		s->cur = NULL;
	}
	pump(s, 1);
	if (s->failure[0] != '\0') {
		snprintf(err, errlen, "%s", s->failure);
		es_abort(s);
		return -1;
	}
	if (s->dlq != NULL) {
		int bad = fflush(s->dlq) != 0 || fsync(fileno(s->dlq)) != 0;
		fclose(s->dlq);
		s->dlq = NULL;
		if (bad || rename(s->dlq_tmp, s->dlq_final) != 0 || fsutil_fsync_dir(s->dlq_final) != 0) {
			snprintf(why, sizeof(why), "%s", strerror(errno));
			snprintf(err, errlen, "cannot write dead-letter file %s: %s", s->dlq_final, why);
			unlink(s->dlq_tmp);
			return -1;
		}
	}
	s->cur = &s->reqs[0];
	return 0;
}

static void es_stats(void *state, struct sink_stats *out)
{
	struct sink_es *s = state;

	*out = s->stats;
}

static void es_close(void *state)
{
	struct sink_es *s = state;

	if (s == NULL)
		return;
	if (s->reqs != NULL) {
		es_abort(s);
		for (int i = 0; i < s->nreqs; i++) {
			if (s->reqs[i].easy != NULL)
				curl_easy_cleanup(s->reqs[i].easy);
			growbuf_free(&s->reqs[i].body);
			free(s->reqs[i].starts);
			growbuf_free(&s->reqs[i].gz);
			growbuf_free(&s->reqs[i].resp);
		}
	}
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	free(s->reqs);
	free(s->dlq_dir);
	growbuf_free(&s->scratch);
	free(s);
}

const struct sink_ops sink_es_ops = {
	.name = "es",
	.help = "es:URL[,URL...][?prefix=P&index_period=day|month|year&bulk=5MB&inflight=2&gzip=on&ca=FILE&"
		"auth_file=F&api_key_file=F]  Elasticsearch or OpenSearch _bulk into indices P-packets-YYYY.MM.DD "
		"(month: YYYY.MM, year: YYYY), spread over the nodes given (credentials: PCAPSTREAM_ES_USER/_PASSWORD "
		"or PCAPSTREAM_ES_API_KEY)",
	.open = es_open,
	.begin = es_begin,
	.write = es_write,
	.flush = es_flush,
	.abort = es_abort,
	.stats = es_stats,
	.close = es_close,
};
