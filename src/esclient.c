/* Elasticsearch / OpenSearch connection options and one-shot requests (libcurl). */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "esclient.h"
#include "fsutil.h"
#include "growbuf.h"
#include "rowfmt.h"

/* Which node the next one-shot request starts with (shared by every esclient of the process:
 * requests are spread, whichever struct they come from). */
static atomic_uint next_node;

/* Read a one-line secret from a file, without its line end. */
static int read_secret(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	char *text = fsutil_read_file(path, 4096, NULL, err, errlen);

	if (text == NULL)
		return -1;
	text[strcspn(text, "\r\n")] = '\0';
	if (text[0] == '\0' || strlen(text) >= outlen) {
		snprintf(err, errlen, "%s: empty or too long", path);
		free(text);
		return -1;
	}
	snprintf(out, outlen, "%s", text);
	free(text);
	return 0;
}

/* An index prefix Elasticsearch and OpenSearch accept in index names: lowercase letters, digits
 * and "-_.+", not starting with "-", "_", "+" or ".". 0 or -1 with the reason in err. */
static int check_prefix(const char *v, size_t cap, char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (n == 0 || n >= cap) {
		snprintf(err, errlen, "prefix='%.100s' must be 1 to %zu characters", v, cap - 1);
		return -1;
	}
	if (strchr("-_+.", v[0]) != NULL) {
		snprintf(err, errlen, "prefix='%.100s' must not start with '-', '_', '+' or '.'", v);
		return -1;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-_.+", *p) != NULL)) {
			snprintf(err, errlen,
				 "prefix='%.100s' has '%c': index names take lowercase letters, digits and -_.+ only",
				 v, *p);
			return -1;
		}
	}
	return 0;
}

/* on/true/1 -> 1, off/false/0 -> 0, anything else -1. */
static int parse_switch(const char *v)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	return -1;
}

/* One node's base URL at u (NUL-terminated, modified: trailing slashes cut) checked and copied
 * into c->urls[c->nurls++]. 0, or -1 with the reason in err. */
static int add_node(struct esclient *c, char *u, char *err, size_t errlen)
{
	size_t n = strlen(u);

	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) {
		snprintf(err, errlen, "'%.300s' is not an http:// or https:// URL (e.g. es:http://127.0.0.1:9200)", u);
		return -1;
	}
	if (strchr(u + 7, '@') != NULL) {
		snprintf(err, errlen,
			 "credentials in the URL are refused: use PCAPSTREAM_ES_USER/PCAPSTREAM_ES_PASSWORD, "
			 "PCAPSTREAM_ES_API_KEY, auth_file= or api_key_file=");
		return -1;
	}
	if (c->nurls >= ESCLIENT_MAX_NODES) {
		snprintf(err, errlen, "more than %d node URLs", ESCLIENT_MAX_NODES);
		return -1;
	}
	while (n > 0 && u[n - 1] == '/')
		u[--n] = '\0';
	if (n >= sizeof(c->urls[0])) {
		snprintf(err, errlen, "a node URL is longer than %zu bytes", sizeof(c->urls[0]) - 1);
		return -1;
	}
	snprintf(c->urls[c->nurls++], sizeof(c->urls[0]), "%s", u);
	return 0;
}

