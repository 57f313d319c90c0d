/*
 * svc_auth.c - the built-in auth server's side of the services (see
 * svc.h): which sockets it serves, the master's check of its passwd-file,
 * and binding those sockets before anyone gives up root.
 */
#include "svc.h"
#include "../auth/passwd.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void sp_auth_add_path(struct sp_svcs *s, const struct sp_svc *svc, struct sp_diags *d)
{
	const char *p = svc->conf.sasl_path;
	char path[4096];

	if (p[0] == '/')
		snprintf(path, sizeof(path), "%s", p);
	else
		snprintf(path, sizeof(path), "%s/%s", svc->conf.queue_dir, p);
	for (int i = 0; i < s->nauth; i++)
		if (strcmp(s->auth[i].path, path) == 0)
			return;
	if (strlen(path) >= sizeof(s->auth[0].path)) {
		sp_diag_add(d, SP_ERROR, svc->ms->file, svc->ms->line, "smtpd_sasl_path",
			    "use a shorter queue_directory or socket name", "%s: too long for a "
			    "socket path (at most %zu bytes)", path, sizeof(s->auth[0].path) - 1);
		return;
	}
	if (s->nauth == SP_AUTH_SOCKS) {
		sp_diag_add(d, SP_ERROR, svc->ms->file, svc->ms->line, "smtpd_sasl_path",
			    "let the services share one socket", "more than %d auth sockets",
			    SP_AUTH_SOCKS);
		return;
	}
	memcpy(s->auth[s->nauth].path, path, strlen(path) + 1);   /* fits: checked above */
	s->auth[s->nauth++].fd = -1;
}

void sp_svcs_auth_paths(struct sp_svcs *s, struct sp_diags *d)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i]->conf_bad && s->v[i]->conf.sasl_enable && s->v[i]->conf.sasl_builtin)
			sp_auth_add_path(s, s->v[i], d);
	s->passwd_file = sp_view_get(&s->config->global, "auth_passwd_file");
}

int sp_svcs_auth_check(struct sp_svcs *s, struct sp_diags *d)
{
	struct sp_passwd *pw;

	if (s->nauth == 0)
		return 0;
	if (s->passwd_file == NULL || s->passwd_file[0] == 0) {
		sp_diag_add(d, SP_ERROR, NULL, 0, "auth_passwd_file", "name the file of logins "
			    "(sallyport user add NAME creates it)", "smtpd_sasl_type = sallyport "
			    "needs a passwd-file");
		return -1;
	}
	if ((pw = sp_passwd_load(s->passwd_file, d)) == NULL)
		return -1;
	if (sp_passwd_count(pw) == 0)
		sp_diag_add(d, SP_WARNING, s->passwd_file, 0, "auth_passwd_file",
			    "add one with: sallyport user add NAME", "no users: every login fails");
	sp_passwd_free(&pw);
	if (stat(s->passwd_file, &s->passwd_st) < 0)
		memset(&s->passwd_st, 0, sizeof(s->passwd_st));
	return 0;
}

/* The socket's directory, created when missing (0700: only mail_owner
 * reaches the socket, as Postfix's private/). */
static int sp_auth_dir(const char *path, const struct passwd *pw, struct sp_diags *d)
{
	char dir[sizeof(((struct sp_auth_sock *)0)->path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return 0;
		sp_diag_add(d, SP_ERROR, NULL, 0, "smtpd_sasl_path", NULL, "mkdir %s: %s", dir,
			    strerror(errno));
		return -1;
	}
	if (pw && chown(dir, pw->pw_uid, pw->pw_gid) < 0) {
		sp_diag_add(d, SP_ERROR, NULL, 0, "smtpd_sasl_path", NULL, "chown %s: %s", dir,
			    strerror(errno));
		return -1;
	}
	return 0;
}

static int sp_auth_bind_one(struct sp_auth_sock *a, const struct passwd *pw, struct sp_diags *d)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	if (sp_auth_dir(a->path, pw, d) < 0)
		return -1;
	/* a socket left by an earlier run (never a file of another kind) */
	if (lstat(a->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(a->path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(a->path, pw ? 0660 : 0600) < 0 ||
	    (pw && chown(a->path, pw->pw_uid, pw->pw_gid) < 0) || listen(fd, 128) < 0) {
		sp_diag_add(d, SP_ERROR, NULL, 0, "smtpd_sasl_path", "remove what is in the way, or "
			    "name another path", "cannot listen on %s: %s", a->path,
			    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	a->fd = fd;
	return 0;
}

int sp_svcs_auth_bind(struct sp_svcs *s, struct sp_diags *d)
{
	const char *owner = sp_view_get(&s->config->global, "mail_owner");
	struct passwd *pw = NULL;

	if (s->nauth == 0)
		return 0;
	if (geteuid() == 0 && (pw = getpwnam(owner ? owner : "")) == NULL) {
		sp_diag_add(d, SP_ERROR, NULL, 0, "mail_owner", NULL, "no account \"%s\"",
			    owner ? owner : "");
		return -1;
	}
	for (int i = 0; i < s->nauth; i++)
		if (s->auth[i].fd < 0 && sp_auth_bind_one(&s->auth[i], pw, d) < 0)
			return -1;
	return 0;
}

int sp_svcs_auth_stale(const struct sp_svcs *s)
{
	struct stat st;

	if (s->nauth == 0 || s->passwd_file == NULL)
		return 0;
	if (stat(s->passwd_file, &st) < 0)
		return s->passwd_st.st_ino != 0;
	return st.st_ino != s->passwd_st.st_ino || st.st_dev != s->passwd_st.st_dev ||
	       st.st_size != s->passwd_st.st_size ||
	       st.st_mtim.tv_sec != s->passwd_st.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != s->passwd_st.st_mtim.tv_nsec;
}
