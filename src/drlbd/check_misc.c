/*
 * MISC_CHECK: run misc_path (with /bin/sh -c, so it may carry arguments) in
 * a child and judge its exit status, as keepalived does:
 *   0        up
 *   1        down
 *   2..255   with misc_dynamic: up, weight = status - 2; without: down
 * The child runs as drlbd does after start (nobody, no capabilities), in its
 * own process group, with stdin on /dev/null, stdout and stderr on a pipe
 * whose lines go to drlbd's log under the checker's name, and none of
 * drlbd's other descriptors.  The loop never waits for it: the pipe is
 * polled, the core looks at the child each tick (waitpid WNOHANG); past
 * misc_timeout its process group is killed and the child reaped later if it
 * does not go at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checker.h"
#include "log.h"

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
child(const char *cmd, int out)
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
	if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	/* what the command says goes to drlbd's log */
	dup2(out, 1);
	dup2(out, 2);
	/* none of the packet sockets, the control socket ... */
	if (close_range(3, ~0u, 0) < 0)
		for (fd = 3; fd < 4096; fd++)
			close(fd);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int
check_spawn(const char *cmd, pid_t *pid, int *fd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((*pid = fork()) < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (*pid == 0)
		child(cmd, p[1]);
	setpgid(*pid, *pid);		/* both sides: no race with kill(-pid) */
	close(p[1]);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	*fd = p[0];
	return 0;
}

static void
out_line(struct check_out *o, const char *label)
{
	o->buf[o->len] = '\0';
	if (o->len > 0)
		log_info("%s: %s", label, o->buf);
	o->len = 0;
}

int
check_output(int fd, struct check_out *o, const char *label)
{
	char b[512];

	for (;;) {
		ssize_t n = read(fd, b, sizeof(b));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			out_line(o, label);
			return 1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (b[i] == '\n' || o->len == sizeof(o->buf) - 1) {
				out_line(o, label);
				if (b[i] == '\n')
					continue;
			}
			if (b[i] != '\r')
				o->buf[o->len++] = b[i];
		}
	}
}

struct misc {
	struct check_out out;
	char label[256];
};

static void
misc_drain(struct check *c)
{
	struct misc *m = c->priv;

	if (c->fd >= 0 && m != NULL && check_output(c->fd, &m->out,
	    m->label) == 0)
		return;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
}

static int
misc_start(struct check *c)
{
	struct misc *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(c->why, sizeof(c->why), "out of memory");
		return CHECK_FAIL;
	}
	c->priv = m;
	snprintf(m->label, sizeof(m->label), "MISC_CHECK of %s (%.100s)",
	    c->rs_name ? c->rs_name : "?", c->conf.misc_path);
	if (check_spawn(c->conf.misc_path, &c->pid, &c->fd) < 0) {
		snprintf(c->why, sizeof(c->why), "fork: %s", strerror(errno));
		c->pid = 0;
		return CHECK_FAIL;
	}
	c->events = POLLIN;
	return CHECK_PENDING;
}

static int
misc_step(struct check *c, short revents)
{
	int st, code;
	pid_t r;

	if (revents != 0) {
		misc_drain(c);
		return CHECK_PENDING;
	}
	if (c->pid <= 0)
		return CHECK_PENDING;
	r = waitpid(c->pid, &st, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return CHECK_PENDING;
	c->pid = 0;
	/* what it wrote before it exited */
	misc_drain(c);
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
	if (c->pid > 0) {
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
		if (waitpid(c->pid, NULL, WNOHANG) == 0) {
			int i;

			for (i = 0; i < REAP_MAX && reap_later[i] > 0; i++)
				;
			if (i < REAP_MAX)
				reap_later[i] = c->pid;
			/* else: a zombie until drlbd exits; it holds nothing */
		}
		c->pid = 0;
	}
	misc_drain(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	free(c->priv);
	c->priv = NULL;
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
