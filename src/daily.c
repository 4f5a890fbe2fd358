/* The daily traffic query's shared contract (see daily.h). */
#include <stdio.h>
#include "daily.h"
#include "fsutil.h"

int daily_range(const char *from, const char *to, int64_t *d0, int64_t *d1, char *err, size_t errlen)
{
	*d0 = fsutil_parse_day(from);
	*d1 = fsutil_parse_day(to);
	if (*d0 < 0 || *d1 < 0) {
		snprintf(err, errlen, "dates must be YYYY-MM-DD (got '%s' and '%s')", from, to);
		return -1;
	}
	if (*d1 < *d0 || *d1 - *d0 >= DAILY_MAX_DAYS) {
		snprintf(err, errlen, "the range %s..%s must run forward and span at most %d days", from, to,
			 DAILY_MAX_DAYS);
		return -1;
	}
	return 0;
}

json_t *daily_rows(int64_t d0, int64_t d1, const struct daily_sums *sums)
{
	json_t *out = json_array();
	char day[16];

	for (int64_t d = d0; out != NULL && d <= d1; d++) {
		const struct daily_sums *s = &sums[d - d0];
		fsutil_format_day(d, day, sizeof(day));
		if (json_array_append_new(out, json_pack("{s:s,s:I,s:I,s:I,s:I}", "day", day, "inBytes",
							 (json_int_t)s->in_bytes, "outBytes", (json_int_t)s->out_bytes,
							 "inPackets", (json_int_t)s->in_packets, "outPackets",
							 (json_int_t)s->out_packets)) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	return out;
}
