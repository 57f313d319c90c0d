/*
 * dovecot.h - Dovecot's authentication protocol (version 1.2), both sides,
 * without I/O. Client side: the lines the auth server sends (the handshake's
 * VERSION, MECH, SPID, CUID, COOKIE, DONE; the replies OK, CONT, FAIL)
 * parsed into a struct, and the lines the client sends (VERSION, CPID,
 * AUTH, CONT) formatted. Lines are tab-separated; values use Dovecot's
 * escapes (\001 followed by '1', 't', 'r' or 'n'). Every field is bounded;
 * anything malformed is refused, never truncated into meaning. The auth
 * server is trusted less than the client sees it: a reply must name a
 * request that is outstanding (the caller checks the id).
 */
#ifndef SP_AUTH_DOVECOT_H
#define SP_AUTH_DOVECOT_H

#include <stddef.h>

#define SP_DV_LINE_MAX 16384     /* longest line either side sends */
#define SP_DV_DATA_MAX 12288     /* longest base64 payload (AUTH resp=, CONT) */

enum sp_dv_kind {
	SP_DV_VERSION, SP_DV_MECH, SP_DV_SPID, SP_DV_CUID, SP_DV_COOKIE, SP_DV_DONE,
	SP_DV_OK, SP_DV_CONT, SP_DV_FAIL,
	SP_DV_IGNORED,   /* a line a client may ignore (unknown handshake lines) */
};

enum {
	SP_DV_MECH_PLAINTEXT = 1 << 0,   /* sends the password in the clear */
	SP_DV_MECH_ANONYMOUS = 1 << 1,
	SP_DV_MECH_DICTIONARY = 1 << 2,
	SP_DV_MECH_ACTIVE = 1 << 3,
	SP_DV_MECH_FORWARD_SECRECY = 1 << 4,
	SP_DV_MECH_MUTUAL_AUTH = 1 << 5,
	SP_DV_MECH_PRIVATE = 1 << 6,     /* not to be offered to clients */
};

struct sp_dv_line {
	enum sp_dv_kind kind;
	unsigned major, minor;          /* VERSION */
	char mech[64];                  /* MECH: its name */
	unsigned mech_flags;            /* MECH: SP_DV_MECH_* */
	unsigned long id;               /* OK, CONT, FAIL: the request */
	char data[SP_DV_DATA_MAX + 1];  /* CONT: base64 challenge ("" allowed) */
	char user[256];                 /* OK, FAIL: user= (may be "") */
	char reason[512];               /* FAIL: reason=, unescaped, printable */
	int temp;                       /* FAIL: temp (a temporary failure) */
};

/* Parses one line (without its LF). Returns 0, or -1 when malformed (the
 * connection should be dropped). */
int sp_dv_parse(const char *line, size_t len, struct sp_dv_line *out);

/* 1 when s[0..len) is base64 as Dovecot and RFC 4954 use it. */
int sp_dv_base64_valid(const char *s, size_t len);

/* The client's side; each returns the line's length (LF included), or -1
 * when it would not fit or a value is unsafe (a tab, a newline...). */
int sp_dv_format_hello(char *buf, size_t len, unsigned long pid);
struct sp_dv_auth {
	unsigned long id;
	const char *mech;
	const char *service;     /* "smtp" */
	const char *local_ip, *remote_ip;
	int secured;             /* TLS is on */
	const char *resp;        /* base64 initial response, or NULL */
};
int sp_dv_format_auth(char *buf, size_t len, const struct sp_dv_auth *a);
int sp_dv_format_cont(char *buf, size_t len, unsigned long id, const char *b64);

/* ---- the server side (the built-in auth server, authd.c) ---- */

/* What a client sends. Lines a server may ignore (unknown commands) parse
 * as SP_DVS_IGNORED; a known command with a bad field is refused. */
enum sp_dvs_kind { SP_DVS_VERSION, SP_DVS_CPID, SP_DVS_AUTH, SP_DVS_CONT, SP_DVS_IGNORED };

struct sp_dvs_line {
	enum sp_dvs_kind kind;
	unsigned major, minor;          /* VERSION */
	unsigned long pid;              /* CPID */
	unsigned long id;               /* AUTH, CONT: the request (1.. 2^32-1) */
	char mech[64];                  /* AUTH */
	char service[64];               /* AUTH: service= ("" when absent) */
	char lip[64], rip[64];          /* AUTH: lip=, rip= ("" when absent) */
	int secured;                    /* AUTH: "secured" given */
	int has_resp;                   /* AUTH: resp= given */
	char data[SP_DV_DATA_MAX + 1];  /* AUTH resp=, CONT: base64 (checked) */
	unsigned lport, rport;          /* AUTH: lport=, rport= (0 when absent) */
	int nologin;                    /* AUTH: "nologin" given */
};

/* Parses one client line (without its LF). Returns 0, or -1 when malformed
 * (the server drops the connection): a missing field, an id outside
 * 1..4294967295, a bad escape, base64 or mechanism name, a value longer
 * than its field, an AUTH parameter given twice. */
int sp_dvs_parse(const char *line, size_t len, struct sp_dvs_line *out);

/* The server's lines; each returns the length written (LF included), or -1
 * when it would not fit or a value is unsafe (then buf holds ""). mechs:
 * NULL-terminated names (upper case, as sp_dv_parse wants them), all
 * offered with the "plaintext" flag; cookie: 32 hex digits. ids are
 * 1..4294967295; a user is 1..255 safe bytes ("" allowed in FAIL), a
 * reason at most 511 bytes before escaping. */
int sp_dvs_format_handshake(char *buf, size_t len, const char *const *mechs,
			    unsigned long spid, unsigned long cuid, const char *cookie);
int sp_dvs_format_ok(char *buf, size_t len, unsigned long id, const char *user);
int sp_dvs_format_cont(char *buf, size_t len, unsigned long id, const char *b64);
/* user and reason may be NULL (left out); reason is escaped as Dovecot does;
 * temp: a temporary failure ("temp"). */
int sp_dvs_format_fail(char *buf, size_t len, unsigned long id, const char *user,
		       const char *reason, int temp);

#endif
