/*
 * data.c - the DATA/BDAT content state machine (see data.h).
 *
 * One state per position in a line: at a line start after a proper CRLF
 * (LS) or after a bare LF (LSB), inside a line (MID), after a CR inside a
 * line (CR), after a leading dot at LS (DOT) or at LSB (DOTB), and after
 * ".\r" at LS (DOTCR) or at LSB (DOTCRB). Only LS "." "\r" "\n" ends DATA.
 */
#include "data.h"

#include <string.h>

enum { LS, LSB, MID, CR, DOT, DOTB, DOTCR, DOTCRB };

void sp_data_init(struct sp_data *d, enum sp_data_mode mode, uint64_t max)
{
	memset(d, 0, sizeof(*d));
	d->mode = mode;
	d->state = LS;
	d->max = max;
}

/* Appends b to out unless the size limit is passed. */
static void sp_put(struct sp_data *d, char *out, size_t *o, char b)
{
	if (d->max && d->size >= d->max) {
		d->flags |= SP_DATA_TOO_BIG;
		return;
	}
	d->size++;
	out[(*o)++] = b;
}

static void sp_crlf(struct sp_data *d, char *out, size_t *o)
{
	sp_put(d, out, o, '\r');
	sp_put(d, out, o, '\n');
}

/* A byte inside a line, or the first one of a line that is not a dot. */
static int sp_mid(struct sp_data *d, char b, char *out, size_t *o)
{
	if (b == '\r')
		return CR;
	if (b == '\n') {
		d->flags |= SP_DATA_BARE_LF;
		sp_crlf(d, out, o);
		return LSB;
	}
	sp_put(d, out, o, b);
	return MID;
}

/* After a CR that may not be followed by LF. */
static int sp_after_cr(struct sp_data *d, char b, char *out, size_t *o)
{
	if (b == '\n') {
		sp_crlf(d, out, o);
		return LS;
	}
	d->flags |= SP_DATA_BARE_CR;
	sp_put(d, out, o, '\r');
	return sp_mid(d, b, out, o);
}

static int sp_step(struct sp_data *d, int st, char b, char *out, size_t *o)
{
	int dots = d->mode == SP_DATA_DOT;

	switch (st) {
	case LS:
	case LSB:
		if (b == '.' && dots)
			return st == LS ? DOT : DOTB;
		return sp_mid(d, b, out, o);
	case MID:
		return sp_mid(d, b, out, o);
	case CR:
		return sp_after_cr(d, b, out, o);
	case DOT:
	case DOTB:
		if (b == '\r')
			return st == DOT ? DOTCR : DOTCRB;
		if (b == '\n') {          /* "." ended by a bare LF: dropped */
			d->flags |= SP_DATA_BARE_LF;
			return LSB;
		}
		return sp_mid(d, b, out, o);   /* the stuffing dot is dropped */
	case DOTCR:
	case DOTCRB:
		if (b == '\n')            /* DOTCR: the end; DOTCRB: "." after a bare LF, dropped */
			return st == DOTCR ? -1 : LS;
		return sp_after_cr(d, b, out, o);
	}
	return MID;
}

/*
 * Inside a line, the bytes up to the next CR or LF are copied as they are
 * (up to the size limit): the common case, done without a step per byte.
 * Returns how many bytes of in[0..len) were taken.
 */
static size_t sp_mid_run(struct sp_data *d, const char *in, size_t len, char *out, size_t *o)
{
	const char *cr = memchr(in, '\r', len);
	size_t run = cr ? (size_t)(cr - in) : len;
	const char *lf = memchr(in, '\n', run);
	size_t room;

	if (lf)
		run = (size_t)(lf - in);
	room = run;
	if (d->max && d->max - d->size < run) {
		room = d->max > d->size ? (size_t)(d->max - d->size) : 0;
		d->flags |= SP_DATA_TOO_BIG;
	}
	memcpy(out + *o, in, room);
	*o += room;
	d->size += room;
	return run;
}

size_t sp_data_feed(struct sp_data *d, const char *in, size_t len, char *out, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && !d->done; i++) {
		if (d->state == MID) {
			i += sp_mid_run(d, in + i, len - i, out, &o);
			if (i == len)
				break;
		}
		int st = sp_step(d, d->state, in[i], out, &o);
		if (st < 0) {
			d->done = 1;
			d->state = LS;
		} else {
			d->state = st;
		}
	}
	*outlen = o;
	return i;
}

size_t sp_data_finish(struct sp_data *d, char *out)
{
	size_t o = 0;

	if (d->state == CR || d->state == DOTCR || d->state == DOTCRB) {
		d->flags |= SP_DATA_BARE_CR;
		sp_put(d, out, &o, '\r');
	}
	d->state = LS;
	return o;
}
