#!/usr/bin/env python3
"""Upgrade benchmark: the migrations a populated database goes through, timed, and how long
readers and writers of the large table are held up meanwhile.

For each backend:
  1. a database at schema version FROM (default 9: the release before the screenings' trace
     index), built by applying the migration files 1..FROM as Bastion's migrator would and
     recording them in `_sqlx_migrations` with the same checksums (SHA-384 of the file);
  2. ROWS screenings (default 10,000,000) at one checkpoint, written by one INSERT … SELECT;
  3. `bastion migrate` to the newest version while two probes run against the screenings table,
     each every 50 ms on its own connection: a writer (one INSERT) and a reader (an index range
     count). Each probe's latency is recorded; the figures are the migration's time, the longest
     probe, and the time the probes spent waiting beyond 100 ms.
Results: bench/upgrade/results/<date>-<backend>-from<FROM>.txt.

    python3 bench/upgrade/run.py [--backends sqlite,postgres] [--rows 10000000] [--from 9]

The PostgreSQL probes each keep one `psql` session open (a statement, then an echoed marker).
Needs a release build: cargo build --release -p bastion.
"""

import argparse
import datetime
import hashlib
import os
import pathlib
import shutil
import sqlite3
import subprocess
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "crates/bastion-store/migrations"


def migration_files(backend, upto):
    out = []
    for f in sorted((MIGRATIONS / backend).glob("*.sql")):
        version = int(f.name.split("_", 1)[0])
        if version <= upto:
            desc = f.name.split("_", 1)[1][: -len(".sql")].replace("_", " ")
            out.append((version, desc, f.read_text()))
    return out


SQLX_TABLE = {
    "sqlite": """CREATE TABLE IF NOT EXISTS _sqlx_migrations (
        version BIGINT PRIMARY KEY, description TEXT NOT NULL,
        installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
        checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)""",
    "postgres": """CREATE TABLE IF NOT EXISTS _sqlx_migrations (
        version BIGINT PRIMARY KEY, description TEXT NOT NULL,
        installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL,
        checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)""",
}

SEED = """
INSERT INTO units (id, parent_id, code, name, kind, path, depth, created_at, updated_at)
  VALUES (1, NULL, 'B', '青岚县公安局', 'bureau', '/1/', 0, 0, 0);
INSERT INTO checkpoints (id, name, kind, location, hours, unit_id, status, public_code, created_at, updated_at)
  VALUES (1, 'G319 青岚东收费站卡点', 'road', '青岚东收费站', '24h', 1, 'active', 'benchcode', 0, 0);
"""

# One checkpoint's worth of passes, one every ~0.3 s back from the start of the run.
FILL = {
    "sqlite": """
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {rows})
INSERT INTO screenings (id, checkpoint_id, mode, at, captured_at, name, doc_type, doc_cipher, doc_bidx,
  doc_masked, phone_cipher, phone_bidx, phone_masked, vehicle_type, origin, destination, reason, health_code,
  temp, method, fever, decision, officer_id, officer)
SELECT printf('bench-%012d', n), 1, 'officer', {t0} - n * 300, {t0} - n * 300, '旅客' || (n % 1000),
  'id_card', x'00', printf('%016x', (n * 2654435761) % 4294967296 * 65536 + n % 65536), '3601********1234',
  x'00', printf('%016x', (n * 40503) % 4294967296 * 65536 + n % 65536), '139****1111', 'car', '武汉市',
  '青岚县', 'return_home', 'green', 366, 'forehead', 0, 'pass', 1, '测试民警'
FROM g""",
    "postgres": """
INSERT INTO screenings (id, checkpoint_id, mode, at, captured_at, name, doc_type, doc_cipher, doc_bidx,
  doc_masked, phone_cipher, phone_bidx, phone_masked, vehicle_type, origin, destination, reason, health_code,
  temp, method, fever, decision, officer_id, officer)
SELECT 'bench-' || lpad(n::text, 12, '0'), 1, 'officer', {t0} - n * 300, {t0} - n * 300, '旅客' || (n % 1000),
  'id_card', '\\x00'::bytea, md5(n::text), '3601********1234', '\\x00'::bytea, md5((n * 7)::text), '139****1111',
  'car', '武汉市', '青岚县', 'return_home', 'green', 366, 'forehead', 0, 'pass', 1, '测试民警'
FROM generate_series(CAST(1 AS BIGINT), {rows}) AS n""",
}

WRITE_PROBE = (
    "INSERT INTO screenings (id, checkpoint_id, mode, at, captured_at, name, doc_type, doc_cipher, doc_bidx, "
    "doc_masked, vehicle_type, origin, destination, reason, health_code, temp, method, fever, decision, officer_id, "
    "officer) VALUES ('probe-{n}', 1, 'officer', {at}, {at}, '探针', 'id_card', {blob}, 'probe{n}', '-', 'car', '-', "
    "'-', 'return_home', 'green', 366, 'forehead', 0, 'pass', 1, '探针')"
)
READ_PROBE = "SELECT COUNT(*) FROM screenings WHERE checkpoint_id = 1 AND at > {since}"


class Probe:
    def __init__(self, name, run):
        self.name, self.run = name, run
        self.latencies = []
        self.errors = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            t = time.monotonic()
            try:
                self.run(n)
            except Exception:  # a refused probe is counted, not fatal
                self.errors += 1
            self.latencies.append(time.monotonic() - t)
            self.stop.wait(0.05)

    def summary(self):
        lat = sorted(self.latencies) or [0.0]
        waited = sum(x - 0.1 for x in lat if x > 0.1)
        return (
            f"{self.name}: {len(lat)} probes, p50 {lat[len(lat) // 2] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms, "
            f"{sum(1 for x in lat if x > 1.0)} over 1 s, waited {waited:.1f} s beyond 100 ms, {self.errors} errors"
        )


