/* decode.c: one hand-built frame per link layer and protocol, plus truncated and malformed
 * variants. Each expects the exact JSON of the fields the decoder sets. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "suites.h"

/* Ethernet header: dst 00:11:22:33:44:55, src 66:77:88:99:aa:bb, then the EtherType. */
#define ETH(et) 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, (et) >> 8, (et)&0xff
/* IPv4 header, 20 bytes: tos 0x10, total length tot, id 1, DF, ttl 64, protocol proto,
 * 192.0.2.1 -> 198.51.100.2 (checksum not checked by the decoder). */
#define IPV4(proto, tot)                                                                                               \
	0x45, 0x10, (tot) >> 8, (tot)&0xff, 0x00, 0x01, 0x40, 0x00, 0x40, proto, 0x00, 0x00, 192, 0, 2, 1, 198, 51,    \
	    100, 2
/* IPv4 header with fragment offset field frag (flags+offset, 16 bits). */
#define IPV4F(proto, tot, frag)                                                                                        \
	0x45, 0x00, (tot) >> 8, (tot)&0xff, 0x00, 0x02, (frag) >> 8, (frag)&0xff, 0x40, proto, 0x00, 0x00, 192, 0, 2,  \
	    1, 198, 51, 100, 2
/* IPv6 header, 40 bytes: traffic class 0x20, payload length plen, next header nxt, hop limit 64,
 * 2001:db8::1 -> 2001:db8::2. */
#define IPV6(nxt, plen)                                                                                                \
	0x62, 0x00, 0x00, 0x00, (plen) >> 8, (plen)&0xff, nxt, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,   \
	    0, 0, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2
/* TCP header, 20 bytes: 1234 -> 80, seq 1, flags SYN|ACK (0x012), window 65535. */
#define TCP_SYNACK 0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x12, 0xff, 0xff, 0, 0, 0, 0
/* UDP header, 8 bytes: 12345 -> 53, length len. */
#define UDP(len) 0x30, 0x39, 0x00, 0x35, (len) >> 8, (len)&0xff, 0, 0

/* Expected JSON pieces. */
#define MACS_SRC "\"mac\":\"66-77-88-99-AA-BB\""
#define MACS_DST "\"mac\":\"00-11-22-33-44-55\""
#define V4_TCP                                                                                                         \
	"\"source\":{\"ip\":\"192.0.2.1\",\"port\":1234," MACS_SRC "},"                                                \
	"\"destination\":{\"ip\":\"198.51.100.2\",\"port\":80," MACS_DST "},"                                          \
	"\"network\":{\"type\":\"ipv4\",\"transport\":\"tcp\",\"iana_number\":\"6\"},"                                 \
	"\"tcp\":{\"flags\":18},\"ip\":{\"tos\":16,\"ttl\":64}"

static const uint8_t eth_ipv4_tcp[] = { ETH(0x0800), IPV4(6, 40), TCP_SYNACK };
static const uint8_t eth_ipv4_udp[] = { ETH(0x0800), IPV4(17, 32), UDP(12), 'a', 'b', 'c', 'd' };
/* ICMP echo request (type 8 code 0), id 1 seq 1. */
static const uint8_t eth_ipv4_icmp[] = { ETH(0x0800), IPV4(1, 28), 8, 0, 0, 0, 0, 1, 0, 1 };
/* IPv4 with 4 bytes of options (IHL 6: router alert), then UDP. */
static const uint8_t eth_ipv4_opts_udp[] = {
	ETH(0x0800), 0x46, 0x00, 0x00, 32, 0, 1, 0, 0,	  1,	17,   0,    0,
	10,	     0,	   0,	 1,    10, 0, 0, 2, 0x94, 0x04, 0x00, 0x00, /* router alert option */
	UDP(8),
};
/* Non-first fragment (offset 4096*8: only the top offset bit set) of a UDP datagram: payload bytes are not a UDP
 * header. */
