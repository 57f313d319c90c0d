/*
 * fuzz/smtp_data.c - libFuzzer target for src/smtp/data.c. The first byte:
 * bit 0 the mode (0 DOT, 1 CHUNK), bit 1 a size limit on, bits 2-7 a seed k
 * for the split pattern (and the limit, 1 + 4k). The rest is fed in one
 * call and again in pieces whose sizes follow the seed (0 to 16 bytes,
 * empty pieces included), then sp_data_finish. Both runs must give the same
 * output, consumed count, flags, done and size.
 *
 * Checked against data.h: in DOT mode the bytes consumed end just past the
 * first CRLF "." CRLF in "\r\n" + input (the whole input when there is
 * none), and done says whether there was one; a feed writes at most
 * 2 * len + 2 bytes; with a limit the output is the unlimited output cut at
 * the limit, TOO_BIG exactly when something was cut; the output has no bare
 * LF; BARE_LF is set exactly when the consumed input has an LF without its
 * CR, BARE_CR exactly when the output (after finish) has a CR without its
 * LF; in CHUNK mode the output is the input with each bare LF made CRLF.
 */
#include "smtp/data.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	char *out;
	size_t outlen, consumed;
	struct sp_data d;
};

/* Feeds in[0..len) in pieces (split: 0 for one piece), then finishes. */
static void run(const char *in, size_t len, enum sp_data_mode mode, uint64_t max, unsigned split,
		struct run *r)
{
	uint32_t seed = split * 2654435761u + 1;
	size_t off = 0;

	r->out = malloc(2 * len + 4);
	if (r->out == NULL)
		abort();
	r->outlen = 0;
	sp_data_init(&r->d, mode, max);
	for (;;) {
		size_t piece = len - off, o = (size_t)-1, n;

		if (split) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 17 < piece)
				piece = (seed >> 16) % 17;
		}
		n = sp_data_feed(&r->d, in + off, piece, r->out + r->outlen, &o);
		if (n > piece || o > 2 * piece + 2)
			abort();
		r->outlen += o;
		off += n;
		if (n < piece || off == len)
			break;
	}
	/* once done, nothing more is taken */
	if (r->d.done && off < len) {
		size_t o = (size_t)-1;

		if (sp_data_feed(&r->d, in + off, len - off, r->out + r->outlen, &o) != 0 || o != 0)
			abort();
	}
	r->consumed = off;
	r->outlen += sp_data_finish(&r->d, r->out + r->outlen);
	if (r->outlen > 2 * len + 2 || r->d.size != r->outlen)
		abort();
}

static void same(const struct run *a, const struct run *b)
{
	if (a->outlen != b->outlen || memcmp(a->out, b->out, a->outlen) != 0 ||
	    a->consumed != b->consumed || a->d.flags != b->d.flags || a->d.done != b->d.done ||
	    a->d.size != b->d.size)
		abort();
}

static size_t reference_end(const char *in, size_t len, int *found)
{
	for (size_t p = 0; p + 5 <= len + 2; p++) {
		size_t k;

		for (k = 0; k < 5; k++) {
			char c = p + k < 2 ? "\r\n"[p + k] : in[p + k - 2];
			if (c != "\r\n.\r\n"[k])
				break;
		}
		if (k == 5) {
			*found = 1;
			return p + 5 - 2;
		}
	}
	*found = 0;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in;
	size_t len;
	enum sp_data_mode mode;
	unsigned k;
	uint64_t max;
	struct run one, pieces, bytes, free_run;
	int found, cr_alone = 0, lf_alone = 0;

	if (size < 1)
		return 0;
	mode = (data[0] & 1) ? SP_DATA_CHUNK : SP_DATA_DOT;
	k = data[0] >> 2;
	max = (data[0] & 2) ? 1 + 4 * (uint64_t)k : 0;
	len = size - 1;
	in = (const char *)data + 1;

	run(in, len, mode, max, 0, &one);
	run(in, len, mode, max, k + 1, &pieces);
	same(&one, &pieces);
	free(pieces.out);
	if (len <= 256) {   /* one byte at a time: piece sizes of the seed are 0..16 */
		struct sp_data d;
		size_t o, n, off = 0;

		bytes.out = malloc(2 * len + 4);
		if (bytes.out == NULL)
			abort();
		bytes.outlen = 0;
		sp_data_init(&d, mode, max);
		while (off < len && (n = sp_data_feed(&d, in + off, 1, bytes.out + bytes.outlen, &o)) == 1) {
			bytes.outlen += o;
			off++;
		}
		bytes.consumed = off;
		bytes.outlen += sp_data_finish(&d, bytes.out + bytes.outlen);
		bytes.d = d;
		same(&one, &bytes);
		free(bytes.out);
	}

	/* where it stops */
	if (mode == SP_DATA_DOT) {
		if (one.consumed != reference_end(in, len, &found) || one.d.done != found)
			abort();
	} else if (one.consumed != len || one.d.done) {
		abort();
	}

	/* the limit cuts the unlimited output */
	if (max) {
		run(in, len, mode, 0, 0, &free_run);
		if (one.outlen > max || one.d.size > max)
			abort();
		if (one.consumed != free_run.consumed || one.d.done != free_run.d.done)
			abort();
		if (one.outlen != (free_run.outlen < max ? free_run.outlen : max) ||
		    memcmp(one.out, free_run.out, one.outlen) != 0)
			abort();
		if (!!(one.d.flags & SP_DATA_TOO_BIG) != (free_run.outlen > max))
			abort();
		if ((one.d.flags & ~(unsigned)SP_DATA_TOO_BIG) != free_run.d.flags)
			abort();
		free(one.out);
		one = free_run;
	} else if (one.d.flags & SP_DATA_TOO_BIG) {
		abort();
	}

	/* bare LF and bare CR */
	for (size_t i = 0; i < one.outlen; i++) {
		if (one.out[i] == '\n' && (i == 0 || one.out[i - 1] != '\r'))
			abort();
		if (one.out[i] == '\r' && (i + 1 == one.outlen || one.out[i + 1] != '\n'))
			cr_alone = 1;
	}
	for (size_t i = 0; i < one.consumed; i++)
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			lf_alone = 1;
	if (!!(one.d.flags & SP_DATA_BARE_CR) != cr_alone ||
	    !!(one.d.flags & SP_DATA_BARE_LF) != lf_alone)
		abort();

	/* CHUNK: the input, bare LFs made CRLF */
	if (mode == SP_DATA_CHUNK) {
		size_t o = 0;

		for (size_t i = 0; i < len; i++) {
			if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
				if (o + 2 > one.outlen || one.out[o] != '\r' || one.out[o + 1] != '\n')
					abort();
				o += 2;
			} else if (o >= one.outlen || one.out[o++] != in[i]) {
				abort();
			}
		}
		if (o != one.outlen)
			abort();
	}
	free(one.out);
	return 0;
}
