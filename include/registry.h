/* The registry of files seen, by content identity (fingerprint hash + size), kept in the
 * checkpoint folder as a snapshot plus an append-only log of changes since it:
 *
 *   registry       one JSON object per line: the state of every remembered file
 *   registry.log   the same kind of lines, appended (and fsynced) as batches commit
 *
 * On load the log is applied over the snapshot (the last line for a key wins; a torn last line
 * is ignored). Compaction writes a new snapshot atomically, then removes the log, and drops
 * files that left the folder more than the retention ago: its size follows the live files,
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

/* Load from the checkpoint folder dir. Returns 0 and *out, or -1 with err. */
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

/* Highest batch id recorded (-1 if none): batches committed after it must be re-applied. */
int64_t registry_last_batch(const struct registry *reg);

size_t registry_count(const struct registry *reg);

/* Call fn for every entry. fn must not change the registry. */
void registry_foreach(const struct registry *reg, void (*fn)(const struct registry_entry *e, void *arg), void *arg);

void registry_free(struct registry *reg);

#endif
