/*
 * policy.h - the policy engine: Postfix's smtpd restriction lists
 * (smtpd_client_restrictions ... smtpd_end_of_data_restrictions and
 * smtpd_restriction_classes) compiled once from a configuration view, and
 * evaluated per SMTP stage on a plain transaction description, first match
 * wins, with Postfix's replies (codes, enhanced codes, texts), its
 * DEFER_IF_PERMIT / DEFER_IF_REJECT / warn_if_reject state, and an optional
 * trace of every restriction tried. The one implementation the server,
 * `sallyport check` and `sallyport explain` share.
 *
 * Evaluation is pure and restartable: it reads the compiled policy and the
 * transaction, and never blocks. A restriction that needs DNS (the
 * reject_unknown_*_domain and reject_unknown_helo_hostname family) looks
 * its answer up in txn->dns; when the answer is missing the result is
 * SP_POLICY_PENDING naming the query, and the caller resolves it
 * (src/net/dns.h, asynchronously), records the answer and evaluates the
 * stage again from the start.
 */
#ifndef SP_POLICY_POLICY_H
#define SP_POLICY_POLICY_H

#include <stddef.h>

#include "../config/config.h"
#include "../util/diag.h"

struct sp_netlist;
struct sp_resolver;

struct sp_policy;

/* How the client's name was found (Postfix's name_status and
 * reverse_name_status): OK, a temporary or a permanent lookup failure, or
 * the forward lookup did not confirm the reverse one (FORWARD). */
enum sp_peer_status { SP_PEER_OK, SP_PEER_TEMP, SP_PEER_PERM, SP_PEER_FORWARD };

/* DNS answers the engine asks for (kinds and statuses as src/net/dns.h). */
enum sp_pdns_kind { SP_PDNS_MAILHOST, SP_PDNS_HOST };
enum sp_pdns_status { SP_PDNS_OK, SP_PDNS_NOTFOUND, SP_PDNS_RETRY, SP_PDNS_INVAL, SP_PDNS_NULLMX };

#define SP_PDNS_MAX 16           /* answers one transaction may carry */
#define SP_PREPLY_MAX 512        /* longest reply or log text */

struct sp_pdns_answer {
	enum sp_pdns_kind kind;
	enum sp_pdns_status status;
	char name[256];
};

struct sp_pdns_cache {
	struct sp_pdns_answer v[SP_PDNS_MAX];
	size_t n;
};

/* Records an answer (the oldest goes when the cache is full). */
void sp_pdns_put(struct sp_pdns_cache *c, enum sp_pdns_kind kind, const char *name,
		 enum sp_pdns_status st);

/* A deferred answer (Postfix's DEFER_IF_PERMIT state): the first reason
 * is kept while it is active. */
struct sp_pdefer {
	int active;
	int code;
	char dsn[16];
	char reason[SP_PREPLY_MAX];
};

/* The transaction as the engine sees it. Strings are NUL-terminated; NULL
 * means "not given yet" (no HELO, no MAIL FROM...). Addresses are in
 * internal form (quotes removed, as src/smtp/address.h gives them); "" is
 * the null sender. */
struct sp_txn {
	const char *client_addr;     /* "192.0.2.1", "2001:db8::1" */
	const char *client_name;     /* verified name, or "unknown" */
	const char *reverse_name;    /* reverse (PTR) name, or "unknown" */
	enum sp_peer_status name_status, reverse_status;
	const char *helo;            /* HELO/EHLO argument */
	int esmtp;                   /* EHLO (proto=ESMTP) rather than HELO */
	int tls;                     /* TLS is active */
	const char *ccert_fingerprint;      /* the client certificate's fingerprint;
					     * NULL: no certificate presented */
	const char *ccert_pkey_fingerprint; /* its public key fingerprint, or NULL */
	const char *ccert_cn;        /* its CommonName, or NULL */
	int ccert_verified;          /* it was verified against the trusted CAs */
	const char *sasl_user;       /* SASL login name; NULL when not logged in */
	const char *sender;          /* MAIL FROM (internal form) */
	const char *recipient;       /* the RCPT TO being decided */
	unsigned rcpt_count;         /* recipients accepted so far */
	int smtputf8;                /* MAIL FROM had SMTPUTF8 */
	int ill_pipelining;          /* the client pipelined without permission */
	const char *etrn;            /* ETRN argument (not offered yet) */
	struct sp_pdns_cache *dns;   /* answers known so far; may be NULL */
	/* In and out: DEFER_IF_PERMIT raised by the client, HELO and sender
	 * stages (the engine sets these; keep them for the session and clear
	 * them with the transaction as Postfix does), and the deferral itself. */
	unsigned defer_flags;
	struct sp_pdefer defer_if_permit;
	/* In and out: a DISCARD action fired; no restriction runs again until
	 * the transaction ends (clear it at MAIL FROM and RSET). */
	int discarded;
};

/* The client address the engine decides on: an IPv4-mapped IPv6 address
 * (::ffff:192.0.2.1) as the IPv4 address, as Postfix's smtpd records it. */
const char *sp_policy_client_addr(const struct sp_txn *txn);

enum sp_pstage {
	SP_STAGE_CLIENT,   /* the connection (only when smtpd_delay_reject = no) */
	SP_STAGE_HELO,
	SP_STAGE_MAIL,
	SP_STAGE_RCPT,     /* also runs client, HELO and sender lists with delay_reject */
	SP_STAGE_DATA,
	SP_STAGE_EOD,
	SP_STAGE_ETRN,
	SP_STAGE_N
};

