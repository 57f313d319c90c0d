/*
 * user.c - `sallyport user [-c DIR] add|passwd NAME [--stdin] | del NAME |
 * list`: the logins of the built-in auth server, in auth_passwd_file. A
 * password is read from the terminal without echo (twice), or as one line
 * from standard input for scripts; the file is locked, edited line-wise
 * (everything else kept) and replaced atomically; a running server is
 * told to reload. Arguments and output only: the file format is
 * src/auth/passwd.h.
 */
#include "cli.h"
#include "../auth/mech.h"
#include "../auth/passwd.h"
#include "../config/config.h"
#include "../master/master.h"
#include "../util/file.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#define SP_PASS_MIN 8

static int sp_user_usage(void)
{
	fprintf(stderr, "usage: sallyport user [-c DIR] add NAME [--stdin]\n"
		"       sallyport user [-c DIR] passwd NAME [--stdin]\n"
		"       sallyport user [-c DIR] del NAME\n"
		"       sallyport user [-c DIR] list\n");
	return 2;
}

/* One line from fp into buf without its newline; -1 at EOF or when too long. */
static int sp_read_line(FILE *fp, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, fp) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	else if (!feof(fp))
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = 0;
	return 0;
}

static int sp_prompt(FILE *tty, const char *what, char *buf, size_t len)
{
	struct termios old, quiet;
	int rc;

	fputs(what, tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(fileno(tty), TCSAFLUSH, &quiet) < 0)
		return -1;
	rc = sp_read_line(tty, buf, len);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	return rc;
}

/* The new password: from the terminal (twice) or one line on stdin. */
static int sp_get_password(int from_stdin, char *pw, size_t len)
{
	char again[SP_MECH_PASS_MAX + 2];
	FILE *tty;
	int rc = -1;

	if (from_stdin || !isatty(STDIN_FILENO)) {
		if (sp_read_line(stdin, pw, len) < 0) {
			fprintf(stderr, "sallyport: no password on standard input (one line, at most "
				"%d bytes)\n", SP_MECH_PASS_MAX);
			return -1;
		}
	} else {
		if ((tty = fopen("/dev/tty", "r+")) == NULL) {
			fprintf(stderr, "sallyport: /dev/tty: %s (use --stdin)\n", strerror(errno));
			return -1;
		}
		if (sp_prompt(tty, "New password: ", pw, len) == 0 &&
		    sp_prompt(tty, "Retype new password: ", again, sizeof(again)) == 0) {
			rc = strcmp(pw, again) == 0 ? 0 : -2;
		}
		fclose(tty);
		explicit_bzero(again, sizeof(again));
		if (rc == -2)
			fprintf(stderr, "sallyport: the passwords differ; nothing changed\n");
		if (rc < 0)
			return -1;
	}
	if (strlen(pw) < SP_PASS_MIN || strlen(pw) > SP_MECH_PASS_MAX) {
		fprintf(stderr, "sallyport: a password needs %d to %d characters; nothing changed\n",
			SP_PASS_MIN, SP_MECH_PASS_MAX);
		return -1;
	}
	return 0;
}

/* Tells a running master to reload, which restarts the auth server. */
static void sp_user_reload(const char *dir)
{
	struct sp_diags d = {0};
	char pidfile[1024];
	int pid = sp_master_pid(dir, pidfile, sizeof(pidfile), &d);

	sp_diags_free(&d);
	if (pid > 0 && kill(pid, SIGHUP) == 0)
		printf("sallyport: the running server reloads its logins\n");
}

