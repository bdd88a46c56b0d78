/*
 * s3_xml.h — a small streaming reader of the XML an S3 endpoint answers
 * with (ListObjectsV2, InitiateMultipartUpload and CompleteMultipartUpload
 * results, error replies). Bytes go in as they arrive, in pieces of any
 * size; each element, when it closes, is handed to a callback with its
 * path from the root ("ListBucketResult/Contents/Key") and its text, the
 * character data since the last tag, entities decoded.
 *
 * What it takes: one root element, elements with attributes (skipped),
 * empty elements (<a/>), the XML declaration and processing instructions
 * and comments (skipped), the five predefined entities and character
 * references. What it refuses: a DOCTYPE (so no entity of a document's
 * own, and no expansion), CDATA, a name, text or path longer than its
 * buffer, a close tag that does not match, text outside the root, bytes
 * after it other than blanks. Everything is bounded by the struct.
 */
#ifndef CAIRN_S3_XML_H
#define CAIRN_S3_XML_H

#include <stddef.h>

#define S3_XML_PATH 192		/* the element path, '/'-separated */
#define S3_XML_TEXT 1100	/* an element's text (a key: up to 1024) */
#define S3_XML_DEPTH 8

/* Called as each element closes: text[len] is NUL-terminated. A nonzero
 * return stops the reader (s3_xml_push returns it). */
typedef int s3_xml_fn(void *arg, const char *path, const char *text,
    size_t len);

struct s3_xml {
	s3_xml_fn *fn;
	void *arg;
	int state;
	int root_done;		/* the root element has closed */
	unsigned depth;
	size_t plen;		/* bytes of path in use */
	size_t mark[S3_XML_DEPTH];	/* where each level's name starts */
	size_t nlen;		/* the name being read (close tag, entity) */
	size_t tlen;
	unsigned skip;		/* bytes matched of a terminator ("-->") */
	char quote;		/* the quote of an attribute value */
	int back;		/* the state an entity returns to */
	char name[S3_XML_PATH];
	char path[S3_XML_PATH];
	char text[S3_XML_TEXT];
	const char *why;	/* why the document is refused */
};

/* Begin a document: fn(arg, ...) gets each element. */
void s3_xml_init(struct s3_xml *x, s3_xml_fn *fn, void *arg);
/* Read p[n]: 0, -1 when the document is malformed or too large (x->why),
 * or the callback's nonzero return. */
int s3_xml_push(struct s3_xml *x, const char *p, size_t n);
/* The end of the bytes: 0 if they held one whole document, else -1. */
int s3_xml_end(struct s3_xml *x);

#endif
