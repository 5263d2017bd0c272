/* A card's MAC address: given on the command line, or made up. A made-up
 * one is locally administered (bit 1 of the first byte set, bit 0 clear)
 * and comes from a hash (64-bit FNV-1a, then MurmurHash3's finaliser) of
 * the instance's umid and the card's name, so a lab machine booted again
 * with the same umid= keeps its address (and its DHCP lease, and its
 * neighbours' ARP entries).
 * Without umid= there is nothing stable to hash: the address is random,
 * as UML's is. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "net_host.h"

const char *net_parse_mac(const char *s, uint8_t mac[6], bool *given)
{
	*given = false;
	if (!*s)
		return NULL;
	unsigned v[6];
	int used = 0;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &used) != 6 ||
	    s[used])
		return net_err("expected a MAC address like fe:fd:0a:00:00:01, not '%s'", s);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	if (mac[0] & 1)
		return net_err("%s is a multicast address: a card needs a unicast one", s);
	static const uint8_t zero[6];
	if (!memcmp(mac, zero, 6))
		return "the MAC address 00:00:00:00:00:00 is not usable";
	*given = true;
	return NULL;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void net_default_mac(const char *umid, const char *card, uint8_t mac[6])
{
	uint64_t h;
	if (umid) {
		/* "umid\0card": no two (umid, card) pairs hash the same input */
		h = fnv1a(0xcbf29ce484222325ULL, umid, strlen(umid) + 1);
		h = fnv1a(h, card, strlen(card));
		/* FNV mixes its last bytes into the high bits only: finish with
		 * MurmurHash3's fmix64 so eth0 and eth1 differ everywhere */
		h ^= h >> 33;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 33;
		h *= 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 33;
	} else if (getrandom(&h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		h = (uint64_t)net_now() * 0x9e3779b97f4a7c15ULL;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}
