/* pmacct JSON records into rows. Field by field, with the type each must have. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include "decode.h"
#include "hash.h"
#include "pmacct.h"

static int utc = 1;

int pmacct_set_timezone(const char *tz)
{
	char path[512];
	struct stat st;

	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0) {
		utc = 1;
		return 0;
	}
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	if (strstr(tz, "..") != NULL || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	setenv("TZ", tz, 1);
	tzset();
	utc = 0;
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" in the configured zone, or seconds since the epoch
 * ("1700000000.123456", pmacct's timestamps_since_epoch), into ns. 0 or -1. */
static int parse_time(const char *s, int64_t *ns)
{
	struct tm tm;
	const char *rest;
	int64_t frac = 0, secs;
	int digits = 0;

	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (rest == NULL) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || *end != '\0' || v < 0 || v > 9.2e9)
			return -1;
		secs = (int64_t)v;
		rest = strchr(s, '.');
		if (rest == NULL)
			rest = "";
	} else {
		if (tm.tm_year < 70) /* "0000-00-00 00:00:00": not set */
			return -1;
		tm.tm_isdst = -1;
		secs = utc ? (int64_t)timegm(&tm) : (int64_t)mktime(&tm);
	}
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++) {
			if (digits < 9) {
				frac = frac * 10 + (*rest - '0');
				digits++;
			}
		}
		if (*rest != '\0')
			return -1;
		while (digits++ < 9)
			frac *= 10;
	} else if (*rest != '\0') {
		return -1;
	}
	*ns = secs * 1000000000 + frac;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char extra;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int parse_ip(const char *s, struct row_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1) {
		ip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->family = 6;
		return 0;
	}
	return -1;
}

/* An integer, or a string holding one (pmacct sends tcp_flags as "24"). */
static int int_of(json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		long long x = strtoll(s, &end, 10);
		if (end == s || *end != '\0')
			return -1;
		*out = x;
	} else {
		return -1;
	}
	return *out >= lo && *out <= hi ? 0 : -1;
}

/* IANA number of a protocol given by number or by keyword ("tcp"). */
static int proto_of(json_t *v, int64_t *out)
{
	if (int_of(v, 0, 255, out) == 0)
		return 0;
	if (!json_is_string(v))
		return -1;
	for (unsigned p = 0; p < 256; p++) {
		const char *name = decode_transport_name(p);
		if (name != NULL && strcasecmp(name, json_string_value(v)) == 0) {
			*out = p;
			return 0;
		}
	}
	return -1;
}

/* pmacct's integer fields that map straight onto an int64_t member of the row. */
struct int_field {
	const char *key;
	int64_t lo, hi;
	size_t offset;
	uint64_t bit;
	const char *what;
};

static const struct int_field int_fields[] = {
	{ "port_src", 0, 65535, offsetof(struct row, source_port), ROW_HAS_source_port, "a port number" },
	{ "port_dst", 0, 65535, offsetof(struct row, destination_port), ROW_HAS_destination_port, "a port number" },
	{ "tcp_flags", 0, 4095, offsetof(struct row, tcp_flags), ROW_HAS_tcp_flags, "a decimal number" },
	{ "tos", 0, 255, offsetof(struct row, ip_tos), ROW_HAS_ip_tos, "a number from 0 to 255" },
	{ "packets", 0, INT64_MAX, offsetof(struct row, network_packets), ROW_HAS_network_packets,
	  "a non-negative integer" },
	{ "bytes", 0, INT64_MAX, offsetof(struct row, network_bytes), ROW_HAS_network_bytes, "a non-negative integer" },
	{ NULL, 0, 0, 0, 0, NULL },
};

#define BAD(...)                                                                                                       \
	do {                                                                                                           \
		snprintf(err, errlen, __VA_ARGS__);                                                                    \
		goto out;                                                                                              \
	} while (0)

