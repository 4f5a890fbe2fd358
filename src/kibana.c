/* Importing the saved objects into Kibana (see kibana.h). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esclient.h"
#include "kibana.h"

/* The objects with the data views' titles moved to prefix (pcapstream-* becomes PREFIX-*,
 * pcapstream-flows-* PREFIX-flows-*), as NDJSON (caller frees), or NULL. */
static char *objects_for(const char *prefix, char *err, size_t errlen)
{
	char *copy = strdup(kibana_objects), *save = NULL, *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (copy == NULL || f == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, 0, NULL);
		if (o == NULL) {
			snprintf(err, errlen, "the compiled-in saved objects do not parse");
			json_decref(o);
			goto out;
		}
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *was = json_string_value(json_object_get(json_object_get(o, "attributes"), "title"));
		if (type != NULL && strcmp(type, "index-pattern") == 0 && was != NULL &&
		    strncmp(was, "pcapstream-", 11) == 0) {
			char title[300];
			snprintf(title, sizeof(title), "%s%s", prefix != NULL ? prefix : "pcapstream", was + 10);
			json_object_set_new(json_object_get(o, "attributes"), "title", json_string(title));
		}
		char *text = json_dumps(o, JSON_COMPACT);
		if (text != NULL)
			fprintf(f, "%s\n", text);
		free(text);
		json_decref(o);
	}
out:
	if (f != NULL && fclose(f) != 0) {
		free(out);
		out = NULL;
	}
	free(copy);
	if (err[0] != '\0') {
		free(out);
		out = NULL;
	}
	return out;
}

int kibana_import(const char *url, const char *prefix, char *err, size_t errlen)
{
	const char *user = getenv("PCAPSTREAM_KIBANA_USER") ?: getenv("PCAPSTREAM_ES_USER");
	const char *pass = getenv("PCAPSTREAM_KIBANA_PASSWORD") ?: getenv("PCAPSTREAM_ES_PASSWORD");
	const char *key = getenv("PCAPSTREAM_KIBANA_API_KEY") ?: getenv("PCAPSTREAM_ES_API_KEY");
	char full[2048], auth[1100], userpwd[600], why[512];
	struct curl_slist *hdrs = NULL;
	curl_mime *mime = NULL;
	json_t *reply = NULL;
	char *body = NULL, *text = NULL;
	long status = 0;
	int rc = -1;
	CURL *e = NULL;

	err[0] = '\0';
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen, "'%s' is not an http:// or https:// URL (e.g. http://127.0.0.1:5601)", url);
		goto out;
	}
	if (strchr(url + 8, '@') != NULL) {
		snprintf(err, errlen,
			 "credentials in the URL are refused: use PCAPSTREAM_KIBANA_USER/_PASSWORD or "
			 "PCAPSTREAM_KIBANA_API_KEY");
		goto out;
	}
	body = objects_for(prefix, err, errlen);
	e = curl_easy_init();
	if (body == NULL || e == NULL) {
		if (err[0] == '\0')
			snprintf(err, errlen, "curl init failed");
		goto out;
	}
	size_t n = strlen(url);
	snprintf(full, sizeof(full), "%.*s/api/saved_objects/_import?overwrite=true",
		 (int)(n > 0 && url[n - 1] == '/' ? n - 1 : n), url);
	hdrs = curl_slist_append(hdrs, "kbn-xsrf: pcapstream");
	if (key != NULL && key[0] != '\0') {
		snprintf(auth, sizeof(auth), "Authorization: ApiKey %s", key);
		hdrs = curl_slist_append(hdrs, auth);
	} else if (user != NULL && pass != NULL) {
		snprintf(userpwd, sizeof(userpwd), "%s:%s", user, pass);
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERPWD, userpwd);
	}
	mime = curl_mime_init(e);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "file");
	curl_mime_filename(part, "pcapstream.ndjson");
	curl_mime_type(part, "application/ndjson");
	curl_mime_data(part, body, CURL_ZERO_TERMINATED);
	curl_easy_setopt(e, CURLOPT_URL, full);
	curl_easy_setopt(e, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 120L);
	status = esclient_perform(e, 1 << 20, &text, why, sizeof(why)); /* a reply this big is not Kibana's */
	if (status < 0) {
		snprintf(err, errlen, "POST %s: %s (is Kibana running? check the URL)", full, why);
		goto out;
	}
	reply = json_loads(text, 0, NULL);
	if (status != 200 || !json_is_true(json_object_get(reply, "success"))) {
		char *errs = json_dumps(json_object_get(reply, "errors"), JSON_COMPACT);
		snprintf(err, errlen, "Kibana refused the import (HTTP %ld): %.600s", status,
			 errs != NULL ? errs : text);
		free(errs);
		goto out;
	}
	rc = (int)json_integer_value(json_object_get(reply, "successCount"));
out:
	json_decref(reply);
	free(text);
	curl_mime_free(mime);
	curl_slist_free_all(hdrs);
	if (e != NULL)
		curl_easy_cleanup(e);
	free(body);
	return rc;
}
