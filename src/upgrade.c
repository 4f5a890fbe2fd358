/* Reading what pcapstream 0.1 left behind (see upgrade.h). */
#include <stdio.h>
#include <string.h>
#include "checkpoint.h"
#include "fingerprint.h"
#include "registry.h"
#include "upgrade.h"

/* A relative path without its leading "./" and "../" parts and inner "./" parts, into out
 * (outlen bytes; cut if longer). */
static void relative_tail(const char *p, char *out, size_t outlen)
{
	size_t o = 0;

	for (;;) {
		if (strncmp(p, "./", 2) == 0)
			p += 2;
		else if (strncmp(p, "../", 3) == 0)
			p += 3;
		else
			break;
	}
	for (; *p != '\0' && o + 1 < outlen; p++) {
		if (p[0] == '/' && p[1] == '.' && p[2] == '/') {
			p++;
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* Whether p1 and p2 name the same file: equal, or one relative (checkpoints written before 0.2
 * kept the folder as given: "spool/a.pcap", "./in/a.pcap", "../in/a.pcap") and the other, absolute,
 * ending in it. */
int upgrade_same_path(const char *p1, const char *p2)
{
	char tail[4096];
	size_t n1, n2;

	if (strcmp(p1, p2) == 0)
		return 1;
	if (p1[0] != '/' && p2[0] == '/')
		return upgrade_same_path(p2, p1);
	if (p1[0] != '/' || p2[0] == '/')
		return 0;
	relative_tail(p2, tail, sizeof(tail));
	n1 = strlen(p1);
	n2 = strlen(tail);
	return n2 > 0 && n1 > n2 && p1[n1 - n2 - 1] == '/' && strcmp(p1 + n1 - n2, tail) == 0;
}

/* Upgrade: a registry written before 0.2 keys a file by its first 64 KiB and size
 * (fingerprint_legacy_key). An ingested entry under that key counts for the file at path (whose
 * modification time is mtime_ns) only when it was recorded for the same path or with the same
 * modification time: two captures sharing a head and a size are otherwise two, the loss this
 * version ends. (A file that version quarantined is judged again: this one reads more.) Returns
 * that entry and copies its key into key, or NULL. */
const struct registry_entry *upgrade_legacy_entry(const struct registry *reg, const struct fingerprint *fp,
						  const char *path, int64_t mtime_ns, char key[40])
{
	const struct registry_entry *re;
	char lkey[40];

	if (fingerprint_legacy_key(fp, lkey) < 0)
		return NULL;
	re = registry_get(reg, lkey);
	if (re == NULL || re->state != REGISTRY_INGESTED ||
	    (!upgrade_same_path(re->path, path) && re->mtime_ns != mtime_ns))
		return NULL;
	memcpy(key, lkey, sizeof(lkey));
	return re;
}

/* The first committed batch the registry may lack (re-applied from commits/ at start-up). A
 * registry written before 0.2 marked no batch, and its version kept only the newest commits: the
 * ones it pruned are skipped, as that version did. */
int64_t upgrade_first_to_reapply(const struct checkpoint *ck, const struct registry *reg)
{
	int64_t b = registry_resume_batch(reg), last_commit = checkpoint_last_commit(ck);

	while (registry_legacy(reg) && b < last_commit && !checkpoint_has(ck, "commits", (uint64_t)b))
		b++;
	return b;
}
