/* Talking to Elasticsearch: the connection options of an "es:" spec, and one-shot requests.
 *
 * Spec: URL[?option=value&...], options: prefix (index prefix, default pcapstream), bulk
 * (request size, default 5MB), inflight (concurrent requests, default 2), gzip (on|off, default
 * on), ca (CA file for https), auth_file (a file holding "user:password"), api_key_file (a file
 * holding an API key), timeout (per request, default 60s). Credentials are never taken from the
 * spec itself: PCAPSTREAM_ES_USER + PCAPSTREAM_ES_PASSWORD or PCAPSTREAM_ES_API_KEY in the
 * environment, or the files above. */
#ifndef PCAPSTREAM_ESCLIENT_H
#define PCAPSTREAM_ESCLIENT_H
#include <stddef.h>
#include <stdint.h>

struct esclient {
	char url[1024]; /* base URL without a trailing slash */
	char prefix[128];
	size_t bulk_bytes;
	int inflight;
	int gzip;
	char ca[1024];
	char userpwd[512];	/* "user:password" or "" */
	char auth_header[1100]; /* "Authorization: ApiKey ..." or "" */
	long timeout_s;
};

/* Parse a spec (the text after "es:"). Returns 0, or -1 with a message in err. */
int esclient_parse(const char *spec, struct esclient *c, char *err, size_t errlen);

/* Apply URL-independent options (TLS CA, credentials, timeouts) to a curl easy handle. */
void esclient_apply(const struct esclient *c, void *curl_easy);

/* One request: method on c->url + path with an optional JSON body. Returns the HTTP status
 * (and the body, malloc'd, in *resp if resp is not NULL; caller frees), or -1 when no answer
 * came (message in err). */
long esclient_request(const struct esclient *c, const char *method, const char *path, const char *body, char **resp,
		      char *err, size_t errlen);

/* Perform a prepared curl easy handle, collecting the answer body (at most max bytes). Returns
 * the HTTP status, with the body (malloc'd, NUL-terminated, caller frees) in *resp if resp is not
 * NULL; or -1 with curl's reason in err when no (whole) answer came. Used for requests beyond
 * esclient_request's, such as Kibana's multipart import. */
long esclient_perform(void *curl_easy, size_t max, char **resp, char *err, size_t errlen);

/* Index name for a row: PREFIX-packets-YYYY.MM.DD (pcap) or PREFIX-flows-YYYY.MM.DD (pmacct),
 * by the UTC day of ts_ns. Writes into out. */
void esclient_index_name(const struct esclient *c, int flows, int64_t ts_ns, char *out, size_t outlen);

#endif
