/*
 * Control-protocol framing, linked into both binaries (src/common/ctl_proto.c).
 * Library-like: returns -1 with errno set, never logs.
 */
#ifndef DRLB_CTL_H
#define DRLB_CTL_H

#include <stddef.h>
#include "drlb/ctl-t.h"

/* Write all of buf (retries on EINTR and short writes). */
int ctl_write_full(int fd, const void *buf, size_t len);
/* Read exactly len bytes; -1 with errno = EPIPE on a clean EOF before len. */
int ctl_read_full(int fd, void *buf, size_t len);

/* Send one message: header (magic, version, op, status) + body. */
int ctl_send(int fd, uint16_t op, int32_t status, const void *body, uint32_t len);

/*
 * Receive one message.  On success *body is malloc'ed (NULL when len == 0)
 * and owned by the caller.  Rejects a bad magic/version (EPROTO) and a body
 * over max_len (EMSGSIZE).
 */
int ctl_recv(int fd, struct drlb_ctl_hdr *hdr, void **body, uint32_t max_len);

/* Client side: connect to the daemon's socket (path NULL: $DRLB_SOCKET, then
 * the default).  Returns an fd or -1 with errno. */
int ctl_connect(const char *path);

/* Client side: one request, one reply.  Returns 0 when the exchange worked
 * (the daemon's verdict is in *status, 0 or a positive errno; on failure the
 * body is the error text), -1 with errno when it did not. */
int ctl_call(int fd, uint16_t op, const struct drlb_ctl_req *req,
    int32_t *status, void **body, uint32_t *len);

#endif
