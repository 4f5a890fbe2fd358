/* Talking to Elasticsearch or OpenSearch: the connection options of an "es:" spec, and one-shot
 * requests spread over the nodes it names.
 *
 * Spec: URL[,URL...][?option=value&...]: one base URL per node of the cluster (at most
 * ESCLIENT_MAX_NODES), the options after the last URL apply to all of them. Options: prefix
 * (index prefix, default pcapstream), index_period (day|month|year: one index per UTC day, month or
 * year of @timestamp, default day), bulk
 * (request size, default 5MB), inflight (concurrent requests, default 2), gzip (on|off, default
 * on), ca (CA file for https), auth_file (a file holding "user:password"), api_key_file (a file
 * holding an API key), timeout (per request, default 60s). Credentials are never taken from the
 * spec itself: PCAPSTREAM_ES_USER + PCAPSTREAM_ES_PASSWORD or PCAPSTREAM_ES_API_KEY in the
 * environment, or the files above. */
#ifndef PCAPSTREAM_ESCLIENT_H
#define PCAPSTREAM_ESCLIENT_H
#include <stddef.h>
#include <stdint.h>

#define ESCLIENT_MAX_NODES 16

/* How much time one index holds. */
enum esclient_period { ESCLIENT_DAY, ESCLIENT_MONTH, ESCLIENT_YEAR };

/* The server behind a URL, as GET / says. */
struct esclient_server {
	int opensearch;	  /* version.distribution == "opensearch" */
	char version[32]; /* version.number */
};

struct esclient {
	char url[1024];			     /* the first node's base URL without a trailing slash (for messages) */
	char urls[ESCLIENT_MAX_NODES][1024]; /* every node's base URL; urls[0] == url */
	int nurls;
	char prefix[128];
	enum esclient_period period;
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

/* One request: method on a node's base URL + path with an optional JSON body. The nodes are taken
 * in turn from one request to the next; a node that gives no answer is left for the next one in
 * this request (and asked again by later requests). Returns the HTTP status (and the body,
 * malloc'd, in *resp if resp is not NULL; caller frees), or -1 when no node answered (message in
 * err, naming the last node tried). Thread-safe. */
long esclient_request(const struct esclient *c, const char *method, const char *path, const char *body, char **resp,
		      char *err, size_t errlen);

/* Perform a prepared curl easy handle, collecting the answer body (at most max bytes). Returns
 * the HTTP status, with the body (malloc'd, NUL-terminated, caller frees) in *resp if resp is not
 * NULL; or -1 with curl's reason in err when no (whole) answer came. Used for requests beyond
 * esclient_request's, such as Kibana's multipart import. */
long esclient_perform(void *curl_easy, size_t max, char **resp, char *err, size_t errlen);

/* Index name for a row: PREFIX-packets-PERIOD (pcap) or PREFIX-flows-PERIOD (pmacct), PERIOD
 * being YYYY.MM.DD, YYYY.MM or YYYY (c->period) of the UTC time ts_ns. Writes into out. */
void esclient_index_name(const struct esclient *c, int flows, int64_t ts_ns, char *out, size_t outlen);

/* The time an index named PREFIX-DATASET-PERIOD covers, from the PERIOD part (text after the
 * dataset's "-": YYYY.MM.DD, YYYY.MM or YYYY): [*start_ns, *end_ns) in UTC. Returns 0, or -1 when
 * the text is not one of these forms (a foreign index under the same prefix). */
int esclient_period_range(const char *period, int64_t *start_ns, int64_t *end_ns);

/* Ask GET / which server answers (Elasticsearch or OpenSearch: version.distribution, and its
 * version) into *srv. A server that does not serve GET / (Elasticsearch's integ-test
 * distribution answers 405) is Elasticsearch, its version from GET /_nodes/_local. Returns 0, or
 * -1 with err when no node answers or neither answer is a search server's. */
int esclient_detect(const struct esclient *c, struct esclient_server *srv, char *err, size_t errlen);

#endif