static const uint8_t eth_ipv4_frag2[] = { ETH(0x0800), IPV4F(17, 28, 0x1000), 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0 };
/* First fragment (MF set, offset 0): carries the UDP header. */
static const uint8_t eth_ipv4_frag1[] = { ETH(0x0800), IPV4F(17, 28, 0x2000), UDP(100) };
/* Ethernet padding after a short IPv4/UDP datagram (total length 28): ports still decoded. */
static const uint8_t eth_ipv4_padded[] = { ETH(0x0800), IPV4(17, 28), UDP(8), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t eth_ipv6_tcp[] = { ETH(0x86dd), IPV6(6, 20), TCP_SYNACK };
/* IPv6 hop-by-hop (8 bytes) -> routing (8 bytes) -> destination options (8 bytes) -> UDP. */
static const uint8_t eth_ipv6_ext_udp[] = {
	ETH(0x86dd), IPV6(0, 32), 43, 0, 1, 4, 0, 0, 0, 0, /* hop-by-hop: PadN */
	60,	     0,		  0,  0, 0, 0, 0, 0,	   /* routing type 0, segments left 0 */
	17,	     0,		  1,  4, 0, 0, 0, 0,	   /* destination options: PadN */
	UDP(8),
};
/* IPv6 first fragment (offset 0, M=1) then UDP. */
static const uint8_t eth_ipv6_frag1[] = { ETH(0x86dd), IPV6(44, 16), 17, 0, 0x00, 0x01, 0, 0, 0, 7, UDP(8) };
/* IPv6 later fragment (offset 1448/8 = 181): no UDP header. */
static const uint8_t eth_ipv6_frag2[] = {
	ETH(0x86dd), IPV6(44, 16), 17, 0, 0x05, 0xa8, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8
};
/* ICMPv6 echo request (type 128). */
static const uint8_t eth_ipv6_icmp6[] = { ETH(0x86dd), IPV6(58, 8), 128, 0, 0, 0, 0, 1, 0, 1 };
/* 802.1Q TCI 0xa064: priority 5, VLAN 100, then IPv4/UDP. */
static const uint8_t eth_vlan_udp[] = { ETH(0x8100), 0xa0, 0x64, 0x08, 0x00, IPV4(17, 28), UDP(8) };
/* 802.1ad S-tag 4000, 802.1Q C-tag 100, IPv4/UDP: the outer id is reported. */
static const uint8_t eth_qinq_udp[] = { ETH(0x88a8), 0x0f, 0xa0, 0x81,	       0x00,  0x00,
					0x64,	     0x08, 0x00, IPV4(17, 28), UDP(8) };
/* MPLS: label 16 then label 17 (bottom of stack), then IPv4/TCP. */
static const uint8_t eth_mpls_tcp[] = { ETH(0x8847), 0x00, 0x01, 0x00,	      0x40,	 0x00,
					0x01,	     0x11, 0x40, IPV4(6, 40), TCP_SYNACK };
/* MPLS bottom label then a pseudowire control word (first nibble 0): not IP. */
static const uint8_t eth_mpls_pw[] = { ETH(0x8847), 0x00, 0x01, 0x01, 0x40, 0x00, 0x00, 0x00, 0x00 };
/* PPPoE session 0x0011, length 30, PPP protocol 0x0021 (IPv4), then IPv4/UDP. */
static const uint8_t eth_pppoe_udp[] = {
	ETH(0x8864), 0x11, 0x00, 0x00, 0x11, 0x00, 30, 0x00, 0x21, IPV4(17, 28), UDP(8)
};
/* ARP request (Ethernet/IPv4). */
static const uint8_t eth_arp[] = { ETH(0x0806), 0, 1, 8, 0, 6, 4, 0, 1, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
				   10,		0, 0, 1, 0, 0, 0, 0, 0, 0,    10,   0,	  0,	2 };
/* LLDP (first TLV only). */
static const uint8_t eth_lldp[] = { ETH(0x88cc), 0x02, 0x07, 0x04, 0, 0x11, 0x22, 0x33, 0x44, 0x55 };
/* Local experimental EtherType 0x88b5. */
static const uint8_t eth_exp[] = { ETH(0x88b5), 1, 2, 3, 4 };
/* 802.3 length 38 + LLC 42/42/03: spanning tree BPDU. */
static const uint8_t eth_stp[] = { ETH(0x0026), 0x42, 0x42, 0x03, 0, 0, 0, 0, 0 };
/* 802.3 length 36 + LLC/SNAP (AA AA 03, OUI 0, EtherType 0x0800), then IPv4/UDP. */
static const uint8_t eth_snap_udp[] = { ETH(0x0024), 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00, IPV4(17, 28), UDP(8) };
/* SCTP common header: 5000 -> 6000, verification tag, checksum. */
static const uint8_t eth_sctp[] = { ETH(0x0800), IPV4(132, 32), 0x13, 0x88, 0x17, 0x70, 0, 0, 0, 1, 0, 0, 0, 0 };
/* GRE (protocol 47) carrying IPv4/TCP: only the outer header is reported. */
static const uint8_t eth_gre[] = { ETH(0x0800), IPV4(47, 64), 0x00, 0x00, 0x08, 0x00, IPV4(6, 40), TCP_SYNACK };
/* VXLAN: outer UDP 49152 -> 4789, VXLAN header, inner Ethernet/IPv4: outer ports reported. */
static const uint8_t eth_vxlan[] = { ETH(0x0800), IPV4(17, 64), 0xc0, 0x00, 0x12, 0xb5, 0, 44, 0,
				     0,		  0x08,		0,    0,    0,	  0,	0, 0,  0x01,
				     ETH(0x0800), IPV4(6, 20) };
/* IP-in-IP (protocol 4). */
static const uint8_t eth_ipip[] = { ETH(0x0800), IPV4(4, 40), IPV4(17, 20) };

/* MACsec (802.1AE) integrity only: SecTAG TCI 0x20 (SC, not E/C), short length 0, packet number
 * 68, SCI 2e:b7:3f:39:95:c3 port 1, then the user frame's EtherType 0x0800, IPv4/UDP and a
 * 16-byte ICV. tshark decodes the IP packet inside. */
#define ICV16 0xde, 0xba, 0x93, 0x24, 0x0f, 0xad, 0x9a, 0x4c, 0x3b, 0x74, 0x72, 0x2f, 0x74, 0x70, 0x75, 0x2b
static const uint8_t eth_macsec_sci_udp[] = { ETH(0x88e5), 0x20,	 0x00,	 0,    0,    0,	   68,	 0x2e,
					      0xb7,	   0x3f,	 0x39,	 0x95, 0xc3, 0x00, 0x01, 0x08,
					      0x00,	   IPV4(17, 28), UDP(8), ICV16 };
/* MACsec without SCI (TCI 0x00, end station), packet number 1, then IPv4/UDP and the ICV. */
static const uint8_t eth_macsec_udp[] = {
	ETH(0x88e5), 0x00, 0x00, 0, 0, 0, 1, 0x08, 0x00, IPV4(17, 28), UDP(8), ICV16
};
/* MACsec encrypted (TCI 0x2c: SC, E, C): the secure data is ciphertext. */
static const uint8_t eth_macsec_enc[] = { ETH(0x88e5), 0x2c, 0x00, 0,	 0,    0,    2,	   0x2e, 0xb7, 0x3f,
					  0x39,	       0x95, 0xc3, 0x00, 0x01, 0x8f, 0x12, 0x77, 0x01, ICV16 };
/* IPv6 jumbogram as Linux BIG TCP writes it: payload length 0, hop-by-hop header with a Jumbo
 * Payload option (0xc2, length 4) of 70028 bytes, then TCP; only 20 bytes of TCP captured. */
static const uint8_t eth_ipv6_jumbo_tcp[] = {
	ETH(0x86dd), IPV6(0, 0), 6, 0, 0xc2, 4, 0x00, 0x01, 0x11, 0x8c, TCP_SYNACK
};
/* UDP jumbogram (RFC 2675): UDP length 0 as well. */
static const uint8_t eth_ipv6_jumbo_udp[] = { ETH(0x86dd), IPV6(0, 0), 17, 0, 0xc2, 4, 0x00, 0x01, 0x11, 0x8c, UDP(0) };

/* NSH (RFC 8300): version 0, length 6 words (24 bytes: base, service path, 16 bytes of MD type 1
 * context), next protocol 1 (IPv4), then IPv4/UDP. */
static const uint8_t eth_nsh_udp[] = {
	ETH(0x894f), 0x0f, 0xc6, 0x01, 0x01, 0x00, 0x00, 0x01, 0xff,	     0,	    0, 0, 0, 0, 0, 0, 0,
	0,	     0,	   0,	 0,    0,    0,	   0,	 0,    IPV4(17, 28), UDP(8)
};
/* Arista vendor-specific header (0xd28b): sub-type 1 (timestamp), version 0x0010 (64-bit TAI),
 * seconds and nanoseconds, then EtherType 0x0800 and IPv4/UDP. */
static const uint8_t eth_arista_udp[] = { ETH(0xd28b), 0x00, 0x01, 0x00, 0x10, 0x5c, 0xee,	   0xed,  0x57,
					  0x38,	       0x4f, 0x59, 0xc8, 0x08, 0x00, IPV4(17, 28), UDP(8) };
/* The same with version 0x0011, which tshark does not know: not decoded further. */
static const uint8_t eth_arista_unknown[] = { ETH(0xd28b), 0x00, 0x01, 0x00, 0x11, 0x5c, 0xee,	       0xed,  0x57,
					      0x38,	   0x4f, 0x59, 0xc8, 0x08, 0x00, IPV4(17, 28), UDP(8) };

/* Linux cooked v1: outgoing (4), ARPHRD_ETHER, address length 6, address, protocol 0x0800. */
static const uint8_t sll_udp[] = { 0,	 4,    0,    1, 0, 6,	 0x66, 0x77,	     0x88,
				   0x99, 0xaa, 0xbb, 0, 0, 0x08, 0x00, IPV4(17, 28), UDP(8) };
/* Linux cooked v2: protocol 0x86dd, ifindex 2, ARPHRD_ETHER, incoming, address length 6. */
static const uint8_t sll2_tcp[] = { 0x86, 0xdd, 0,    0,    0,	  0,	0,    2, 0, 1,		 0,
				    6,	  0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0, 0, IPV6(6, 20), TCP_SYNACK };
/* Raw IP, IPv4 and IPv6 by version nibble. */
static const uint8_t raw_v4[] = { IPV4(17, 28), UDP(8) };
static const uint8_t raw_v6[] = { IPV6(6, 20), TCP_SYNACK };
/* BSD loopback: AF_INET (2) little-endian, AF_INET big-endian, AF_INET6 as on macOS (30). */
static const uint8_t null_le_v4[] = { 2, 0, 0, 0, IPV4(17, 28), UDP(8) };
static const uint8_t null_be_v4[] = { 0, 0, 0, 2, IPV4(17, 28), UDP(8) };
static const uint8_t null_v6[] = { 30, 0, 0, 0, IPV6(6, 20), TCP_SYNACK };
/* OpenBSD loop: address family in network order. */
static const uint8_t loop_v4[] = { 0, 0, 0, 2, IPV4(17, 28), UDP(8) };
/* PPP in HDLC framing (FF 03), protocol 0x0021 IPv4. */
static const uint8_t ppp_v4[] = { 0xff, 0x03, 0x00, 0x21, IPV4(17, 28), UDP(8) };
/* PPP with address/control and protocol compressed: protocol 0x21 in one byte. */
static const uint8_t ppp_pfc_v4[] = { 0x21, IPV4(17, 28), UDP(8) };
/* PPP LCP configure-request (protocol 0xc021). */
static const uint8_t ppp_lcp[] = { 0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4 };
/* PPP protocol 0x0057 IPv6. */
static const uint8_t ppp_v6[] = { 0xff, 0x03, 0x00, 0x57, IPV6(6, 20), TCP_SYNACK };
/* Cisco HDLC: unicast address 0x0f, control 0, EtherType 0x0800. */
static const uint8_t chdlc_v4[] = { 0x0f, 0x00, 0x08, 0x00, IPV4(17, 28), UDP(8) };

/* 802.11 data frame, to-DS: addr1 BSSID 02:00:00:00:00:01, addr2 SA 66:77:88:99:aa:bb, addr3 DA
 * 00:11:22:33:44:55, sequence; LLC/SNAP IPv4, then IPv4/UDP. */
#define WLAN_TODS                                                                                                      \
	0x08, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0x01, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33,    \
	    0x44, 0x55, 0x10, 0x00
#define SNAP_V4 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00
static const uint8_t wlan_tods_udp[] = { WLAN_TODS, SNAP_V4, IPV4(17, 28), UDP(8) };
/* QoS data (subtype 8), from-DS: addr1 DA, addr2 BSSID, addr3 SA, QoS control; SNAP IPv6/TCP. */
static const uint8_t wlan_qos_fromds[] = {
	0x88, 0x02, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44,	     0x55,	 0x02, 0,    0,
	0,    0,    0x01, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,	     0x20,	 0x00, 0x00, 0x00, /* QoS control */
	0xaa, 0xaa, 0x03, 0,	0,    0,    0x86, 0xdd, IPV6(6, 20), TCP_SYNACK,
};
/* Protected to-DS data frame: the body is encrypted, only addresses are decoded. */
static const uint8_t wlan_protected[] = {
	0x08, 0x41, 0x00, 0x00, 0x02, 0,    0,	  0,	0,    0x01, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x10, 0x00, 0xde, 0xad
};
/* 802.11 beacon (management): nothing at the network level. */
static const uint8_t wlan_beacon[] = { 0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0,
				       0,    0,	   0,	 0x01, 0x02, 0,	   0,	 0,    0,    0x01, 0x00, 0x00 };
/* Radiotap: version 0, length 18, present TSFT|Flags|Rate; TSFT (8 bytes at offset 8), flags 0x00,
 * rate, pad; then the to-DS frame. */
static const uint8_t radiotap_udp[] = {
	0, 0, 18, 0, 0x07, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x00, 0x02, WLAN_TODS, SNAP_V4, IPV4(17, 28), UDP(8)
};
/* Radiotap with only Flags, flags = 0x20 (data pad): a QoS header of 26 bytes is padded to 28. */
static const uint8_t radiotap_pad[] = {
	0,	 0,
	9,	 0,
	0x02,	 0,
	0,	 0,
	0x20,	 0x88,
	0x01,	 0x00,
	0x00,	 0x02,
	0,	 0,
	0,	 0,
	0x01,	 0x66,
	0x77,	 0x88,
	0x99,	 0xaa,
	0xbb,	 0x00,
	0x11,	 0x22,
	0x33,	 0x44,
	0x55,	 0x10,
	0x00,	 0x00,
	0x00,	       /* QoS control */
	0x00,	 0x00, /* data pad */
	SNAP_V4, IPV4(17, 28),
	UDP(8),
};

/* Malformed and truncated. */
static const uint8_t eth_short[] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99 };
/* IPv4 cut after 10 bytes of header. */
static const uint8_t eth_ipv4_cut[] = { ETH(0x0800), 0x45, 0x00, 0x00, 40, 0, 1, 0, 0, 64, 6 };
/* IPv4 with IHL 3 (less than the minimum 5). */
static const uint8_t eth_ipv4_badihl[] = { ETH(0x0800), 0x43, 0x00, 0x00, 40, 0, 1, 0, 0, 64, 6,
					   0,		0,    10,   0,	  0,  1, 0, 0, 0, 2 };
