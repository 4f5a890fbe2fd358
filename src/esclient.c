/* Elasticsearch connection options and one-shot requests (libcurl). */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "esclient.h"
#include "fsutil.h"
#include "rowfmt.h"

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

int esclient_parse(const char *spec, struct esclient *c, char *err, size_t errlen)
{
	char buf[4096], *q, *save = NULL;
	const char *user = getenv("PCAPSTREAM_ES_USER"), *pass = getenv("PCAPSTREAM_ES_PASSWORD");
	const char *key = getenv("PCAPSTREAM_ES_API_KEY");
	char secret[1024];

	memset(c, 0, sizeof(*c));
	snprintf(c->prefix, sizeof(c->prefix), "pcapstream");
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
	if (strncmp(buf, "http://", 7) != 0 && strncmp(buf, "https://", 8) != 0) {
		snprintf(err, errlen, "'%s' is not an http:// or https:// URL (e.g. es:http://127.0.0.1:9200)", buf);
		return -1;
	}
	if (strchr(buf + 8, '@') != NULL) {
		snprintf(err, errlen,
			 "credentials in the URL are refused: use PCAPSTREAM_ES_USER/PCAPSTREAM_ES_PASSWORD, "
			 "PCAPSTREAM_ES_API_KEY, auth_file= or api_key_file=");
		return -1;
	}
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	snprintf(c->url, sizeof(c->url), "%s", buf);
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
				 "unknown option '%s' (prefix, bulk, inflight, gzip, ca, timeout, auth_file, "
				 "api_key_file)",
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

struct grow {
	char *p;
	size_t len, cap, max;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct grow *g = arg;
	size_t n = size * nmemb;

	if (g->len + n > g->max)
		return 0; /* curl then fails the transfer: larger than the caller accepts */
	if (g->len + n + 1 > g->cap) {
		size_t cap = (g->len + n + 1) * 2;
		char *p = realloc(g->p, cap);
		if (p == NULL)
			return 0;
		g->p = p;
		g->cap = cap;
	}
	memcpy(g->p + g->len, ptr, n);
	g->len += n;
	g->p[g->len] = '\0';
	return n;
}

long esclient_perform(void *curl_easy, size_t max, char **resp, char *err, size_t errlen)
{
	struct grow g = { .max = max };
	long status = -1;
	CURL *e = curl_easy;

	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &g);
	CURLcode rc = curl_easy_perform(e);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (resp != NULL) {
		*resp = g.p != NULL ? g.p : strdup("");
		g.p = NULL;
	}
out:
	free(g.p);
	return status;
}

long esclient_request(const struct esclient *c, const char *method, const char *path, const char *body, char **resp,
		      char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	char url[2048], why[512];
	long status = -1;
	CURL *e = curl_easy_init();

	if (e == NULL) {
		snprintf(err, errlen, "curl init failed");
		goto out;
	}
	snprintf(url, sizeof(url), "%s%s", c->url, path);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (c->auth_header[0] != '\0')
		hdrs = curl_slist_append(hdrs, c->auth_header);
	esclient_apply(c, e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (body != NULL)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	status = esclient_perform(e, SIZE_MAX, resp, why, sizeof(why));
	if (status < 0)
		snprintf(err, errlen, "%s %s: %s", method, url, why);
out:
	curl_slist_free_all(hdrs);
	if (e != NULL)
		curl_easy_cleanup(e);
	return status;
}

void esclient_index_name(const struct esclient *c, int flows, int64_t ts_ns, char *out, size_t outlen)
{
	char t[40];

	rowfmt_time_text(t, ts_ns); /* YYYY-MM-DDT... */
	snprintf(out, outlen, "%s-%s-%.4s.%.2s.%.2s", c->prefix, flows ? "flows" : "packets", t, t + 5, t + 8);
}