class Psql:
    """One psql session kept open: a statement, then a marker echoed back when it is done."""

    def __init__(self, url):
        self.p = subprocess.Popen(["psql", "-XAtq", "-v", "ON_ERROR_STOP=0", url], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def run(self, sql):
        self.p.stdin.write(sql + ";\n\\echo probe-done\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("psql ended")
            if line.strip() == "probe-done":
                return


def psql(url, sql, *extra):
    subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", *extra, url, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def prepare(backend, args, data, url):
    migs = migration_files(backend, args.from_version)
    if backend == "sqlite":
        db = sqlite3.connect(data / "bastion.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(SQLX_TABLE["sqlite"])
        for version, desc, sql in migs:
            t = time.monotonic()
            db.executescript("BEGIN;" + sql + ";COMMIT;")
            db.execute("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
                       "VALUES (?, ?, 1, ?, ?)",
                       (version, desc, hashlib.sha384(sql.encode()).digest(), int((time.monotonic() - t) * 1e9)))
        db.executescript(SEED)
        t = time.monotonic()
        db.executescript("BEGIN;" + FILL["sqlite"].format(rows=args.rows, t0=args.t0) + ";COMMIT;")
        fill = time.monotonic() - t
        db.close()
    else:
        admin = args.pg_admin
        name = url.rsplit("/", 1)[1]
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(admin, f"CREATE DATABASE {name}")
        psql(url, SQLX_TABLE["postgres"])
        for version, desc, sql in migs:
            t = time.monotonic()
            subprocess.run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-1", url], input=sql.encode(), check=True,
                           stdout=subprocess.DEVNULL)
            psql(url, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
                      f"VALUES ({version}, '{desc}', true, '\\x{hashlib.sha384(sql.encode()).hexdigest()}', "
                      f"{int((time.monotonic() - t) * 1e9)})")
        psql(url, SEED)
        t = time.monotonic()
        psql(url, FILL["postgres"].format(rows=args.rows, t0=args.t0))
        psql(url, "VACUUM ANALYZE screenings")
        fill = time.monotonic() - t
    return len(migs), fill


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--from", dest="from_version", type=int, default=9)
    ap.add_argument("--pg-admin", default=os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--work", default="/tmp/bastion-bench-upgrade")
    ap.add_argument("--bin", default=str(pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release/bastion"))
    args = ap.parse_args()
    args.t0 = int(time.time() * 1000)
    results = ROOT / "bench/upgrade/results"
    results.mkdir(parents=True, exist_ok=True)
    date = datetime.date.today().isoformat()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    for backend in args.backends.split(","):
        out_path = results / f"{date}-{backend}-from{args.from_version}.txt"
        lines = []

        def log(s):
            print(s, flush=True)
            lines.append(s)

        work = pathlib.Path(args.work) / backend
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        url = args.pg_admin.rsplit("/", 1)[0] + "/bastion_bench_upgrade"
        load = open("/proc/loadavg").read().split()[:3]
        log(f"== {backend}: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%M:%SZ}, commit {commit}, "
            f"{os.cpu_count()} cores, load {' '.join(load)}")
        n_migs, fill = prepare(backend, args, work, url)
        log(f"-- database at schema version {args.from_version} ({n_migs} migrations applied), "
            f"{args.rows:,} screenings written in {fill:.0f} s")

        if backend == "sqlite":
            local = threading.local()

            def on_sqlite(sql):
                if not hasattr(local, "c"):  # a connection per probe thread
                    local.c = sqlite3.connect(work / "bastion.db", isolation_level=None, timeout=600)
                return local.c.execute(sql).fetchall()
            write = lambda n: on_sqlite(WRITE_PROBE.format(n=n, at=args.t0 + n, blob="x'00'"))
            read = lambda n: on_sqlite(READ_PROBE.format(since=args.t0 - 3_600_000))
        else:
            writer, reader = Psql(url), Psql(url)
            write = lambda n: writer.run(WRITE_PROBE.format(n=n, at=args.t0 + n, blob="'\\x00'::bytea"))
            read = lambda n: reader.run(READ_PROBE.format(since=args.t0 - 3_600_000))
        probes = [Probe("writer (INSERT one screening)", write), Probe("reader (index range count)", read)]
        for p in probes:
            p.thread.start()
        time.sleep(3)  # the probes' undisturbed latency first
        cmd = [args.bin, "migrate", "--data", str(work)]
        if backend == "postgres":
            cmd += ["--database", url]
        t = time.monotonic()
        done = subprocess.run(cmd, capture_output=True, text=True)
        took = time.monotonic() - t
        time.sleep(1)
        for p in probes:
            p.stop.set()
            p.thread.join()
        if done.returncode != 0:
            log(f"bastion migrate failed: {done.stderr.strip()}")
            raise SystemExit(1)
        log(f"RESULT migrate {args.from_version} → newest: {took:.1f} s")
        for p in probes:
            log("RESULT " + p.summary())
        out_path.write_text("\n".join(lines) + "\n")
        if backend == "postgres":
            psql(args.pg_admin, "DROP DATABASE IF EXISTS bastion_bench_upgrade WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
