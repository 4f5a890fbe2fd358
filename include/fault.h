/* Fault injection for crash tests: PCAPSTREAM_FAULT=NAME[@N] makes the process kill itself
 * with SIGKILL the Nth time (default 1st) it reaches the point NAME. Unset, it costs one
 * branch. Points: after-offsets, mid-batch, after-flush, after-commit, before-registry-sync (engine),
 * realtime-after-batch (realtime, after a batch's commit and stats.json). */
#ifndef PCAPSTREAM_FAULT_H
#define PCAPSTREAM_FAULT_H

void fault_point(const char *name);

#endif
