/* Frame decoder: link layers, IPv4/IPv6, TCP/UDP/SCTP/ICMP headers into a row.
 * Every read is preceded by a length check against what remains of the captured bytes. */
#include <string.h>
#include "decode.h"
#include "dns.h"
#include "http.h"
#include "rowfmt.h"
#include "tls.h"

/* Nesting cap for VLAN/MPLS/PPPoE/SNAP stacks: a crafted frame cannot recurse forever. */
#define DECODE_MAX_DEPTH 16
/* IPv6 extension headers followed before giving up. */
#define DECODE_MAX_EXT 16

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint16_t rd16le(const uint8_t *p)
{
	return (uint16_t)((p[1] << 8) | p[0]);
}

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t rd32le(const uint8_t *p)
{
	return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static const char *const transport_names[256] = {
	[0] = "hopopt",	    [1] = "icmp",	  [2] = "igmp",
	[3] = "ggp",	    [4] = "ipv4",	  [5] = "st",
	[6] = "tcp",	    [8] = "egp",	  [9] = "igp",
	[17] = "udp",	    [27] = "rdp",	  [29] = "iso-tp4",
	[33] = "dccp",	    [41] = "ipv6",	  [43] = "ipv6-route",
	[44] = "ipv6-frag", [45] = "idrp",	  [46] = "rsvp",
	[47] = "gre",	    [50] = "esp",	  [51] = "ah",
	[55] = "mobile",    [58] = "ipv6-icmp",	  [59] = "ipv6-nonxt",
	[60] = "ipv6-opts", [80] = "iso-ip",	  [88] = "eigrp",
	[89] = "ospfigp",   [94] = "ipip",	  [97] = "etherip",
	[98] = "encap",	    [103] = "pim",	  [108] = "ipcomp",
	[112] = "vrrp",	    [113] = "pgm",	  [115] = "l2tp",
	[118] = "stp",	    [124] = "isis",	  [131] = "pipe",
	[132] = "sctp",	    [133] = "fc",	  [135] = "mobility-header",
	[136] = "udplite",  [137] = "mpls-in-ip", [139] = "hip",
	[140] = "shim6",    [141] = "wesp",	  [142] = "rohc",
	[143] = "ethernet",
};

const char *decode_transport_name(unsigned proto)
{
	return proto < 256 ? transport_names[proto] : NULL;
}

static void set_proto(struct row *r, unsigned proto)
{
	const char *name = transport_names[proto & 0xff];

	ROW_SET(r, network_iana_number, (int64_t)proto);
	if (name != NULL)
		ROW_SET(r, network_transport, name);
}

/* Application names in the TCP payload (n bytes at p) of a segment between ports sp and dp:
 * DNS on its ports, else HTTP/1.x or a TLS ClientHello, recognised by their first bytes. Only the
 * first byte is looked at for most payloads. */
static void decode_tcp_names(unsigned sp, unsigned dp, const uint8_t *p, size_t n, struct row *r)
{
	if (n == 0)
		return;
	if ((dns_port(sp) || dns_port(dp)) && dns_parse_tcp(p, n, r))
		return;
	if (p[0] == 22)
		tls_parse(p, n, r);
	else if (p[0] >= 'A' && p[0] <= 'Z')
		http_parse(p, n, r);
}

/* Application names in a UDP datagram (header at p, n bytes with it): DNS on its ports, HTTP on
 * SSDP's port 1900. */
static void decode_udp_names(unsigned sp, unsigned dp, const uint8_t *p, size_t n, struct row *r)
{
	size_t ulen;

	if (dns_port(sp) || dns_port(dp)) {
		ulen = rd16(p + 4);
		if (ulen < 8 || ulen > n)
			ulen = n; /* a length of 0 (jumbogram) or one past the captured bytes */
		dns_parse(p + 8, ulen - 8, r);
	} else if (sp == 1900 || dp == 1900) {
		ulen = rd16(p + 4);
		if (ulen < 8 || ulen > n)
			ulen = n;
		http_parse(p + 8, ulen - 8, r);
	}
}

/* Transport header: ports, TCP flags, ICMP type/code, and the names the payload carries; n is
 * what remains of the IP payload. */
static void decode_l4(unsigned proto, const uint8_t *p, size_t n, struct row *r)
{
	switch (proto) {
	case 6:	  /* TCP */
	case 17:  /* UDP */
	case 132: /* SCTP */
	case 136: /* UDP-Lite */
		if (n >= 2)
			ROW_SET(r, source_port, rd16(p));
		if (n >= 4)
			ROW_SET(r, destination_port, rd16(p + 2));
		if (proto == 6 && n >= 14)
			ROW_SET(r, tcp_flags, ((p[12] & 0x0f) << 8) | p[13]);
		if (proto == 6 && n >= 20) {
			size_t off = (size_t)(p[12] >> 4) * 4;
			if (off >= 20 && off <= n)
				decode_tcp_names(rd16(p), rd16(p + 2), p + off, n - off, r);
		} else if (proto == 17 && n > 8) {
			decode_udp_names(rd16(p), rd16(p + 2), p, n, r);
		}
		break;
	case 1:	 /* ICMP */
	case 58: /* ICMPv6 */
		/* type and code of a whole ICMP header (with its checksum), as tshark: a header cut
		 * shorter gives neither, and no Community ID (the reference hashes no such frame) */
		if (n >= 4) {
			ROW_SET(r, icmp_type, p[0]);
			ROW_SET(r, icmp_code, p[1]);
		}
		break;
	default:
		break;
	}
}

static void set_ip(struct row_ip *ip, int family, const uint8_t *a)
{
	ip->family = (uint8_t)family;
	memset(ip->addr, 0, sizeof(ip->addr));
	memcpy(ip->addr, a, family == 4 ? 4 : 16);
}

static void decode_ipv4(const uint8_t *p, size_t n, struct row *r)
{
	size_t hl, tot;
	unsigned proto;

	ROW_SET(r, network_type, 0x0800);
	if (n < 20 || (p[0] >> 4) != 4)
		return;
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (hl < 20)
		return; /* bogus header length: nothing after it can be trusted */
	tot = rd16(p + 2);
	if (tot == 0)
		tot = n; /* TCP segmentation offload: the length field is left 0 */
	else if (tot < hl)
		return; /* bogus total length */
	proto = p[9];
	ROW_SET(r, ip_tos, p[1]);
	ROW_SET(r, ip_ttl, p[8]);
	set_proto(r, proto);
	set_ip(&r->source_ip, 4, p + 12);
	r->has |= ROW_HAS_source_ip;
	set_ip(&r->destination_ip, 4, p + 16);
	r->has |= ROW_HAS_destination_ip;
	if ((rd16(p + 6) & 0x1fff) != 0)
		return; /* non-first fragment: no transport header here */
	if (hl > n)
		return;
	if (tot > n)
		tot = n; /* cut by the snapshot length */
	decode_l4(proto, p + hl, tot - hl, r);
}

static void decode_ipv6(const uint8_t *p, size_t n, struct row *r)
{
	size_t end, off = 40;
	unsigned nxt, plen;

	ROW_SET(r, network_type, 0x86dd);
	if (n < 8 || (p[0] >> 4) != 6)
		return;
	ROW_SET(r, ip_tos, ((p[0] & 0x0f) << 4) | (p[1] >> 4));
	ROW_SET(r, ip_ttl, p[7]);
	/* A header cut by the snapshot length still gives the addresses it holds. */
	if (n >= 24) {
		set_ip(&r->source_ip, 6, p + 8);
		r->has |= ROW_HAS_source_ip;
	}
	if (n < 40) {
		set_proto(r, p[6]);
		return;
	}
	set_ip(&r->destination_ip, 6, p + 24);
	r->has |= ROW_HAS_destination_ip;
	plen = rd16(p + 4);
	nxt = p[6];
	end = (plen == 0 || 40 + (size_t)plen > n) ? n : 40 + (size_t)plen;
	for (int i = 0; i < DECODE_MAX_EXT; i++) {
		size_t len;
		if (nxt == 0 || nxt == 43 || nxt == 60) { /* hop-by-hop, routing, destination options */
			if (off + 2 > end)
				break;
			len = ((size_t)p[off + 1] + 1) * 8;
		} else if (nxt == 51) { /* AH */
			if (off + 2 > end)
				break;
			len = ((size_t)p[off + 1] + 2) * 4;
		} else if (nxt == 44) { /* fragment */
			if (off + 8 > end)
				break;
			if ((rd16(p + off + 2) & 0xfff8) != 0) {
				set_proto(r, p[off]);
				return; /* non-first fragment */
			}
			len = 8;
		} else {
			break;
		}
		nxt = p[off];
		off += len;
		if (off > end)
			break;
	}
	set_proto(r, nxt);
	if (off <= end)
		decode_l4(nxt, p + off, end - off, r);
}

static void decode_ethertype(uint16_t et, const uint8_t *p, size_t n, struct row *r, int depth);

/* 802.2 LLC, with SNAP carrying an EtherType. */
static void decode_llc(const uint8_t *p, size_t n, struct row *r, int depth)
{
	if (n >= 8 && p[0] == 0xaa && p[1] == 0xaa && p[2] == 0x03) {
		decode_ethertype(rd16(p + 6), p + 8, n - 8, r, depth + 1);
		return;
	}
	if (n >= 3 && p[0] == 0x06 && p[1] == 0x06) { /* IP over LLC */
		decode_ipv4(p + 3, n - 3, r);
		return;
	}
	ROW_SET(r, network_type, ROWFMT_NET_LLC);
}

static void decode_mpls(const uint8_t *p, size_t n, struct row *r)
{
	int bos = 0;

	while (!bos && n >= 4) {
		bos = p[2] & 1;
		p += 4;
		n -= 4;
	}
	if (bos && n >= 1 && (p[0] >> 4) == 4)
		decode_ipv4(p, n, r);
	else if (bos && n >= 1 && (p[0] >> 4) == 6)
		decode_ipv6(p, n, r);
	else
		ROW_SET(r, network_type, ROWFMT_NET_MPLS);
}

/* A PPP protocol number (RFC 1661) and its payload. */
static void decode_ppp_proto(unsigned proto, const uint8_t *p, size_t n, struct row *r, int depth)
{
	switch (proto) {
	case 0x0021:
		decode_ipv4(p, n, r);
		break;
	case 0x0057:
		decode_ipv6(p, n, r);
		break;
	case 0x0281:
	case 0x0283:
		decode_ethertype(0x8847, p, n, r, depth + 1);
		break;
	default:
		ROW_SET(r, network_type, ROWFMT_NET_PPP);
		break;
	}
}

/* PPP frame, optionally with HDLC address/control and a compressed protocol field. */
static void decode_ppp(const uint8_t *p, size_t n, struct row *r, int depth)
{
	unsigned proto;

	if (n >= 2 && p[0] == 0xff && p[1] == 0x03) {
		p += 2;
		n -= 2;
	}
	if (n >= 1 && (p[0] & 1)) {
		proto = p[0];
		p += 1;
		n -= 1;
	} else if (n >= 2) {
		proto = rd16(p);
		p += 2;
		n -= 2;
	} else {
		return;
	}
	decode_ppp_proto(proto, p, n, r, depth);
}

/* PPPoE session header (RFC 2516) then PPP. */
static void decode_pppoe(const uint8_t *p, size_t n, struct row *r, int depth)
{
	size_t len;

	if (n < 8) {
		ROW_SET(r, network_type, 0x8864);
		return;
	}
	len = rd16(p + 4);
	n -= 6;
	if (len >= 2 && len < n)
		n = len;
	decode_ppp_proto(rd16(p + 6), p + 8, n - 2, r, depth);
}

/* MACsec (IEEE 802.1AE) SecTAG: TCI/AN, short length, packet number, and the SCI when the TCI's
 * SC bit says so. Without encryption (E) or changed text (C) the secure data is the user
 * frame's EtherType and payload, decoded as tshark does; otherwise the row says MACsec. */
static void decode_macsec(const uint8_t *p, size_t n, struct row *r, int depth)
{
	size_t hdr;

	if (n < 6) {
		ROW_SET(r, network_type, 0x88e5);
		return;
	}
	hdr = (p[0] & 0x20) ? 14 : 6;
	if ((p[0] & 0x0c) != 0 || n < hdr + 2) {
		ROW_SET(r, network_type, 0x88e5);
		return;
	}
	if (p[1] != 0 && hdr + (p[1] & 0x3f) <= n && (p[1] & 0x3f) >= 2)
		n = hdr + (p[1] & 0x3f); /* short length: the secure data is shorter than 48 bytes */
	decode_ethertype(rd16(p + hdr), p + hdr + 2, n - hdr - 2, r, depth + 1);
}

/* Network Service Header (RFC 8300): base and service path headers, metadata, then the next
 * protocol (IPv4, IPv6, Ethernet, NSH, MPLS). An inner Ethernet header's addresses are not the
 * row's: only its EtherType is followed. */
static void decode_nsh(const uint8_t *p, size_t n, struct row *r, int depth)
{
	size_t len;

	if (n < 8 || depth > DECODE_MAX_DEPTH) {
		ROW_SET(r, network_type, 0x894f);
		return;
	}
	len = (size_t)(p[1] & 0x3f) * 4;
	if (len < 8 || len > n) {
		ROW_SET(r, network_type, 0x894f);
		return;
	}
	switch (p[3]) {
	case 1:
		decode_ipv4(p + len, n - len, r);
		break;
	case 2:
		decode_ipv6(p + len, n - len, r);
		break;
	case 3:
		if (n - len >= 14)
			decode_ethertype(rd16(p + len + 12), p + len + 14, n - len - 14, r, depth + 1);
		else
			ROW_SET(r, network_type, 0x894f);
		break;
	case 4:
		decode_nsh(p + len, n - len, r, depth + 1);
		break;
	case 5:
		decode_mpls(p + len, n - len, r);
		break;
	default:
		ROW_SET(r, network_type, 0x894f);
		break;
	}
}

/* Arista vendor-specific header (EtherType 0xd28b): sub-type 1 is a timestamp, 64-bit (versions
 * 0x0010, 0x0110) or 48-bit (0x0020, 0x0120), then the original EtherType. */
static void decode_arista(const uint8_t *p, size_t n, struct row *r, int depth)
{
	size_t ts;

	if (n < 4 || rd16(p) != 1) {
		ROW_SET(r, network_type, 0xd28b);
		return;
	}
	switch (rd16(p + 2)) {
	case 0x0010: /* 64-bit TAI */
	case 0x0110: /* 64-bit UTC */
		ts = 8;
		break;
	case 0x0020: /* 48-bit TAI */
	case 0x0120: /* 48-bit UTC */
		ts = 6;
		break;
	default: /* an unknown version: where the EtherType is, is unknown (tshark stops too) */
		ts = 0;
		break;
	}
	if (ts == 0 || n < 4 + ts + 2) {
		ROW_SET(r, network_type, 0xd28b);
		return;
	}
	decode_ethertype(rd16(p + 4 + ts), p + 6 + ts, n - 6 - ts, r, depth + 1);
}

static void decode_ethertype(uint16_t et, const uint8_t *p, size_t n, struct row *r, int depth)
{
	if (depth > DECODE_MAX_DEPTH)
		return;
	if (et <= 1500) { /* 802.3 length field */
		decode_llc(p, n < et ? n : et, r, depth);
		return;
	}
	switch (et) {
	case 0x0800:
		decode_ipv4(p, n, r);
		break;
	case 0x86dd:
		decode_ipv6(p, n, r);
		break;
	case 0x8100: /* 802.1Q */
	case 0x88a8: /* 802.1ad */
	case 0x9100: /* old QinQ */
		if (n < 4) {
			ROW_SET(r, network_type, et);
			break;
		}
		if (!(r->has & ROW_HAS_network_vlan_id))
			ROW_SET(r, network_vlan_id, rd16(p) & 0x0fff);
		decode_ethertype(rd16(p + 2), p + 4, n - 4, r, depth + 1);
		break;
	case 0x8847:
	case 0x8848:
		decode_mpls(p, n, r);
		break;
	case 0x8864:
		decode_pppoe(p, n, r, depth);
		break;
	case 0x88e5:
		decode_macsec(p, n, r, depth);
		break;
	case 0x894f:
		decode_nsh(p, n, r, depth);
		break;
	case 0xd28b:
		decode_arista(p, n, r, depth);
		break;
	default:
		ROW_SET(r, network_type, et);
		break;
	}
}

static void decode_ether(const uint8_t *p, size_t n, struct row *r, int depth)
{
	if (n < 14)
		return;
	memcpy(r->destination_mac, p, 6);
	memcpy(r->source_mac, p + 6, 6);
	r->has |= ROW_HAS_destination_mac | ROW_HAS_source_mac;
	decode_ethertype(rd16(p + 12), p + 14, n - 14, r, depth);
}

/* Linux cooked capture: protocol is an EtherType, or a small number for non-Ethernet payloads. */
static void decode_sll_payload(unsigned hatype, unsigned proto, const uint8_t *p, size_t n, struct row *r)
{
	if (hatype == 824) /* netlink */
		return;
	if (proto == 0x0004) /* LINUX_SLL_P_802_2 */
		decode_llc(p, n, r, 0);
	else if (proto >= 0x0600)
		decode_ethertype((uint16_t)proto, p, n, r, 0);
}

static void decode_ieee80211(const uint8_t *p, size_t n, struct row *r, int datapad)
{
	unsigned type, subtype, flags;
	size_t hdr = 24;
	const uint8_t *da, *sa;

	if (n < 24)
		return;
	type = (p[0] >> 2) & 3;
	subtype = p[0] >> 4;
	flags = p[1];
	if (type != 2)
		return; /* management and control frames carry no network payload */
	if ((flags & 3) == 3)
		hdr += 6; /* fourth address */
	if (subtype & 0x08) {
		hdr += 2; /* QoS control */
		if (flags & 0x80)
			hdr += 4; /* HT control */
	}
	switch (flags & 3) {
	case 0: /* IBSS */
		da = p + 4;
		sa = p + 10;
		break;
	case 1: /* to DS */
		da = p + 16;
		sa = p + 10;
		break;
	case 2: /* from DS */
		da = p + 4;
		sa = p + 16;
		break;
	default: /* WDS */
		if (n < 30)
			return;
		da = p + 16;
		sa = p + 24;
		break;
	}
	memcpy(r->destination_mac, da, 6);
	memcpy(r->source_mac, sa, 6);
	r->has |= ROW_HAS_destination_mac | ROW_HAS_source_mac;
	if (datapad)
		hdr = (hdr + 3) & ~(size_t)3;
	if ((subtype & 0x04) || (flags & 0x40) || n < hdr)
		return; /* null data (no body), protected (encrypted body), or cut short */
	decode_llc(p + hdr, n - hdr, r, 0);
}

/* Radiotap: skip the header, honouring the Flags field's data-pad bit. */
static void decode_radiotap(const uint8_t *p, size_t n, struct row *r)
{
	size_t len, off = 4;
	uint32_t present, word;
	int datapad = 0;

	if (n < 8)
		return;
	len = rd16le(p + 2);
	if (len < 8 || len > n)
		return;
	present = rd32le(p + 4);
	word = present;
	while (word & 0x80000000u) { /* extended presence bitmaps */
		off += 4;
		if (off + 4 > len)
			return;
		word = rd32le(p + off);
	}
	off += 4;
	if (present & 1) /* TSFT: u64, 8-byte aligned */
		off = ((off + 7) & ~(size_t)7) + 8;
	if ((present & 2) && off < len) /* Flags */
		datapad = (p[off] & 0x20) != 0;
	decode_ieee80211(p + len, n - len, r, datapad);
}

static void decode_raw(const uint8_t *p, size_t n, struct row *r)
{
	if (n < 1)
		return;
	if ((p[0] >> 4) == 4)
		decode_ipv4(p, n, r);
	else if ((p[0] >> 4) == 6)
		decode_ipv6(p, n, r);
}

/* BSD loopback: a 4-byte address family, in the writer's byte order (NULL) or big-endian (LOOP). */
static void decode_null(const uint8_t *p, size_t n, struct row *r, int loop)
{
	uint32_t af;

	if (n < 4)
		return;
	af = loop ? rd32(p) : rd32le(p);
	if (!loop && (af & 0xffff0000u))
		af = rd32(p); /* written by a big-endian host */
	if (af == 2)
		decode_ipv4(p + 4, n - 4, r);
	else if (af == 10 || af == 24 || af == 28 || af == 30)
		decode_ipv6(p + 4, n - 4, r);
}

int decode_frame(int dlt, const uint8_t *pkt, uint32_t caplen, struct row *r)
{
	size_t n = caplen;

	switch (dlt) {
	case DECODE_DLT_EN10MB:
		decode_ether(pkt, n, r, 0);
		break;
	case DECODE_DLT_LINUX_SLL:
		if (n < 16)
			break;
		if (rd16(pkt + 2) == 1 && rd16(pkt + 4) == 6) {
			memcpy(r->source_mac, pkt + 6, 6);
			r->has |= ROW_HAS_source_mac;
		}
		decode_sll_payload(rd16(pkt + 2), rd16(pkt + 14), pkt + 16, n - 16, r);
		break;
	case DECODE_DLT_LINUX_SLL2:
		if (n < 20)
			break;
		if (rd16(pkt + 8) == 1 && pkt[11] == 6) {
			memcpy(r->source_mac, pkt + 12, 6);
			r->has |= ROW_HAS_source_mac;
		}
		decode_sll_payload(rd16(pkt + 8), rd16(pkt), pkt + 20, n - 20, r);
		break;
	case DECODE_DLT_RAW:
	case DECODE_DLT_RAW_OPENBSD:
	case DECODE_DLT_LINKTYPE_RAW:
		decode_raw(pkt, n, r);
		break;
	case DECODE_DLT_IPV4:
		decode_ipv4(pkt, n, r);
		break;
	case DECODE_DLT_IPV6:
		decode_ipv6(pkt, n, r);
		break;
	case DECODE_DLT_NULL:
		decode_null(pkt, n, r, 0);
		break;
	case DECODE_DLT_LOOP:
		decode_null(pkt, n, r, 1);
		break;
	case DECODE_DLT_PPP:
	case DECODE_DLT_PPP_SERIAL:
		if (n >= 4 && (pkt[0] == 0x0f || pkt[0] == 0x8f)) /* Cisco HDLC framing */
			decode_ethertype(rd16(pkt + 2), pkt + 4, n - 4, r, 0);
		else
			decode_ppp(pkt, n, r, 0);
		break;
	case DECODE_DLT_PPP_ETHER:
		decode_pppoe(pkt, n, r, 0);
		break;
	case DECODE_DLT_C_HDLC:
		if (n >= 4)
			decode_ethertype(rd16(pkt + 2), pkt + 4, n - 4, r, 0);
		break;
	case DECODE_DLT_IEEE802_11:
		decode_ieee80211(pkt, n, r, 0);
		break;
	case DECODE_DLT_IEEE802_11_RADIO:
		decode_radiotap(pkt, n, r);
		break;
	case DECODE_DLT_SUNATM:
		/* The 4-byte SunATM pseudo-header is the capture's, not the wire's. */
		if ((r->has & ROW_HAS_network_bytes) && r->network_bytes >= 4)
			r->network_bytes -= 4;
		break;
	default:
		return 0;
	}
	return 1;
}
