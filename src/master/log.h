/*
 * log.h - where log lines go: standard error (foreground), the file
 * maillog_file names, or syslog(3) with syslog_facility; each line tagged
 * "syslog_name/program[pid]" as Postfix's are, so that fail2ban and
 * pflogsumm read them.
 */
#ifndef SP_MASTER_LOG_H
#define SP_MASTER_LOG_H

#include "../config/config.h"

enum sp_log_to { SP_LOG_STDERR, SP_LOG_FILE, SP_LOG_SYSLOG };

struct sp_log {
	enum sp_log_to to;
	char tag[128];        /* "postfix/smtpd" */
	char name[64];        /* syslog_name: "postfix" */
	int fd;               /* maillog_file, opened at setup (before any chroot) */
	char host[256];       /* the machine's name, read once */
	long pid;
	int facility;
};

/* Chooses the destination from the view; program is "smtpd", "master"... */
void sp_log_setup(struct sp_log *l, const struct sp_view *v, const char *program, int foreground);

/* Writes one line (the tag, pid and time are added). */
void sp_log_line(void *vl, const char *line);

/* The same under another program name ("qmgr" for the line Postfix's queue
 * manager writes when a message enters the active queue). */
void sp_log_line_as(void *vl, const char *program, const char *line);

void sp_logf(struct sp_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
