/*
 * address.h - the one parser for the paths of MAIL FROM and RCPT TO
 * (RFC 5321 4.1.2, with RFC 6531 SMTPUTF8), and the formatter that turns an
 * internal (unquoted) address back into its external form. The parser is
 * pure: bytes and a length in, a struct out; no I/O, no allocation, no
 * globals. An address is parsed once, here, and the struct travels;
 * nothing downstream re-parses the raw string.
 *
 * Input is what follows "MAIL FROM:" or "RCPT TO:": optional SP/HTAB, the
 * path, then (not ours) SP and ESMTP parameters. The parser stops where the
 * path ends and reports that offset, so the caller parses the parameters.
 *
 * Grammar accepted (RFC 5321 unless said otherwise):
 *   "<>" (reverse path only); "<" [A-d-l ":"] Mailbox ">";
 *   A-d-l = "@" Domain *("," "@" Domain): kept in the struct for the policy
 *     engine to see, never used for routing (RFC 5321 appendix C);
 *   Local-part = Dot-string / Quoted-string (quoted-pairs are unescaped in
 *     the internal form); Domain, or an address literal [IPv4] checked with
 *     inet_pton, [IPv6:...] checked with inet_pton, or a General-address-
 *     literal [tag:content] with an Ldh-str tag;
 *   "<Postmaster>" (any case, unquoted) without a domain, forward path only
 *     (RFC 5321 4.5.1);
 *   with SP_ADDR_OPT_SMTPUTF8: UTF-8 (RFC 3629) in atoms, quoted strings and
 *     domain labels (RFC 6531 3.3).
 *
 * Limits (RFC 5321 4.5.3.1), each its own error: local part 64 octets as
 * written (quotes and backslashes count), domain or literal 255 octets,
 * path 256 octets including "<" and ">" (an unbracketed path counts as if
 * bracketed). Counted in octets, also for UTF-8.
 *
 * Where we follow Postfix (3.7, strict_rfc821_envelopes = no) rather than
 * the letter of RFC 5321, because it is harmless:
 *   - a path without angle brackets ("MAIL FROM:user@example.com") is
 *     accepted unless SP_ADDR_OPT_STRICT_RFC821 (Postfix's
 *     strict_rfc821_envelopes = yes) is given; the path then ends at SP,
 *     HTAB or the end of input;
 *   - SP/HTAB before the path ("MAIL FROM: <a@b>") is skipped, as Postfix's
 *     command tokenizer does in both modes;
 *   - an unquoted local part with a leading, trailing or doubled dot
 *     ("a..b", "a.": real addresses at some mobile carriers) is accepted and
 *     flagged SP_ADDR_F_OBS_DOTS; its external form is quoted;
 *   - one trailing dot on a domain ("example.com.") is dropped (flag
 *     SP_ADDR_F_DOMAIN_DOT), as Postfix's trivial-rewrite does, so lookups
 *     see "example.com";
 *   - '_' in domain labels (Postfix's valid_hostname allows it);
 *   - SMTPUTF8 domain labels are limited to 63 octets of UTF-8, without
 *     IDNA conversion (stricter than IDNA for long non-ASCII labels).
 *   SP_ADDR_OPT_STRICT_SYNTAX turns the dot and trailing-dot leniencies off.
 *
 * Where we are stricter than Postfix 3.7 (checked against a running 3.7.11:
 * its RFC 822 tokenizer accepts all of these):
 *   - control characters (C0, DEL, and C1 U+0080-U+009F even with SMTPUTF8)
 *     and non-ASCII without SMTPUTF8 in the local part (Postfix refuses
 *     non-ASCII only in the domain);
 *   - RFC 822 forms: comments, phrases, nested or stray brackets, junk
 *     after '>' ("<a@b>>", "<>x"), mixed quoted/atom local parts
 *     ("\"a\".b@c"), unquoted specials (')', ':', '\\'), a second '@'
 *     ("a@b@c"), a quote or '(' in a domain, a
 *     literal without ']': one address form, no guessing;
 *   - an empty local part ("<@example.com>", "<\"\"@example.com>");
 *   - a domain-less address other than Postmaster in RCPT TO (Postfix
 *     resolves it as local, then refuses unknown users with 550), and any
 *     domain-less sender: which domain's policy applies is never guessed
 *     (CVE-2020-7247 was such a special case);
 *   - source routes must be well formed with valid domain names (Postfix
 *     drops the route unread, whatever it holds);
 *   - IPv4 literals with leading zeros ("[01.2.3.4]", which RFC 5321
 *     allows too): inet_pton refuses them, and inet_aton would read them
 *     as octal;
 *   - the RFC 5321 length limits: Postfix checks only 255 for the domain
 *     and 63 for a label.
 *   - CR, LF and NUL anywhere in the input, also after the path.
 * Like Postfix (allow_min_user = no), a local part whose internal form
 * starts with '-' is refused unless SP_ADDR_OPT_ALLOW_MIN_USER; like
 * Postfix (resolve_numeric_domain = no), an all-numeric domain
 * ("user@1.2.3.4") is refused: use "[1.2.3.4]"; like Postfix (and RFC
 * 5321), "user@" is refused.
 * Where we are more lenient than Postfix: General-address-literals
 * ("[x-tag:...]", RFC 5321 4.1.3) are accepted with any Ldh-str tag and
 * recorded as SP_ADDR_DK_GENERAL (Postfix refuses every literal but IPv4
 * and IPv6); the policy decides, and nothing can route to one.
 * Where we differ from RFC 5321 otherwise: an IPv6 "::" standing for a
 * single zero group is accepted (inet_pton does).
 *
 * The SMTP server maps the codes to replies (501 or 553, with 5.1.7 for a
 * sender and 5.1.3 for a recipient; RFC 5321 4.5.3.1.10 suggests
 * "501 Path too long" for the length errors) and logs the message.
 */