enum sp_pverdict {
	SP_POLICY_ACCEPT,   /* no restriction objected (reply as the command normally does) */
	SP_POLICY_REJECT,   /* reply with .reply (4xx or 5xx) */
	SP_POLICY_PENDING,  /* a DNS answer is needed: .pending_* */
	SP_POLICY_HANGUP,   /* an access table said HANGUP: close without a reply */
};

/* Effects on the message that the server applies when it is accepted. */
enum {
	SP_PEFF_HOLD = 1 << 0,
	SP_PEFF_DISCARD = 1 << 1,
};

#define SP_PEVENTS_MAX 16
#define SP_PPREPEND_MAX 8

/* One line the server logs (Postfix's log_whatsup): "reject",
 * "reject_warning", "warn" (an access table's WARN), "info", "hold",
 * "discard", "permit", "hangup"; or "warning", a configuration or lookup
 * problem, logged as Postfix's "warning: ..." lines. */
struct sp_pevent {
	char what[16];
	char text[SP_PREPLY_MAX];
};

struct sp_ptrace;

struct sp_presult {
	enum sp_pverdict verdict;
	int code;                       /* REJECT: 4xx or 5xx */
	char reply[SP_PREPLY_MAX];      /* REJECT: "554 5.7.1 <a@b>: Relay access denied" */
	char deciding[64];              /* the restriction (or condition) that decided */
	unsigned effects;               /* SP_PEFF_* */
	char hold_reason[SP_PREPLY_MAX];
	size_t nprepend;
	char prepend[SP_PPREPEND_MAX][SP_PREPLY_MAX]; /* PREPEND headers */
	size_t nevents;
	struct sp_pevent events[SP_PEVENTS_MAX];
	int events_lost;                /* more events than fit */
	enum sp_pdns_kind pending_kind; /* PENDING: what to look up */
	char pending_name[256];
};

/* Compiles the restriction lists, classes and every table they and the
 * engine use (mynetworks, the address classes, smtpd_sender_login_maps,
 * the recipient maps) from a view. Tables are opened here, before any
 * chroot. Returns the policy, or NULL after adding errors to d (file, line,
 * parameter and a fix for each). */
struct sp_policy *sp_policy_compile(const struct sp_view *v, struct sp_diags *d);

void sp_policy_free(struct sp_policy **pp);

/* 1 when a table the policy reads has changed on disk since it was
 * opened (a running server then restarts its workers); *which names it. */
int sp_policy_stale(const struct sp_policy *p, const char **which);

/* 1 when smtpd_delay_reject is on (client, HELO and sender lists then run
 * at RCPT), 0 otherwise. */
int sp_policy_delay_reject(const struct sp_policy *p);

/* What the auditor (src/check/) reads besides evaluations: the compiled
 * mynetworks, and the resolver of address classes. */
const struct sp_netlist *sp_policy_mynetworks(const struct sp_policy *p);
const struct sp_resolver *sp_policy_resolver(const struct sp_policy *p);

/* Evaluates one stage for txn; fills *out. trace may be NULL. */
void sp_policy_eval(const struct sp_policy *p, enum sp_pstage stage, struct sp_txn *txn,
		    struct sp_presult *out, struct sp_ptrace *trace);

/* The name of a stage ("CONNECT", "HELO", "MAIL", "RCPT", "DATA",
 * "END-OF-MESSAGE", "ETRN"), as Postfix's logs name the command. */
const char *sp_policy_stage_name(enum sp_pstage stage);

/* Formats an event as Postfix's smtpd logs it:
 * "QUEUEID: WHAT: STAGE from NAME[ADDR]: TEXT; from=<s> to=<r> proto=ESMTP helo=<h>".
 * queue_id NULL means NOQUEUE. Returns buf. */
const char *sp_policy_log_line(const struct sp_txn *txn, enum sp_pstage stage,
			       const char *queue_id, const struct sp_pevent *ev,
			       char *buf, size_t len);

/* The same, naming the command as the caller has it ("VRFY" for a VRFY
 * that ran the recipient stage). */
const char *sp_policy_log_line_where(const struct sp_txn *txn, enum sp_pstage stage,
				     const char *where, const char *queue_id,
				     const struct sp_pevent *ev, char *buf, size_t len);

/* The trace: every list, restriction, lookup and result of an evaluation. */
enum sp_tkind {
	SP_TR_LIST,      /* entering a list: .name is the parameter or class */
	SP_TR_STEP,      /* a restriction tried: .name, .result */
	SP_TR_LOOKUP,    /* a table lookup: .table, .key, .value (NULL: not found) */
	SP_TR_NOTE,      /* a remark: .detail */
};

struct sp_tentry {
	enum sp_tkind kind;
	unsigned depth;
	const char *name;     /* restriction, parameter or class (owned by the policy) */
	char table[128];
	char key[256];
	char value[256];
	int found;
	char result[32];      /* "DUNNO", "OK", "REJECT", "DEFER_IF_PERMIT", ... */
	char detail[SP_PREPLY_MAX];
};

struct sp_ptrace {
	struct sp_tentry *v;
	size_t n, cap;        /* cap: the caller's array size */
	size_t lost;          /* entries that did not fit */
};

#endif
