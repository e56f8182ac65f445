/*
 * Addresses of either family (union drlb_inaddr): length, comparison and
 * text, in one place for both binaries.
 */
#ifndef DRLB_ADDR_H
#define DRLB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "drlb/svc-t.h"

/* Bytes of an address of family af that count (IPv4: the first 4). */
static inline size_t
drlb_addr_len(unsigned af)
{
	return af == AF_INET6 ? 16 : 4;
}

static inline bool
drlb_addr_eq(unsigned af, const union drlb_inaddr *a,
    const union drlb_inaddr *b)
{
	return memcmp(a, b, drlb_addr_len(af)) == 0;
}

/* Large enough for "[ffff:...:255.255.255.255]:65535". */
#define DRLB_ADDRPORT_STRLEN	(46 + 8)

/* "198.18.0.1" / "2001:db8::1" into buf; returns buf. */
const char *drlb_addr_str(char *buf, size_t len, unsigned af,
    const union drlb_inaddr *a);
/* "198.18.0.1:80" / "[2001:db8::1]:80" into buf; returns buf. */
const char *drlb_addrport_str(char *buf, size_t len, unsigned af,
    const union drlb_inaddr *a, uint16_t port);

#endif
