/* The datasets a row belongs to (see row.h). */
#include <string.h>
#include "row.h"

const char row_dataset_pcap[] = "pcap";
const char row_dataset_pmacct[] = "pmacct";
const char row_dataset_pcap_flow[] = "pcap.flow";

const char *row_dataset_canonical(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strcmp(s, row_dataset_pcap) == 0)
		return row_dataset_pcap;
	if (strcmp(s, row_dataset_pmacct) == 0)
		return row_dataset_pmacct;
	if (strcmp(s, row_dataset_pcap_flow) == 0)
		return row_dataset_pcap_flow;
	return s;
}
