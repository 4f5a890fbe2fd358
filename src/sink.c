/* The sink registry: the one list of sink kinds. The engine never names a kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "redact.h"
#include "sink.h"

static const struct sink_ops *const sink_kinds[] = {
	&sink_file_ops, &sink_es_ops, &sink_mongo_ops, &sink_kafka_ops, &sink_null_ops, NULL,
};

struct sink {
	const struct sink_ops *ops;
	void *state;
	char *spec; /* for people: credentials masked (it names the sink in logs and state files) */
};

int sink_open(const char *spec, const struct sink_env *env, struct sink **out, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	const char *arg = colon != NULL ? colon + 1 : "";
	struct sink *s = NULL;
	char why[512] = "", shown[1024], why_shown[512];
	int rc = -1;

	*out = NULL;
	redact_text(spec, shown, sizeof(shown));
	for (int i = 0; sink_kinds[i] != NULL; i++) {
		if (strlen(sink_kinds[i]->name) != nlen || strncmp(sink_kinds[i]->name, spec, nlen) != 0)
			continue;
		s = calloc(1, sizeof(*s));
		if (s != NULL)
			s->spec = strdup(shown);
		if (s == NULL || s->spec == NULL) {
			snprintf(err, errlen, "sink %s: out of memory", shown);
			goto out;
		}
		s->ops = sink_kinds[i];
		int orc = s->ops->open(arg, env, &s->state, why, sizeof(why));
		if (orc < 0) {
			snprintf(err, errlen, "sink %s: %s", shown, redact_text(why, why_shown, sizeof(why_shown)));
			rc = orc == SINK_ECONFLICT ? SINK_ECONFLICT : -1;
			goto out;
		}
		*out = s;
		s = NULL;
		rc = 0;
		goto out;
	}
	snprintf(err, errlen,
		 "sink '%.200s': unknown kind (known: file:OUTDIR, es:URL, mongo:URI, kafka:BROKERS/TOPIC, null)",
		 shown);
out:
	if (s != NULL) {
		free(s->spec);
		free(s);
	}
	return rc;
}

int sink_begin(struct sink *s, uint64_t batch, char *err, size_t errlen)
{
	return s->ops->begin(s->state, batch, err, errlen);
}

int sink_write(struct sink *s, const struct row *rows, size_t n, char *err, size_t errlen)
{
	return s->ops->write(s->state, rows, n, err, errlen);
}

int sink_flush(struct sink *s, char *err, size_t errlen)
{
	return s->ops->flush(s->state, err, errlen);
}

void sink_abort(struct sink *s)
{
	s->ops->abort(s->state);
}

void sink_stats(struct sink *s, struct sink_stats *out)
{
	memset(out, 0, sizeof(*out));
	s->ops->stats(s->state, out);
}

const char *sink_spec(const struct sink *s)
{
	return s->spec;
}

void sink_close(struct sink *s)
{
	if (s == NULL)
		return;
	s->ops->close(s->state);
	free(s->spec);
	free(s);
}

void sink_print_help(void *file)
{
	for (int i = 0; sink_kinds[i] != NULL; i++)
		fprintf((FILE *)file, "      %s\n", sink_kinds[i]->help);
}