#ifndef SP_SMTP_ADDRESS_H
#define SP_SMTP_ADDRESS_H

#include <stddef.h>

#include "../util/buf.h"

#define SP_ADDR_LOCAL_MAX 64    /* RFC 5321 4.5.3.1.1 */
#define SP_ADDR_DOMAIN_MAX 255  /* RFC 5321 4.5.3.1.2 */
#define SP_ADDR_PATH_MAX 256    /* RFC 5321 4.5.3.1.3 */
#define SP_ADDR_LABEL_MAX 63    /* RFC 1035 2.3.4 */
/* Longest external form: every local byte escaped, quotes, '@', domain. */
#define SP_ADDR_EXTERNAL_MAX (2 * SP_ADDR_LOCAL_MAX + 3 + SP_ADDR_DOMAIN_MAX)

/* Options for sp_addr_parse (bits). */
enum {
	SP_ADDR_OPT_REVERSE = 1u << 0,         /* MAIL FROM (else RCPT TO) */
	SP_ADDR_OPT_SMTPUTF8 = 1u << 1,        /* the SMTPUTF8 parameter was given */
	SP_ADDR_OPT_STRICT_RFC821 = 1u << 2,   /* angle brackets required */
	SP_ADDR_OPT_STRICT_SYNTAX = 1u << 3,   /* no dot or trailing-dot leniency */
	SP_ADDR_OPT_ALLOW_MIN_USER = 1u << 4,  /* local part may start with '-' */
};

/* What was seen (bits of sp_addr.flags). */
enum {
	SP_ADDR_F_NULL = 1u << 0,          /* "<>" */
	SP_ADDR_F_BARE = 1u << 1,          /* written without angle brackets */
	SP_ADDR_F_LEADING_SPACE = 1u << 2, /* SP/HTAB skipped before the path */
	SP_ADDR_F_ROUTE = 1u << 3,         /* a source route was given */
	SP_ADDR_F_QUOTED = 1u << 4,        /* local part written as a quoted string */
	SP_ADDR_F_POSTMASTER = 1u << 5,    /* "<Postmaster>" without a domain */
	SP_ADDR_F_UTF8_LOCAL = 1u << 6,    /* non-ASCII in the local part */
	SP_ADDR_F_UTF8_DOMAIN = 1u << 7,   /* non-ASCII in the domain */
	SP_ADDR_F_OBS_DOTS = 1u << 8,      /* unquoted "a..b", ".a", "a." */
	SP_ADDR_F_DOMAIN_DOT = 1u << 9,    /* a trailing dot was dropped */
	SP_ADDR_F_LOCAL_ROUTING = 1u << 10 /* '@', '%' or '!' in the local part */
};
#define SP_ADDR_F_8BIT (SP_ADDR_F_UTF8_LOCAL | SP_ADDR_F_UTF8_DOMAIN)

/* What stands after the '@'. */
enum sp_addr_dkind {
	SP_ADDR_DK_NONE = 0,  /* null path, or Postmaster without a domain */
	SP_ADDR_DK_NAME,      /* a domain name */
	SP_ADDR_DK_IPV4,      /* [1.2.3.4] */
	SP_ADDR_DK_IPV6,      /* [IPv6:...] */
	SP_ADDR_DK_GENERAL    /* [tag:content] */
};

