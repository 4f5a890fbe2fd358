/* DNS: header, first question. Names are written as tshark writes dns.qry.name: labels joined by
 * '.', "<Root>" for the root, "<Name too long>" past 254 characters; bytes outside printable
 * ASCII as \ooo (octal) escapes. */
#include <stdio.h>
#include <string.h>
#include "dns.h"

/* Compression pointers followed before a name is taken for a loop. */
#define DNS_MAX_POINTERS 64
/* Longest name (characters, dots included) tshark shows. */
#define DNS_MAX_NAME 254

static const char *const rcode_names[16] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",  "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
	"NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14",	 "RCODE15",
};

/* IANA DNS RR TYPEs with mnemonics (https://www.iana.org/assignments/dns-parameters). */
static const char *const type_names_low[] = {
	[1] = "A",	[2] = "NS",	 [3] = "MD",	      [4] = "MF",     [5] = "CNAME",	 [6] = "SOA",
	[7] = "MB",	[8] = "MG",	 [9] = "MR",	      [10] = "NULL",  [11] = "WKS",	 [12] = "PTR",
	[13] = "HINFO", [14] = "MINFO",	 [15] = "MX",	      [16] = "TXT",   [17] = "RP",	 [18] = "AFSDB",
	[19] = "X25",	[20] = "ISDN",	 [21] = "RT",	      [22] = "NSAP",  [23] = "NSAP-PTR", [24] = "SIG",
	[25] = "KEY",	[26] = "PX",	 [27] = "GPOS",	      [28] = "AAAA",  [29] = "LOC",	 [30] = "NXT",
	[31] = "EID",	[32] = "NIMLOC", [33] = "SRV",	      [34] = "ATMA",  [35] = "NAPTR",	 [36] = "KX",
	[37] = "CERT",	[38] = "A6",	 [39] = "DNAME",      [40] = "SINK",  [41] = "OPT",	 [42] = "APL",
	[43] = "DS",	[44] = "SSHFP",	 [45] = "IPSECKEY",   [46] = "RRSIG", [47] = "NSEC",	 [48] = "DNSKEY",
	[49] = "DHCID", [50] = "NSEC3",	 [51] = "NSEC3PARAM", [52] = "TLSA",  [53] = "SMIMEA",	 [55] = "HIP",
	[56] = "NINFO", [57] = "RKEY",	 [58] = "TALINK",     [59] = "CDS",   [60] = "CDNSKEY",	 [61] = "OPENPGPKEY",
	[62] = "CSYNC", [63] = "ZONEMD", [64] = "SVCB",	      [65] = "HTTPS", [99] = "SPF",	 [100] = "UINFO",
	[101] = "UID",	[102] = "GID",	 [103] = "UNSPEC",    [104] = "NID",  [105] = "L32",	 [106] = "L64",
	[107] = "LP",	[108] = "EUI48", [109] = "EUI64",     [249] = "TKEY", [250] = "TSIG",	 [251] = "IXFR",
	[252] = "AXFR", [253] = "MAILB", [254] = "MAILA",     [255] = "ANY",
};

const char *dns_type_name(unsigned t)
{
	if (t < sizeof(type_names_low) / sizeof(type_names_low[0]))
		return type_names_low[t];
	switch (t) {
	case 256:
		return "URI";
	case 257:
		return "CAA";
	case 258:
		return "AVC";
	case 259:
		return "DOA";
	case 260:
		return "AMTRELAY";
	case 32768:
		return "TA";
	case 32769:
		return "DLV";
	default:
		return NULL;
	}
}

int dns_port(unsigned port)
{
	return port == 53 || port == 5353 || port == 5355;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Append byte c of a label to out (escaped as tshark's format_text does). Returns the new length;
 * when c does not fit, cap - 1: out is full, and nothing after it is written either (the name is
 * cut there, never stored with bytes missing from its middle). */
static size_t put_label_byte(char *out, size_t o, size_t cap, uint8_t c)
{
	if (c >= 0x20 && c < 0x7f) {
		if (o + 1 >= cap)
			return cap - 1;
		out[o++] = (char)c;
		return o;
	}
	if (o + 4 >= cap)
		return cap - 1;
	out[o++] = '\\';
	out[o++] = (char)('0' + (c >> 6));
	out[o++] = (char)('0' + ((c >> 3) & 7));
	out[o++] = (char)('0' + (c & 7));
	return o;
}

/* Expand the name at offset off of the message msg (n bytes) into out (cap bytes). Returns the
 * offset just after the name in the message (past the first pointer), or 0 if the name is not
 * whole in the n bytes, loops, or uses a label type RFC 1035 does not define. */
static size_t read_name(const uint8_t *msg, size_t n, size_t off, char *out, size_t cap)
{
	size_t o = 0, raw = 0, end = 0;
	int ptrs = 0;

	for (;;) {
		unsigned len;
		if (off >= n)
			return 0;
		len = msg[off];
		if (len == 0) {
			off++;
			break;
		}
		if ((len & 0xc0) == 0xc0) {
			if (off + 2 > n || ++ptrs > DNS_MAX_POINTERS)
				return 0;
			if (end == 0)
				end = off + 2;
			off = ((size_t)(len & 0x3f) << 8) | msg[off + 1];
			continue;
		}
		if (len & 0xc0)
			return 0; /* extended (0x40) or reserved (0x80) label */
		if (off + 1 + len > n)
			return 0;
		if (raw > 0) {
			if (o + 1 < cap)
				out[o++] = '.';
			else
				o = cap - 1; /* full: cut here */
			raw++;
		}
		for (unsigned i = 0; i < len; i++)
			o = put_label_byte(out, o, cap, msg[off + 1 + i]);
		raw += len;
		off += 1 + len;
	}
	if (end == 0)
		end = off;
	if (raw == 0)
		snprintf(out, cap, "<Root>");
	else if (raw > DNS_MAX_NAME)
		snprintf(out, cap, "<Name too long>");
	else
		out[o] = '\0';
	return end;
}

int dns_parse(const uint8_t *p, size_t n, struct row *r)
{
	size_t off;
	unsigned qtype;
	const char *tn;

	if (n < 2)
		return 0;
	ROW_SET(r, dns_id, rd16(p));
	if (n >= 4 && (p[2] & 0x80)) /* QR: a response */
		ROW_SET(r, dns_response_code, rcode_names[p[3] & 0x0f]);
	if (n < 12 || rd16(p + 4) == 0)
		return 1; /* no question */
	off = read_name(p, n, 12, r->dns_question_name, sizeof(r->dns_question_name));
	if (off == 0)
		return 1;
	r->has |= ROW_HAS_dns_question_name;
	if (off + 2 > n)
		return 1;
	qtype = rd16(p + off);
	tn = dns_type_name(qtype);
	if (tn != NULL)
		memcpy(r->dns_question_type, tn, strlen(tn) + 1); /* mnemonics are shorter than the field */
	else
		snprintf(r->dns_question_type, sizeof(r->dns_question_type), "TYPE%u", qtype);
	r->has |= ROW_HAS_dns_question_type;
	return 1;
}

int dns_parse_tcp(const uint8_t *p, size_t n, struct row *r)
{
	size_t len;

	if (n < 2)
		return 0;
	len = rd16(p);
	if (len < 12)
		return 0;
	return dns_parse(p + 2, n - 2 < len ? n - 2 : len, r);
}
