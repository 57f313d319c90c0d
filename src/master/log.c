/*
 * log.c - log destinations (see log.h).
 */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static int sp_facility(const char *name)
{
	static const struct {
		const char *name;
		int code;
	} map[] = {
		{"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"local0", LOG_LOCAL0},
		{"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
		{"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},
		{"local7", LOG_LOCAL7}, {"user", LOG_USER},
	};

	for (size_t i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i].name) == 0)
			return map[i].code;
	return LOG_MAIL;
}

void sp_log_setup(struct sp_log *l, const struct sp_view *v, const char *program, int foreground)
{
	const char *name = sp_view_get(v, "syslog_name");
	const char *file = sp_view_get(v, "maillog_file");

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (gethostname(l->host, sizeof(l->host) - 1) != 0)
		snprintf(l->host, sizeof(l->host), "localhost");
	l->pid = (long)getpid();
	snprintf(l->name, sizeof(l->name), "%s", name && *name ? name : "postfix");
	snprintf(l->tag, sizeof(l->tag), "%s/%s", l->name, program);
	l->facility = sp_facility(sp_view_get(v, "syslog_facility"));
	if (foreground) {
		l->to = SP_LOG_STDERR;
	} else if (file && *file &&
		   (l->fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) >= 0) {
		l->to = SP_LOG_FILE;
	} else {
		l->to = SP_LOG_SYSLOG;
		openlog(l->tag, LOG_PID | LOG_NDELAY, l->facility);
	}
}

static void sp_log_tagged(struct sp_log *l, const char *tag, const char *line);

void sp_log_line(void *vl, const char *line)
{
	struct sp_log *l = vl;

	sp_log_tagged(l, l->tag, line);
}

void sp_log_line_as(void *vl, const char *program, const char *line)
{
	struct sp_log *l = vl;
	char tag[200];

	snprintf(tag, sizeof(tag), "%s/%s", l->name, program);
	sp_log_tagged(l, tag, line);
}

static void sp_log_tagged(struct sp_log *l, const char *tag, const char *line)
{
	char stamp[32], buf[4096];
	time_t t;
	struct tm tm;
	int n;

	if (l->to == SP_LOG_SYSLOG) {
		if (tag == l->tag)
			syslog(LOG_INFO, "%s", line);
		else   /* another program name: syslog(3) takes the ident from openlog */
			syslog(LOG_INFO, "%s: %s", tag, line);
		return;
	}
	t = time(NULL);
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(buf, sizeof(buf), "%s %s %s[%ld]: %s\n", stamp, l->host, tag, l->pid, line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1, buf[n - 1] = '\n';
	if (l->to == SP_LOG_STDERR) {
		(void)!write(2, buf, (size_t)n);
		return;
	}
	/* one write per line with O_APPEND: lines of several processes do not mix */
	(void)!write(l->fd, buf, (size_t)n);
}

void sp_logf(struct sp_log *l, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sp_log_line(l, line);
}
