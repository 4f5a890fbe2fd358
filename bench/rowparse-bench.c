/* rowparse (issue 13): round trip and parse rate over rows as `pcapstream decode` prints them.
 *
 *   build/pcapstream decode CAPTURE... | rowparse-bench [N]
 *
 * Every line is parsed and written again with row_to_json: the two must be the same bytes (any
 * difference is printed and the exit status is 1). Then the lines are parsed over and over until
 * N rows (default 1,000,000) have been, and the rate is printed, beside row_to_json's and jansson's
 * (json_loadb, a DOM) over the same lines for scale. Built and run by bench/kafka-bench. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "growbuf.h"
#include "rowparse.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long target = argc > 1 ? atol(argv[1]) : 1000000;
	struct growbuf in;
	char chunk[65536], err[512];
	size_t got, nlines = 0, bad = 0;
	char *out = malloc(ROW_JSON_MAX + 1);
	struct rowparse_strings *strs = rowparse_strings_new((size_t)1 << 30);
	struct row r;

	growbuf_init(&in, (size_t)1 << 31);
	while ((got = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if (growbuf_append(&in, chunk, got) < 0) {
			fprintf(stderr, "rowparse-bench: input too large\n");
			return 2;
		}
	}
	if (in.len == 0 || out == NULL || strs == NULL) {
		fprintf(stderr, "rowparse-bench: no input (pipe decode's rows in)\n");
		return 2;
	}
	/* the lines, as offsets */
	size_t *starts = NULL, *lens = NULL, cap = 0, cap2 = 0;
	for (size_t p = 0; p < in.len;) {
		char *nl = memchr(in.data + p, '\n', in.len - p);
		size_t e = nl != NULL ? (size_t)(nl - in.data) : in.len;
		if (growbuf_array((void **)&starts, &cap, nlines + 1, sizeof(*starts), (size_t)1 << 28) < 0 ||
		    growbuf_array((void **)&lens, &cap2, nlines + 1, sizeof(*lens), (size_t)1 << 28) < 0)
			return 2;
		starts[nlines] = p;
		lens[nlines++] = e - p;
		p = e + 1;
	}
	for (size_t i = 0; i < nlines; i++) {
		const char *line = in.data + starts[i];
		if (rowparse_parse(line, lens[i], &r, strs, err, sizeof(err)) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "refused: %s\n  %.*s\n", err, (int)lens[i], line);
			continue;
		}
		size_t n = row_to_json(&r, out, 1);
		if (n != lens[i] || memcmp(out, line, n) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "differs:\n  in:  %.*s\n  out: %.*s\n", (int)lens[i], line, (int)n,
					out);
		}
	}
	printf("round trip: %zu rows, %zu differ or refused\n", nlines, bad);
	rowparse_strings_reset(strs);

	long done = 0;
	size_t bytes = 0;
	double t0 = now();
	while (done < target) {
		for (size_t i = 0; i < nlines && done < target; i++, done++) {
			if ((done & 65535) == 0)
				rowparse_strings_reset(strs);
			rowparse_parse(in.data + starts[i], lens[i], &r, strs, err, sizeof(err));
			bytes += lens[i];
		}
	}
	double tp = now() - t0;
	size_t nrows = nlines < 4096 ? nlines : 4096;
	struct row *rows = calloc(nrows, sizeof(*rows));
	rowparse_strings_reset(strs);
	for (size_t i = 0; rows != NULL && i < nrows; i++)
		rowparse_parse(in.data + starts[i], lens[i], &rows[i], strs, err, sizeof(err));
	t0 = now();
	for (long k = 0; rows != NULL && k < target; k++)
		out[row_to_json(&rows[(size_t)k % nrows], out, 1)] = '\0';
	double ts = now() - t0;
	long jn = target / 4;
	t0 = now();
	for (long k = 0; k < jn; k++) {
		size_t i = (size_t)k % nlines;
		json_t *j = json_loadb(in.data + starts[i], lens[i], 0, NULL);
		json_decref(j);
	}
	double tj = now() - t0;
	printf("rowparse_parse: %ld rows in %.3f s: %.0f rows/s, %.0f MB/s\n", done, tp, (double)done / tp,
	       (double)bytes / tp / 1e6);
	printf("row_to_json:    %ld rows in %.3f s: %.0f rows/s (for scale)\n", target, ts, (double)target / ts);
	printf("jansson DOM:    %ld rows in %.3f s: %.0f rows/s (for scale)\n", jn, tj, (double)jn / tj);
	free(rows);
	free(starts);
	free(lens);
	free(out);
	rowparse_strings_free(strs);
	growbuf_free(&in);
	return bad == 0 ? 0 : 1;
}
