/*
 * One drlbd per interface.  Two directors forwarding from one interface
 * would each send every VIP frame to a real server: each frame twice.  So
 * the first drlbd on an interface holds a lock named by its network
 * namespace and the interface (/run/drlb/lock.NETNS.IF, flock'ed, released
 * by the kernel when the process ends however it ends), with its pid and
 * control socket in it; a second one refuses to start and names the first.
 */
#ifndef DRLBD_INSTANCE_H
#define DRLBD_INSTANCE_H

#include <stddef.h>

/* The lock's directory: the default control socket's (drlb/ctl.h). */
#define INSTANCE_LOCK_DIR	"/run/drlb"

/* Take ifname's lock for this process (socket: its control socket, for
 * the message a second drlbd gives).  The fd (>= 0) stays open while the
 * daemon runs; -1 with msg saying who holds it, or what failed. */
int instance_lock(const char *ifname, const char *socket_path, char *msg,
    size_t len);
/* A drlbd that ends gives the interface back, removing its lock file. */
void instance_unlock(int fd, const char *ifname);

#endif
