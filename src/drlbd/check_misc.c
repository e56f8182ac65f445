/*
 * MISC_CHECK: run misc_path (with /bin/sh -c, so it may carry arguments) in
 * a child and judge its exit status, as keepalived does:
 *   0        up
 *   1        down
 *   2..255   with misc_dynamic: up, weight = status - 2; without: down
 * The child runs as drlbd does after start (nobody, no capabilities), in its
 * own process group, with stdin and stdout on /dev/null and none of
 * drlbd's other descriptors.  The loop never waits for it: the core looks
 * at it each tick (waitpid WNOHANG); past misc_timeout its process group is
 * killed and the child reaped later if it does not go at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checker.h"

#define REAP_MAX 64

static pid_t reap_later[REAP_MAX];

void
check_misc_reap(void)
{
	for (int i = 0; i < REAP_MAX; i++)
		if (reap_later[i] > 0 &&
		    waitpid(reap_later[i], NULL, WNOHANG) != 0)
			reap_later[i] = 0;
}

static void
child(const char *cmd)
{
	sigset_t none;
	int fd;

	setpgid(0, 0);
	/* drlbd ignores SIGPIPE and may block signals: the command should not */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* stdin and stdout from/to /dev/null; stderr stays drlbd's (in the
	 * foreground, its log: what the command complains about shows) */
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 1)
			close(fd);
	}
	/* none of the packet sockets, the control socket ... */
	if (close_range(3, ~0u, 0) < 0)
		for (fd = 3; fd < 4096; fd++)
			close(fd);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

static int
misc_start(struct check *c)
{
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(c->why, sizeof(c->why), "fork: %s", strerror(errno));
		return CHECK_FAIL;
	}
	if (pid == 0)
		child(c->conf.misc_path);
	setpgid(pid, pid);		/* both sides: no race with kill(-pid) */
	c->pid = pid;
	return CHECK_PENDING;
}

static int
misc_step(struct check *c, short revents)
{
	int st, code;
	pid_t r;

	(void)revents;
	if (c->pid <= 0)
		return CHECK_PENDING;
	r = waitpid(c->pid, &st, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return CHECK_PENDING;
	c->pid = 0;
	if (r < 0) {
		snprintf(c->why, sizeof(c->why), "waitpid: %s", strerror(errno));
		return CHECK_FAIL;
	}
	if (WIFSIGNALED(st)) {
		snprintf(c->why, sizeof(c->why), "killed by signal %d",
		    WTERMSIG(st));
		return CHECK_FAIL;
	}
	code = WEXITSTATUS(st);
	if (code == 0) {
		snprintf(c->why, sizeof(c->why), "exit 0");
		return CHECK_OK;
	}
	if (code >= 2 && c->conf.misc_dynamic) {
		c->dyn_weight = code - 2;
		snprintf(c->why, sizeof(c->why), "exit %d: weight %d", code,
		    code - 2);
		return CHECK_OK;
	}
	snprintf(c->why, sizeof(c->why), "exit %d%s", code,
	    code == 127 ? " (command not found?)" : "");
	return CHECK_FAIL;
}

static void
misc_stop(struct check *c, int timed_out)
{
	if (timed_out)
		snprintf(c->why, sizeof(c->why), "no exit within %u ms, killed",
		    c->conf.misc_timeout_ms);
	if (c->pid <= 0)
		return;
	kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	if (waitpid(c->pid, NULL, WNOHANG) == 0) {
		int i;

		for (i = 0; i < REAP_MAX && reap_later[i] > 0; i++)
			;
		if (i < REAP_MAX)
			reap_later[i] = c->pid;
		/* else: a zombie until drlbd exits; it holds no resources */
	}
	c->pid = 0;
}

static void
misc_describe(const struct check *c, char *buf, size_t len)
{
	snprintf(buf, len, "MISC_CHECK %.60s", c->conf.misc_path);
}

const struct check_ops check_misc_ops = {
	.name = "MISC_CHECK",
	.start = misc_start,
	.step = misc_step,
	.stop = misc_stop,
	.describe = misc_describe,
};
