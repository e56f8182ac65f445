/*
 * Becoming a daemon only once start-up has succeeded.  detach_begin forks
 * at once: the parent waits, the child starts up with the terminal's stderr
 * (so every refusal is seen where drlbd was started) and calls detach_done
 * when it runs.  The parent then exits 0; if the child dies first, the
 * parent exits with its status, 1 at least.  What started drlbd (a shell,
 * systemd's Type=forking) sees one exit status that says whether it runs.
 */
#ifndef DRLBD_DETACH_H
#define DRLBD_DETACH_H

/* In the child, returns; the parent never returns.  -1: fork failed. */
int detach_begin(void);
/* The child runs: new session, / as cwd, stdio to /dev/null, the parent
 * told. */
void detach_done(void);

#endif
