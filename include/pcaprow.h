/* Turning a captured frame into a schema row: frame-level fields plus the decoder's. */
#ifndef PCAPSTREAM_PCAPROW_H
#define PCAPSTREAM_PCAPROW_H
#include "capture.h"
#include "row.h"

/* Fill r (whatever it held) with the row of frame number frame (1-based) of a capture with link
 * type dlt (a pcapng packet's own interface, pkt->iface, overrides it). A packet whose time a row
 * cannot hold gets error.message instead of @timestamp. file and id_prefix are borrowed and must
 * outlive the row's serialization. network.community_id is computed from the decoded fields with the
 * process-wide seed (communityid_set_seed). */
void pcaprow_make(struct row *r, const struct capture_pkt *pkt, int dlt, const char *file, const char *id_prefix,
		  uint64_t frame);

#endif
