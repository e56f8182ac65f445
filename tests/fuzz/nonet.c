/*
 * Fuzzing must never touch the network: an input like "-t somename:80"
 * would make the parser resolve "somename".  These definitions replace
 * libc's resolver in the fuzz binaries (link-time interposition): numeric
 * addresses work, names do not resolve, and nothing is ever sent.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	struct addrinfo *ai;
	struct sockaddr_storage *ss;
	int af = hints ? hints->ai_family : AF_UNSPEC;
	/* a numeric port, and the socket type asked for: fuzz_metrics
	 * listens on 127.0.0.1, port 0 (the kernel's pick) */
	uint16_t port = service ? htons((uint16_t)atoi(service)) : 0;

	if (node == NULL)
		return EAI_NONAME;
	ai = calloc(1, sizeof(*ai) + sizeof(*ss));
	if (ai == NULL)
		return EAI_MEMORY;
	ss = (struct sockaddr_storage *)(ai + 1);
	if ((af == AF_UNSPEC || af == AF_INET) &&
	    inet_pton(AF_INET, node, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		ai->ai_addrlen = sizeof(struct sockaddr_in);
	} else if ((af == AF_UNSPEC || af == AF_INET6) &&
	    inet_pton(AF_INET6, node, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		ai->ai_addrlen = sizeof(struct sockaddr_in6);
	} else {
		free(ai);
		return EAI_NONAME;
	}
	((struct sockaddr_in *)ss)->sin_port = port;	/* sin6_port: same place */
	ai->ai_family = ss->ss_family;
	ai->ai_socktype = hints ? hints->ai_socktype : 0;
	ai->ai_protocol = hints ? hints->ai_protocol : 0;
	ai->ai_addr = (struct sockaddr *)ss;
	*res = ai;
	return 0;
}

void
freeaddrinfo(struct addrinfo *res)
{
	while (res != NULL) {
		struct addrinfo *next = res->ai_next;
		free(res);
		res = next;
	}
}

int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	(void)sa; (void)salen; (void)host; (void)hostlen; (void)serv;
	(void)servlen; (void)flags;
	return EAI_NONAME;
}

struct hostent *
gethostbyaddr(const void *addr, socklen_t len, int type)
{
	(void)addr; (void)len; (void)type;
	return NULL;
}

struct hostent *
gethostbyname(const char *name)
{
	(void)name;
	return NULL;
}
