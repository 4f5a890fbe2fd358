/* The null sink: serializes every row (so it costs what a real sink's formatting costs) and
 * throws it away. For benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include "sink.h"

struct sink_null {
	char *json;
	uint64_t bytes;
};

static int null_open(const char *arg, const struct sink_env *env, void **state, char *err, size_t errlen)
{
	struct sink_null *n = calloc(1, sizeof(*n));

	(void)arg;
	(void)env;
	if (n != NULL)
		n->json = malloc(ROW_JSON_MAX);
	if (n == NULL || n->json == NULL) {
		free(n);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*state = n;
	return 0;
}

static int null_begin(void *state, uint64_t batch, char *err, size_t errlen)
{
	(void)state;
	(void)batch;
	(void)err;
	(void)errlen;
	return 0;
}

static int null_write(void *state, const struct row *rows, size_t count, char *err, size_t errlen)
{
	struct sink_null *n = state;

	(void)err;
	(void)errlen;
	for (size_t i = 0; i < count; i++)
		n->bytes += row_to_json(&rows[i], n->json, 1);
	return 0;
}

static int null_flush(void *state, char *err, size_t errlen)
{
	(void)state;
	(void)err;
	(void)errlen;
	return 0;
}

static void null_abort(void *state)
{
	(void)state;
}

static void null_stats(void *state, struct sink_stats *out)
{
	(void)state;
	(void)out;
}

static void null_close(void *state)
{
	struct sink_null *n = state;

	if (n == NULL)
		return;
	free(n->json);
	free(n);
}

const struct sink_ops sink_null_ops = {
	.name = "null",
	.help = "null         serialize and discard (benchmarks)",
	.open = null_open,
	.begin = null_begin,
	.write = null_write,
	.flush = null_flush,
	.abort = null_abort,
	.stats = null_stats,
	.close = null_close,
};
