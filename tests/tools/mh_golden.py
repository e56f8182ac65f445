#!/usr/bin/env python3
"""
Golden values for tests/unit/test_sched_mh.c's larger tables: a
transliteration of Linux 6.12's net/netfilter/ipvs/ip_vs_mh.c
(ip_vs_mh_hashkey, _permutate, _populate, _gcd_weight, _shift_weight) and
lib/siphash.c's 64-bit hsiphash (SipHash-1-3), written from the kernel
sources, not from drlb's mh.c.  Checks itself against the kernel's
hsiphash test vectors first.

    python3 tests/tools/mh_golden.py M INDEX w1 w2 ...
    python3 tests/tools/mh_golden.py M INDEX --many N

M: the table size (a kernel with CONFIG_IP_VS_MH_TAB_INDEX = INDEX has
primes[INDEX - 8]); dests 198.18.0.7, .8, ... with weights w1, w2, ...,
or N dests 198.18.0.0 + 256 + j of weight 1, added in this order (the
list is newest first); port 80.  A dest's id is its address - 198.18.0.0.
Prints how many slots each id owns and sum(slot * id), then the owners of
the clients 198.18.0.0 + i, i < 2^17 (the whole 198.18.0.0/15, no
mh-port): how many distinct, how many clients each of the first ids got,
and sum(i * id).
"""
import sys

M64 = (1 << 64) - 1


def rol(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def sipround(v):
    v0, v1, v2, v3 = v
    v0 = (v0 + v1) & M64; v1 = rol(v1, 13); v1 ^= v0; v0 = rol(v0, 32)
    v2 = (v2 + v3) & M64; v3 = rol(v3, 16); v3 ^= v2
    v0 = (v0 + v3) & M64; v3 = rol(v3, 21); v3 ^= v0
    v2 = (v2 + v1) & M64; v1 = rol(v1, 17); v1 ^= v2; v2 = rol(v2, 32)
    return [v0, v1, v2, v3]


def hsiphash(data, key):
    """__hsiphash_unaligned, BITS_PER_LONG == 64"""
    n = len(data)
    v = [0x736f6d6570736575 ^ key[0], 0x646f72616e646f6d ^ key[1],
         0x6c7967656e657261 ^ key[0], 0x7465646279746573 ^ key[1]]
    b = (n << 56) & M64
    end = n - n % 8
    for i in range(0, end, 8):
        m = int.from_bytes(data[i:i + 8], 'little')
        v[3] ^= m
        v = sipround(v)
        v[0] ^= m
    b |= int.from_bytes(data[end:], 'little')
    v[3] ^= b
    v = sipround(v)
    v[0] ^= b
    v[2] ^= 0xff
    for _ in range(3):
        v = sipround(v)
    return (v[0] ^ v[1] ^ v[2] ^ v[3]) & 0xffffffff


# lib/test_siphash.c, hsiphash with the key 0x0706050403020100,
# 0x0f0e0d0c0b0a0908 over bytes 0 .. i - 1 (64-bit), the first 8
VECTORS = [0x050fc4dc, 0x7d57ca93, 0x4dc7d44d, 0xe7ddf7fb, 0x88d38328,
           0x49533b67, 0xc59f22a7, 0x9bb11140]
TKEY = (0x0706050403020100, 0x0f0e0d0c0b0a0908)
for i, want in enumerate(VECTORS):
    assert hsiphash(bytes(range(i)), TKEY) == want, i

HASH1 = (2654435761, 2654435761)
HASH2 = (2654446892, 2654446892)


def hashkey(addr, port, key, offset):
    v = (offset + port + addr) & 0xffffffff
    return hsiphash(v.to_bytes(4, 'little'), key)


def fls(x):
    return x.bit_length()


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def build(m, index, dests):
    """dests: [(addr, weight)] in list order (newest first)"""
    bits = index // 2
    g = 0
    for _, w in dests:
        if w > 0:
            g = gcd(w, g) if g > 0 else w
    lookup = [None] * m
    if g < 1:
        return lookup
    mw = max(w for _, w in dests) // g
    rshift = max(fls(mw) - bits, 0)
    ds = []
    for addr, lw in dests:
        off = hashkey(addr, 80, HASH1, 0) % m
        skip = hashkey(addr, 80, HASH2, 0) % (m - 1) + 1
        turns = ((lw // g) >> rshift) or (1 if lw != 0 else 0)
        ds.append([off, skip, off, turns])
    used = bytearray(m)
    n = 0
    dt = 0
    while True:
        p = 0
        while p < len(ds):
            d = ds[p]
            if d[3] < 1:
                p += 1
                continue
            c = d[2]
            while used[c]:
                d[2] += d[1]
                if d[2] >= m:
                    d[2] -= m
                c = d[2]
            used[c] = 1
            lookup[c] = p
            n += 1
            if n == m:
                return lookup
            dt += 1
            if dt >= d[3]:
                dt = 0
                p += 1


def main():
    m, index = int(sys.argv[1]), int(sys.argv[2])
    if sys.argv[3] == '--many':
        added = [(0xc6120000 + 256 + j, 1) for j in range(int(sys.argv[4]))]
    else:
        added = [(0xc6120000 + 7 + j, int(w))
                 for j, w in enumerate(sys.argv[3:])]
    dests = list(reversed(added))
    lookup = build(m, index, dests)
    ids = [a - 0xc6120000 for a, _ in dests]
    cnt = {}
    fp = 0
    for c, p in enumerate(lookup):
        o = ids[p] if p is not None else 0
        cnt[o] = cnt.get(o, 0) + 1
        fp += c * o
    print("slots", sorted(cnt.items())[:4], "owners", len(cnt),
          "fingerprint", fp)
    kc = {}
    kfp = 0
    for i in range(1 << 17):
        p = lookup[hsiphash((0xc6120000 + i).to_bytes(4, 'little'),
                            HASH1) % m]
        o = ids[p] if p is not None else 0
        kc[o] = kc.get(o, 0) + 1
        kfp += i * o
    print("clients", sorted(kc.items())[:4], "owners", len(kc),
          "fingerprint", kfp)


main()
