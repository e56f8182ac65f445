/*
 * Bucketing an address as IPVS does (ip_vs_dh_hashkey, ip_vs_sh_hashkey,
 * ip_vs_lblc_hashkey, ip_vs_lblcr_hashkey): an IPv6 address folded to 32
 * bits by XOR of its words, taken in host order, through the kernel's
 * hash_32() (include/linux/hash.h; generic on every architecture IPVS
 * runs on).  One copy for dh, sh, lblc and lblcr.
 */
#ifndef DRLBD_SCHED_IPHASH_H
#define DRLBD_SCHED_IPHASH_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "drlb/svc-t.h"

#define IPVS_GOLDEN_RATIO_32	0x61C88647u	/* GOLDEN_RATIO_32 */

/* hash_32(val, bits): the top `bits` bits of val * GOLDEN_RATIO_32 */
static inline uint32_t
ipvs_hash_32(uint32_t val, unsigned int bits)
{
	return (val * IPVS_GOLDEN_RATIO_32) >> (32 - bits);
}

/* ntohl(addr_fold): the address (IPv6: its four words XORed), host order */
static inline uint32_t
ipvs_addr_fold(int af, const union drlb_inaddr *a)
{
	uint32_t w[4], f;

	memcpy(w, a->b, sizeof(w));
	f = w[0];
	if (af == AF_INET6)
		f = w[0] ^ w[1] ^ w[2] ^ w[3];
	return ntohl(f);
}

#endif
