/* test_s3.c — the S3 client's pure parts: SigV4 against AWS's published
 * examples (s3_sign.c), the canonical query, the streaming XML reader
 * (s3_xml.c) on S3's answers and on hostile documents, and s3_init's
 * reading of the endpoint and the names (s3_conn.c). */
#include "features.h"

#if CAIRN_S3

#include <stdio.h>
#include <string.h>

#include "s3.h"
#include "s3_sign.h"
#include "s3_xml.h"
#include "unit.h"

#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define AK "AKIAIOSFODNN7EXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define HOST "examplebucket.s3.amazonaws.com"
#define DATE "20130524T000000Z"
#define CRED "AWS4-HMAC-SHA256 Credential=" AK "/20130524/us-east-1/s3/" \
	"aws4_request,SignedHeaders="

/* The three GET examples of AWS's "Signature Calculations for the
 * Authorization Header: Transferring Payload in a Single Chunk". */
static void
sign_examples(void)
{
	static const struct s3_hdr object[] = { { "host", HOST },
	    { "range", "bytes=0-9" }, { "x-amz-content-sha256", EMPTY },
	    { "x-amz-date", DATE } };
	static const struct s3_hdr plain[] = { { "host", HOST },
	    { "x-amz-content-sha256", EMPTY }, { "x-amz-date", DATE } };
	/* given out of order: the canonical query sorts them */
	static const struct s3_param list[] = { { "prefix", "J" },
	    { "max-keys", "2" } };
	static const struct s3_param life[] = { { "lifecycle", "" } };
	struct s3_sign_in in = { "GET", "/test.txt", "", object, 4, EMPTY,
	    DATE, "us-east-1", AK, SK };
	char q[256], auth[S3_SIGN_AUTH_MAX];
	const char *want;

	want = CRED "host;range;x-amz-content-sha256;x-amz-date,Signature="
	    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
	CHECK(s3_sign(&in, auth, sizeof auth) == 0);
	CHECK_SAME(auth, strlen(auth), want, strlen(want));

	CHECK(s3_sign_query(list, 2, q, sizeof q) == 19);
	CHECK(strcmp(q, "max-keys=2&prefix=J") == 0);
	in.uri = "/";
	in.query = q;
	in.hdr = plain;
	in.nhdr = 3;
	want = CRED "host;x-amz-content-sha256;x-amz-date,Signature="
	    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
	CHECK(s3_sign(&in, auth, sizeof auth) == 0);
	CHECK_SAME(auth, strlen(auth), want, strlen(want));

	CHECK(s3_sign_query(life, 1, q, sizeof q) == 10);
	CHECK(strcmp(q, "lifecycle=") == 0);
	want = CRED "host;x-amz-content-sha256;x-amz-date,Signature="
	    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543";
	CHECK(s3_sign(&in, auth, sizeof auth) == 0);
	CHECK_SAME(auth, strlen(auth), want, strlen(want));

	/* too small, a bad date */
	CHECK(s3_sign(&in, auth, 100) == -1);
	in.amz_date = "20130524";
	CHECK(s3_sign(&in, auth, sizeof auth) == -1);
}

static void
query_order(void)
{
	static const struct s3_param p[] = { { "uploadId", "a b/c~d" },
	    { "partNumber", "10" }, { "b", "2" }, { "b", "1" },
	    { "uploads", "" }, { "A", "x=y&z" } };
	char q[256], sha[65];

	/* byte order (capitals first), then by value; empty values get
	 * their '='; everything but unreserved bytes encoded */
	CHECK(s3_sign_query(p, 6, q, sizeof q) > 0);
	CHECK(strcmp(q, "A=x%3Dy%26z&b=1&b=2&partNumber=10&uploadId="
	    "a%20b%2Fc~d&uploads=") == 0);
	CHECK(s3_sign_query(p, 6, q, 20) == -1);
	CHECK(s3_sign_query(p, 0, q, sizeof q) == 0 && q[0] == 0);
	CHECK(s3_sign_query(p, S3_QUERY_PARAMS + 1, q, sizeof q) == -1);
	s3_sha256_hex("", 0, sha);
	CHECK(strcmp(sha, EMPTY) == 0);
	s3_sha256_hex("abc", 3, sha);
	CHECK(strcmp(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	    "b410ff61f20015ad") == 0);
}

/* ---- the XML reader ------------------------------------------------------ */

static char got[4096];

/* Each element as "path=text;" appended to got. */
static int
log_fn(void *arg, const char *path, const char *text, size_t len)
{
	size_t n = strlen(got);

	(void)arg;
	CHECK(strlen(text) == len);
	snprintf(got + n, sizeof got - n, "%s=%s;", path, text);
	return 0;
}

