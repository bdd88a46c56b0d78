/*
 * features.h — compile-time feature flags, in Dropbear's manner.
 *
 * Each flag is 0 or 1 and is tested with #if, never #ifdef:
 *
 *	CAIRN_UI	cairn's local web page (cairn --ui)
 *	CAIRN_S3	cairnd's object-store backend (cairnd --store s3)
 *
 * Both are 1 unless set otherwise. The Makefile passes both to every
 * compile of src/ and port/ (static, cross, ASan, debug, fuzz): plain
 * `make` builds with both on, `make SMALL=1` with both off, into its own
 * directories (build/small/, build/<arch>/small/), so that the two builds
 * sit side by side. Any other build system sets them the same way, e.g.
 * -DCAIRN_UI=0. The size each build must keep to, per target, is in
 * DESIGN.md (Feature flags and size budgets); `make sizes` checks it.
 *
 * The C library has a <features.h> of its own, which its headers include:
 * src/common must be on the quote path only (-iquote, as in the
 * Makefile), never -I, or that include finds this file instead.
 *
 * The web UI (src/client/ui*.c) and the object store (src/server/s3*.c,
 * store_s3*.c) are behind them; src/common/http.c behind CAIRN_HTTP. A
 * file that tests a flag includes this header, so that the checks below
 * apply to it.
 *
 * Derived from them (not a choice of its own):
 *
 *	CAIRN_HTTP	the HTTP/1.1 code both features use (the UI serves
 *			HTTP, the object store speaks it to the endpoint):
 *			1 when either is on. It may be forced to 1 (to test
 *			or fuzz that code in a SMALL build), never to 0 while
 *			a feature that needs it is on.
 */
#ifndef CAIRN_FEATURES_H
#define CAIRN_FEATURES_H

#ifndef CAIRN_UI
#define CAIRN_UI 1
#endif
#ifndef CAIRN_S3
#define CAIRN_S3 1
#endif

/*
 * CAIRN_FLAG_OK(x) is 1 when x is exactly the token 0 or 1. A plain
 * "#if x != 0 && x != 1" would let -DCAIRN_UI=yes through, since #if reads
 * an unknown word as 0; pasting catches words, other numbers and an empty
 * value alike.
 */
#define CAIRN_FLAG_OK_0 1
#define CAIRN_FLAG_OK_1 1
#define CAIRN_FLAG_OK_(x) CAIRN_FLAG_OK_##x
#define CAIRN_FLAG_OK(x) CAIRN_FLAG_OK_(x)

#if !CAIRN_FLAG_OK(CAIRN_UI)
#error "CAIRN_UI must be 0 or 1 (the web UI of cairn: -DCAIRN_UI=0 leaves it out)"
#endif
#if !CAIRN_FLAG_OK(CAIRN_S3)
#error "CAIRN_S3 must be 0 or 1 (the object-store backend of cairnd: -DCAIRN_S3=0 leaves it out)"
#endif

#ifndef CAIRN_HTTP
#if CAIRN_UI || CAIRN_S3
#define CAIRN_HTTP 1
#else
#define CAIRN_HTTP 0
#endif
#endif

#if !CAIRN_FLAG_OK(CAIRN_HTTP)
#error "CAIRN_HTTP must be 0 or 1"
#endif
#if !CAIRN_HTTP && CAIRN_UI
#error "CAIRN_UI=1 needs the HTTP code: CAIRN_HTTP=0 is impossible with it"
#endif
#if !CAIRN_HTTP && CAIRN_S3
#error "CAIRN_S3=1 needs the HTTP code: CAIRN_HTTP=0 is impossible with it"
#endif

#endif
