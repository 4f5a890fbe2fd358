/* Quarantine: a bad input file set aside with the reason beside it (see quarantine.h). */
#include <stdio.h>
#include "fsutil.h"
#include "log.h"
#include "quarantine.h"
#include "rowfmt.h"

/* Quarantine a bad file: watch moves it into the quarantine folder with a NAME.reason file
 * beside it; replay leaves archives untouched and writes only the NAME.reason (naming the file).
 * Returns 0 or -1 (logged). */
int quarantine_file(const char *q, int move, const char *path, const char *reason, uint64_t rows)
{
	char dst[4096], rpath[4200], text[8192], when[40], err[512] = "no free name in the quarantine folder";
	int n;

	if (fsutil_mkdirs(q, err, sizeof(err)) < 0 ||
	    fsutil_free_name(q, fsutil_basename(path), dst, sizeof(dst)) < 0) {
		log_line(LOG_ERROR, "cannot quarantine",
			 (struct log_field[]){ LOG_S("file", path), LOG_S("reason", reason), LOG_S("error", err) }, 3);
		return -1;
	}
	rowfmt_time_text(when, fsutil_now_ns());
	n = snprintf(text, sizeof(text),
		     "file: %s\nreason: %s\nquarantined: %s\nrows ingested from it: %llu\n%s"
		     "what to do: inspect the file; to ingest a repaired copy, drop it into the watched folder or "
		     "replay it (a different content is a new file)\n",
		     path, reason, when, (unsigned long long)rows,
		     move ? "" : "left in place: replay does not move archived files\n");
	snprintf(rpath, sizeof(rpath), "%s.reason", dst);
	if (fsutil_write_atomic(rpath, text, (size_t)n, err, sizeof(err)) < 0 ||
	    (move && fsutil_move(path, dst, err, sizeof(err)) < 0)) {
		log_line(LOG_ERROR, "cannot quarantine",
			 (struct log_field[]){ LOG_S("file", path), LOG_S("reason", reason), LOG_S("error", err) }, 3);
		return -1;
	}
	log_line(LOG_WARN, "quarantined",
		 (struct log_field[]){ LOG_S("file", path), LOG_S("reason", reason), LOG_I("rows_kept", rows),
				       LOG_S(move ? "moved_to" : "reason_file", move ? dst : rpath) },
		 4);
	return 0;
}