/* Read doc in pieces of step bytes (0: whole): 0 or -1. */
static int
xml_read(const char *doc, size_t step, const char **why)
{
	struct s3_xml x;
	size_t n = strlen(doc), i, k;
	int r;

	got[0] = 0;
	s3_xml_init(&x, log_fn, NULL);
	for (i = 0; i < n; i += k) {
		k = step && step < n - i ? step : n - i;
		if (s3_xml_push(&x, doc + i, k) != 0)
			break;
	}
	r = i >= n ? s3_xml_end(&x) : -1;
	*why = x.why;
	return r;
}

static const char list_doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount>"
    "<IsTruncated>true</IsTruncated>"
    "<Contents><Key>a/x&amp;y &lt;1&gt;</Key>"
    "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
    "<Size>7</Size><StorageClass>STANDARD</StorageClass></Contents>\n"
    "  <!-- a comment -- with dashes --->"
    "<Contents><Key>&#x00e9;&#233;&#x1F600;</Key><Size>0</Size>"
    "<Owner/></Contents>"
    "<NextContinuationToken>tok</NextContinuationToken>"
    "</ListBucketResult>\n";

static const char list_want[] =
    "ListBucketResult/Name=b;ListBucketResult/Prefix=;"
    "ListBucketResult/KeyCount=2;ListBucketResult/IsTruncated=true;"
    "ListBucketResult/Contents/Key=a/x&y <1>;"
    "ListBucketResult/Contents/ETag=\"9b2cf535f27731c974343645a3985328\";"
    "ListBucketResult/Contents/Size=7;"
    "ListBucketResult/Contents/StorageClass=STANDARD;"
    "ListBucketResult/Contents=;"
    "ListBucketResult/Contents/Key=\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80;"
    "ListBucketResult/Contents/Size=0;ListBucketResult/Contents/Owner=;"
    "ListBucketResult/Contents=;"
    "ListBucketResult/NextContinuationToken=tok;ListBucketResult=;";

static void
xml_s3(void)
{
	const char *why;
	size_t step;
	int all = 1;

	CHECK(xml_read(list_doc, 0, &why) == 0);
	CHECK_SAME(got, strlen(got), list_want, strlen(list_want));
	/* any split gives the same */
	for (step = 1; step < 40; step++)
		if (xml_read(list_doc, step, &why) != 0 ||
		    strcmp(got, list_want) != 0)
			all = 0;
	CHECK(all);
	CHECK(xml_read("<Error><Code>SlowDown</Code><Message>Please reduce "
	    "your request rate.</Message></Error>", 3, &why) == 0);
	CHECK(strcmp(got, "Error/Code=SlowDown;Error/Message=Please reduce "
	    "your request rate.;Error=;") == 0);
	CHECK(xml_read("<a b='>' c=\"/\" ><b >x</b ></a>", 1, &why) == 0);
	CHECK(strcmp(got, "a/b=x;a=;") == 0);
	CHECK(xml_read("\r\n\t <a/> \n", 0, &why) == 0);
}

static const struct {
	const char *doc;
	const char *why;	/* a word of the reason, or NULL: ends early */
} hostile[] = {
	{ "<!DOCTYPE a [<!ENTITY x \"yy\">]><a>&x;</a>", "DOCTYPE" },
	{ "<a><![CDATA[x]]></a>", "CDATA" },
	{ "<a>&x;</a>", "unknown entity" },
	{ "<a>&amp</a>", "entity" },
	{ "<a>&;</a>", "unknown entity" },
	{ "<a>&#0;</a>", "character reference" },
	{ "<a>&#x;</a>", "character reference" },
	{ "<a>&#xD800;</a>", "character reference" },
	{ "<a>&#x110000;</a>", "character reference" },
	{ "<a>&#99999999999999999999;</a>", "entity" },
	{ "<a>&#12x;</a>", "character reference" },
	{ "<a>&#1;</a>", "character reference" },
	{ "<a></b>", "does not match" },
	{ "<a><b></a></b>", "does not match" },
	{ "</a>", "without an open" },
	{ "<a></a><b></b>", "second root" },
	{ "x<a></a>", "outside" },
	{ "<a></a>x", "outside" },
	{ "<a>\001</a>", "control" },
	{ "<a b=\"<\"></a>", "attribute" },
	{ "<a <b></a>", "inside a tag" },
	{ "<a/ >", "'/'" },
	{ "< a></a>", "begins no tag" },
	{ "<1a></1a>", "begins no tag" },
	{ "<a></ a>", "close tag" },
	{ "<a></a x>", "close tag" },
	{ "<a>", NULL },
	{ "<a><b>x</b>", NULL },
	{ "<a", NULL },
	{ "<?xml version='1.0'?>", NULL },
	{ "<!-- x -->", NULL },
	{ "", NULL },
	{ "<a><!-- x --</a>", NULL },
};

