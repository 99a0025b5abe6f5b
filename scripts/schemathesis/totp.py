"""Prints the current RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret.

    python3 scripts/schemathesis/totp.py BASE32_SECRET

run.sh starts the demo with BASTION_DEMO_TOTP_SECRET and signs the three admins in with this.
"""

import base64
import hashlib
import hmac
import struct
import sys
import time


def code(secret_b32: str, now: float) -> str:
    s = secret_b32.strip().replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(now) // 30), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[off:off + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


if __name__ == "__main__":
    print(code(sys.argv[1], time.time()))