/* Why a path was refused; sp_addr_strerror gives the short message. */
enum sp_addr_err {
	SP_ADDR_OK = 0,
	SP_ADDR_E_EMPTY,            /* nothing where the path should be */
	SP_ADDR_E_CRLF_NUL,         /* CR, LF or NUL byte */
	SP_ADDR_E_CONTROL,          /* other control character */
	SP_ADDR_E_8BIT,             /* non-ASCII byte without SMTPUTF8 */
	SP_ADDR_E_UTF8,             /* malformed UTF-8 */
	SP_ADDR_E_NEED_ANGLE,       /* strict: path not in angle brackets */
	SP_ADDR_E_UNCLOSED_ANGLE,   /* '<' without '>' */
	SP_ADDR_E_UNCLOSED_QUOTE,   /* '"' without its closing '"' */
	SP_ADDR_E_UNCLOSED_LITERAL, /* '[' without ']' */
	SP_ADDR_E_TRAILING,         /* something other than SP after the path */
	SP_ADDR_E_NULL_PATH,        /* "<>" as a forward path */
	SP_ADDR_E_ROUTE,            /* malformed source route */
	SP_ADDR_E_LOCAL_EMPTY,      /* empty local part */
	SP_ADDR_E_LOCAL_CHAR,       /* character not allowed in the local part */
	SP_ADDR_E_LOCAL_DOTS,       /* strict syntax: misplaced dot in the local part */
	SP_ADDR_E_ESCAPE,           /* backslash before a non-ASCII byte */
	SP_ADDR_E_MIN_USER,         /* local part starts with '-' */
	SP_ADDR_E_NO_DOMAIN,        /* no '@domain' (and not Postmaster in RCPT) */
	SP_ADDR_E_DOMAIN_EMPTY,     /* '@' with nothing after it */
	SP_ADDR_E_DOMAIN_CHAR,      /* character not allowed in a domain */
	SP_ADDR_E_LABEL_EMPTY,      /* empty domain label */
	SP_ADDR_E_LABEL_HYPHEN,     /* label starts or ends with '-' */
	SP_ADDR_E_LABEL_TOO_LONG,   /* label over 63 octets */
	SP_ADDR_E_DOMAIN_NUMERIC,   /* all-numeric domain: use an address literal */
	SP_ADDR_E_IPV4,             /* bad [IPv4] literal */
	SP_ADDR_E_IPV6,             /* bad [IPv6:...] literal */
	SP_ADDR_E_LITERAL,          /* bad address literal */
	SP_ADDR_E_LOCAL_TOO_LONG,   /* local part over 64 octets */
	SP_ADDR_E_DOMAIN_TOO_LONG,  /* domain over 255 octets */
	SP_ADDR_E_PATH_TOO_LONG,    /* path over 256 octets */
	SP_ADDR_E_COUNT
};

/* A parsed path. Every string is NUL-terminated, its length beside it;
 * none contains CR, LF, NUL or another control character. */
struct sp_addr {
	unsigned flags;              /* SP_ADDR_F_* */
	enum sp_addr_dkind dkind;
	size_t local_raw_len;        /* local part as written (quotes, escapes) */
	char local_raw[SP_ADDR_LOCAL_MAX + 1];
	size_t local_len;            /* internal form: quotes and escapes removed */
	char local[SP_ADDR_LOCAL_MAX + 1];
	size_t domain_len;           /* domain as written, without a trailing dot; */
	char domain[SP_ADDR_DOMAIN_MAX + 1]; /* a literal keeps its brackets */
	unsigned char ip[16];        /* DK_IPV4: 4 bytes, DK_IPV6: 16 bytes */
	size_t route_len;            /* "@a,@b" as written, without the ':' */
	char route[SP_ADDR_PATH_MAX + 1];
	unsigned route_hops;         /* domains in the route */
};

/* Parses the path at the start of in[0..len) (the text after "MAIL FROM:"
 * or "RCPT TO:") under opts (SP_ADDR_OPT_*). Returns SP_ADDR_OK with *a
 * filled and *end the offset just past the path (len, or a SP/HTAB where
 * the parameters begin), or an error code with *a zeroed and *end near the
 * offending byte. */
enum sp_addr_err sp_addr_parse(const char *in, size_t len, unsigned opts,
			       struct sp_addr *a, size_t *end);

/* The short message for an error code ("unknown error" for others). */
const char *sp_addr_strerror(enum sp_addr_err e);

/* Appends the external form of an internal local part and domain to out:
 * local@domain, the local part quoted (only '"' and '\' escaped) when it is
 * not an RFC 5321 Dot-string; just the local part when dlen is 0. Returns 0,
 * or -1 (out unchanged) for an empty local part, a control character or
 * malformed UTF-8 in either, or when out would pass its maximum. */
int sp_addr_external(const char *local, size_t llen, const char *domain, size_t dlen,
		     struct sp_buf *out);

/* sp_addr_external of a parsed path's internal form ("" for the null path,
 * "Postmaster" for a domain-less Postmaster). Returns 0 or -1 as above. */
int sp_addr_format(const struct sp_addr *a, struct sp_buf *out);

#endif