/* IPv4 total length 12 (less than its own header). */
static const uint8_t eth_ipv4_badlen[] = { ETH(0x0800), IPV4(6, 12), TCP_SYNACK };
/* IPv4/TCP with only 3 bytes of TCP header captured. */
static const uint8_t eth_tcp_cut[] = { ETH(0x0800), IPV4(6, 40), 0x04, 0xd2, 0x00 };
/* IPv6 cut after 30 bytes: source address complete, destination not. */
static const uint8_t eth_ipv6_cut[] = { ETH(0x86dd), 0x60, 0, 0, 0, 0, 20, 6, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
					0,	     0,	   0, 0, 0, 0, 0,  0, 1,  0x20, 0x01, 0x0d, 0xb8, 0, 0 };
/* IPv6 hop-by-hop header whose length runs past the frame. */
static const uint8_t eth_ipv6_badext[] = { ETH(0x86dd), IPV6(0, 16), 17, 200, 0, 0, 0, 0, 0, 0 };
/* MPLS label stack without a bottom-of-stack bit. */
static const uint8_t eth_mpls_nobos[] = { ETH(0x8847), 0x00, 0x01, 0x00, 0x40, 0x00, 0x01, 0x10, 0x40 };
/* Radiotap whose length field (0x0100) is larger than the frame. */
static const uint8_t radiotap_badlen[] = { 0, 0, 0x00, 0x01, 0x02, 0, 0, 0, 0x00, 1, 2, 3 };
/* 20 stacked 802.1Q tags, then IPv4: the stack cap stops the decoder before the IP header. */
#define VLAN_TAG(id) 0x81, 0x00, 0x00, id
static const uint8_t eth_vlan_bomb[] = {
	ETH(0x8100),  0x00,	    0x01,	  VLAN_TAG(2),	VLAN_TAG(3),  VLAN_TAG(4),  VLAN_TAG(5),
	VLAN_TAG(6),  VLAN_TAG(7),  VLAN_TAG(8),  VLAN_TAG(9),	VLAN_TAG(10), VLAN_TAG(11), VLAN_TAG(12),
	VLAN_TAG(13), VLAN_TAG(14), VLAN_TAG(15), VLAN_TAG(16), VLAN_TAG(17), VLAN_TAG(18), VLAN_TAG(19),
	VLAN_TAG(20), 0x08,	    0x00,	  IPV4(17, 28), UDP(8),
};
/* PPPoE session header cut after 4 bytes. */
static const uint8_t eth_pppoe_cut[] = { ETH(0x8864), 0x11, 0x00, 0x00, 0x11 };

