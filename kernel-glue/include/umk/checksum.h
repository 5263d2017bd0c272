/* The Internet checksum (RFC 1071): a ones' complement sum of 16-bit
 * words. Sums are kept unfolded in 32 bits and taken over bytes in
 * memory order, so the folded result can be stored as it is into a
 * header field (network order). */
#ifndef UMK_CHECKSUM_H
#define UMK_CHECKSUM_H
#include <umk/types.h>

/* Add len bytes at buf to sum (an odd length pads with a zero byte). */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);

/* Fold a sum to 16 bits and complement it: the value of a checksum field. */
static inline uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The checksum field for len bytes (0 when the bytes, checksum included,
 * are intact). */
static inline uint16_t ip_compute_csum(const void *buf, size_t len) { return csum_fold(csum_partial(buf, len, 0)); }

/* sum plus the IPv4 pseudo-header of UDP/TCP (addresses in network
 * order, len and proto in host order). */
uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len, uint8_t proto, uint32_t sum);
#endif
