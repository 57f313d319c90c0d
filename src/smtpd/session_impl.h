/*
 * session_impl.h - the session's state, shared by session.c (input,
 * framing, dispatch, replies, logs), session_cmd.c (the commands) and
 * session_data.c (DATA, BDAT, the queue file). Not for use outside
 * src/smtpd/.
 */
#ifndef SP_SMTPD_SESSION_IMPL_H
#define SP_SMTPD_SESSION_IMPL_H

#include "session.h"
#include "../smtp/address.h"
#include "../smtp/command.h"
#include "../smtp/data.h"
#include "../smtp/params.h"

#define SP_SESS_OUT_MAX (1u << 20)   /* replies waiting to be sent */

struct sp_rcpt {
	char addr[SP_ADDR_EXTERNAL_MAX + 8];   /* internal form */
	struct sp_rcpt_params params;
};

enum sp_sess_state {
	SP_SS_CMD,        /* reading commands */
	SP_SS_DATA,       /* reading DATA content */
	SP_SS_BDAT,       /* reading a BDAT chunk (kept) */
	SP_SS_BDAT_SKIP,  /* reading a BDAT chunk (thrown away) */
	SP_SS_CLOSED,
};

struct sp_session {
	const struct sp_smtpd_env *env;
	const struct sp_smtpd_conf *conf;
	struct sp_peer peer;
	struct sp_buf out;
	enum sp_sess_state st;
	int started;                 /* the connect line is logged */
	int closing;                 /* the last reply is out: close after sending */
	int skip_line;               /* the rest of an overlong command line is dropped */
	int bare_nl_exempt;          /* smtpd_forbid_bare_newline_exclusions matched */
	int hog_exempt;              /* smtpd_client_event_limit_exceptions matched */

	/* the policy engine's view */
	struct sp_txn txn;
	struct sp_pdns_cache dns;
	char helo[256];
	int esmtp;                   /* EHLO was accepted */
	int tls;                     /* TLS is up */
	/* AUTH (session_auth.c) */
	int auth_step;               /* SP_AUTH_* */
	unsigned long auth_id;       /* the auth server's request, 0 before the first */
	char auth_mech[64];
	char *auth_resp;             /* base64 to send next (allocated during AUTH only) */
	char sasl_user[256];         /* logged in as; "" when not */
	char tls_desc[160];          /* "TLSv1.3 with cipher X (256/256 bits)" */
	const struct sp_tls_info *tlsi; /* the connection's TLS session (it outlives this) */
	int pipelining;              /* and PIPELINING was announced */
	char access_denied[SP_PREPLY_MAX];

	/* a command waiting for a DNS answer or a commit */
	int waiting;                 /* SP_WANT_DNS or SP_WANT_COMMIT, else 0 */
	int replaying;               /* running a command again after a DNS answer */
	char cmd[4096];              /* the command line to run again after the answer */
	size_t cmdlen;
	enum sp_pdns_kind dns_kind;
	char dns_name[256];

	/* the transaction */
	int in_mail;
	char sender[SP_ADDR_EXTERNAL_MAX + 8];
	struct sp_mail_params mp;
	struct sp_rcpt *rcpts;
	size_t nrcpt, rcap;
	unsigned rcpt_tried;         /* RCPT commands in this transaction */
	unsigned rcpt_overshoot;     /* recipients refused past the limit */
	unsigned junk;               /* NOOP, VRFY, ETRN, RSET since the last message */

	/* the message */
	struct sp_data data;
	struct sp_qfile q;
	int q_open;
	int q_err;                   /* a write error while receiving: 452 at the end */
	uint64_t chunk_left;         /* BDAT: bytes of the chunk still to come */
	uint64_t chunk_size;         /* BDAT: the size of the current chunk */
	int bdat_last;
	int bdat_open;               /* BDAT chunks have started in this transaction */
	int bdat_discard;            /* a chunk was refused: the rest are read and
				      * dropped up to BDAT LAST or RSET */
	int at_eod;                  /* the content is in: EOD stage, then commit */
	int in_headers;              /* still in the header section */
	int hdr_bol;                 /* at the start of a header line */
	size_t hdr_size;             /* bytes of the current header, continuations included */
	int hdr_drop;                /* past header_size_limit: discarding the rest of it */
	char hdrline[1024];          /* the header line being read */
	size_t hdrlen;
	char msgid[512];

	/* access table effects collected during the transaction */
	int hold;
	size_t nprepend;
	char prepend[SP_PPREPEND_MAX][SP_PREPLY_MAX];

	/* counters for the disconnect line and the error limits */
	unsigned errors;
	unsigned cmd_total[SP_VERB_COUNT + 1], cmd_ok[SP_VERB_COUNT + 1];
	enum sp_verb last_verb;
	const char *where;           /* Postfix's state->where: the last command, or
				      * END-OF-MESSAGE after a message's content */
};

enum { SP_AUTH_NONE, SP_AUTH_ASKING, SP_AUTH_READING };

/* session_auth.c */
int sp_sess_auth_offered(struct sp_session *s, char *mechs, size_t len);
enum sp_want sp_sess_auth_cmd(struct sp_session *s, const struct sp_cmd *c);
enum sp_want sp_sess_auth_line(struct sp_session *s, const char *line, size_t len);
void sp_sess_auth_free(struct sp_session *s);

/* session.c */
void sp_sess_reply(struct sp_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sp_sess_error(struct sp_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sp_sess_log(struct sp_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sp_sess_log_events(struct sp_session *s, enum sp_pstage stage, const struct sp_presult *r);
void sp_sess_printable(const char *in, size_t len, char *out, size_t outlen);
void sp_sess_reset_txn(struct sp_session *s);
void sp_sess_log_tls(struct sp_session *s);

/* session_cmd.c: each returns an SP_WANT_* value (but sp_sess_rate: 1 after
 * refusing the command for a client rate past limit, counted by anvil). */
enum sp_anvil_op;
int sp_sess_rate(struct sp_session *s, enum sp_anvil_op op, int limit, const char *reply,
		 const char *what);
enum sp_want sp_sess_command(struct sp_session *s, const struct sp_cmd *c, int syntax);
enum sp_want sp_sess_eod(struct sp_session *s);
enum sp_want sp_sess_policy(struct sp_session *s, enum sp_pstage stage, struct sp_presult *r);

/* session_data.c */
enum sp_want sp_sess_data_cmd(struct sp_session *s);
enum sp_want sp_sess_bdat_cmd(struct sp_session *s, const struct sp_cmd *c);
enum sp_want sp_sess_content(struct sp_session *s, const char *in, size_t len, size_t *used);
enum sp_want sp_sess_commit_done(struct sp_session *s, int err);

#endif
