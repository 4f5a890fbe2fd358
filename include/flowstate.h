/* The file source's open-flow table in the checkpoint: flows/N holds the table as batch N left
 * it, written before commits/N, so a restart resumes from the last commit's table. */
#ifndef PCAPSTREAM_FLOWSTATE_H
#define PCAPSTREAM_FLOWSTATE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "flow.h"

/* Write the table (open flows in their order, the clock; checksummed) to f, as
 * flowstate_read reads it back. Returns 0, or -1 with err (a write failed). */
int flowstate_write(struct flow_table *t, FILE *f, char *err, size_t errlen);

/* Replace t's content with what flowstate_write wrote to f. Returns 0, or -1 with err when the
 * data is damaged or cut (t is then empty), or holds more flows than t's max_flows. */
int flowstate_read(struct flow_table *t, FILE *f, char *err, size_t errlen);

/* Write t durably as flows/batch in the checkpoint folder dir (temp, fsync, rename, fsync of the
 * folder). Returns 0, or -1 with err (nothing replaced). */
int flowstate_save(const char *dir, uint64_t batch, struct flow_table *t, char *err, size_t errlen);

/* Load flows/batch of dir into t. When it does not exist and must_exist is 0, t is left empty
 * (a checkpoint of 0.3 kept no table). Returns 0, or -1 with err saying what is damaged and what
 * to do (t is then empty). */
int flowstate_load(const char *dir, uint64_t batch, int must_exist, struct flow_table *t, char *err, size_t errlen);

/* Delete the flows/M files of dir with M < keep (they belong to batches committed before). */
void flowstate_prune(const char *dir, uint64_t keep);

#endif
