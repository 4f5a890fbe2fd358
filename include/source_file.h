/* The file source (see source.h): captures from a watched folder or replay's paths. */
#ifndef PCAPSTREAM_SOURCE_FILE_H
#define PCAPSTREAM_SOURCE_FILE_H
#include <jansson.h>
#include <stddef.h>
#include "engine.h"
#include "source.h"

struct checkpoint;
struct registry;

/* The checkpoint metadata a file source's run belongs to (its folder or "replay", the quarantine
 * and archive folders, absolute). Returns 0 and *out (caller decrefs) or -1 with err. */
int source_file_metadata(const struct engine_config *cfg, json_t **out, char *err, size_t errlen);

/* Open a file source for cfg (registry loaded, discovery started; nothing scanned yet). env and
 * sum must outlive it; sum is zeroed and counts files, duplicates, quarantined and vanished.
 * Returns 0 and *out (for source_file_ops; its close frees), or -1 with err. */
int source_file_open(const struct engine_config *cfg, const struct source_env *env, struct engine_summary *sum,
		     void **out, char *err, size_t errlen);

/* Whether a checkpoint folder and its registry agree (the check watch, replay and status make
 * before anything else): the last commit and any batch in flight readable, the registry not ahead
 * of the commits, and every commit it may lack still there to be re-applied. Returns 0, or -1 with
 * err saying what is damaged and what to do. */
int source_file_check(const struct checkpoint *ck, const struct registry *reg, char *err, size_t errlen);

#endif