#define V4	"\"ip\":\"192.0.2.1\""
#define V4D	"\"ip\":\"198.51.100.2\""
#define V6	"\"ip\":\"2001:db8::1\""
#define V6D	"\"ip\":\"2001:db8::2\""
#define UDP_NET "\"network\":{\"type\":\"ipv4\",\"transport\":\"udp\",\"iana_number\":\"17\"}"
#define UDP_ROW(net_extra, ipfields)                                                                                   \
	"{\"source\":{" V4 ",\"port\":12345},\"destination\":{" V4D ",\"port\":53}," UDP_NET net_extra                 \
	",\"ip\":{" ipfields "}}"
#define V6_TCP_ROW(macs_src, macs_dst)                                                                                 \
	"{\"source\":{" V6 ",\"port\":1234" macs_src "},\"destination\":{" V6D ",\"port\":80" macs_dst "},"            \
	"\"network\":{\"type\":\"ipv6\",\"transport\":\"tcp\",\"iana_number\":\"6\"},"                                 \
	"\"tcp\":{\"flags\":18},\"ip\":{\"tos\":32,\"ttl\":64}}"
#define ETH_UDP_ROW(vlan)                                                                                              \
	"{\"source\":{" V4 ",\"port\":12345," MACS_SRC "},\"destination\":{" V4D ",\"port\":53," MACS_DST "},"         \
	"\"network\":{\"type\":\"ipv4\",\"transport\":\"udp\",\"iana_number\":\"17\"" vlan "},\"ip\":{\"tos\":16,"     \
	"\"ttl\":64}}"
