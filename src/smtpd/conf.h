/*
 * conf.h - the smtpd settings of one service, read once from its
 * configuration view: greeting, limits, the bare-newline policy, error
 * limits, offered ESMTP extensions. Diagnostics name parameter and fix.
 */
#ifndef SP_SMTPD_CONF_H
#define SP_SMTPD_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"
#include "../util/diag.h"

struct sp_netlist;
struct sp_tls_server;

enum sp_tls_level { SP_TLS_NONE, SP_TLS_MAY, SP_TLS_ENCRYPT };

struct sp_smtpd_conf {
	char *myhostname;
	char *banner;                 /* smtpd_banner, expanded */
	char *mail_name;
	char *queue_dir;
	uint64_t message_size_limit;  /* 0: none */
	size_t header_size_limit;     /* bytes of one header kept; the excess is discarded */
	unsigned rcpt_limit;          /* smtpd_recipient_limit */
	unsigned rcpt_overshoot;      /* smtpd_recipient_overshoot_limit */
	unsigned junk_limit;          /* smtpd_junk_command_limit */
	size_t line_limit;            /* line_length_limit: commands are refused past it */
	int bare_nl_reject;           /* smtpd_forbid_bare_newline = reject (else normalize) */
	int bare_nl_code;             /* smtpd_forbid_bare_newline_reject_code */
	struct sp_netlist *bare_nl_excl;   /* smtpd_forbid_bare_newline_exclusions */
	/* anvil limits (0: none) and the clients exempt from them */
	int cconn_limit, crate_limit, cmail_limit, crcpt_limit, cauth_limit;
	struct sp_netlist *hog_excl;       /* smtpd_client_event_limit_exceptions */
	int vrfy_disabled;
	int smtputf8;
	int forbid_unauth_pipelining;
	int peername_lookup;          /* smtpd_peername_lookup */
	unsigned soft_error_limit, hard_error_limit;
	unsigned error_sleep_ms;
	unsigned timeout_s;
	unsigned ext;                 /* SP_EXT_* (src/smtp/params.h) announced and accepted */
	/* TLS: smtpd_tls_security_level (or the legacy smtpd_use_tls and
	 * smtpd_enforce_tls), smtpd_tls_wrappermode, and the context built
	 * from the certificate and keys when either is on */
	enum sp_tls_level tls_level;
	int tls_wrapper;
	int tls_received_header;      /* smtpd_tls_received_header */
	int tls_loglevel;             /* smtpd_tls_loglevel */
	unsigned starttls_timeout_s;  /* smtpd_starttls_timeout: the handshake */
	struct sp_tls_server *tls;
	/* SASL (smtpd_sasl_type = dovecot): AUTH offered when enabled, after
	 * TLS with smtpd_tls_auth_only, not to smtpd_sasl_exceptions_networks;
	 * the mechanisms with these SP_DV_MECH_* flags are not offered (from
	 * smtpd_sasl_security_options and smtpd_sasl_tls_security_options) */
	int sasl_enable;
	int tls_auth_only;
	int broken_sasl_clients;      /* broken_sasl_auth_clients: also "AUTH=..." */
	int sasl_auth_header;         /* smtpd_sasl_authenticated_header */
	unsigned sasl_exclude, sasl_tls_exclude;
	char *sasl_path;              /* smtpd_sasl_path as written */
	int sasl_builtin;             /* smtpd_sasl_type = sallyport: the auth process serves it */
	char *sasl_service;
	struct sp_netlist *sasl_excl; /* smtpd_sasl_exceptions_networks */
};

/* Reads the settings. Returns 0, or -1 after adding errors to d. */
int sp_smtpd_conf_load(const struct sp_view *v, struct sp_smtpd_conf *c, struct sp_diags *d);

void sp_smtpd_conf_free(struct sp_smtpd_conf *c);

#endif
