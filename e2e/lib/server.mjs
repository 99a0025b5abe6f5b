// Starts a fresh Bastion for one spec file: its own data dir, and on PostgreSQL its own database.
//
// SQLite is the default. BASTION_E2E_DATABASE=postgres://… (the admin URL of a server, normally
// the same as BASTION_TEST_PG) runs the spec on PostgreSQL instead: a fresh database is CREATEd
// on that server for each server start and dropped afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');

export const DEMO_PASSWORD = process.env.BASTION_DEMO_PASSWORD || 'Demo#2026pass';
// The demo administrators' authenticator key (base32); specs compute their one-time codes from it.
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const READY_TIMEOUT_MS = Number(process.env.BASTION_E2E_READY_TIMEOUT_MS || 30_000);
const READY_LINE = /listening on (http:\/\/[\w.\-[\]:]+)/;
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const KEEP = process.env.BASTION_E2E_KEEP === '1';

/** Path of the bastion binary: BASTION_E2E_BIN, else $CARGO_TARGET_DIR/debug/bastion, else target/debug/bastion. */
export function bastionBinary() {
  if (process.env.BASTION_E2E_BIN) return process.env.BASTION_E2E_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(REPO_ROOT, 'target');
  return path.join(targetDir, 'debug', 'bastion');
}

/** 'postgres' when BASTION_E2E_DATABASE is set, else 'sqlite'. Specs put it in their test names. */
export function backendName() {
  return process.env.BASTION_E2E_DATABASE ? 'postgres' : 'sqlite';
}

/** Keeps the last `limit` characters of a stream, so a chatty server can't fill memory. */
function tail(limit = 16_000) {
  let text = '';
  return {
    push(chunk) {
      text += chunk;
      if (text.length > limit) text = text.slice(text.length - limit);
    },
    get text() {
      return text;
    },
  };
}

async function createDatabase(adminUrl) {
  const name = `bastion_e2e_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function dropDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const running = new Set();
// If the test process dies without `after` hooks running, don't leave servers behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `bastion serve --data <fresh dir> --listen 127.0.0.1:0 --demo [--database <fresh db>]`
 * and resolves once it printed `listening on http://…`.
 * Returns { url, backend, dataDir, databaseUrl, logs(), stop() }.
 */
export async function startServer({ demo = true, extraArgs = [], env = {} } = {}) {
  const bin = bastionBinary();
  if (!existsSync(bin)) {
    throw new Error(`bastion binary not found at ${bin}; build it with \`cargo build -p bastion\``);
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bastion-e2e-'));
  const args = ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'];
  if (demo) args.push('--demo');

  const adminUrl = process.env.BASTION_E2E_DATABASE;
  let database = null;
  if (adminUrl) {
    database = await createDatabase(adminUrl);
    args.push('--database', database.url);
  }
  args.push(...extraArgs);

  const stdout = tail();
  const stderr = tail();
  const child = spawn(bin, args, {
    cwd: dataDir,
    env: { ...process.env, BASTION_DEMO_PASSWORD: DEMO_PASSWORD, BASTION_DEMO_TOTP_SECRET: DEMO_TOTP_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => stderr.push(chunk));

  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => running.delete(child));

  const describe = () =>
    `${bin} ${args.join(' ')}\n--- stderr (tail) ---\n${stderr.text}\n--- stdout (tail) ---\n${stdout.text}`;

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let buffered = '';
      let ready = false;
      const timer = setTimeout(
        () => reject(new Error(`bastion did not print "listening on http://…" within ${READY_TIMEOUT_MS} ms\n${describe()}`)),
        READY_TIMEOUT_MS,
      );
      // Keep draining stdout for the server's whole life, or a full pipe would block it.
      child.stdout.on('data', (chunk) => {
        stdout.push(chunk);
        if (ready) return;
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const m = READY_LINE.exec(line.replace(ANSI, ''));
          if (m) {
            ready = true;
            buffered = '';
            clearTimeout(timer);
            resolve(m[1].replace(/[.:/]+$/, ''));
            return;
          }
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`could not start ${bin}: ${err.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`bastion exited (code ${code}, signal ${signal}) before listening\n${describe()}`));
      });
    });
  } catch (err) {
    await stopChild(child, exited);
    if (database) await dropDatabase(adminUrl, database.name).catch(() => {});
    if (!KEEP) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  let stopped = false;
  return {
    url,
    backend: database ? 'postgres' : 'sqlite',
    dataDir,
    databaseUrl: database?.url ?? null,
    logs: describe,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child, exited);
      if (KEEP) {
        console.log(`# kept data dir ${dataDir}${database ? ` and database ${database.url}` : ''}`);
        return;
      }
      if (database) await dropDatabase(adminUrl, database.name).catch((e) => console.error(`# drop ${database.name}: ${e.message}`));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
async function stopChild(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
