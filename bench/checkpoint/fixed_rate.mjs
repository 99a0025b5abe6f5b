// Fixed-rate load (open model) for POST /api/checkpoints/registrations: requests are scheduled at
// RATE per second whatever the answers; latency counts from the scheduled start (no coordinated
// omission). Prints sent, ok, errors, achieved rate and p50/p90/p99/max in ms, then where the slow
// answers were: every 100 ms window of scheduled time whose slowest answer took over 50 ms.
// The first WARMUP seconds (default 2) run at the same rate but are not counted: they are this
// client opening its keep-alive connections (a new TCP connection per request until enough are
// open), which cost the first ~300 ms up to 100 ms per answer in every run and so decided the p99.
//   node fixed_rate.mjs URL COOKIE CHECKPOINT RATE SECONDS [WARMUP]
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const [url, cookie, cp, rateArg, secsArg] = process.argv.slice(2);
const rate = Number(rateArg || 5000);
const secs = Number(secsArg || 20);
const warmup = Number(process.argv[7] ?? 2);
const target = new URL('/api/checkpoints/registrations', url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const lat = [];
const slowest = new Map(); // 100-ms window of scheduled time → slowest answer in it
let ok = 0;
let bad = 0;
let sent = 0;
const start = performance.now();
const t0 = start + warmup * 1000; // the measured window starts here
const total = rate * (secs + warmup);

function record(scheduled) {
  if (scheduled < t0) return;
  const ms = performance.now() - scheduled;
  lat.push(ms);
  const w = Math.floor((scheduled - t0) / 100);
  slowest.set(w, Math.max(slowest.get(w) || 0, ms));
}

function one(scheduled) {
  const body = JSON.stringify({
    id: randomUUID(), checkpoint_id: Number(cp), name: '林晓风', doc_type: 'id_card', doc_number: '11010519491231002X',
    phone: '13900001111', plate: '赣G12345', vehicle_type: 'car', origin: '武汉市', destination: '青岚县城关镇',
    reason: 'return_home', travel_flag: '1', health_code: 'green', temp: '36.6', method: 'forehead', decision: 'pass',
  });
  const req = http.request(target, {
    method: 'POST', agent,
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Cookie: cookie },
  }, (res) => {
    res.resume();
    res.on('end', () => {
      record(scheduled);
      if (scheduled < t0) return;
      if (res.statusCode === 201) ok++; else bad++;
    });
  });
  req.on('error', () => { if (scheduled >= t0) bad++; record(scheduled); });
  req.end(body);
}

await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * rate));
    while (sent < due) {
      one(start + (sent / rate) * 1000);
      sent++;
    }
    if (sent >= total) return resolve();
    setTimeout(tick, 1);
  };
  tick();
});
const counted = rate * secs;
const deadline = performance.now() + 30_000;
while (ok + bad < counted && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const elapsed = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN).toFixed(1);
console.log(`rate=${rate}/s seconds=${secs} (after ${warmup} s of warm-up at the same rate) sent=${counted} ok=${ok} errors=${bad} achieved=${(ok / elapsed).toFixed(0)}/s p50=${q(0.5)}ms p90=${q(0.9)}ms p99=${q(0.99)}ms max=${q(1 - 1e-9)}ms`);
const slow = [...slowest].filter(([, ms]) => ms > 50).sort((a, b) => a[0] - b[0]);
console.log(`slow windows (scheduled second: slowest ms): ${slow.map(([w, ms]) => `${(w / 10).toFixed(1)}s:${ms.toFixed(0)}`).join(' ') || 'none'}`);
agent.destroy();
