/* Install what the stores need, idempotently: `pcapstream setup`'s work. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esclient.h"
#include "kibana.h"
#include "mongoq.h"
#include "redact.h"
#include "row.h"
#include "setup.h"

/* The index template for prefix, as a JSON object (caller decrefs), or NULL. */
static json_t *template_for(const char *prefix)
{
	char pattern[160];
	json_t *props = json_loads(row_es_properties, 0, NULL);

	if (props == NULL)
		return NULL;
	snprintf(pattern, sizeof(pattern), "%s-*", prefix);
	return json_pack("{s:[s],s:i,s:{s:{s:o}},s:{s:s,s:s}}", "index_patterns", pattern, "priority", 200, "template",
			 "mappings", "properties", props, "_meta", "managed_by", "pcapstream", "schema", "v2");
}

int setup_es(const char *spec, char *done, size_t donelen, char *err, size_t errlen)
{
	struct esclient c;
	char why[1024], path[256];
	char *body = NULL, *resp = NULL;
	json_t *t = NULL;
	long status;
	int rc = -1;

	if (esclient_parse(spec, &c, why, sizeof(why)) < 0) {
		char shown[1024], rwhy[1024];
		snprintf(err, errlen, "--es %s: %s", redact_text(spec, shown, sizeof(shown)),
			 redact_text(why, rwhy, sizeof(rwhy)));
		rc = SETUP_EUSAGE;
		goto out;
	}
	t = template_for(c.prefix);
	body = t != NULL ? json_dumps(t, JSON_COMPACT) : NULL;
	if (body == NULL) {
		snprintf(err, errlen, "cannot build the index template");
		goto out;
	}
	snprintf(path, sizeof(path), "/_index_template/%s", c.prefix);
	status = esclient_request(&c, "PUT", path, body, &resp, why, sizeof(why));
	if (status < 0) {
		snprintf(err, errlen, "cannot reach Elasticsearch: %s (is it running? check the URL)", why);
		goto out;
	}
	if (status != 200) {
		snprintf(err, errlen, "Elasticsearch refused the index template (HTTP %ld): %.500s", status,
			 resp ? resp : "");
		goto out;
	}
	snprintf(done, donelen, "index template %s installed for %s-* at %s", c.prefix, c.prefix, c.url);
	rc = 0;
out:
	free(resp);
	free(body);
	json_decref(t);
	return rc;
}

int setup_mongo(const char *uri, char *done, size_t donelen, char *err, size_t errlen)
{
	char why[1024], shown[1024];

	if (mongoq_setup(uri, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--mongo: %s (is the server running? check the URI)",
			 redact_text(why, shown, sizeof(shown)));
		return -1;
	}
	snprintf(done, donelen, "indexes on @timestamp, source.ip, destination.ip of packets and flows at %s",
		 redact_text(uri, shown, sizeof(shown)));
	return 0;
}

int setup_kibana(const char *url, const char *es_spec, char *done, size_t donelen, char *err, size_t errlen)
{
	struct esclient ec;
	char why[1024];
	const char *prefix = es_spec != NULL && esclient_parse(es_spec, &ec, why, sizeof(why)) == 0 ? ec.prefix : NULL;
	int n = kibana_import(url, prefix, why, sizeof(why));

	if (n < 0) {
		snprintf(err, errlen, "--kibana: %s", why);
		return -1;
	}
	snprintf(done, donelen,
		 "%d Kibana saved objects imported at %s (data view %s-*, dashboard \"pcapstream traffic\")", n, url,
		 prefix != NULL ? prefix : "pcapstream");
	return 0;
}
