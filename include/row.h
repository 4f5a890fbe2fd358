/* The row of schema v1, shared by every source and sink.
 * The struct itself and its serializers are generated from schema/fields.tsv. */
#ifndef PCAPSTREAM_ROW_H
#define PCAPSTREAM_ROW_H
#include "row_fields.h"

/* Length of a document id prefix: 16 lowercase hex digits. */
#define ROW_ID_PREFIX_LEN 16

#endif
