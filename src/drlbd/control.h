/*
 * The control socket: drlbadm's requests (the protocol is drlb/ctl.h's),
 * served from the event loop (control_source, arg the struct control).
 * What a client may do follows from its credentials: root and the socket's
 * owner may change rules, members of the socket's group may read.
 */
#ifndef DRLBD_CONTROL_H
#define DRLBD_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

struct control;
struct drlbd;
struct loop_source;

/* Create the socket at path (its directory too), mode 0660; refuses to
 * take over the socket of a drlbd that is alive.  Requests are applied to
 * d. */
struct control *control_listen(const char *path, struct drlbd *d, char *err,
    size_t errlen);
void control_close(struct control *c);
/* chgrp the socket: that group may read (listings, counters, trace) */
int control_set_group(struct control *c, gid_t gid);

extern const struct loop_source control_source;

#endif
