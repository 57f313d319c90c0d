/*
 * data.h - the message content of DATA and BDAT as a byte stream in and the
 * message out, strictly: in DATA a line ends only in CRLF, the content ends
 * only at CRLF "." CRLF (the start of the content counts as a CRLF), and
 * dot-stuffing is undone. A bare LF or bare CR anywhere is recorded (the
 * session rejects the message, or keeps it normalised, as
 * smtpd_forbid_bare_newline says), is stored as CRLF (LF) or as itself
 * (CR), and never ends a line for the end-of-data test: "\n.\n",
 * "\n.\r\n", "\r\n.\n", "\r.\r\n" and the like are content, so no variant
 * can end a message early or start a second one (SMTP smuggling). A "."
 * line next to a bare LF is dropped, as Postfix's normalize mode does.
 * BDAT chunks are counted bytes: no dot-stuffing and no end marker, the same
 * bare-newline rules. Pure: bytes in, bytes out, state in a struct.
 */
#ifndef SP_SMTP_DATA_H
#define SP_SMTP_DATA_H

#include <stddef.h>
#include <stdint.h>

enum {
	SP_DATA_BARE_LF = 1 << 0,
	SP_DATA_BARE_CR = 1 << 1,
	SP_DATA_TOO_BIG = 1 << 2,    /* more than max bytes: the rest is not written */
};

enum sp_data_mode { SP_DATA_DOT, SP_DATA_CHUNK };

struct sp_data {
	enum sp_data_mode mode;
	int state;          /* where in a line (data.c) */
	int done;           /* DOT: the end marker was read */
	unsigned flags;     /* SP_DATA_* */
	uint64_t size;      /* message bytes written so far */
	uint64_t max;       /* message_size_limit; 0: none */
};

void sp_data_init(struct sp_data *d, enum sp_data_mode mode, uint64_t max);

/* Consumes in[0..len), or in DOT mode up to and including the end marker;
 * writes the message bytes to out (room for 2 * len + 2 bytes needed) and
 * sets *outlen. Returns the bytes consumed (the rest is the next command). */
size_t sp_data_feed(struct sp_data *d, const char *in, size_t len, char *out, size_t *outlen);

/* BDAT LAST (or a connection ending mid-line): a CR still waiting for its LF
 * is a bare CR. Writes at most 1 byte to out; returns the count. */
size_t sp_data_finish(struct sp_data *d, char *out);

#endif
