/* The checkpoint folder: what the engine has promised and what it has done.
 *
 *   metadata     the source and settings the checkpoint belongs to
 *   offsets/N    written before batch N runs: its exact plan (JSON)
 *   commits/N    written after every sink flushed batch N: outcome and running totals (JSON)
 *
 * Every write is temp -> fsync -> rename -> fsync(dir). Old batches are purged, keeping the
 * last CHECKPOINT_RETAIN of each. */
#ifndef PCAPSTREAM_CHECKPOINT_H
#define PCAPSTREAM_CHECKPOINT_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CHECKPOINT_RETAIN 100

struct checkpoint;

/* Open (creating if needed) the checkpoint in dir. metadata, if not NULL, is stored, with the
 * folder's "id" (random, made when the folder is first used, then kept) added to it; if the
 * folder already belongs to a different "source", fails with a message telling the user to
 * pick another --checkpoint. With metadata NULL nothing is written. Returns 0 and *out
 * (checkpoint_close frees), or -1 and err. */
int checkpoint_open(const char *dir, json_t *metadata, struct checkpoint **out, char *err, size_t errlen);

/* Highest batch id with an offsets / commits file, or -1 if none. */
int64_t checkpoint_last_offsets(const struct checkpoint *ck);
int64_t checkpoint_last_commit(const struct checkpoint *ck);

/* Write offsets/N or commits/N durably. Return 0 or -1 with err. */
int checkpoint_write_offsets(struct checkpoint *ck, uint64_t batch, json_t *plan, char *err, size_t errlen);
int checkpoint_write_commit(struct checkpoint *ck, uint64_t batch, json_t *commit, char *err, size_t errlen);

/* Read offsets/N or commits/N. Return a new reference (caller decrefs) or NULL with err. */
json_t *checkpoint_read_offsets(const struct checkpoint *ck, uint64_t batch, char *err, size_t errlen);
json_t *checkpoint_read_commit(const struct checkpoint *ck, uint64_t batch, char *err, size_t errlen);

/* The stored metadata (borrowed), or NULL. */
json_t *checkpoint_metadata(const struct checkpoint *ck);

/* Delete offsets and commits older than the newest CHECKPOINT_RETAIN committed batches. */
void checkpoint_purge(struct checkpoint *ck);

const char *checkpoint_dir(const struct checkpoint *ck);

/* 1 if kind ("offsets" or "commits") N exists, 0 if not. */
int checkpoint_has(const struct checkpoint *ck, const char *kind, uint64_t batch);

void checkpoint_close(struct checkpoint *ck);

#endif
