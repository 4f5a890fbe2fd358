/* Quarantine: a bad input file is set aside, never deleted, with a NAME.reason file saying what
 * is wrong with it, when, how many of its rows were kept, and what to do. */
#ifndef PCAPSTREAM_QUARANTINE_H
#define PCAPSTREAM_QUARANTINE_H
#include <stdint.h>

/* Quarantine path into folder qdir (created if needed) for reason. move: the file is moved there
 * (watch); otherwise it is left in place (replay does not move archives) and only the .reason is
 * written, naming it. rows: how many of its rows were ingested. Returns 0, or -1 (logged; the
 * file stays where it was). */
int quarantine_file(const char *qdir, int move, const char *path, const char *reason, uint64_t rows);

#endif
