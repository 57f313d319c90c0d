/*
 * dict_unix.c - the unix: table type, as Postfix has it: unix:passwd.byname
 * looks a user name up in the system's password database (the entry comes
 * back in passwd(5) form), unix:group.byname a group (name:passwd:gid:
 * members). Postfix's default local_recipient_maps uses the first: the
 * local recipients of mydestination are the system's accounts.
 */
#include "dict_impl.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

enum { SP_UNIX_PASSWD = 1, SP_UNIX_GROUP = 2 };

static int sp_unix_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	(void)diags;
	if (strcmp(d->name, "passwd.byname") == 0)
		d->priv = (void *)(long)SP_UNIX_PASSWD;
	else if (strcmp(d->name, "group.byname") == 0)
		d->priv = (void *)(long)SP_UNIX_GROUP;
	else {
		snprintf(err, errlen, "unix:%.60s: unknown map (write unix:passwd.byname or "
			 "unix:group.byname)", d->name);
		return -1;
	}
	return 0;
}

static int sp_unix_fail(struct sp_dict *d, int e, char *err, size_t errlen)
{
	if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM)
		return 0;   /* "no such entry", however the C library says it */
	snprintf(err, errlen, "unix:%s: %s", d->name, strerror(e));
	return -1;
}

static int sp_unix_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen)
{
	char buf[16384], out[20000];
	int n, e;

	if ((long)d->priv == SP_UNIX_PASSWD) {
		struct passwd pw, *res = NULL;
		if ((e = getpwnam_r(key, &pw, buf, sizeof(buf), &res)) != 0 || res == NULL)
			return sp_unix_fail(d, e, err, errlen);
		n = snprintf(out, sizeof(out), "%s:%s:%ld:%ld:%s:%s:%s", pw.pw_name, pw.pw_passwd,
			     (long)pw.pw_uid, (long)pw.pw_gid, pw.pw_gecos, pw.pw_dir, pw.pw_shell);
	} else {
		struct group gr, *res = NULL;
		if ((e = getgrnam_r(key, &gr, buf, sizeof(buf), &res)) != 0 || res == NULL)
			return sp_unix_fail(d, e, err, errlen);
		n = snprintf(out, sizeof(out), "%s:%s:%ld:", gr.gr_name, gr.gr_passwd, (long)gr.gr_gid);
		for (char **m = gr.gr_mem; n >= 0 && (size_t)n < sizeof(out) && *m; m++)
			n += snprintf(out + n, sizeof(out) - (size_t)n, "%s%s",
				      m == gr.gr_mem ? "" : ",", *m);
	}
	if (n < 0 || (size_t)n >= sizeof(out) || sp_buf_adds(&d->result, out) < 0) {
		snprintf(err, errlen, "unix:%s: entry for %.60s too long", d->name, key);
		return -1;
	}
	return 1;
}

const struct sp_dict_ops sp_dict_unix_ops = {
	.type = "unix",
	.open = sp_unix_open,
	.lookup = sp_unix_lookup,
	.folds = 1,
};
