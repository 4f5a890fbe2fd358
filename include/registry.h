/* The registry of files seen, by content identity (fingerprint hash + size), kept in the
 * checkpoint folder as a snapshot plus an append-only log of changes since it:
 *
 *   registry       one JSON object per line: the state of every remembered file
 *   registry.log   the same kind of lines, appended (and fsynced) as batches commit
 *
 * On load the log is applied over the snapshot (the last line for a key wins). A torn last line
 * of the log (a crash during an append) is ignored, and cut off before the next append; any other
 * line that is not an entry is damage, and loading fails saying where. A path that is not UTF-8
 * is stored exactly (hex, "ph") beside its display form ("p"). Compaction writes a new snapshot atomically, then
 * removes the log, and drops files that left the folder more than the retention ago: its size follows the live files,
 * not the history. */
#ifndef PCAPSTREAM_REGISTRY_H
#define PCAPSTREAM_REGISTRY_H
#include <stddef.h>
#include <stdint.h>

enum registry_state {
	REGISTRY_INGESTED = 1,	  /* every frame is in the sinks */
	REGISTRY_QUARANTINED = 2, /* moved to quarantine (its good rows, if any, are in the sinks) */
};

struct registry_entry {
	char key[40]; /* "<16 hex>:<size>" */
	char *path;   /* where it was last seen */
	uint64_t size;
	int64_t mtime_ns;
	int state;	/* enum registry_state */
	uint64_t batch; /* batch that committed it */
	uint64_t rows;
	int64_t gone_ns; /* when it left the folder (archived, deleted, quarantined); 0 while there */
};

struct registry;

/* Load from the checkpoint folder dir; nothing is written. Returns 0 and *out, or -1 with err
 * (unreadable, or damaged: the message names the file and line and says what to do). */
int registry_load(const char *dir, struct registry **out, char *err, size_t errlen);

/* The entry for key, or NULL. Borrowed: valid until the next registry call that changes it. */
const struct registry_entry *registry_get(const struct registry *reg, const char *key);

/* Record e (copied) as the state of e->key and append it to the log buffer. Call
 * registry_sync() to make the buffered changes durable. Returns 0 or -1 (out of memory). */
int registry_put(struct registry *reg, const struct registry_entry *e);

/* Mark key as gone from the folder at time now (no-op if unknown or already gone). */
int registry_mark_gone(struct registry *reg, const char *key, int64_t now_ns);

/* Append and fsync buffered changes. Returns 0 or -1 with err. */
int registry_sync(struct registry *reg, char *err, size_t errlen);

/* If the log has grown past the live entries, forget entries gone longer than retention_ns
 * and write a new snapshot. Returns 0 or -1 with err (the registry stays valid). */
int registry_maybe_compact(struct registry *reg, int64_t now_ns, int64_t retention_ns, char *err, size_t errlen);

/* Record that batch's changes are complete (a marker line): the high-water mark then moves even
 * for a batch that changed no entry. Buffered like registry_put. Returns 0 or -1. */
int registry_note_batch(struct registry *reg, uint64_t batch);

/* 1 if the log loaded ended in a torn line that has not been cut off yet. */
int registry_torn(const struct registry *reg);

/* Highest batch id recorded (-1 if none): batches committed after it must be re-applied. */
int64_t registry_last_batch(const struct registry *reg);

/* The first batch whose registry changes may be incomplete: the batch after the last one marked
 * complete (registry_note_batch), or the last batch seen if its marker is missing (a crash
 * during its append). Committed batches from here on must be re-applied; 0 for an empty registry. */
int64_t registry_resume_batch(const struct registry *reg);

/* 1 if the registry was written by a version before 0.2 (files there, but no batch marker line):
 * such a version kept only the newest commits, so the oldest ones it needs may be gone for good
 * and are not damage. */
int registry_legacy(const struct registry *reg);

size_t registry_count(const struct registry *reg);

/* Call fn for every entry. fn must not change the registry. */
void registry_foreach(const struct registry *reg, void (*fn)(const struct registry_entry *e, void *arg), void *arg);

void registry_free(struct registry *reg);

#endif
