#!/usr/bin/env bash
# Inspect a built Bastion package: what dpkg-deb says of it, its files and their modes, the conffile,
# the maintainer scripts, the control fields, and the systemd unit (systemd-analyze verify and the
# sandboxing it must keep). Prints one line per check and exits non-zero when any fails.
#
#   bash scripts/check-deb.sh target/deb/bastion_0.1.0_amd64.deb
#   bash scripts/check-deb.sh --quick     # pack the debug binary into a temp dir and check that
#
# --quick needs $CARGO_TARGET_DIR/debug/bastion (cargo build -p bastion) and takes a few seconds:
# it checks the package's layout, scripts and unit without a release build. scripts/test-all.sh
# runs it as its "deb" step.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bastion-check-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [ "${1:-}" = "--quick" ]; then
  DEB=$(bash "$ROOT/scripts/package-deb.sh" --binary "$TARGET_DIR/debug/bastion" --out "$WORK/out" \
    --compress none) || exit 1
else
  DEB=${1:?usage: check-deb.sh PACKAGE.deb | --quick}
fi
[ -f "$DEB" ] || { echo "check-deb: no such file $DEB" >&2; exit 2; }

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

echo "== $DEB"
dpkg-deb --info "$DEB" > "$WORK/info" || { echo "check-deb: dpkg-deb --info failed" >&2; exit 1; }
dpkg-deb --contents "$DEB" > "$WORK/contents" || { echo "check-deb: dpkg-deb --contents failed" >&2; exit 1; }
dpkg-deb --field "$DEB" > "$WORK/control"
mkdir -p "$WORK/root" "$WORK/ctl"
dpkg-deb --extract "$DEB" "$WORK/root"
dpkg-deb --control "$DEB" "$WORK/ctl"

# Control fields.
field() { dpkg-deb --field "$DEB" "$1"; }
check "Package is bastion" test "$(field Package)" = bastion
check "Depends names fonts-noto-cjk (PDF exports)" grep -Eq '^Depends:.*fonts-noto-cjk' "$WORK/control"
check "Depends names adduser (postinst creates the user)" grep -Eq '^Depends:.*adduser' "$WORK/control"
check "Depends names libc6" grep -Eq '^Depends:.*libc6 \(>= ' "$WORK/control"

# Files, owners and modes (dpkg-deb --contents: mode owner/group size date time path).
has() { # has MODE OWNER PATH
  awk -v m="$1" -v o="$2" -v p="./$3" '$1 == m && $2 == o && $6 == p {found=1} END {exit !found}' "$WORK/contents"
}
check "/usr/bin/bastion -rwxr-xr-x root" has -rwxr-xr-x root/root usr/bin/bastion
check "/lib/systemd/system/bastion.service -rw-r--r-- root" has -rw-r--r-- root/root lib/systemd/system/bastion.service
check "/lib/systemd/system/bastion-backup.service and .timer" \
  bash -c "grep -q ' ./lib/systemd/system/bastion-backup.service$' '$WORK/contents' && grep -q ' ./lib/systemd/system/bastion-backup.timer$' '$WORK/contents'"
check "/etc/bastion/bastion.toml -rw-r----- root (postinst gives it to group bastion)" has -rw-r----- root/root etc/bastion/bastion.toml
check "/usr/share/doc/bastion/operations.md" has -rw-r--r-- root/root usr/share/doc/bastion/operations.md
check "nginx example" has -rw-r--r-- root/root usr/share/doc/bastion/examples/nginx-bastion.conf
check "Prometheus alert rules" has -rw-r--r-- root/root usr/share/doc/bastion/examples/bastion-alerts.yml
check "Grafana dashboard" has -rw-r--r-- root/root usr/share/doc/bastion/examples/grafana-bastion.json
check "no state shipped in /var/lib/bastion (the service makes it)" bash -c "! grep -q '\./var/lib' '$WORK/contents'"
check "the packed binary runs (bastion --version)" "$WORK/root/usr/bin/bastion" --version

# The conffile.
check "conffiles lists /etc/bastion/bastion.toml" grep -qx /etc/bastion/bastion.toml "$WORK/ctl/conffiles"
check "the config keeps its state in /var/lib/bastion" grep -qx 'data = "/var/lib/bastion"' "$WORK/root/etc/bastion/bastion.toml"
check "the config is the shipped example otherwise (bastion config show reads it)" \
  env -u BASTION_DATA -u BASTION_DATABASE -u BASTION_LISTEN "$WORK/root/usr/bin/bastion" \
  --config "$WORK/root/etc/bastion/bastion.toml" config show

# Maintainer scripts.
for s in preinst postinst prerm postrm; do
  check "maintainer script $s present, executable, sh -n clean" \
    bash -c "test -x '$WORK/ctl/$s' && sh -n '$WORK/ctl/$s'"
done
check "postinst creates the system user bastion" grep -Eq 'adduser --system .*bastion' "$WORK/ctl/postinst"
check "postinst makes /var/lib/bastion 0700 bastion:bastion" grep -q 'install -d -o bastion -g bastion -m 0700 /var/lib/bastion' "$WORK/ctl/postinst"
check "postrm keeps /var/lib/bastion on purge" bash -c "! grep -Eq 'rm -[a-z]*r[a-z]* .*/var/lib/bastion' '$WORK/ctl/postrm'"
if command -v shellcheck >/dev/null; then
  check "shellcheck of the maintainer scripts" shellcheck -s sh "$WORK/ctl/preinst" "$WORK/ctl/postinst" "$WORK/ctl/prerm" "$WORK/ctl/postrm"
fi

# The unit: the sandboxing the service relies on, and systemd's own verdict.
UNIT=$WORK/root/lib/systemd/system/bastion.service
for line in 'User=bastion' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ReadWritePaths=/var/lib/bastion' \
  'StateDirectory=bastion' 'ExecStart=/usr/bin/bastion --config /etc/bastion/bastion.toml serve'; do
  check "unit has $line" grep -qx "$line" "$UNIT"
done
if command -v systemd-analyze >/dev/null; then
  # Verified against the packed binary (its path rewritten: nothing is installed on this machine).
  for u in bastion.service bastion-backup.service bastion-backup.timer; do
    sed "s|/usr/bin/bastion|$WORK/root/usr/bin/bastion|" "$WORK/root/lib/systemd/system/$u" > "$WORK/$u"
  done
  if out=$(cd "$WORK" && systemd-analyze verify bastion.service bastion-backup.service bastion-backup.timer 2>&1) &&
    [ -z "$out" ]; then
    ok "systemd-analyze verify bastion.service bastion-backup.service bastion-backup.timer"
  else
    bad "systemd-analyze verify: $out"
  fi
  if score=$(cd "$WORK" && systemd-analyze security --offline=yes bastion.service 2>/dev/null | tail -1); then
    echo "     systemd-analyze security: ${score#→ }"
  fi
else
  echo "skip systemd-analyze verify (systemd-analyze is not on this machine)"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
