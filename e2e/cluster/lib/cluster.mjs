// The running cluster the suite tests: three `bastion serve` nodes behind a real nginx, started by
// scripts/lib/cluster.sh (step `cluster` of scripts/test-all.sh), described by
// $BASTION_CLUSTER_DIR/cluster.json. The tests change it through scripts/cluster/ctl.sh (restart a
// node, stop the replica) so the step's clean-up knows everything that runs.
//
// HTTP goes through node:http so a request can leave from a chosen loopback address: the tests are
// "clients" at 127.0.0.2 when they go through nginx (which connects to the nodes from 127.0.0.1, the
// nodes' trusted proxy), and talk to a node's own port from 127.0.0.1 when they act on one node.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

import { totp } from '../../lib/totp.mjs';

const run = promisify(execFile);

function load() {
  const dir = process.env.BASTION_CLUSTER_DIR;
  if (!dir) {
    throw new Error(
      'BASTION_CLUSTER_DIR is not set: the cluster suite runs against the cluster scripts/test-all.sh starts ' +
        '(BASTION_TEST_STEPS=cluster bash scripts/test-all.sh)',
    );
  }
  return JSON.parse(readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
}

export const cluster = load();
/** Where the tests' "users" connect from when they go through nginx. */
export const CLIENT = '127.0.0.2';
/** Where the tests connect from when they act on one node directly (a trusted proxy address). */
export const LOCAL = '127.0.0.1';
export const ADMINS = new Set(['sysadmin', 'secadmin', 'auditadmin']);

/** Node n's base URL (1-based). */
export const nodeUrl = (n) => cluster.nodes[n - 1].url;
export const nodeUrls = () => cluster.nodes.map((n) => n.url);

// --- HTTP ----------------------------------------------------------------------------------------

const agents = new Map();
function agentFor(localAddress) {
  if (!agents.has(localAddress)) {
    agents.set(localAddress, new http.Agent({ keepAlive: true, maxSockets: 64, localAddress }));
  }
  return agents.get(localAddress);
}

/** Closes every kept-alive connection (the test process can then end). */
export function closeAgents() {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

/**
 * One HTTP request. Options: method, headers, json (a body to send as JSON), form (an object sent
 * urlencoded), cookie, from (local address; default CLIENT for the nginx URL, else LOCAL),
 * timeoutMs (default 15 s). Resolves { status, headers, text, json() }; rejects on a transport
 * error (refused, reset, timeout) with err.code.
 */
export function request(url, opts = {}) {
  const u = new URL(url);
  const from = opts.from ?? (url.startsWith(cluster.nginx) ? CLIENT : LOCAL);
  const headers = { ...(opts.headers || {}) };
  let body = null;
  if (opts.json !== undefined) {
    body = Buffer.from(JSON.stringify(opts.json));
    headers['content-type'] = 'application/json';
  } else if (opts.form !== undefined) {
    body = Buffer.from(new URLSearchParams(opts.form).toString());
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  if (body) headers['content-length'] = String(body.length);
  if (opts.cookie) headers.cookie = opts.cookie;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method || (body ? 'POST' : 'GET'),
        headers,
        agent: agentFor(from),
        timeout: opts.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode,
            headers: res.headers,
            text,
            json() {
              try {
                return JSON.parse(text);
              } catch {
                throw new Error(`not JSON (HTTP ${res.statusCode}) from ${url}: ${text.slice(0, 300)}`);
              }
            },
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`timeout: ${url}`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** GET url as JSON with the session; fails the test unless 200. */
export async function getJson(url, cookie, opts = {}) {
  const r = await request(url, { ...opts, cookie });
  if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.json();
}

/** POST a JSON body with the session; fails the test unless 2xx. */
export async function postJson(url, cookie, json, opts = {}) {
  const r = await request(url, { ...opts, method: opts.method || 'POST', cookie, json });
  if (r.status < 200 || r.status > 299) throw new Error(`${opts.method || 'POST'} ${url}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.text ? r.json() : null;
}

// --- Sessions ----------------------------------------------------------------------------------------

// A one-time code is accepted once per account: remember the last time step used for each admin.
const usedStep = new Map();
async function freshTotp(username) {
  for (;;) {
    const step = Math.floor(Date.now() / 30_000);
    if (usedStep.get(username) !== step) {
      usedStep.set(username, step);
      return totp(cluster.totpSecret);
    }
    await sleep(30_000 - (Date.now() % 30_000) + 50);
  }
}

/** The session cookie (`bastion_session=…`) of a response, or null. */
export function sessionCookie(res) {
  const set = [].concat(res.headers['set-cookie'] || []);
  const c = set.find((h) => h.startsWith('bastion_session='));
  if (!c) return null;
  const v = c.split(';')[0];
  return v === 'bastion_session=' ? null : v;
}

/**
 * Signs `username` in through POST /api/login at `base` (nginx or a node); admins give a one-time
 * code. Returns the session cookie. `from` picks the client address.
 */
export async function login(base, username, { password = cluster.demoPassword, from } = {}) {
  const body = { username, password };
  if (ADMINS.has(username)) body.totp = await freshTotp(username);
  const r = await request(`${base}/api/login`, { json: body, from });
  if (r.status !== 200) throw new Error(`sign-in of ${username} at ${base}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  const cookie = sessionCookie(r);
  if (!cookie) throw new Error(`sign-in of ${username} at ${base}: no session cookie`);
  return cookie;
}

const sessions = new Map();
/** One session per account for the whole suite (admins can sign in once per 30 s only). */
export async function sessionOf(username) {
  if (!sessions.has(username)) sessions.set(username, login(nodeUrl(1), username));
  return sessions.get(username);
}

// --- Waiting -----------------------------------------------------------------------------------------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` (async, returns a value or undefined/null/false) every `everyMs` until it yields,
 * or fails after `withinMs` naming `what` and the last value seen (`describe(last)`).
 */
export async function eventually(what, check, { withinMs = 10_000, everyMs = 100, describe } = {}) {
  const deadline = Date.now() + withinMs;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await check();
      if (last !== undefined && last !== null && last !== false) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const seen = describe ? describe(last) : lastError ? lastError.message : JSON.stringify(last);
      throw new Error(`${what}: not within ${withinMs} ms (last: ${seen})`);
    }
    await sleep(everyMs);
  }
}

// --- Server-sent events --------------------------------------------------------------------------------

/**
 * Opens an event stream (GET with the session) and keeps every event: { event, data, at }.
 * `waitFor(pred, withinMs)` resolves with the first event (from `since` on) matching `pred`.
 */
export function openStream(url, cookie, { from } = {}) {
  const u = new URL(url);
  const events = [];
  const waiters = new Set();
  let buffered = '';
  let ended = null;
  let req;
  const opened = new Promise((resolve, reject) => {
    req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers: { cookie, accept: 'text/event-stream' },
        // Its own connection: a stream holds it for its whole life.
        agent: new http.Agent({ keepAlive: false, localAddress: from ?? (url.startsWith(cluster.nginx) ? CLIENT : LOCAL) }),
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        resolve(res);
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffered += chunk.replace(/\r\n/g, '\n');
          let i;
          while ((i = buffered.indexOf('\n\n')) >= 0) {
            const block = buffered.slice(0, i);
            buffered = buffered.slice(i + 2);
            const ev = { event: 'message', data: '', at: Date.now() };
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const k = line.indexOf(':');
              const [field, value] = k < 0 ? [line, ''] : [line.slice(0, k), line.slice(k + 1).replace(/^ /, '')];
              if (field === 'event') ev.event = value;
              if (field === 'data') data.push(value);
            }
            if (!data.length && ev.event === 'message') continue; // a keep-alive comment
            ev.data = data.join('\n');
            events.push(ev);
            for (const w of waiters) w();
          }
        });
        res.on('end', () => {
          ended = 'the stream ended';
          for (const w of waiters) w();
        });
        res.on('error', (e) => {
          ended = `the stream broke: ${e.message}`;
          for (const w of waiters) w();
        });
      },
    );
    req.on('error', (e) => {
      ended = `the stream broke: ${e.message}`;
      reject(e);
      for (const w of waiters) w();
    });
    req.end();
  });
  return {
    events,
    opened,
    get ended() {
      return ended;
    },
    /** The first event from index `since` on that matches `pred`, within `withinMs`. */
    waitFor(pred, withinMs, since = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.slice(since).find(pred);
          if (hit) {
            done();
            resolve(hit);
          } else if (ended) {
            done();
            reject(new Error(`${ended} before the awaited event (${events.length} events)`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching event within ${withinMs} ms (${events.length - since} other events)`));
        }, withinMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      req?.destroy();
    },
  };
}

// --- Metrics -----------------------------------------------------------------------------------------

/** A node's /metrics as [{ name, labels: {…}, value }]. */
export async function metrics(base) {
  const r = await request(`${base}/metrics`);
  if (r.status !== 200) throw new Error(`${base}/metrics: HTTP ${r.status}`);
  const out = [];
  for (const line of r.text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[3] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

/** The sum of `name` on one node's metrics whose labels include `labels`. */
export function metricSum(list, name, labels = {}) {
  return list
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

// --- Database (arranging data and counting what was stored) --------------------------------------------

/** Runs one query on the primary. */
export async function sql(text, params = [], url = cluster.database) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end().catch(() => {});
  }
}

// --- Nodes -------------------------------------------------------------------------------------------

/** Process id of node n (as its pid file records it). */
export function nodePid(n) {
  return Number(readFileSync(cluster.nodes[n - 1].pidFile, 'utf8').trim());
}

/** bash scripts/cluster/ctl.sh ARGS… (restart a node, stop the replica …); its output. */
export async function ctl(...args) {
  try {
    const { stdout } = await run('bash', [cluster.ctl, ...args.map(String)], {
      env: { ...process.env, BASTION_CLUSTER_DIR: cluster.dir },
      timeout: 90_000,
    });
    return stdout;
  } catch (e) {
    throw new Error(`ctl.sh ${args.join(' ')} failed: ${e.stderr || ''}${e.stdout || ''}${e.message}`);
  }
}

/** SIGKILL node n (no graceful anything) and wait until it is gone. */
export async function killNode(n) {
  const pid = nodePid(n);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
  await eventually(`node ${n} (pid ${pid}) gone after SIGKILL`, () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
  return pid;
}

/** Starts node n again (same port, data and settings) and waits until it listens. */
export async function startNode(n) {
  await ctl('node-start', n);
}

/**
 * Which process holds the TCP connection from 127.0.0.1:`clientPort` to 127.0.0.1:`serverPort`
 * (the receiver sees the client port of a request): found through /proc/net/tcp and the processes'
 * descriptors, among `pids`. Returns the pid or null.
 */
export function pidOfConnection(clientPort, serverPort, pids) {
  const hex = (p) => p.toString(16).toUpperCase().padStart(4, '0');
  const local = `0100007F:${hex(clientPort)}`;
  const remote = `0100007F:${hex(serverPort)}`;
  let inode = null;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === remote) inode = f[9];
  }
  if (!inode) return null;
  for (const pid of pids) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

/** Which node (1-based) has process id `pid`, or 0. */
export function nodeOfPid(pid) {
  for (let n = 1; n <= cluster.nodes.length; n++) {
    try {
      if (nodePid(n) === pid) return n;
    } catch {
      // no pid file
    }
  }
  return 0;
}