#define MACS_ONLY(net) "{\"source\":{" MACS_SRC "},\"destination\":{" MACS_DST "}" net "}"

struct decode_case {
	const char *name;
	int dlt;
	const uint8_t *pkt;
	size_t len;
	const char *expect; /* JSON of the row after decoding into an empty row, without _id */
};

#define CASE(n, d, p, e)                                                                                               \
	{                                                                                                              \
		.name = n, .dlt = d, .pkt = p, .len = sizeof(p), .expect = e                                           \
	}

static const struct decode_case cases[] = {
	CASE("eth ipv4 tcp", DECODE_DLT_EN10MB, eth_ipv4_tcp, "{" V4_TCP "}"),
	/* UDP to port 53 with 4 payload bytes "abcd": read as a DNS message cut short, its id 0x6162 */
	CASE("eth ipv4 udp", DECODE_DLT_EN10MB, eth_ipv4_udp,
	     "{\"source\":{" V4 ",\"port\":12345," MACS_SRC "},\"destination\":{" V4D ",\"port\":53," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv4\",\"transport\":\"udp\",\"iana_number\":\"17\"},"
	     "\"ip\":{\"tos\":16,\"ttl\":64},\"dns\":{\"id\":\"24930\"}}"),
	CASE("eth ipv4 icmp", DECODE_DLT_EN10MB, eth_ipv4_icmp,
	     "{\"source\":{" V4 "," MACS_SRC "},\"destination\":{" V4D "," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv4\",\"transport\":\"icmp\",\"iana_number\":\"1\"},"
	     "\"ip\":{\"tos\":16,\"ttl\":64},\"icmp\":{\"type\":8,\"code\":0}}"),
	CASE("eth ipv4 options udp", DECODE_DLT_EN10MB, eth_ipv4_opts_udp,
	     "{\"source\":{\"ip\":\"10.0.0.1\",\"port\":12345," MACS_SRC "},"
	     "\"destination\":{\"ip\":\"10.0.0.2\",\"port\":53," MACS_DST "}," UDP_NET
	     ",\"ip\":{\"tos\":0,\"ttl\":1}}"),
	CASE("eth ipv4 later fragment", DECODE_DLT_EN10MB, eth_ipv4_frag2,
	     "{\"source\":{" V4 "," MACS_SRC "},\"destination\":{" V4D "," MACS_DST "}," UDP_NET
	     ",\"ip\":{\"tos\":0,\"ttl\":64}}"),
	CASE("eth ipv4 first fragment", DECODE_DLT_EN10MB, eth_ipv4_frag1,
	     "{\"source\":{" V4 ",\"port\":12345," MACS_SRC "},\"destination\":{" V4D ",\"port\":53," MACS_DST
	     "}," UDP_NET ",\"ip\":{\"tos\":0,\"ttl\":64}}"),
	CASE("eth ipv4 padded", DECODE_DLT_EN10MB, eth_ipv4_padded, ETH_UDP_ROW("")),
	CASE("eth ipv6 tcp", DECODE_DLT_EN10MB, eth_ipv6_tcp, V6_TCP_ROW("," MACS_SRC, "," MACS_DST)),
	CASE("eth ipv6 ext headers udp", DECODE_DLT_EN10MB, eth_ipv6_ext_udp,
	     "{\"source\":{" V6 ",\"port\":12345," MACS_SRC "},\"destination\":{" V6D ",\"port\":53," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv6\",\"transport\":\"udp\",\"iana_number\":\"17\"},"
	     "\"ip\":{\"tos\":32,\"ttl\":64}}"),
	CASE("eth ipv6 first fragment", DECODE_DLT_EN10MB, eth_ipv6_frag1,
	     "{\"source\":{" V6 ",\"port\":12345," MACS_SRC "},\"destination\":{" V6D ",\"port\":53," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv6\",\"transport\":\"udp\",\"iana_number\":\"17\"},"
	     "\"ip\":{\"tos\":32,\"ttl\":64}}"),
	CASE("eth ipv6 later fragment", DECODE_DLT_EN10MB, eth_ipv6_frag2,
	     "{\"source\":{" V6 "," MACS_SRC "},\"destination\":{" V6D "," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv6\",\"transport\":\"udp\",\"iana_number\":\"17\"},"
	     "\"ip\":{\"tos\":32,\"ttl\":64}}"),
	CASE("eth ipv6 icmpv6", DECODE_DLT_EN10MB, eth_ipv6_icmp6,
	     "{\"source\":{" V6 "," MACS_SRC "},\"destination\":{" V6D "," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv6\",\"transport\":\"ipv6-icmp\",\"iana_number\":\"58\"},"
	     "\"ip\":{\"tos\":32,\"ttl\":64},\"icmp\":{\"type\":128,\"code\":0}}"),
	CASE("eth 802.1q", DECODE_DLT_EN10MB, eth_vlan_udp, ETH_UDP_ROW(",\"vlan\":{\"id\":\"100\"}")),
	CASE("eth 802.1ad qinq", DECODE_DLT_EN10MB, eth_qinq_udp, ETH_UDP_ROW(",\"vlan\":{\"id\":\"4000\"}")),
	CASE("eth mpls tcp", DECODE_DLT_EN10MB, eth_mpls_tcp, "{" V4_TCP "}"),
	CASE("eth mpls pseudowire", DECODE_DLT_EN10MB, eth_mpls_pw, MACS_ONLY(",\"network\":{\"type\":\"mpls\"}")),
	CASE("eth pppoe udp", DECODE_DLT_EN10MB, eth_pppoe_udp, ETH_UDP_ROW("")),
	CASE("eth arp", DECODE_DLT_EN10MB, eth_arp, MACS_ONLY(",\"network\":{\"type\":\"arp\"}")),
	CASE("eth lldp", DECODE_DLT_EN10MB, eth_lldp, MACS_ONLY(",\"network\":{\"type\":\"lldp\"}")),
	CASE("eth unknown ethertype", DECODE_DLT_EN10MB, eth_exp, MACS_ONLY(",\"network\":{\"type\":\"0x88b5\"}")),
	CASE("eth 802.3 llc stp", DECODE_DLT_EN10MB, eth_stp, MACS_ONLY(",\"network\":{\"type\":\"llc\"}")),
	CASE("eth 802.3 snap ipv4", DECODE_DLT_EN10MB, eth_snap_udp, ETH_UDP_ROW("")),
	CASE("eth sctp", DECODE_DLT_EN10MB, eth_sctp,
	     "{\"source\":{" V4 ",\"port\":5000," MACS_SRC "},\"destination\":{" V4D ",\"port\":6000," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv4\",\"transport\":\"sctp\",\"iana_number\":\"132\"},"
	     "\"ip\":{\"tos\":16,\"ttl\":64}}"),
	CASE("eth gre outer only", DECODE_DLT_EN10MB, eth_gre,
	     "{\"source\":{" V4 "," MACS_SRC "},\"destination\":{" V4D "," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv4\",\"transport\":\"gre\",\"iana_number\":\"47\"},"
	     "\"ip\":{\"tos\":16,\"ttl\":64}}"),
	CASE("eth vxlan outer only", DECODE_DLT_EN10MB, eth_vxlan,
	     "{\"source\":{" V4 ",\"port\":49152," MACS_SRC "},\"destination\":{" V4D ",\"port\":4789," MACS_DST
	     "}," UDP_NET ",\"ip\":{\"tos\":16,\"ttl\":64}}"),
	CASE("eth ip-in-ip outer only", DECODE_DLT_EN10MB, eth_ipip,
	     "{\"source\":{" V4 "," MACS_SRC "},\"destination\":{" V4D "," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv4\",\"transport\":\"ipv4\",\"iana_number\":\"4\"},"
	     "\"ip\":{\"tos\":16,\"ttl\":64}}"),
	CASE("eth macsec with sci", DECODE_DLT_EN10MB, eth_macsec_sci_udp, ETH_UDP_ROW("")),
	CASE("eth macsec without sci", DECODE_DLT_EN10MB, eth_macsec_udp, ETH_UDP_ROW("")),
	CASE("eth macsec encrypted", DECODE_DLT_EN10MB, eth_macsec_enc,
	     MACS_ONLY(",\"network\":{\"type\":\"0x88e5\"}")),
	CASE("eth nsh ipv4", DECODE_DLT_EN10MB, eth_nsh_udp, ETH_UDP_ROW("")),
	CASE("eth arista timestamp", DECODE_DLT_EN10MB, eth_arista_udp, ETH_UDP_ROW("")),
	CASE("eth arista unknown version", DECODE_DLT_EN10MB, eth_arista_unknown,
	     MACS_ONLY(",\"network\":{\"type\":\"0xd28b\"}")),
	CASE("eth ipv6 jumbogram tcp", DECODE_DLT_EN10MB, eth_ipv6_jumbo_tcp, V6_TCP_ROW("," MACS_SRC, "," MACS_DST)),
	CASE("eth ipv6 jumbogram udp", DECODE_DLT_EN10MB, eth_ipv6_jumbo_udp,
	     "{\"source\":{" V6 ",\"port\":12345," MACS_SRC "},\"destination\":{" V6D ",\"port\":53," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv6\",\"transport\":\"udp\",\"iana_number\":\"17\"},"
	     "\"ip\":{\"tos\":32,\"ttl\":64}}"),
	CASE("linux sll", DECODE_DLT_LINUX_SLL, sll_udp,
	     "{\"source\":{" V4 ",\"port\":12345," MACS_SRC "},\"destination\":{" V4D ",\"port\":53}," UDP_NET
	     ",\"ip\":{\"tos\":16,\"ttl\":64}}"),
	CASE("linux sll2", DECODE_DLT_LINUX_SLL2, sll2_tcp, V6_TCP_ROW("," MACS_SRC, "")),
	CASE("raw ipv4", DECODE_DLT_RAW, raw_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("raw ipv6", DECODE_DLT_RAW, raw_v6, V6_TCP_ROW("", "")),
	CASE("linktype raw ipv4", DECODE_DLT_LINKTYPE_RAW, raw_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("dlt ipv4", DECODE_DLT_IPV4, raw_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("dlt ipv6", DECODE_DLT_IPV6, raw_v6, V6_TCP_ROW("", "")),
	CASE("null little-endian", DECODE_DLT_NULL, null_le_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("null big-endian", DECODE_DLT_NULL, null_be_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("null ipv6 (af 30)", DECODE_DLT_NULL, null_v6, V6_TCP_ROW("", "")),
	CASE("loop", DECODE_DLT_LOOP, loop_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("ppp ipv4", DECODE_DLT_PPP, ppp_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("ppp compressed protocol", DECODE_DLT_PPP, ppp_pfc_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("ppp lcp", DECODE_DLT_PPP, ppp_lcp, "{\"network\":{\"type\":\"ppp\"}}"),
	CASE("ppp ipv6", DECODE_DLT_PPP, ppp_v6, V6_TCP_ROW("", "")),
	CASE("ppp serial", DECODE_DLT_PPP_SERIAL, ppp_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("cisco hdlc", DECODE_DLT_C_HDLC, chdlc_v4, UDP_ROW("", "\"tos\":16,\"ttl\":64")),
	CASE("802.11 to-ds", DECODE_DLT_IEEE802_11, wlan_tods_udp, ETH_UDP_ROW("")),
	CASE("802.11 qos from-ds ipv6", DECODE_DLT_IEEE802_11, wlan_qos_fromds,
	     "{\"source\":{" V6 ",\"port\":1234,\"mac\":\"66-77-88-99-AA-BB\"},\"destination\":{" V6D
	     ",\"port\":80," MACS_DST "},\"network\":{\"type\":\"ipv6\",\"transport\":\"tcp\",\"iana_number\":\"6\"},"
	     "\"tcp\":{\"flags\":18},\"ip\":{\"tos\":32,\"ttl\":64}}"),
	CASE("802.11 protected", DECODE_DLT_IEEE802_11, wlan_protected, MACS_ONLY("")),
	CASE("802.11 beacon", DECODE_DLT_IEEE802_11, wlan_beacon, "{}"),
	CASE("radiotap tsft+flags", DECODE_DLT_IEEE802_11_RADIO, radiotap_udp, ETH_UDP_ROW("")),
	CASE("radiotap data pad", DECODE_DLT_IEEE802_11_RADIO, radiotap_pad, ETH_UDP_ROW("")),
	/* truncated and malformed */
	CASE("eth shorter than its header", DECODE_DLT_EN10MB, eth_short, "{}"),
	CASE("ipv4 header cut", DECODE_DLT_EN10MB, eth_ipv4_cut, MACS_ONLY(",\"network\":{\"type\":\"ipv4\"}")),
	CASE("ipv4 bogus ihl", DECODE_DLT_EN10MB, eth_ipv4_badihl, MACS_ONLY(",\"network\":{\"type\":\"ipv4\"}")),
	CASE("ipv4 bogus total length", DECODE_DLT_EN10MB, eth_ipv4_badlen,
	     MACS_ONLY(",\"network\":{\"type\":\"ipv4\"}")),
	CASE("tcp header cut after 3 bytes", DECODE_DLT_EN10MB, eth_tcp_cut,
	     "{\"source\":{" V4 ",\"port\":1234," MACS_SRC "},\"destination\":{" V4D "," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv4\",\"transport\":\"tcp\",\"iana_number\":\"6\"},"
	     "\"ip\":{\"tos\":16,\"ttl\":64}}"),
	CASE("ipv6 header cut", DECODE_DLT_EN10MB, eth_ipv6_cut,
	     "{\"source\":{" V6 "," MACS_SRC "},\"destination\":{" MACS_DST "},"
	     "\"network\":{\"type\":\"ipv6\",\"transport\":\"tcp\",\"iana_number\":\"6\"},"
	     "\"ip\":{\"tos\":0,\"ttl\":64}}"),
	CASE("ipv6 ext header past the end", DECODE_DLT_EN10MB, eth_ipv6_badext,
	     "{\"source\":{" V6 "," MACS_SRC "},\"destination\":{" V6D "," MACS_DST "},"
	     "\"network\":{\"type\":\"ipv6\",\"transport\":\"udp\",\"iana_number\":\"17\"},"
	     "\"ip\":{\"tos\":32,\"ttl\":64}}"),
	CASE("mpls without bottom of stack", DECODE_DLT_EN10MB, eth_mpls_nobos,
	     MACS_ONLY(",\"network\":{\"type\":\"mpls\"}")),
	CASE("radiotap length past the end", DECODE_DLT_IEEE802_11_RADIO, radiotap_badlen, "{}"),
	CASE("vlan stack bomb", DECODE_DLT_EN10MB, eth_vlan_bomb, MACS_ONLY(",\"network\":{\"vlan\":{\"id\":\"1\"}}")),
	CASE("pppoe header cut", DECODE_DLT_EN10MB, eth_pppoe_cut, MACS_ONLY(",\"network\":{\"type\":\"pppoe\"}")),
	{ .name = NULL },
};

static void decode_to_json(const struct decode_case *c, const uint8_t *pkt, size_t len, char *out)
{
	struct row r;

	memset(&r, 0, sizeof(r));
	decode_frame(c->dlt, pkt, (uint32_t)len, &r);
	out[row_to_json(&r, out, 0)] = '\0';
}

START_TEST(test_decode_table)
{
	const struct decode_case *c = &cases[_i];
	char *json = malloc(ROW_JSON_MAX + 1);
	/* An exactly-sized heap copy, so a read past the end is an AddressSanitizer error. */
	uint8_t *pkt = malloc(c->len);

	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(pkt);
	memcpy(pkt, c->pkt, c->len);
	decode_to_json(c, pkt, c->len, json);
	ck_assert_msg(strcmp(json, c->expect) == 0, "%s:\n got      %s\n expected %s", c->name, json, c->expect);
	free(pkt);
	free(json);
}
END_TEST

/* Every prefix of every frame decodes without reading past its end (ASan run) and keeps the
 * frame-level fields the caller set. */
START_TEST(test_decode_every_prefix)
{
	const struct decode_case *c = &cases[_i];
	char *json = malloc(ROW_JSON_MAX + 1);

	ck_assert_ptr_nonnull(json);
	for (size_t cut = 0; cut <= c->len; cut++) {
		uint8_t *pkt = malloc(cut ? cut : 1);
		struct row r;
		ck_assert_ptr_nonnull(pkt);
		memcpy(pkt, c->pkt, cut);
		memset(&r, 0, sizeof(r));
		ROW_SET(&r, network_bytes, 1500);
		decode_frame(c->dlt, pkt, (uint32_t)cut, &r);
		ck_assert(r.has & ROW_HAS_network_bytes);
		ck_assert_int_eq(r.network_bytes, 1500);
		row_to_json(&r, json, 0);
		free(pkt);
	}
	free(json);
}
END_TEST

START_TEST(test_decode_unknown_dlt)
{
	struct row r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(decode_frame(147 /* DLT_USER0 */, eth_ipv4_tcp, sizeof(eth_ipv4_tcp), &r), 0);
	ck_assert_uint_eq(r.has, 0);
	ck_assert_int_eq(decode_frame(DECODE_DLT_EN10MB, eth_ipv4_tcp, sizeof(eth_ipv4_tcp), &r), 1);
}
END_TEST

START_TEST(test_transport_names)
{
	ck_assert_str_eq(decode_transport_name(6), "tcp");
	ck_assert_str_eq(decode_transport_name(58), "ipv6-icmp");
	ck_assert_str_eq(decode_transport_name(50), "esp");
	ck_assert_ptr_null(decode_transport_name(253));
	ck_assert_ptr_null(decode_transport_name(999));
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	int n = 0;

	while (cases[n].name != NULL)
		n++;
	testutil_add_loop(s, test_decode_table, 0, n, 0);
	testutil_add_loop(s, test_decode_every_prefix, 0, n, 0);
	testutil_add(s, test_decode_unknown_dlt, 0);
	testutil_add(s, test_transport_names, 0);
	return s;
}
