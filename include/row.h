/* The row of schema v2, shared by every source and sink.
 * The struct itself and its serializers are generated from schema/fields.tsv. */
#ifndef PCAPSTREAM_ROW_H
#define PCAPSTREAM_ROW_H
#include "row_fields.h"

/* Length of a document id prefix: 16 lowercase hex digits. */
#define ROW_ID_PREFIX_LEN 16

/* The datasets a row belongs to. Whoever makes a row sets event_dataset to one of these
 * pointers, so where a row goes (packets or flows: index, collection) is decided once, where it
 * is made, and sinks ask row_is_flow() instead of comparing strings. */
extern const char row_dataset_pcap[];	   /* "pcap": a packet of a capture */
extern const char row_dataset_pmacct[];	   /* "pmacct": a flow record of pmacct */
extern const char row_dataset_pcap_flow[]; /* "pcap.flow": a conversation of a capture (flow.c) */

/* The canonical pointer for a dataset name read from elsewhere (a row on Kafka), or s itself
 * when it is none of the above. */
const char *row_dataset_canonical(const char *s);

/* Whether the row is a flow (flows index / collection) rather than a packet. */
static inline int row_is_flow(const struct row *r)
{
	return (r->has & ROW_HAS_event_dataset) &&
	       (r->event_dataset == row_dataset_pmacct || r->event_dataset == row_dataset_pcap_flow);
}

#endif
