#!/usr/bin/env bash
# Build the Debian package of Bastion with dpkg-deb around an already built binary
# (docs/adr/0005-debian-package.md says why not cargo-deb).
#
#   cargo build --release -p bastion          # once; ~10 minutes on 2 cores
#   bash scripts/package-deb.sh               # -> target/deb/bastion_<version>_<arch>.deb
#   bash scripts/check-deb.sh target/deb/bastion_*.deb
#
# Options:
#   --binary PATH   the bastion binary to pack (default: $CARGO_TARGET_DIR/release/bastion)
#   --out DIR       where the .deb goes (default: $CARGO_TARGET_DIR/deb)
#   --version V     the package version (default: the workspace version in Cargo.toml)
#   --compress C    dpkg-deb's compressor: xz (default), gzip or none (check-deb.sh --quick: none)
#
# Contents: /usr/bin/bastion; /lib/systemd/system/bastion.service and the daily backup's
# bastion-backup.{service,timer} (deploy/systemd; the timer is not enabled); the conffile
# /etc/bastion/bastion.toml made from bastion.example.toml with data = "/var/lib/bastion";
# maintainer scripts from deploy/debian (user `bastion`, state directory, config permissions,
# a backup before upgrades); the operations guide and the deploy/ examples under
# /usr/share/doc/bastion. Depends on fonts-noto-cjk (the PDF exports embed its Chinese fonts).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BINARY=$TARGET_DIR/release/bastion
OUT=$TARGET_DIR/deb
VERSION=
COMPRESS=xz

while [ $# -gt 0 ]; do
  case $1 in
    --binary) BINARY=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    --compress) COMPRESS=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "package-deb: unknown argument $1" >&2; exit 2 ;;
  esac
done

die() { echo "package-deb: $*" >&2; exit 1; }

[ -x "$BINARY" ] || die "no binary at $BINARY (build it: cargo build --release -p bastion, or pass --binary)"
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (Debian package dpkg)"
if [ -z "$VERSION" ]; then
  VERSION=$(awk '/^\[workspace.package\]/{p=1} p && /^version *=/{gsub(/[" ]/,"",$0); sub(/^version=/,""); print; exit}' "$ROOT/Cargo.toml")
fi
[ -n "$VERSION" ] || die "cannot read the version from Cargo.toml"
ARCH=$(dpkg --print-architecture)

# Shared libraries: only the C library and libgcc's unwinder are expected (SQLite is bundled,
# TLS is rustls). Anything else must be added here on purpose.
GLIBC=$(objdump -T "$BINARY" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
DEPENDS="adduser, fonts-noto-cjk"
for lib in $(objdump -p "$BINARY" | awk '/NEEDED/{print $2}'); do
  case $lib in
    libc.so.6|libm.so.6|libpthread.so.0|libdl.so.2|librt.so.1|ld-linux*.so.*) ;;
    libgcc_s.so.1) DEPENDS="$DEPENDS, libgcc-s1" ;;
    *) die "the binary needs $lib: add its package to Depends in scripts/package-deb.sh" ;;
  esac
done
DEPENDS="libc6 (>= ${GLIBC:-2.31}), $DEPENDS"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/bastion-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
PKG=$STAGE/bastion

install -d -m 0755 "$PKG/DEBIAN" "$PKG/usr/bin" "$PKG/lib/systemd/system" "$PKG/etc/bastion" \
  "$PKG/usr/share/doc/bastion/examples"
install -m 0755 "$BINARY" "$PKG/usr/bin/bastion"
for unit in bastion.service bastion-backup.service bastion-backup.timer; do
  install -m 0644 "$ROOT/deploy/systemd/$unit" "$PKG/lib/systemd/system/$unit"
done

# The conffile: the shipped example (equal to the built-in defaults, a test checks that) with the
# state directory of a system install.
CONF=$PKG/etc/bastion/bastion.toml
sed -e 's|^data = "./data"$|data = "/var/lib/bastion"|' "$ROOT/bastion.example.toml" > "$CONF"
grep -qx 'data = "/var/lib/bastion"' "$CONF" || die "bastion.example.toml has no 'data = \"./data\"' line to adapt"
{
  echo
  echo "# 软件包安装：数据目录 /var/lib/bastion（含密钥文件 keys/bastion.keys，请离线备份）；本文件是 conffile，升级时保留本地修改。"
  echo "# 服务：systemctl start|stop|status bastion；日志：journalctl -u bastion。见 /usr/share/doc/bastion/operations.md"
} >> "$CONF"
chmod 0640 "$CONF"

for f in preinst postinst prerm postrm; do
  install -m 0755 "$ROOT/deploy/debian/$f" "$PKG/DEBIAN/$f"
done
echo /etc/bastion/bastion.toml > "$PKG/DEBIAN/conffiles"

install -m 0644 "$ROOT/docs/operations.md" "$PKG/usr/share/doc/bastion/operations.md"
install -m 0644 "$ROOT/deploy/nginx/bastion.conf" "$PKG/usr/share/doc/bastion/examples/nginx-bastion.conf"
install -m 0644 "$ROOT/deploy/prometheus/bastion-alerts.yml" "$PKG/usr/share/doc/bastion/examples/bastion-alerts.yml"
install -m 0644 "$ROOT/deploy/grafana/bastion.json" "$PKG/usr/share/doc/bastion/examples/grafana-bastion.json"
cat > "$PKG/usr/share/doc/bastion/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: bastion

Files: *
License: MIT
EOF

SIZE=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
cat > "$PKG/DEBIAN/control" <<EOF
Package: bastion
Version: $VERSION
Architecture: $ARCH
Maintainer: Bastion maintainers <bastion@localhost>
Installed-Size: $SIZE
Depends: $DEPENDS
Suggests: nginx, postgresql-client
Section: net
Priority: optional
Description: emergency command platform of a county police bureau (战疫指挥平台)
 One self-hosted binary: recall, duty rosters, checkpoint screening, supplies,
 inspections, party work, publicity and daily reports, for an intranet without
 internet access. Embedded SQLite by default, PostgreSQL for several nodes.
 .
 The service runs as user bastion with its state in /var/lib/bastion and its
 settings in /etc/bastion/bastion.toml.
EOF

mkdir -p "$OUT"
DEB=$OUT/bastion_${VERSION}_${ARCH}.deb
# Files owned by root whoever builds (no fakeroot needed).
dpkg-deb --root-owner-group "-Z$COMPRESS" --build "$PKG" "$DEB" >/dev/null
echo "$DEB"