/* Applies one edit under the file's lock. */
static int sp_user_edit(const char *path, const char *name, const char *hash, int add)
{
	char lockpath[4200], *text = NULL;
	size_t len = 0;
	struct sp_buf out;
	enum sp_passwd_edit_rc rc;
	int lock, ret = 1;

	snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
	if ((lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(lock, LOCK_EX) < 0) {
		fprintf(stderr, "sallyport: %s: %s\n", lockpath, strerror(errno));
		if (lock >= 0)
			close(lock);
		return 1;
	}
	if (sp_file_read(path, SP_PASSWD_FILE_MAX, &text, &len) < 0 && !(errno == ENOENT && add)) {
		fprintf(stderr, "sallyport: %s: %s\n", path, strerror(errno));
		goto out;
	}
	sp_buf_init(&out, SP_PASSWD_FILE_MAX);
	rc = sp_passwd_edit(text ? text : "", len, name, hash, add, &out);
	if (rc == SP_PWE_EXISTS)
		fprintf(stderr, "sallyport: %s is already a user (sallyport user passwd %s "
			"changes the password)\n", name, name);
	else if (rc == SP_PWE_NOT_FOUND)
		fprintf(stderr, "sallyport: no user %s in %s\n", name, path);
	else if (rc != SP_PWE_OK)
		fprintf(stderr, "sallyport: %s: cannot edit (too large?)\n", path);
	else if (sp_file_replace(path, out.data ? out.data : "", out.len, 0600) < 0)
		fprintf(stderr, "sallyport: cannot write %s: %s\n", path, strerror(errno));
	else
		ret = 0;
	sp_buf_free(&out);
out:
	free(text);
	close(lock);
	return ret;
}

static int sp_user_list(const char *path)
{
	struct sp_diags d = {0};
	struct sp_passwd *p = sp_passwd_load(path, &d);

	sp_diags_print(&d, stderr);
	sp_diags_free(&d);
	if (p == NULL)
		return 2;
	for (size_t i = 0; i < sp_passwd_count(p); i++)
		printf("%s\n", sp_passwd_user(p, i));
	sp_passwd_free(&p);
	return 0;
}

/* add, passwd, del: NAME in lower case (logins are matched so). */
static int sp_user_change(const char *dir, const char *path, const char *verb, char *name,
			  int from_stdin)
{
	char pw[SP_MECH_PASS_MAX + 2], hash[512];
	int add = strcmp(verb, "add") == 0, del = strcmp(verb, "del") == 0, rc;

	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!sp_passwd_name_ok(name)) {
		fprintf(stderr, "sallyport: \"%s\" cannot be a login name (1 to 255 characters, no "
			"':', space or control character)\n", name);
		return 2;
	}
	if (!del) {
		if (sp_get_password(from_stdin, pw, sizeof(pw)) < 0)
			return 1;
		rc = sp_passwd_hash(pw, hash, sizeof(hash));
		explicit_bzero(pw, sizeof(pw));
		if (rc < 0) {
			fprintf(stderr, "sallyport: cannot hash the password: %s\n", strerror(errno));
			return 1;
		}
	}
	if (sp_user_edit(path, name, del ? NULL : hash, add) != 0)
		return 1;
	explicit_bzero(hash, sizeof(hash));
	printf("sallyport: %s %s in %s\n", name, add ? "added" : del ? "deleted" :
	       "has a new password", path);
	sp_user_reload(dir);
	return 0;
}

int sp_cmd_user(int argc, char **argv)
{
	struct sp_diags d = {0};
	const char *dir = NULL, *path;
	struct sp_config *c;
	int opt, from_stdin = 0, rc;

	while ((opt = getopt(argc, argv, "+c:")) != -1) {
		if (opt != 'c')
			return sp_user_usage();
		dir = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc >= 3 && strcmp(argv[2], "--stdin") == 0) {
		from_stdin = 1;
		argc--;
	}
	if (argc < 1 || (strcmp(argv[0], "list") == 0) != (argc == 1) || argc > 2)
		return sp_user_usage();
	if (strcmp(argv[0], "list") != 0 && strcmp(argv[0], "add") != 0 &&
	    strcmp(argv[0], "passwd") != 0 && strcmp(argv[0], "del") != 0)
		return sp_user_usage();
	dir = sp_cli_config_dir(dir);
	if ((c = sp_config_load(dir, NULL, &d)) == NULL || d.errors) {
		sp_diags_print(&d, stderr);
		sp_diags_free(&d);
		sp_config_free(c);
		return 2;
	}
	sp_diags_free(&d);
	path = sp_view_get(&c->global, "auth_passwd_file");
	if (strcmp(argv[0], "list") == 0)
		rc = sp_user_list(path);
	else
		rc = sp_user_change(dir, path, argv[0], argv[1], from_stdin);
	sp_config_free(c);
	return rc;
}
