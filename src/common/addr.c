/* Addresses as text; see drlb/addr.h. */
#include <arpa/inet.h>
#include <stdio.h>

#include "drlb/addr.h"

const char *
drlb_addr_str(char *buf, size_t len, unsigned af, const union drlb_inaddr *a)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(af == AF_INET6 ? AF_INET6 : AF_INET, a, s, sizeof(s)) ==
	    NULL)
		s[0] = '\0';
	snprintf(buf, len, "%s", s);
	return buf;
}

const char *
drlb_addrport_str(char *buf, size_t len, unsigned af,
    const union drlb_inaddr *a, uint16_t port)
{
	char s[INET6_ADDRSTRLEN];

	drlb_addr_str(s, sizeof(s), af, a);
	snprintf(buf, len, af == AF_INET6 ? "[%s]:%u" : "%s:%u", s, port);
	return buf;
}