int pmacct_parse(const char *json, size_t len, const char *topic, int32_t partition, int64_t offset, struct row *r,
		 struct pmacct_strings *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = NULL, *v;
	int64_t x;
	char key[512];
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(out, 0, sizeof(*out));
	if (len > PMACCT_MAX_RECORD)
		BAD("oversized record: %zu bytes (limit %d)", len, PMACCT_MAX_RECORD);
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		BAD("not JSON: %s (column %d)", jerr.text, jerr.column);
	if (!json_is_object(root))
		BAD("not a JSON object");
	v = json_object_get(root, "timestamp_start");
	if (v == NULL || (json_is_string(v) && strncmp(json_string_value(v), "0000-", 5) == 0))
		v = json_object_get(root, "timestamp_arrival");
	if (v == NULL)
		BAD("missing timestamp_start (add timestamp_start or timestamp_arrival to pmacct's aggregate)");
	if (!json_is_string(v) || parse_time(json_string_value(v), &r->timestamp) < 0)
		BAD("timestamp_start: not a time (\"YYYY-MM-DD HH:MM:SS.ffffff\" or epoch seconds)");
	r->has |= ROW_HAS_timestamp;
	ROW_SET(r, event_dataset, "pmacct");
	v = json_object_get(root, "event_type");
	if (v != NULL) {
		if (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof(out->action))
			BAD("event_type: not a short string");
		snprintf(out->action, sizeof(out->action), "%s", json_string_value(v));
		ROW_SET(r, event_action, out->action);
	}
	v = json_object_get(root, "ip_src");
	if (v != NULL) {
		if (!json_is_string(v) || parse_ip(json_string_value(v), &r->source_ip) < 0)
			BAD("ip_src: not an IP address");
		r->has |= ROW_HAS_source_ip;
		ROW_SET(r, network_type, r->source_ip.family == 4 ? 0x0800 : 0x86dd);
	}
	v = json_object_get(root, "ip_dst");
	if (v != NULL) {
		if (!json_is_string(v) || parse_ip(json_string_value(v), &r->destination_ip) < 0)
			BAD("ip_dst: not an IP address");
		r->has |= ROW_HAS_destination_ip;
		ROW_SET(r, network_type, r->destination_ip.family == 4 ? 0x0800 : 0x86dd);
	}
	for (const struct int_field *f = int_fields; f->key != NULL; f++) {
		v = json_object_get(root, f->key);
		if (v == NULL)
			continue;
		if (int_of(v, f->lo, f->hi, &x) < 0)
			BAD("%s: not %s", f->key, f->what);
		*(int64_t *)((char *)r + f->offset) = x;
		r->has |= f->bit;
	}
	v = json_object_get(root, "ip_proto");
	if (v != NULL) {
		if (proto_of(v, &x) < 0)
			BAD("ip_proto: not a protocol name or number");
		ROW_SET(r, network_iana_number, x);
		if (decode_transport_name((unsigned)x) != NULL)
			ROW_SET(r, network_transport, decode_transport_name((unsigned)x));
	}
	v = json_object_get(root, "vlan");
	if (v != NULL) {
		if (int_of(v, 0, 4095, &x) < 0)
			BAD("vlan: not a VLAN id");
		if (x != 0) /* pmacct writes 0 for untagged traffic */
			ROW_SET(r, network_vlan_id, x);
	}
	v = json_object_get(root, "mac_src");
	if (v != NULL) {
		if (!json_is_string(v) || parse_mac(json_string_value(v), r->source_mac) < 0)
			BAD("mac_src: not a MAC address");
		r->has |= ROW_HAS_source_mac;
	}
	v = json_object_get(root, "mac_dst");
	if (v != NULL) {
		if (!json_is_string(v) || parse_mac(json_string_value(v), r->destination_mac) < 0)
			BAD("mac_dst: not a MAC address");
		r->has |= ROW_HAS_destination_mac;
	}
	ROW_SET(r, kafka_topic, topic);
	ROW_SET(r, kafka_partition, partition);
	ROW_SET(r, kafka_offset, offset);
	snprintf(key, sizeof(key), "%s\n%d", topic, (int)partition);
	hash_hex(hash64(key, strlen(key), 0x706d61636374ULL), out->id_prefix);
	r->id_prefix = out->id_prefix;
	r->id_seq = (uint64_t)offset;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
