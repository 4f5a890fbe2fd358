/* The Elasticsearch sink: _bulk "create" requests with the deterministic _id, into daily
 * indices by @timestamp, gzip-compressed, several in flight (curl multi).
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
#include "rowfmt.h"
#include "sink.h"

#define ES_MAX_ATTEMPTS	  8 /* sends of one item within a flush before the batch fails */
#define ES_BACKOFF_MIN_MS 200
#define ES_BACKOFF_MAX_MS 10000
#define ES_ACTION_MAX	  512	     /* one action line */
#define ES_RESPONSE_MAX	  (64 << 20) /* a bulk response larger than this is an error */

struct es_req {
	CURL *easy;
	char *body; /* NDJSON: action + document lines */
	size_t len, cap;
	size_t *starts; /* offset of each item's action line; starts[nitems] == len */
	size_t nitems, capitems;
	unsigned char *gz;
	size_t gzcap;
	char *resp;
	size_t resp_len, resp_cap;
	int attempt; /* 1 for a first send */
	int busy;
};

struct sink_es {
	struct esclient c;
	char bulk_url[1200];
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
	char *scratch; /* one row's JSON for a dead letter written here (rows without @timestamp) */
	size_t scratch_cap;
};

static void es_close(void *state);

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 1024;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static size_t on_resp(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct es_req *r = arg;
	size_t n = size * nmemb;

	if (r->resp_len + n + 1 > ES_RESPONSE_MAX)
		return 0;
	if (grow((void **)&r->resp, &r->resp_cap, r->resp_len + n + 1, 1) < 0)
		return 0;
	memcpy(r->resp + r->resp_len, ptr, n);
	r->resp_len += n;
	r->resp[r->resp_len] = '\0';
	return n;
}

static void req_reset(struct es_req *r)
{
	r->len = 0;
	r->nitems = 0;
	r->resp_len = 0;
	r->attempt = 1;
	r->busy = 0;
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
	snprintf(s->bulk_url, sizeof(s->bulk_url), "%s/_bulk?filter_path=errors,items.*.status,items.*.error",
		 s->c.url);
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

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	bound = deflateBound(&z, r->len);
	if (grow((void **)&r->gz, &r->gzcap, bound, 1) < 0) {
		deflateEnd(&z);
		return 0;
	}
	z.next_in = (unsigned char *)r->body;
	z.avail_in = (uInt)r->len;
	z.next_out = r->gz;
	z.avail_out = (uInt)bound;
	int zrc = deflate(&z, Z_FINISH);
	size_t out = z.total_out;
	deflateEnd(&z);
	return zrc == Z_STREAM_END ? out : 0;
}

static void send_req(struct sink_es *s, struct es_req *r)
{
	CURL *e = r->easy;
	size_t gzlen = 0;

	curl_easy_reset(e);
	esclient_apply(&s->c, e);
	curl_easy_setopt(e, CURLOPT_URL, s->bulk_url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	if (s->c.gzip)
		gzlen = compress_body(r);
	if (s->c.gzip && gzlen > 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->gz);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)gzlen);
	} else {
		if (s->c.gzip) {
			fail(s, "gzip compression failed");
			return;
		}
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_resp);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	r->resp_len = 0;
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
	const char *action = r->body + r->starts[i];
	const char *doc = memchr(action, '\n', r->starts[i + 1] - r->starts[i]);
	size_t doclen;

	if (dlq_open(s) < 0)
		return;
	doc = doc != NULL ? doc + 1 : action;
	doclen = (size_t)(r->body + r->starts[i + 1] - doc);
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

	if (grow((void **)&retry->body, &retry->cap, retry->len + n, 1) < 0 ||
	    grow((void **)&retry->starts, &retry->capitems, retry->nitems + 2, sizeof(size_t)) < 0) {
		fail(s, "out of memory");
		return;
	}
	retry->starts[retry->nitems++] = retry->len;
	memcpy(retry->body + retry->len, r->body + r->starts[i], n);
	retry->len += n;
	retry->starts[retry->nitems] = retry->len;
}

/* A finished request: sort its items into done, retry and dead letters. A request whose items
 * need another send is refilled with them and sent again after a backoff. */
