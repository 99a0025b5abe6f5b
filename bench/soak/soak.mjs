// Soak load: mixed traffic at a fixed total rate (open model: requests leave on schedule whatever
// the answers; latency counts from the scheduled start) for MINUTES, and once a minute the
// server's resident memory and open files (from /proc/PID; the load generator's own connections
// to it counted apart), each minute's p50/p99 and errors.
// At the end: what was acknowledged against what the server stored (registrations, recall answers,
// article views), and the verdict on the soak's three promises.
//   node soak.mjs URL PID RATE MINUTES OFFICER_COOKIE COMMANDER_COOKIE CHECKPOINT ARTICLE TOKENS_FILE
// The mix: 55 % registrations, 25 % article views, 15 % recall answers (each a different person),
// 5 % the commander's dashboard data.
import http from 'node:http';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';

const [url, pidArg, rateArg, minArg, officer, commander, cp, article, tokensFile] = process.argv.slice(2);
const pid = Number(pidArg);
const rate = Number(rateArg);
const minutes = Number(minArg);
const base = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
const tokens = fs.readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean);
let nextToken = 0;

const acked = { registration: 0, recall_answer: 0, page_view: 0, dashboard: 0 };
let windowLat = [];
let windowErr = 0;
const windows = [];

function request(method, path, headers, body, kind, scheduled) {
  const req = http.request(new URL(path, base), { method, agent, headers }, (res) => {
    res.resume();
    res.on('end', () => {
      windowLat.push(performance.now() - scheduled);
      if (res.statusCode >= 200 && res.statusCode < 300) acked[kind]++;
      else windowErr++;
    });
  });
  req.on('error', () => { windowErr++; windowLat.push(performance.now() - scheduled); });
  req.end(body);
}

function one(i, scheduled) {
  const r = i % 20; // 11 registrations, 5 views, 3 answers, 1 dashboard in every 20
  if (r < 11) {
    const body = JSON.stringify({
      id: randomUUID(), checkpoint_id: Number(cp), name: '林晓风', doc_type: 'id_card', doc_number: '11010519491231002X',
      phone: '13900001111', plate: '赣G12345', vehicle_type: 'car', origin: '武汉市', destination: '青岚县城关镇',
      reason: 'return_home', travel_flag: '1', health_code: 'green', temp: '36.6', method: 'forehead', decision: 'pass',
    });
    request('POST', '/api/checkpoints/registrations',
      { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Cookie: officer },
      body, 'registration', scheduled);
  } else if (r < 16) {
    request('GET', `/news/${article}`, {}, undefined, 'page_view', scheduled);
  } else if (r < 19) {
    const t = tokens[nextToken++ % tokens.length];
    const body = 'action=ack';
    request('POST', `/r/${t}`,
      { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length }, body,
      'recall_answer', scheduled);
  } else {
    request('GET', '/api/dashboard', { Cookie: commander }, undefined, 'dashboard', scheduled);
  }
}

// Sockets of the connections this load generator holds to the server (their number follows the
// generator's own connection pool, which grows when answers are slow): told apart from the
// server's other open files (database connections and files, its listener, logs), which are the
// ones that must stay flat.
function clientSockets() {
  const port = Number(base.port).toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1].endsWith(`:${port}`) && f[3] === '01') inodes.add(f[9]);
    }
  }
  return inodes;
}

// CPU since the last window: the server's own (cores it kept busy) and the whole machine's busy
// share (the database server and this load generator included). Clock ticks are 1/100 s.
let lastCpu = null;
function cpu() {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(f[11]) + Number(f[12]);
  const all = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = all[3] + all[4];
  const total = all.reduce((a, b) => a + b, 0);
  const now = { own, idle, total, at: performance.now() };
  const prev = lastCpu;
  lastCpu = now;
  if (!prev) return { cores: NaN, busy: NaN };
  const cores = (now.own - prev.own) / 100 / ((now.at - prev.at) / 1000);
  const busy = 1 - (now.idle - prev.idle) / Math.max(1, now.total - prev.total);
  return { cores, busy: busy * 100 };
}
cpu();

function proc() {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  // Of which the process's own memory (heap, stacks) — the rest is file pages mapped in: the
  // binary and, on SQLite, the database file (memory-mapped up to 256 MiB), which grows with the data.
  const anon = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const clients = clientSockets();
  let fds = 0;
  let conns = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let link = '';
    try { link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m && clients.has(m[1])) conns++;
    else fds++;
  }
  return { rss, anon, fds, conns, ...cpu() };
}

function closeWindow(minute) {
  const lat = windowLat.sort((a, b) => a - b);
  const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
  const w = { minute, n: lat.length, p50: q(0.5), p99: q(0.99), errors: windowErr, ...proc() };
  windows.push(w);
  console.log(`minute ${String(minute).padStart(2)}: ${w.n} answers, p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms, `
    + `${w.errors} errors, RSS ${w.rss.toFixed(1)} MiB (anonymous ${w.anon.toFixed(1)}), ${w.fds} open files (+ ${w.conns} client connections), `
    + `server ${w.cores.toFixed(2)} cores, machine ${w.busy.toFixed(0)} % busy`);
  windowLat = [];
  windowErr = 0;
}

const start = performance.now();
const total = rate * 60 * minutes;
let sent = 0;
let minute = 0;
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * rate));
    while (sent < due) {
      one(sent, start + (sent / rate) * 1000);
      sent++;
    }
    if (now - start >= (minute + 1) * 60_000) closeWindow(++minute);
    if (sent >= total) return resolve();
    setTimeout(tick, 1);
  };
  tick();
});
await new Promise((r) => setTimeout(r, 3000)); // the last answers
if (windowLat.length) closeWindow(++minute);
agent.destroy();
console.log(`ACKED ${JSON.stringify(acked)}`);
fs.writeFileSync(process.env.SOAK_WINDOWS || '/dev/null', JSON.stringify(windows));
