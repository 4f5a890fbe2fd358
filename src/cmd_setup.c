/* `pcapstream setup --es URL`: install what the stores need, idempotently. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "esclient.h"
#include "kibana.h"
#include "mongoq.h"
#include "redact.h"
#include "row.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pcapstream setup [--es URL[?prefix=P]] [--mongo URI] [--kibana URL]\n\n"
		   "Install, or bring up to date, the composable index template PREFIX for the indices PREFIX-*\n"
		   "(default prefix pcapstream): the mappings of schema v1 (ip for addresses, date_nanos for\n"
		   "@timestamp, keyword/long/integer elsewhere). Safe to run again at any time. Credentials and\n"
		   "TLS as for the es: sink (PCAPSTREAM_ES_USER/_PASSWORD or PCAPSTREAM_ES_API_KEY, ca=FILE).\n"
		   "With --mongo: the indexes on @timestamp, source.ip and destination.ip of the collections\n"
		   "packets and flows in the URI's database (default pcapstream). Idempotent too.\n"
		   "With --kibana: import the data view (PREFIX-*, prefix from --es) and the \"pcapstream traffic\"\n"
		   "dashboard through POST /api/saved_objects/_import?overwrite=true; running it again overwrites\n"
		   "them. Credentials: PCAPSTREAM_KIBANA_USER/_PASSWORD or PCAPSTREAM_KIBANA_API_KEY, else the\n"
		   "PCAPSTREAM_ES_ ones.\n\n"
		   "Exit status: 0 everything asked for is installed; 1 a store could not be reached or refused\n"
		   "(the message says which; what comes after it is not tried); 2 usage or configuration error\n"
		   "(bad option, a bad --es URL or option).\n");
}

/* The index template for prefix, as a JSON object (caller decrefs), or NULL. */
static json_t *template_for(const char *prefix)
{
	char pattern[160];
	json_t *props = json_loads(row_es_properties, 0, NULL);

	if (props == NULL)
		return NULL;
	snprintf(pattern, sizeof(pattern), "%s-*", prefix);
	return json_pack("{s:[s],s:i,s:{s:{s:o}},s:{s:s,s:s}}", "index_patterns", pattern, "priority", 200, "template",
			 "mappings", "properties", props, "_meta", "managed_by", "pcapstream", "schema", "v1");
}

static int setup_es(const char *spec)
{
	struct esclient c;
	char err[1024], path[256];
	char *body = NULL, *resp = NULL;
	json_t *t = NULL;
	long status;
	int rc = 1;

	if (esclient_parse(spec, &c, err, sizeof(err)) < 0) {
		char shown[1024], why[1024];
		fprintf(stderr, "pcapstream setup: --es %s: %s\n", redact_text(spec, shown, sizeof(shown)),
			redact_text(err, why, sizeof(why)));
		return 2;
	}
	t = template_for(c.prefix);
	body = t != NULL ? json_dumps(t, JSON_COMPACT) : NULL;
	if (body == NULL) {
		fprintf(stderr, "pcapstream setup: cannot build the index template\n");
		goto out;
	}
	snprintf(path, sizeof(path), "/_index_template/%s", c.prefix);
	status = esclient_request(&c, "PUT", path, body, &resp, err, sizeof(err));
	if (status < 0) {
		fprintf(stderr, "pcapstream setup: cannot reach Elasticsearch: %s (is it running? check the URL)\n",
			err);
		goto out;
	}
	if (status != 200) {
		fprintf(stderr, "pcapstream setup: Elasticsearch refused the index template (HTTP %ld): %.500s\n",
			status, resp ? resp : "");
		goto out;
	}
	printf("setup: index template %s installed for %s-* at %s\n", c.prefix, c.prefix, c.url);
	rc = 0;
out:
	free(resp);
	free(body);
	json_decref(t);
	return rc;
}

int cmd_setup(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "es", required_argument, NULL, 'e' },
		{ "mongo", required_argument, NULL, 'm' },
		{ "kibana", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *es = NULL, *mongo = NULL, *kibana = NULL;
	char err[1024], shown[1024];
	int rc = 0;

	for (;;) {
		int c = getopt_long(argc, argv, "h", lopts, NULL);
		if (c == -1)
			break;
		if (c == 'e') {
			es = optarg;
		} else if (c == 'm') {
			mongo = optarg;
		} else if (c == 'k') {
			kibana = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pcapstream setup: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (es == NULL && mongo == NULL && kibana == NULL) {
		fprintf(stderr, "pcapstream setup: nothing to set up: give --es URL, --mongo URI and/or --kibana URL "
				"(see --help)\n");
		return 2;
	}
	if (es != NULL)
		rc = setup_es(es);
	if (rc == 0 && mongo != NULL) {
		if (mongoq_setup(mongo, err, sizeof(err)) < 0) {
			fprintf(stderr, "pcapstream setup: --mongo: %s (is the server running? check the URI)\n",
				redact_text(err, shown, sizeof(shown)));
			rc = 1;
		} else {
			printf("setup: indexes on @timestamp, source.ip, destination.ip of packets and flows at %s\n",
			       redact_text(mongo, shown, sizeof(shown)));
		}
	}
	if (rc == 0 && kibana != NULL) {
		struct esclient ec;
		const char *prefix = es != NULL && esclient_parse(es, &ec, err, sizeof(err)) == 0 ? ec.prefix : NULL;
		int n = kibana_import(kibana, prefix, err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "pcapstream setup: --kibana: %s\n", err);
			rc = 1;
		} else {
			printf("setup: %d Kibana saved objects imported at %s (data view %s-*, dashboard \"pcapstream "
			       "traffic\")\n",
			       n, kibana, prefix != NULL ? prefix : "pcapstream");
		}
	}
	return rc;
}
