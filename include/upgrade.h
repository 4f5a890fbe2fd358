/* Upgrading from 0.1: what its checkpoints hold differs in three ways, read here. Its registry
 * keys a file by its first 64 KiB and size; it kept folders as given (relative paths); it marked
 * no batch in the registry and pruned old commits. */
#ifndef PCAPSTREAM_UPGRADE_H
#define PCAPSTREAM_UPGRADE_H
#include <stdint.h>

struct checkpoint;
struct fingerprint;
struct registry;
struct registry_entry;

/* Whether p1 and p2 name the same file: equal, or one relative ("spool/a.pcap", "./in/a.pcap",
 * "../in/a.pcap", as 0.1 recorded them) and the other, absolute, ending in it. */
int upgrade_same_path(const char *p1, const char *p2);

/* The 0.1 registry entry that counts for the file at path (fingerprint fp, modified at mtime_ns):
 * ingested under its 0.1 key, recorded for the same path or with the same modification time.
 * Returns it and copies its key into key, or NULL. */
const struct registry_entry *upgrade_legacy_entry(const struct registry *reg, const struct fingerprint *fp,
						  const char *path, int64_t mtime_ns, char key[40]);

/* The first committed batch the registry may lack (re-applied from commits/ at start-up); for a
 * 0.1 registry, the commits it pruned are skipped, as 0.1 did. */
int64_t upgrade_first_to_reapply(const struct checkpoint *ck, const struct registry *reg);

#endif