int esclient_parse(const char *spec, struct esclient *c, char *err, size_t errlen)
{
	char buf[4096], *q, *save = NULL, *usave = NULL;
	const char *user = getenv("PCAPSTREAM_ES_USER"), *pass = getenv("PCAPSTREAM_ES_PASSWORD");
	const char *key = getenv("PCAPSTREAM_ES_API_KEY");
	char secret[1024];

	memset(c, 0, sizeof(*c));
	snprintf(c->prefix, sizeof(c->prefix), "pcapstream");
	c->period = ESCLIENT_DAY;
	c->bulk_bytes = 5 * 1024 * 1024;
	c->inflight = 2;
	c->gzip = 1;
	c->timeout_s = 60;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "spec too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	q = strchr(buf, '?');
	if (q != NULL)
		*q++ = '\0';
	if (buf[0] == '\0' || buf[strlen(buf) - 1] == ',' || buf[0] == ',' || strstr(buf, ",,") != NULL) {
		snprintf(err, errlen,
			 "'%.300s': give one or more URLs separated by commas (e.g. es:http://a:9200,"
			 "http://b:9200)",
			 buf);
		return -1;
	}
	for (char *u = strtok_r(buf, ",", &usave); u != NULL; u = strtok_r(NULL, ",", &usave)) {
		if (add_node(c, u, err, errlen) < 0)
			return -1;
	}
	snprintf(c->url, sizeof(c->url), "%s", c->urls[0]);
	for (char *kv = q ? strtok_r(q, "&", &save) : NULL; kv != NULL; kv = strtok_r(NULL, "&", &save)) {
		char *v = strchr(kv, '=');
		if (v == NULL) {
			snprintf(err, errlen, "option '%s' needs a value (name=value)", kv);
			return -1;
		}
		*v++ = '\0';
		if (strcmp(kv, "prefix") == 0) {
			if (check_prefix(v, sizeof(c->prefix), err, errlen) < 0)
				return -1;
			snprintf(c->prefix, sizeof(c->prefix), "%s", v);
		} else if (strcmp(kv, "index_period") == 0) {
			if (strcmp(v, "day") == 0) {
				c->period = ESCLIENT_DAY;
			} else if (strcmp(v, "month") == 0) {
				c->period = ESCLIENT_MONTH;
			} else if (strcmp(v, "year") == 0) {
				c->period = ESCLIENT_YEAR;
			} else {
				snprintf(err, errlen, "index_period=%.100s is not day, month or year", v);
				return -1;
			}
		} else if (strcmp(kv, "bulk") == 0) {
			uint64_t b;
			if (fsutil_parse_size(v, &b) < 0 || b < 1024 || b > (1ULL << 30)) {
				snprintf(err, errlen, "bulk=%s is not a size between 1k and 1GB", v);
				return -1;
			}
			c->bulk_bytes = (size_t)b;
		} else if (strcmp(kv, "inflight") == 0) {
			char *end;
			long k = strtol(v, &end, 10);
			c->inflight = end != v && *end == '\0' && k >= 1 && k <= 64 ? (int)k : 0;
			if (c->inflight == 0) {
				snprintf(err, errlen, "inflight=%s is not between 1 and 64", v);
				return -1;
			}
		} else if (strcmp(kv, "gzip") == 0) {
			c->gzip = parse_switch(v);
			if (c->gzip < 0) {
				snprintf(err, errlen, "gzip=%.100s is not on or off", v);
				return -1;
			}
		} else if (strcmp(kv, "ca") == 0) {
			if (v[0] == '\0' || strlen(v) >= sizeof(c->ca) || access(v, R_OK) < 0) {
				snprintf(
				    err, errlen, "ca=%.300s: cannot read the CA file (%s): give a PEM file's path", v,
				    v[0] == '\0' || strlen(v) >= sizeof(c->ca) ? "empty or too long" : strerror(errno));
				return -1;
			}
			snprintf(c->ca, sizeof(c->ca), "%s", v);
		} else if (strcmp(kv, "timeout") == 0) {
			int64_t ns;
			if (fsutil_parse_duration(v, &ns) < 0 || ns < 1000000000LL) {
				snprintf(err, errlen, "timeout=%s is not a duration of 1s or more", v);
				return -1;
			}
			c->timeout_s = (long)(ns / 1000000000LL);
		} else if (strcmp(kv, "auth_file") == 0) {
			if (read_secret(v, c->userpwd, sizeof(c->userpwd), err, errlen) < 0)
				return -1;
		} else if (strcmp(kv, "api_key_file") == 0) {
			if (read_secret(v, secret, sizeof(secret), err, errlen) < 0)
				return -1;
			snprintf(c->auth_header, sizeof(c->auth_header), "Authorization: ApiKey %s", secret);
		} else {
			snprintf(err, errlen,
				 "unknown option '%s' (prefix, index_period, bulk, inflight, gzip, ca, timeout, "
				 "auth_file, api_key_file)",
				 kv);
			return -1;
		}
	}
	if (c->userpwd[0] == '\0' && user != NULL && pass != NULL)
		snprintf(c->userpwd, sizeof(c->userpwd), "%s:%s", user, pass);
	if (c->auth_header[0] == '\0' && key != NULL)
		snprintf(c->auth_header, sizeof(c->auth_header), "Authorization: ApiKey %s", key);
	return 0;
}

void esclient_apply(const struct esclient *c, void *curl_easy)
{
	CURL *e = curl_easy;

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, c->timeout_s);
	if (c->ca[0] != '\0')
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca);
	if (c->userpwd[0] != '\0') {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERPWD, c->userpwd);
	}
}

/* curl's write callback: append to the growbuf arg; 0 (curl then fails the transfer) when the
 * answer passes the buffer's cap or memory runs out. */
static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct growbuf *g = arg;
	size_t n = size * nmemb;

	return growbuf_append(g, ptr, n) == 0 ? n : 0;
}

long esclient_perform(void *curl_easy, size_t max, char **resp, char *err, size_t errlen)
{
	struct growbuf g;
	long status = -1;
	CURL *e = curl_easy;

	growbuf_init(&g, max);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &g);
	CURLcode rc = curl_easy_perform(e);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (resp != NULL) {
		*resp = g.data != NULL ? growbuf_take(&g) : strdup("");
	}
out:
	growbuf_free(&g);
	return status;
}

