/*
 * policy_impl.h - the compiled policy shared by the engine's files
 * (policy_compile.c builds it, policy_eval.c walks the lists,
 * policy_checks.c holds the restrictions that need more than a line,
 * policy_stage.c drives the stages). Not for use outside src/policy/.
 */
#ifndef SP_POLICY_POLICY_IMPL_H
#define SP_POLICY_POLICY_IMPL_H

#include <stddef.h>

#include "policy.h"
#include "netlist.h"
#include "resolve.h"
#include "../dict/dict.h"
#include "../dict/lookup_order.h"

/* Every restriction the engine evaluates. */
enum sp_rid {
	SP_R_CLASS,                   /* a smtpd_restriction_classes name */
	SP_R_PERMIT, SP_R_REJECT, SP_R_DEFER, SP_R_DEFER_IF_PERMIT, SP_R_DEFER_IF_REJECT,
	SP_R_WARN_IF_REJECT, SP_R_REJECT_UNAUTH_PIPELINING, SP_R_REJECT_PLAINTEXT_SESSION,
	SP_R_REJECT_UNKNOWN_CLIENT_HOSTNAME, SP_R_REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME,
	SP_R_PERMIT_MYNETWORKS, SP_R_CHECK_CLIENT_ACCESS, SP_R_CHECK_REVERSE_CLIENT_ACCESS,
	SP_R_CHECK_CCERT_ACCESS, SP_R_PERMIT_TLS_CLIENTCERTS, SP_R_PERMIT_TLS_ALL_CLIENTCERTS,
	SP_R_CHECK_HELO_ACCESS, SP_R_REJECT_INVALID_HELO_HOSTNAME, SP_R_REJECT_UNKNOWN_HELO_HOSTNAME,
	SP_R_REJECT_NON_FQDN_HELO_HOSTNAME, SP_R_PERMIT_NAKED_IP_ADDRESS,
	SP_R_CHECK_SENDER_ACCESS, SP_R_REJECT_UNKNOWN_SENDER_DOMAIN, SP_R_REJECT_NON_FQDN_SENDER,
	SP_R_REJECT_AUTH_SENDER_LOGIN_MISMATCH, SP_R_REJECT_KNOWN_SENDER_LOGIN_MISMATCH,
	SP_R_REJECT_UNAUTH_SENDER_LOGIN_MISMATCH, SP_R_REJECT_SENDER_LOGIN_MISMATCH,
	SP_R_REJECT_UNLISTED_SENDER,
	SP_R_CHECK_RECIPIENT_ACCESS, SP_R_PERMIT_AUTH_DESTINATION, SP_R_REJECT_UNAUTH_DESTINATION,
	SP_R_DEFER_UNAUTH_DESTINATION, SP_R_PERMIT_SASL_AUTHENTICATED,
	SP_R_REJECT_UNKNOWN_RECIPIENT_DOMAIN, SP_R_REJECT_NON_FQDN_RECIPIENT,
	SP_R_REJECT_UNLISTED_RECIPIENT, SP_R_REJECT_MULTI_RECIPIENT_BOUNCE,
	SP_R_CHECK_ETRN_ACCESS,
	SP_R_COUNT
};

struct sp_pclass;

struct sp_rstep {
	enum sp_rid id;
	const char *name;               /* as Postfix names it (static) or the class name */
	struct sp_dict *table;          /* check_*_access */
	const struct sp_pclass *cls;    /* SP_R_CLASS */
};

struct sp_rlist {
	struct sp_rstep *v;
	size_t n;
	const char *param;              /* parameter or class name (owned by the policy) */
};

struct sp_pclass {
	char *name;
	struct sp_rlist list;
};

/* A list of tables searched in order (Postfix's "maps"). */
struct sp_pmaps {
	struct sp_dict **v;
	size_t n;
	const char *param;
};

enum sp_plist {
	SP_L_CLIENT, SP_L_HELO, SP_L_SENDER, SP_L_RELAY, SP_L_RECIPIENT, SP_L_DATA, SP_L_EOD,
	SP_L_ETRN, SP_L_N
};

struct sp_policy {
	struct sp_rlist lists[SP_L_N];
	struct sp_pclass *classes;
	size_t nclasses;
	struct sp_dict **tables;        /* every table opened, once per spec */
	size_t ntables;
	char **strings;                 /* names owned by the policy */
	size_t nstrings;

	struct sp_netlist *mynetworks;
	struct sp_resolver *resolver;
	struct sp_pmaps login_maps, local_rcpt, virt_alias, virt_mailbox, relay_rcpt,
		canonical, rcpt_canonical, send_canonical, relay_ccerts;

	/* Parameters. */
	int map_reject_code, map_defer_code, reject_code, defer_code, relay_code;
	int bad_name_code, non_fqdn_code, unk_name_code, unk_addr_code, unk_client_code;
	int local_rcpt_code, virt_mailbox_code, virt_alias_code, relay_rcpt_code;
	int mul_rcpt_code, plaintext_code;
	int delay_reject, helo_required, sasl_enable, relay_before_rcpt;
	int reject_unlisted_sender, reject_unlisted_rcpt, allow_untrusted_routing;
	int soft_bounce, show_unk_table;
	int unk_name_tf_defer, unk_addr_tf_defer;   /* tempfail action is defer_if_permit */
	int acl_permit_log_all;
	char *acl_permit_log;           /* smtpd_log_access_permit_actions */
	enum sp_parent_style parent_style;
	char *delim;                    /* recipient_delimiter */
	char *null_key;                 /* smtpd_null_access_lookup_key */
	char *double_bounce;            /* double_bounce_sender */
};

