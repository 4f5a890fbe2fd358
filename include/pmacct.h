/* pmacct flow records (kafka_output: json) into the schema row. */
#ifndef PCAPSTREAM_PMACCT_H
#define PCAPSTREAM_PMACCT_H
#include <stddef.h>
#include <stdint.h>
#include "row.h"

/* Records larger than this are refused as oversized. */
#define PMACCT_MAX_RECORD (64 * 1024)

/* The strings a pmacct row points to (kept beside the row array, index for index). */
struct pmacct_strings {
	char action[32];
	char id_prefix[ROW_ID_PREFIX_LEN + 1];
};

/* Interpret pmacct's zone-less time strings ("2026-11-27 01:02:03.123456") in zone tz ("UTC" or
 * an IANA name such as "Europe/Paris"). Process-wide (sets TZ). Returns 0, or -1 if unknown. */
int pmacct_set_timezone(const char *tz);

/* Records as pmacct writes them (a flat object of plain strings and integers) are read by a
 * scanner of that shape alone; anything else goes to jansson, which also words the errors. 0 sends
 * every record to jansson: for tests that compare the two, not for use. Process-wide. */
void pmacct_use_flat_scanner(int on);

/* Parse one record (len bytes of JSON) read from topic/partition/offset into out. Any subset of
 * event_type, ip_src, ip_dst, port_src, port_dst, ip_proto, tcp_flags, tos, timestamp_start,
 * timestamp_end, timestamp_arrival, packets, bytes, iface_in, iface_out, mac_src, mac_dst, vlan,
 * writer_id is accepted; timestamp_start (or timestamp_arrival) is required. The row points into
 * str and to topic, which must outlive it. Returns 0, or -1 with the reason in err (the record belongs in the dead
 * letters). */
int pmacct_parse(const char *json, size_t len, const char *topic, int32_t partition, int64_t offset, struct row *r,
		 struct pmacct_strings *str, char *err, size_t errlen);

#endif