long esclient_request(const struct esclient *c, const char *method, const char *path, const char *body, char **resp,
		      char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	char url[2048], why[512];
	long status = -1;
	CURL *e = curl_easy_init();
	unsigned first = atomic_fetch_add(&next_node, 1u);

	if (e == NULL) {
		snprintf(err, errlen, "curl init failed");
		goto out;
	}
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (c->auth_header[0] != '\0')
		hdrs = curl_slist_append(hdrs, c->auth_header);
	for (int k = 0; k < c->nurls && status < 0; k++) {
		const char *base = c->urls[(first + (unsigned)k) % (unsigned)c->nurls];
		snprintf(url, sizeof(url), "%s%s", base, path);
		curl_easy_reset(e);
		esclient_apply(c, e);
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
		if (body != NULL)
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		status = esclient_perform(e, SIZE_MAX, resp, why, sizeof(why));
		if (status < 0)
			snprintf(err, errlen, "%s %s: %s%s", method, url, why,
				 c->nurls > 1 ? " (no node answered)" : "");
	}
out:
	curl_slist_free_all(hdrs);
	if (e != NULL)
		curl_easy_cleanup(e);
	return status;
}

void esclient_index_name(const struct esclient *c, int flows, int64_t ts_ns, char *out, size_t outlen)
{
	char t[40];
	const char *ds = flows ? "flows" : "packets";

	rowfmt_time_text(t, ts_ns); /* YYYY-MM-DDT... */
	if (c->period == ESCLIENT_YEAR)
		snprintf(out, outlen, "%s-%s-%.4s", c->prefix, ds, t);
	else if (c->period == ESCLIENT_MONTH)
		snprintf(out, outlen, "%s-%s-%.4s.%.2s", c->prefix, ds, t, t + 5);
	else
		snprintf(out, outlen, "%s-%s-%.4s.%.2s.%.2s", c->prefix, ds, t, t + 5, t + 8);
}

int esclient_period_range(const char *period, int64_t *start_ns, int64_t *end_ns)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const int64_t day_ns = 86400000000000LL;
	size_t n = strlen(period);
	int y = n >= 4 ? rowfmt_digits(period, 4) : -1, m = 1, d = 1;

	if (y < 1970 || (n != 4 && n != 7 && n != 10))
		return -1;
	if (n >= 7) {
		m = period[4] == '.' ? rowfmt_digits(period + 5, 2) : -1;
		if (m < 1 || m > 12)
			return -1;
	}
	if (n == 10) {
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		d = period[7] == '.' ? rowfmt_digits(period + 8, 2) : -1;
		if (d < 1 || d > (m == 2 && leap ? 29 : mdays[m - 1]))
			return -1;
	}
	*start_ns = rowfmt_days_from_civil(y, m, d) * day_ns;
	if (n == 10)
		*end_ns = *start_ns + day_ns;
	else if (n == 7)
		*end_ns =
		    (m == 12 ? rowfmt_days_from_civil(y + 1, 1, 1) : rowfmt_days_from_civil(y, m + 1, 1)) * day_ns;
	else
		*end_ns = rowfmt_days_from_civil(y + 1, 1, 1) * day_ns;
	return 0;
}

/* The version of the node answering GET /_nodes/_local (version.number when GET / is not served, as
 * by Elasticsearch's minimal integ-test distribution) into srv->version. 0 or -1 with err. */
static int node_version(const struct esclient *c, struct esclient_server *srv, char *err, size_t errlen)
{
	char *text = NULL;
	json_t *root = NULL, *nodes, *node;
	const char *k, *v = NULL;
	long st = esclient_request(c, "GET", "/_nodes/_local?filter_path=nodes.*.version", NULL, &text, err, errlen);

	if (st == 200)
		root = json_loads(text, 0, NULL);
	nodes = json_object_get(root, "nodes"); /* one node: _local */
	json_object_foreach(nodes, k, node) v = json_string_value(json_object_get(node, "version"));
	if (v != NULL)
		snprintf(srv->version, sizeof(srv->version), "%s", v);
	else if (st >= 0)
		snprintf(err, errlen,
			 "neither GET / nor GET /_nodes/_local says which server this is (HTTP %ld: %.200s)", st,
			 text != NULL ? text : "");
	json_decref(root);
	free(text);
	return v != NULL ? 0 : -1;
}

int esclient_detect(const struct esclient *c, struct esclient_server *srv, char *err, size_t errlen)
{
	char *text = NULL;
	json_t *root = NULL, *version;
	const char *dist, *number;
	int rc = -1;
	long status = esclient_request(c, "GET", "/", NULL, &text, err, errlen);

	memset(srv, 0, sizeof(*srv));
	if (status < 0)
		goto out;
	root = status == 200 ? json_loads(text, 0, NULL) : NULL;
	version = json_object_get(root, "version");
	number = json_string_value(json_object_get(version, "number"));
	if (number == NULL) {
		/* OpenSearch always serves GET /: a server that does not is Elasticsearch */
		rc = node_version(c, srv, err, errlen);
		goto out;
	}
	dist = json_string_value(json_object_get(version, "distribution"));
	srv->opensearch = dist != NULL && strcmp(dist, "opensearch") == 0;
	snprintf(srv->version, sizeof(srv->version), "%s", number);
	rc = 0;
out:
	json_decref(root);
	free(text);
	return rc;
}