/* A remembered address resolution. */
#define SP_RMEMO 4
struct sp_rmemo {
	char addr[SP_RESOLVE_INPUT_MAX + 2];
	size_t len;
	int rc;
	struct sp_resolved res;
};

/* Evaluation state of one stage (Postfix's SMTPD_STATE parts). */
struct sp_peval {
	const struct sp_policy *p;
	struct sp_txn *txn;
	struct sp_presult *out;
	struct sp_ptrace *trace;
	enum sp_pstage stage;
	const char *sender, *recipient, *helo;  /* as the current list sees them */
	unsigned recursion, warn_if_reject;
	struct sp_pdefer *dip;           /* defer_if_permit: txn->defer_if_permit */
	struct sp_pdefer dir;            /* defer_if_reject */
	int discard;
	int rcptmap_checked, sender_rcptmap_checked;
	int pending;                    /* a DNS answer is missing */
	int hangup;
	char namaddr[300];
	const char *client_addr;         /* sp_policy_client_addr */
	int mynet;                       /* permit_mynetworks: 0 not asked yet, 1 match, 2 no, 3 error */
	const char *mynet_matched;
	char mynet_err[256];
	struct sp_rmemo memo[SP_RMEMO];
	size_t nmemo;
};

/* Status of a restriction or list, as Postfix's SMTPD_CHECK_*. */
enum { SP_CK_DUNNO = 0, SP_CK_OK = 1, SP_CK_REJECT = 2, SP_CK_STOP = 3 /* pending or hangup */ };

/* policy_stage.c: "name[addr]" of the client, formatted when first asked for. */
const char *sp_peval_namaddr(struct sp_peval *e);

/* policy_eval.c */
int sp_peval_list(struct sp_peval *e, const struct sp_rstep *v, size_t n, const char *param,
		  const char *reply_name, const char *reply_class, enum sp_rid def_acl);
int sp_peval_reject(struct sp_peval *e, int soft_class, int code, const char *dsn,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int sp_peval_defer_if(struct sp_peval *e, struct sp_pdefer *d, int code, const char *dsn,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int sp_peval_permit(struct sp_peval *e, const char *action, const char *reply_class,
		    const char *reply_name, const char *table);
void sp_peval_event(struct sp_peval *e, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sp_peval_trace(struct sp_peval *e, enum sp_tkind kind, const char *name, const char *result,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sp_peval_trace_lookup(struct sp_peval *e, const char *table, const char *key,
			   const char *value);
int sp_peval_temp_lookup(struct sp_peval *e, const char *reply_name);
int sp_peval_server_error(struct sp_peval *e);
int sp_peval_access(struct sp_peval *e, struct sp_dict *table, const struct sp_lookup_keys *keys,
		    const char *datum, const char *reply_name, const char *reply_class,
		    enum sp_rid def_acl, int *found);
const char *sp_dsn_fix(const char *dsn, const char *reply_class, char *buf);

/* policy_checks.c: each returns an SP_CK_* status. */
int sp_pcheck_invalid_hostname(struct sp_peval *e, const char *name, const char *reply_name,
			       const char *reply_class);
int sp_pcheck_invalid_hostaddr(struct sp_peval *e, const char *addr, const char *reply_name,
			       const char *reply_class);
int sp_pcheck_non_fqdn_hostname(struct sp_peval *e, const char *name, const char *reply_name,
				const char *reply_class);
int sp_pcheck_non_fqdn_address(struct sp_peval *e, const char *addr, const char *reply_name,
			       const char *reply_class);
int sp_pcheck_unknown_hostname(struct sp_peval *e, const char *name, const char *reply_name,
			       const char *reply_class);
int sp_pcheck_unknown_address(struct sp_peval *e, const char *addr, const char *reply_name,
			      const char *reply_class);
int sp_pcheck_auth_destination(struct sp_peval *e, const char *rcpt);
int sp_pcheck_unauth_destination(struct sp_peval *e, const char *rcpt, int code, const char *dsn);
int sp_pcheck_login_mismatch(struct sp_peval *e, const char *sender, int allow_unknown);
int sp_pcheck_unauth_login_mismatch(struct sp_peval *e, const char *sender);
int sp_pcheck_rcpt_maps(struct sp_peval *e, const char *addr, const char *reply_class);
int sp_pcheck_mail_access(struct sp_peval *e, struct sp_dict *table, const char *addr,
			  const char *reply_name, const char *reply_class, enum sp_rid def_acl);
int sp_pcheck_client_access(struct sp_peval *e, struct sp_dict *table, const char *name,
			    const char *addr, const char *reply_name, const char *reply_class,
			    enum sp_rid def_acl);
int sp_pcheck_domain_access(struct sp_peval *e, struct sp_dict *table, const char *domain,
			    const char *reply_name, const char *reply_class, enum sp_rid def_acl,
			    int *found);
int sp_pcheck_ccert_access(struct sp_peval *e, struct sp_dict *table, enum sp_rid def_acl);
/* permit_tls_clientcerts (all: permit_tls_all_clientcerts): SP_CK_OK,
 * SP_CK_DUNNO, or a 451 after a lookup error (reply_name in it). */
int sp_pcheck_tls_clientcerts(struct sp_peval *e, int all, const char *reply_name);
int sp_pmaps_find(struct sp_peval *e, const struct sp_pmaps *m, const char *addr,
		  const char *reply_name, const char **value);

/* policy_compile.c: parses a restriction list written in an access table
 * result (names only: restrictions without arguments and classes) into v
 * (at most max steps). Returns the count, or -1 with why. */
int sp_policy_parse_dynamic(const struct sp_policy *p, const char *value, struct sp_rstep *v,
			    size_t max, const char **why);

#endif
