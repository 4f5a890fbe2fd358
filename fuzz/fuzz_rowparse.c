/* libFuzzer target for rowparse (pcapstream rows read back from Kafka): any input is parsed
 * without a memory error, and whatever is accepted is a fixed point: written with row_to_json,
 * parsed again, written again, the two texts are the same bytes.
 * Build (not wired into `make fuzz`):
 *   clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -Ibuild/gen \
 *     $(pkg-config --cflags libbson-1.0) -o build/fuzz_rowparse fuzz/fuzz_rowparse.c src/rowparse.c \
 *     src/rowfmt.c src/growbuf.c src/row.c src/fsutil.c build/gen/row_fields.c \
 *     $(pkg-config --libs libbson-1.0) -lpthread
 *   build/fuzz_rowparse -max_total_time=120 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rowparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rowparse_strings *strs;
	static char a[ROW_JSON_MAX + 1], b[ROW_JSON_MAX + 1];
	char err[256];
	struct row r, back;

	if (strs == NULL)
		strs = rowparse_strings_new(1 << 22);
	rowparse_strings_reset(strs);
	(void)rowparse_is_row((const char *)data, size);
	if (rowparse_parse((const char *)data, size, &r, strs, err, sizeof(err)) != 0)
		return 0;
	size_t la = row_to_json(&r, a, 1);
	if (rowparse_parse(a, la, &back, strs, err, sizeof(err)) != 0)
		abort(); /* pcapstream's own text refused */
	size_t lb = row_to_json(&back, b, 1);
	if (la != lb || memcmp(a, b, la) != 0)
		abort(); /* not a fixed point */
	return 0;
}
