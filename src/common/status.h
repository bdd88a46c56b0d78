/*
 * status.h — the status of a reply (PROTOCOL.md, "Replies"), shared by the
 * protocol and the server's store, which answers with them.
 */
#ifndef CAIRN_STATUS_H
#define CAIRN_STATUS_H

#define MSG_MAX 512		/* bytes of a reply's message */

/* Reply status. */
enum {
	ST_OK = 0,		/* done (for an offer: the server has it) */
	ST_NEED = 1,		/* offer: send the data */
	ST_BAD_REQUEST = 10,	/* malformed or out of order: fatal */
	ST_NOT_FOUND = 11,
	ST_BUSY = 12,
	ST_QUOTA = 13,
	ST_DENIED = 14,
	ST_IO = 15,		/* the server could not store it */
	ST_BAD_DATA = 16	/* size or MD5 did not match */
};

#endif