static void
xml_hostile(void)
{
	static char deep[256], long_text[S3_XML_TEXT + 40];
	static char long_name[S3_XML_PATH + 40];
	const char *why;
	size_t i, n;
	int r;

	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		r = xml_read(hostile[i].doc, 0, &why);
		if (!CHECK(r == -1 && why != NULL && (hostile[i].why == NULL ||
		    strstr(why, hostile[i].why) != NULL)))
			fprintf(stderr, "    doc %s: %d %s\n", hostile[i].doc, r,
			    why ? why : "(none)");
	}
	/* a NUL in the bytes */
	{
		struct s3_xml x;

		s3_xml_init(&x, log_fn, NULL);
		CHECK(s3_xml_push(&x, "<a>\0</a>", 8) == -1);
		CHECK(s3_xml_push(&x, "</a>", 4) == -1);	/* stays failed */
	}
	/* nested too deep, text and names too long */
	for (n = 0, i = 0; i <= S3_XML_DEPTH; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "<a>");
	CHECK(xml_read(deep, 0, &why) == -1 && strstr(why, "deep"));
	memcpy(long_text, "<a>", 3);
	memset(long_text + 3, 'x', S3_XML_TEXT);
	memcpy(long_text + 3 + S3_XML_TEXT, "</a>", 5);
	CHECK(xml_read(long_text, 0, &why) == -1 && strstr(why, "text"));
	long_name[0] = '<';
	memset(long_name + 1, 'n', S3_XML_PATH + 2);
	memcpy(long_name + S3_XML_PATH + 3, "/>", 3);
	CHECK(xml_read(long_name, 0, &why) == -1 && strstr(why, "long"));
}

/* A reader that stops at the first element: its return comes back. */
static int
stop_fn(void *arg, const char *path, const char *text, size_t len)
{
	(void)arg, (void)path, (void)text, (void)len;
	return 7;
}

static void
xml_stop(void)
{
	struct s3_xml x;

	s3_xml_init(&x, stop_fn, NULL);
	CHECK(s3_xml_push(&x, "<a><b/></a>", 11) == 7);
}

/* ---- s3_init ------------------------------------------------------------ */

static void
endpoints(void)
{
	static struct s3 s;
	struct s3_conf c = { "http://127.0.0.1:7480", "bucket-1", "", NULL,
	    "AK", "SK", NULL, 0, 0 };
	static const char *const bad[] = { "ftp://h", "http://", "http://h/x",
	    "http://h:0", "http://h:65536", "http://h:", "http://u@h",
	    "http://h?x", "http://[::1", "http://[]:80", "http://[x]",
	    "http://h_h", "https://h:443", "http://h:80x", NULL };
	char text[S3_ERR_MAX];
	size_t i;

	CHECK(s3_init(&s, &c, text, sizeof text) == 0);
	CHECK(strcmp(s.host, "127.0.0.1") == 0 && s.port == 7480 && !s.tls);
	CHECK(strcmp(s.authority, "127.0.0.1:7480") == 0);
	CHECK(strcmp(s.region, "us-east-1") == 0);
	c.endpoint = "http://s3.example.com/";
	CHECK(s3_init(&s, &c, text, sizeof text) == 0 && s.port == 80 &&
	    strcmp(s.authority, "s3.example.com") == 0);
	c.endpoint = "http://[::1]:9000";
	CHECK(s3_init(&s, &c, text, sizeof text) == 0 && s.port == 9000 &&
	    strcmp(s.host, "::1") == 0 && strcmp(s.authority, "[::1]:9000") == 0);
	for (i = 0; bad[i] != NULL; i++) {
		c.endpoint = bad[i];
		if (!CHECK(s3_init(&s, &c, text, sizeof text) == -1))
			fprintf(stderr, "    endpoint %s taken\n", bad[i]);
	}
	c.endpoint = "https://h";
	CHECK(s3_init(&s, &c, text, sizeof text) == -1 &&
	    strstr(text, "--s3-ca") != NULL);
	c.ca_file = "/nonexistent/ca.pem";
	CHECK(s3_init(&s, &c, text, sizeof text) == -1 &&
	    strstr(text, "cannot open") != NULL);
	c.ca_file = NULL;
	c.endpoint = "http://h";
	c.bucket = "ab";
	CHECK(s3_init(&s, &c, text, sizeof text) == -1);
	c.bucket = "Bucket";
	CHECK(s3_init(&s, &c, text, sizeof text) == -1);
	c.bucket = "bucket";
	c.prefix = "p";
	CHECK(s3_init(&s, &c, text, sizeof text) == -1);
	c.prefix = "p/";
	CHECK(s3_init(&s, &c, text, sizeof text) == 0 &&
	    strcmp(s.prefix, "p/") == 0);
	c.region = "EU West";
	CHECK(s3_init(&s, &c, text, sizeof text) == -1);
	c.region = NULL;
	c.access_key = "A/K";
	CHECK(s3_init(&s, &c, text, sizeof text) == -1);
	c.access_key = NULL;
	CHECK(s3_init(&s, &c, text, sizeof text) == -1);
}

void
suite_s3(void)
{
	sign_examples();
	query_order();
	xml_s3();
	xml_hostile();
	xml_stop();
	endpoints();
}

#else

void
suite_s3(void)
{
}

#endif