static void finished(struct sink_es *s, struct es_req *r, CURLcode code)
{
	struct es_req retry = { 0 };
	json_t *root = NULL, *items;
	long status = 0;

	curl_multi_remove_handle(s->multi, r->easy);
	r->busy = 0;
	if (code != CURLE_OK) {
		fail(s, "%s: %s", s->c.url, curl_easy_strerror(code));
		goto out;
	}
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status == 429 || status >= 500) {
		for (size_t i = 0; i < r->nitems; i++)
			add_retry(s, r, i, &retry);
		goto requeue;
	}
	if (status != 200) {
		fail(s, "_bulk answered HTTP %ld: %.300s", status, r->resp ? r->resp : "");
		goto out;
	}
	/* Fast path: ES says no item failed ("errors" comes first in the response). */
	if (r->resp != NULL && memmem(r->resp, r->resp_len < 64 ? r->resp_len : 64, "\"errors\":false", 15) != NULL)
		goto out;
	root = json_loadb(r->resp ? r->resp : "", r->resp_len, 0, NULL);
	items = json_object_get(root, "items");
	if (!json_is_array(items) || json_array_size(items) != r->nitems) {
		if (json_is_false(json_object_get(root, "errors")))
			goto out;
		fail(s, "_bulk response without one result per item: %.300s", r->resp ? r->resp : "");
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
		char *b = r->body;
		size_t *st = r->starts;
		size_t cap = r->cap, capi = r->capitems;
		r->body = retry.body;
		r->cap = retry.cap;
		r->len = retry.len;
		r->starts = retry.starts;
		r->capitems = retry.capitems;
		r->nitems = retry.nitems;
		retry.body = b;
		retry.starts = st;
		retry.cap = cap;
		retry.capitems = capi;
		int64_t ms = s->backoff_ms ? s->backoff_ms * 2 : ES_BACKOFF_MIN_MS;
		if (ms > ES_BACKOFF_MAX_MS)
			ms = ES_BACKOFF_MAX_MS;
		s->backoff_ms = ms;
		s->stats.retries += r->nitems;
		sleep_ms(ms + ms * (rand() % 41 - 20) / 100);
		r->attempt = attempt;
		send_req(s, r);
		free(retry.body);
		free(retry.starts);
		json_decref(root);
		return;
	}
out:
	free(retry.body);
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
			if (grow((void **)&s->scratch, &s->scratch_cap, ROW_JSON_MAX + 1, 1) < 0) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			dead_letter_row(s, row, s->scratch);
			continue;
		}
		int flows = row_is_flow(row);
		int64_t day = rowfmt_floor_div(row->timestamp, 86400000000000LL);
		if (day != s->cached_day || flows != s->cached_flows) {
			esclient_index_name(&s->c, flows, row->timestamp, s->cached_index, sizeof(s->cached_index));
			s->cached_day = day;
			s->cached_flows = flows;
		}
		if (grow((void **)&r->body, &r->cap, r->len + ES_ACTION_MAX + ROW_JSON_MAX + 2, 1) < 0 ||
		    grow((void **)&r->starts, &r->capitems, r->nitems + 2, sizeof(size_t)) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r->starts[r->nitems++] = r->len;
		char *p = r->body + r->len;
		p = rowfmt_lit(p, "{\"create\":{\"_index\":\"", 21);
		size_t il = strlen(s->cached_index);
		p = rowfmt_lit(p, s->cached_index, il);
		p = rowfmt_lit(p, "\",\"_id\":", 8);
		p = rowfmt_id(p, row->id_prefix, row->id_seq);
		p = rowfmt_lit(p, "}}\n", 3);
		p += row_to_json(row, p, 0);
		*p++ = '\n';
		r->len = (size_t)(p - r->body);
		r->starts[r->nitems] = r->len;
		if (r->len >= s->c.bulk_bytes) {
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
			free(s->reqs[i].body);
			free(s->reqs[i].starts);
			free(s->reqs[i].gz);
			free(s->reqs[i].resp);
		}
	}
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	free(s->reqs);
	free(s->dlq_dir);
	free(s->scratch);
	free(s);
}

const struct sink_ops sink_es_ops = {
	.name = "es",
	.help = "es:URL[?prefix=P&bulk=5MB&inflight=2&gzip=on&ca=FILE&auth_file=F&api_key_file=F]  Elasticsearch "
		"_bulk into daily indices P-packets-YYYY.MM.DD (credentials: PCAPSTREAM_ES_USER/_PASSWORD or "
		"PCAPSTREAM_ES_API_KEY)",
	.open = es_open,
	.begin = es_begin,
	.write = es_write,
	.flush = es_flush,
	.abort = es_abort,
	.stats = es_stats,
	.close = es_close,
};
