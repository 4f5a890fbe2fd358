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
 * the keys pmacct's JSON output writes for its primitives is accepted: event_type, mac_src,
 * mac_dst, vlan, cos, etype, as_src, as_dst, peer_ip_src, peer_ip_dst, iface_in, iface_out,
 * ip_src, net_src, ip_dst, net_dst, mask_src, mask_dst, port_src, port_dst, tcp_flags, ip_proto,
 * tos, sampling_rate, timestamp_start, timestamp_end, timestamp_arrival, packets, bytes (others,
 * such as writer_id, are ignored); timestamp_start (or timestamp_arrival) is required. pmacct's
 * values for "not known" (0 for an AS, an ifIndex or a sampling rate; "" for an address; a /0
 * network; the time 0000-00-00 00:00:00 or epoch 0; cos 0 on untagged traffic) leave their field
 * out. The row points into str and to topic, which must outlive it. Returns 0, or -1 with the
 * reason in err (the record belongs in the dead letters). */
int pmacct_parse(const char *json, size_t len, const char *topic, int32_t partition, int64_t offset, struct row *r,
		 struct pmacct_strings *str, char *err, size_t errlen);

#endif
