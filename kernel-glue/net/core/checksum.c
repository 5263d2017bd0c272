/* The Internet checksum (umk/checksum.h). */
#include <umk/checksum.h>
#include <umk/kernel.h>

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;
	while (len >= 8) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		s += (uint64_t)a + b;
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t a;
		memcpy(&a, p, 4);
		s += a;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t a;
		memcpy(&a, p, 2);
		s += a;
		p += 2;
		len -= 2;
	}
	if (len)
		s += *p;	/* the low byte in memory order: little-endian host */
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len, uint8_t proto, uint32_t sum)
{
	uint64_t s = sum;
	s += saddr;
	s += daddr;
	s += __builtin_bswap16((uint16_t)len);	/* 16-bit fields in network order */
	s += (uint32_t)proto << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}
