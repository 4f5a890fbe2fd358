/* pcapstream's own rows, as the kafka: sink (and the file sink, and decode) write them, read back
 * into struct row: for the Kafka source, which takes them beside pmacct's records.
 *
 * The fields are those of the generated table row_field_infos (schema/fields.tsv): a new field of
 * any kind (time, str, ip, mac, int, kwint, id, ethertype, textN, safetextN) is read without a change
 * here (a field of a kind unknown here is refused when a row has it, naming it). A row
 * parsed and written again with row_to_json(r, out, 1) gives the same bytes as what pcapstream
 * wrote (rowparse's test checks it on every row decode makes of the samples and the corpus). */
#ifndef PCAPSTREAM_ROWPARSE_H
#define PCAPSTREAM_ROWPARSE_H
#include <stddef.h>
#include "row.h"

/* Records larger than this are refused (a row pcapstream writes is at most ROW_JSON_MAX). */
#define ROWPARSE_MAX_RECORD (2 * ROW_JSON_MAX)

/* rowparse_parse's return when strs is full: not the record's fault (end the batch, then parse
 * the record again after rowparse_strings_reset). */
#define ROWPARSE_FULL (-2)

/* Where the strings of parsed rows live (an arena of fixed chunks: rows keep pointing into it
 * until it is reset). One per batch: the caller keeps it until every row parsed into it has been
 * serialized. */
struct rowparse_strings;

/* An empty store that will hold at most max_bytes (at least ROWPARSE_MAX_RECORD + 1 is used). NULL
 * if out of memory. */
struct rowparse_strings *rowparse_strings_new(size_t max_bytes);

/* Forget every string (the rows that point into the store must no longer be used); keep the memory. */
void rowparse_strings_reset(struct rowparse_strings *s);

/* Release the store; accepts NULL. */
void rowparse_strings_free(struct rowparse_strings *s);

/* Whether the len bytes at json look like a pcapstream row rather than a pmacct record, cheaply
 * (called for every Kafka record): an object whose first member is named like a top-level part of
 * the schema ("@timestamp", "event", "source", ..., "_id"; pmacct's flat keys are event_type,
 * ip_src, timestamp_start, ...) and which has an "_id" member somewhere. 1 or 0. A record this
 * accepts may still be refused by rowparse_parse (then it belongs in the dead letters). */
int rowparse_is_row(const char *json, size_t len);

/* Parse one row (len bytes of JSON, nested objects as row_to_json writes them, members in any
 * order) into r, its strings copied into strs. "_id" ("PREFIX-SEQ") is required; any other field
 * is optional; a member that is not a schema field, a field twice, or a value of the wrong type is
 * refused. Strings are unescaped; "\ufffd", which the serializers write for a byte that is not
 * UTF-8, becomes such a byte again so that the row is written back the same. Returns 0; -1 with
 * the reason in err (a record for the dead letters); or ROWPARSE_FULL (strs has no room left). */
int rowparse_parse(const char *json, size_t len, struct row *r, struct rowparse_strings *strs, char *err,
		   size_t errlen);

#endif
