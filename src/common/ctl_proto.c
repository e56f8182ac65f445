/*
 * Control-protocol framing (see include/drlb/ctl-t.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "drlb/ctl.h"

int
ctl_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ctl_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ctl_send(int fd, uint16_t op, int32_t status, const void *body, uint32_t len)
{
	struct drlb_ctl_hdr h = {
		.magic = DRLB_CTL_MAGIC,
		.version = DRLB_CTL_VERSION,
		.op = op,
		.status = status,
		.len = len,
	};

	if (ctl_write_full(fd, &h, sizeof(h)) < 0)
		return -1;
	if (len > 0 && ctl_write_full(fd, body, len) < 0)
		return -1;
	return 0;
}

int
ctl_recv(int fd, struct drlb_ctl_hdr *hdr, void **body, uint32_t max_len)
{
	void *b = NULL;

	*body = NULL;
	if (ctl_read_full(fd, hdr, sizeof(*hdr)) < 0)
		return -1;
	if (hdr->magic != DRLB_CTL_MAGIC || hdr->version != DRLB_CTL_VERSION) {
		errno = EPROTO;
		return -1;
	}
	if (hdr->len > max_len) {
		errno = EMSGSIZE;
		return -1;
	}
	if (hdr->len > 0) {
		/* one spare NUL byte so that error texts are always terminated */
		if ((b = calloc(1, (size_t)hdr->len + 1)) == NULL)
			return -1;
		if (ctl_read_full(fd, b, hdr->len) < 0) {
			int e = errno;
			free(b);
			errno = e;
			return -1;
		}
	}
	*body = b;
	return 0;
}

int
ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (path == NULL)
		path = getenv("DRLB_SOCKET");
	if (path == NULL || *path == '\0')
		path = DRLB_SOCKET_DEFAULT;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
ctl_call(int fd, uint16_t op, const struct drlb_ctl_req *req,
    int32_t *status, void **body, uint32_t *len)
{
	struct drlb_ctl_hdr h;
	struct drlb_ctl_req zero;

	if (req == NULL) {
		memset(&zero, 0, sizeof(zero));
		req = &zero;
	}
	if (ctl_send(fd, op, 0, req, sizeof(*req)) < 0)
		return -1;
	if (ctl_recv(fd, &h, body, DRLB_CTL_MAX_REPLY) < 0)
		return -1;
	if (h.op != op) {
		free(*body);
		*body = NULL;
		errno = EPROTO;
		return -1;
	}
	*status = h.status;
	*len = h.len;
	return 0;
}
