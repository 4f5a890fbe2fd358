/* Frame to row: the frame's own fields, the decoder's, then the Community ID from them. */
#include "communityid.h"
#include "decode.h"
#include "pcaprow.h"

void pcaprow_make(struct row *r, const struct capture_pkt *pkt, int dlt, const char *file, const char *id_prefix,
		  uint64_t frame)
{
	r->has = ROW_HAS_event_dataset | ROW_HAS_network_bytes | ROW_HAS_network_packets | ROW_HAS_pcap_file |
		 ROW_HAS_pcap_frame | ROW_HAS_pcap_caplen;
	r->timestamp = pkt->ts_ns;
	if (pkt->ts_valid)
		r->has |= ROW_HAS_timestamp;
	else
		ROW_SET(r, error_message, pkt->ts_error != NULL ? pkt->ts_error : CAPTURE_TIME_RANGE);
	r->event_dataset = row_dataset_pcap;
	r->network_bytes = pkt->len;
	r->network_packets = 1;
	r->pcap_file = file;
	r->pcap_frame = (int64_t)frame;
	r->pcap_caplen = pkt->caplen;
	r->id_prefix = id_prefix;
	r->id_seq = frame;
	if (pkt->iface != NULL) {
		dlt = pkt->iface->dlt;
		ROW_SET(r, observer_ingress_interface_id, (int64_t)pkt->iface->id);
		if (pkt->iface->name != NULL)
			ROW_SET(r, observer_ingress_interface_name, pkt->iface->name);
	}
	decode_frame(dlt, pkt->data, pkt->caplen, r);
	communityid_fill_row(r);
}
