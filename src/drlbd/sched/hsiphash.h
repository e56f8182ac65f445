/*
 * hsiphash as the Linux kernel computes it on 64-bit machines (lib/siphash.c,
 * BITS_PER_LONG == 64): there "HalfSipHash-1-3" is really SipHash-1-3 with
 * 64-bit key words, truncated to 32 bits ((v0 ^ v1) ^ (v2 ^ v3)).  32-bit
 * kernels compute true HalfSipHash-1-3 and get other values; drlb follows
 * the 64-bit one (x86_64, arm64), which is what IPVS mh tables come from on
 * the directors people run.
 *
 * Input bytes are read little-endian, as the kernel's le64/le32 loads do.
 * hsiphash_1u32(x) is the kernel's hsiphash(&x, 4, key) on a little-endian
 * machine (what ip_vs_mh.c calls): we hash the value, not its memory bytes,
 * so a big-endian drlb computes the same tables as an x86_64 director.
 *
 * Header-only (static inline) so the mh scheduler keeps exporting nothing but
 * its ops struct and the unit test can check the test vectors.
 */
#ifndef DRLBD_SCHED_HSIPHASH_H
#define DRLBD_SCHED_HSIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct hsiphash_key {
	uint64_t key[2];	/* the kernel's hsiphash_key_t on 64-bit */
};

#define HSIPHASH_ROL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define HSIPHASH_ROUND do {						\
	v0 += v1; v1 = HSIPHASH_ROL64(v1, 13); v1 ^= v0;		\
	v0 = HSIPHASH_ROL64(v0, 32);					\
	v2 += v3; v3 = HSIPHASH_ROL64(v3, 16); v3 ^= v2;		\
	v0 += v3; v3 = HSIPHASH_ROL64(v3, 21); v3 ^= v0;		\
	v2 += v1; v1 = HSIPHASH_ROL64(v1, 17); v1 ^= v2;		\
	v2 = HSIPHASH_ROL64(v2, 32);					\
} while (0)

/* PREAMBLE(len): "somepseudorandomlygeneratedbytes" xor the key */
#define HSIPHASH_PREAMBLE(len)						\
	uint64_t v0 = 0x736f6d6570736575ULL ^ key->key[0];		\
	uint64_t v1 = 0x646f72616e646f6dULL ^ key->key[1];		\
	uint64_t v2 = 0x6c7967656e657261ULL ^ key->key[0];		\
	uint64_t v3 = 0x7465646279746573ULL ^ key->key[1];		\
	uint64_t b = ((uint64_t)(len)) << 56

/* one compression round per block, three finalization rounds (1-3) */
#define HSIPHASH_POSTAMBLE						\
	v3 ^= b;							\
	HSIPHASH_ROUND;							\
	v0 ^= b;							\
	v2 ^= 0xff;							\
	HSIPHASH_ROUND;							\
	HSIPHASH_ROUND;							\
	HSIPHASH_ROUND;							\
	return (uint32_t)((v0 ^ v1) ^ (v2 ^ v3))

static inline uint64_t
hsiphash_le64(const uint8_t *p, size_t n)
{
	uint64_t m = 0;

	while (n-- > 0)
		m = (m << 8) | p[n];
	return m;
}

/* The kernel's hsiphash(data, len, key), any length. */
static inline uint32_t
hsiphash(const void *data, size_t len, const struct hsiphash_key *key)
{
	const uint8_t *p = data;
	size_t left = len & 7, i;
	uint64_t m;
	HSIPHASH_PREAMBLE(len);

	for (i = 0; i + 8 <= len; i += 8) {
		m = hsiphash_le64(p + i, 8);
		v3 ^= m;
		HSIPHASH_ROUND;
		v0 ^= m;
	}
	if (left)
		b |= hsiphash_le64(p + i, left);
	HSIPHASH_POSTAMBLE;
}

/* The kernel's hsiphash_1u32(first, key) == hsiphash(&first, 4, key) on LE. */
static inline uint32_t
hsiphash_1u32(uint32_t first, const struct hsiphash_key *key)
{
	HSIPHASH_PREAMBLE(4);

	b |= first;
	HSIPHASH_POSTAMBLE;
}

#endif
