#!/bin/sh
# deps.sh — install what cairn's build and tests need on a Debian machine,
# and fetch BearSSL's source package into build/ (checked against a pinned
# sha256). Idempotent: a second run installs and downloads nothing.
#
#   tools/deps.sh            build + test dependencies
#   tools/deps.sh bearssl    only the BearSSL source (used by the Makefile)
#   tools/deps.sh cross [ARCH...]
#                            Debian's cross compilers, musl-dev:<arch> and
#                            qemu-user-static for aarch64, armhf, mipsel
#                            (all three when no ARCH is named)
#   tools/deps.sh bench      build dependencies plus what `make bench` compares
#                            against and measures with: sshd, ssh, rsync,
#                            restic, GNU time, procps, valgrind, e2fsprogs
#                            (the Linux source tree is used when the
#                            linux-source package is installed; not by default)
#   tools/deps.sh ui         the browser test's: Debian's chromium and nodejs
#                            (npm), then playwright-core as test/browser's
#                            lock file pins it (npm ci, no browser download)
#   tools/deps.sh s3         a one-node Ceph for the object-store tests
#                            (tools/ceph-up.sh): mon, mgr, osd, radosgw and
#                            the ceph and radosgw-admin commands
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
BEARSSL_VER=0.6+dfsg.1
BEARSSL_ORIG=bearssl_${BEARSSL_VER}.orig.tar.xz
BEARSSL_SHA256=102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004
BEARSSL_DIR=$top/build/bearssl-src

PKGS="make gcc libc6-dev musl-tools libjsmn-dev openssl xz-utils dpkg-dev ca-certificates"

say() { printf 'deps: %s\n' "$*" >&2; }

need_root() {
	if [ "$(id -u)" != 0 ]; then
		say "must run as root to install packages (missing: $*)"
		exit 2
	fi
}

install_pkgs() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	need_root "$missing"
	say "installing$missing"
	if [ ! -f /var/lib/apt/periodic/cairn-updated ] ||
	   [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' 2>/dev/null | head -n 1)" ]; then
		# A list that fails (a mirror mid-sync) need not stop the install:
		# apt-get install says so if a package is really missing.
		if apt-get update -q >&2; then
			mkdir -p /var/lib/apt/periodic && : > /var/lib/apt/periodic/cairn-updated
		else
			say "apt-get update failed for some lists; installing with the others"
		fi
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
}

# A deb-src entry for the suite the machine runs, so apt-get source works.
add_deb_src() {
	grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && return 0
	grep -qs '^deb-src ' /etc/apt/sources.list && return 0
	need_root deb-src
	suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
	say "adding a deb-src entry for $suite"
	cat > /etc/apt/sources.list.d/cairn-src.sources <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get update -q >&2
}

fetch_bearssl() {
	[ -f "$BEARSSL_DIR/.ok" ] && return 0
	install_pkgs dpkg-dev xz-utils
	add_deb_src
	dl=$top/build/dl
	mkdir -p "$dl"
	if [ ! -f "$dl/$BEARSSL_ORIG" ]; then
		say "fetching BearSSL's source package"
		(cd "$dl" && apt-get source --download-only "bearssl=${BEARSSL_VER}-3" >&2 ||
		             apt-get source --download-only bearssl >&2)
	fi
	got=$(sha256sum "$dl/$BEARSSL_ORIG" | cut -d' ' -f1)
	if [ "$got" != "$BEARSSL_SHA256" ]; then
		say "$BEARSSL_ORIG: sha256 $got, expected $BEARSSL_SHA256; refusing to build"
		rm -f "$dl/$BEARSSL_ORIG"
		exit 1
	fi
	rm -rf "$BEARSSL_DIR" "$BEARSSL_DIR.tmp"
	mkdir -p "$BEARSSL_DIR.tmp"
	tar -xJf "$dl/$BEARSSL_ORIG" -C "$BEARSSL_DIR.tmp" --strip-components=1
	: > "$BEARSSL_DIR.tmp/.ok"
	mv "$BEARSSL_DIR.tmp" "$BEARSSL_DIR"
	say "BearSSL source ready in build/bearssl-src"
}

# Debian architecture and cross compiler package for each CROSS= name.
cross_pkgs() {
	case "$1" in
	aarch64) echo "arm64 gcc-aarch64-linux-gnu" ;;
	armhf)   echo "armhf gcc-arm-linux-gnueabihf" ;;
	mipsel)  echo "mipsel gcc-mipsel-linux-gnu" ;;
	*) say "unknown cross target '$1' (aarch64, armhf, mipsel; or use CROSS_COMPILE=)"
	   exit 2 ;;
	esac
}

install_cross() {
	[ $# -gt 0 ] || set -- aarch64 armhf mipsel
	pkgs="make xz-utils dpkg-dev qemu-user-static"
	for a in "$@"; do
		info=$(cross_pkgs "$a") || exit 2
		darch=${info%% *}
		if [ "$(dpkg --print-architecture)" != "$darch" ] &&
		   ! dpkg --print-foreign-architectures | grep -qx "$darch"; then
			need_root "architecture $darch"
			say "adding architecture $darch"
			dpkg --add-architecture "$darch"
		fi
		# No package list for that architecture yet: make install_pkgs update.
		ls /var/lib/apt/lists/*_binary-"${darch}"_Packages* >/dev/null 2>&1 ||
			rm -f /var/lib/apt/periodic/cairn-updated
		pkgs="$pkgs ${info#* } musl-dev:$darch"
	done
	# shellcheck disable=SC2086
	install_pkgs $pkgs
}

# The browser test (test/e2e/t_ui_browser.sh): Debian's chromium and node,
# and test/browser/node_modules from its lock file. npm ci runs again only
# when the lock file is newer than what it installed.
install_ui() {
	install_pkgs chromium nodejs fonts-dejavu-core
	command -v npm >/dev/null 2>&1 || install_pkgs npm
	b=$top/test/browser
	if [ -f "$b/node_modules/.package-lock.json" ] &&
	   [ ! "$b/package-lock.json" -nt "$b/node_modules/.package-lock.json" ]; then
		return 0
	fi
	say "npm ci in test/browser (playwright-core, no browser download)"
	(cd "$b" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
		--loglevel=error >&2)
}

case "${1:-all}" in
bearssl)
	fetch_bearssl
	;;
all)
	install_pkgs $PKGS
	fetch_bearssl
	;;
test)
	# rsync (-aHAXS, the fidelity tests' oracle), attr (setfattr), acl
	# (setfacl), libcap2-bin (setcap): what t_fidelity*.sh build trees with.
	install_pkgs $PKGS procps psmisc busybox-static valgrind clang libclang-rt-14-dev \
		rsync attr acl libcap2-bin
	fetch_bearssl
	;;
cross)
	shift
	install_cross "$@"
	fetch_bearssl
	;;
bench)
	install_pkgs $PKGS openssh-server openssh-client rsync restic time procps \
		valgrind e2fsprogs
	fetch_bearssl
	;;
ui)
	install_ui
	;;
s3)
	# Not every machine can have them (no root, no Debian mirror): say so
	# and fail; the S3 tests then skip in words.
	if ! (install_pkgs ceph-mon ceph-mgr ceph-osd radosgw ceph-common openssl); then
		say "could not install Ceph (ceph-mon ceph-mgr ceph-osd radosgw ceph-common): the S3 tests cannot run here"
		exit 1
	fi
	;;
*)
	say "usage: tools/deps.sh [all|bearssl|test|bench|ui|s3|cross [ARCH...]]"
	exit 2
	;;
esac
