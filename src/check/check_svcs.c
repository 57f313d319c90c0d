/*
 * check_svcs.c - the auditor on the services `start` loads (see check.h):
 * what `sallyport check`, `start` and `reload` share.
 */
#include "check.h"
#include "../master/svc.h"

#include <string.h>
#include <strings.h>

void sp_check_svcs(const struct sp_svcs *s, struct sp_findings *f)
{
	struct sp_check_svc cs[SP_SVC_MAX];
	struct sp_check_input in;
	const char *allow;

	memset(&in, 0, sizeof(in));
	for (size_t i = 0; i < s->n; i++) {
		cs[i].ms = s->v[i]->ms;
		cs[i].view = &s->v[i]->view;
		cs[i].policy = s->v[i]->policy;
	}
	in.svc = cs;
	in.nsvc = s->n;
	sp_check_run(&in, f);
	allow = sp_view_get(&s->config->global, "allow_open_relay");
	if (allow && strcasecmp(allow, "yes") == 0) {
		sp_findings_allow(f, "open-relay", "allowed by allow_open_relay = yes");
		sp_findings_allow(f, "mynetworks-wide", "allowed by allow_open_relay = yes");
	}
}
