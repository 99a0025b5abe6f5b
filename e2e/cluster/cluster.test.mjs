// Bastion's multi-node promises, proved on a real cluster: three `bastion serve` nodes on one
// PostgreSQL primary (read_database = a streaming replica of it), a real nginx in front of them with
// the shipped deploy/nginx/bastion.conf. scripts/test-all.sh (step `cluster`) starts it all; this
// file only uses it: `BASTION_TEST_STEPS=cluster bash scripts/test-all.sh`.
//
// Users connect to nginx from 127.0.0.2; nginx connects to the nodes from 127.0.0.1, the nodes'
// trusted proxy. Acting on one node means its own port, from 127.0.0.1.
//
// The waits are long only where the product's own clock is: a delivery lease (60 s) and the
// once-a-minute jobs. Those two run alongside the other tests, which wait for them before they kill
// a node or stop the replica.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  addGroupChannel,
  checkpointNamed,
  dashboardFigure,
  disableChannel,
  issueRecall,
  publishArticle,
  recallTargets,
  register,
  registration,
  todayCount,
  unitId,
} from './lib/bastion.mjs';
import {
  CLIENT,
  closeAgents,
  cluster,
  ctl,
  eventually,
  getJson,
  killNode,
  login,
  metricSum,
  metrics,
  nodeOfPid,
  nodePid,
  nodeUrl,
  nodeUrls,
  openStream,
  pidOfConnection,
  postJson,
  request,
  sessionOf,
  sql,
  startNode,
} from './lib/cluster.mjs';
import { startReceiver } from './lib/receiver.mjs';

const NGINX = cluster.nginx;
const NODES = cluster.nodes.length;
/** The session cache of each node (docs: "cached ~2 s per node"). */
const SESSION_CACHE_MS = 2_000;
/** notify's lease on a message taken for sending (crates/bastion-store/src/notify/mod.rs, SEND_LEASE_MS). */
const SEND_LEASE_MS = 60_000;
const ONCE_PER_CLUSTER = {
  hourly: ['audit_retention', 'audit_checkpoint_log', 'screening_retention'],
  minutely: ['inspection_deadlines', 'duty_late_sign_in', 'supply_alerts', 'duty_task_deadlines', 'daily_report'],
};
/** The dashboard's figure of today's registrations (checkpoint section). */
const TODAY = '今日登记（人次）';
const figure = (f) => Number(String(f.value).replace(/[^0-9.-]/g, ''));
const stamp = () => new Date().toISOString().slice(11, 23);

function gate() {
  let open;
  const p = new Promise((r) => (open = r));
  return { wait: () => p, open };
}
/** The lease test's node is back: the other tests may start. */
const restarted = gate();
/** The jobs test took its first reading (before any node is killed). */
const jobsFirstLook = gate();
/** The two long tests are over: nodes may be killed and the replica stopped. */
const leaseDone = gate();
const jobsDone = gate();

after(() => closeAgents());

/**
 * Waits until every node's public site has article `id` (each node notices a publication within a
 * second or two). Asks the view counter, which answers 404 for an article not on the site and,
 * unlike the page, counts nothing.
 */
async function visibleEverywhere(id) {
  const t0 = Date.now();
  for (const base of nodeUrls()) {
    await eventually(`article ${id} on the news site of ${base}`, async () => (await request(`${base}/news/${id}/views`)).status === 200 || null, {
      withinMs: 5_000,
    });
  }
  return Date.now() - t0;
}

describe('Bastion cluster: 3 nodes behind nginx, PostgreSQL primary + streaming replica', { concurrency: true }, () => {
  test('a message taken for sending by a node that dies is sent by another node after the lease', async (t) => {
    let channel;
    const rx = await startReceiver({ hold: () => true });
    try {
      await jobsFirstLook.wait();
      channel = await addGroupChannel('租约测试群', `${rx.url}/wecom?key=lease`, 0);
      const title = `集群租约演练 ${stamp()}`;
      await issueRecall(await unitId('D13'), title);
      // The first message any node sends to this group is held unanswered: find who sent it.
      let timer;
      const first = await Promise.race([
        rx.held,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no message reached the group within 10 s')), 10_000);
        }),
      ]).finally(() => clearTimeout(timer));
      const pids = Array.from({ length: NODES }, (_, i) => nodePid(i + 1));
      const senderPid = pidOfConnection(first.clientPort, rx.port, pids);
      const n = nodeOfPid(senderPid);
      assert.ok(n, `the held request comes from one of the nodes (client port ${first.clientPort}, node pids ${pids})`);
      // It dies before it can record the attempt: no answer, no log line, the message stays taken.
      await killNode(n);
      await startNode(n);
      restarted.open();
      const again = await rx.waitFor(
        (m) => m.text === first.text && m !== first,
        SEND_LEASE_MS + 25_000,
        rx.got.indexOf(first) + 1,
      );
      const livePids = Array.from({ length: NODES }, (_, i) => nodePid(i + 1));
      const resender = pidOfConnection(again.clientPort, rx.port, livePids);
      assert.ok(resender && resender !== senderPid, `sent again by a live node (pid ${resender}), not the dead one (${senderPid})`);
      const waited = again.at - first.at;
      t.diagnostic(`held by node ${n} (pid ${senderPid}), killed; sent again by pid ${resender} after ${waited} ms`);
      assert.ok(waited >= SEND_LEASE_MS - 1_000, `not sent again before the lease ran out (after ${waited} ms)`);
      // Exactly once more, and the queue knows it was sent.
      const copies = rx.got.filter((m) => m.text === first.text).length;
      assert.equal(copies, 2, 'the held message, then one send by another node');
      const rows = await eventually('the message recorded as sent', async () => {
        const r = await sql('SELECT status, attempts FROM notify_outbox WHERE channel_id = $1 AND body = $2', [channel, first.text]);
        return r.length === 1 && r[0].status === 'sent' ? r : null;
      });
      assert.equal(Number(rows[0].attempts), 1, 'one recorded attempt: the dead node recorded none');
    } finally {
      restarted.open();
      leaseDone.open();
      if (channel) await disableChannel(channel).catch(() => {});
      await rx.close();
    }
  });

  test('each once-per-cluster job runs once per period across the three nodes', async (t) => {
    const logLines = () =>
      cluster.nodes
        .map((n) => readFileSync(n.log, 'utf8'))
        .join('\n')
        .split('\n')
        .filter((l) => l.includes('audit checkpoint (keep a copy off this machine)')).length;
    try {
      // Every node ran its first tick at start: the hourly jobs ran on one node only.
      const first = await Promise.all(nodeUrls().map(metrics));
      jobsFirstLook.open();
      for (const job of ONCE_PER_CLUSTER.hourly) {
        const runs = first.map((m) => metricSum(m, 'bastion_job_runs_total', { job }));
        assert.equal(runs.reduce((a, b) => a + b, 0), 1, `${job} ran once across the nodes (per node: ${runs})`);
      }
      // The operator sees one audit checkpoint line in the three nodes' logs, not three.
      assert.equal(logLines(), 1, 'one "audit checkpoint" log line across the nodes');

      // The once-a-minute jobs, over a window a little longer than their period: what the nodes
      // ran adds up to the claims in the schedule table, at most one per period (plus the edge).
      await restarted.wait();
      const pids = Array.from({ length: NODES }, (_, i) => nodePid(i + 1));
      const claims = async () =>
        Object.fromEntries(
          (await sql('SELECT name, runs FROM schedule')).map((r) => [r.name, Number(r.runs)]),
        );
      const ranNow = async () => {
        const m = await Promise.all(nodeUrls().map(metrics));
        return Object.fromEntries(
          ONCE_PER_CLUSTER.minutely.map((job) => [job, m.reduce((a, x) => a + metricSum(x, 'bastion_job_runs_total', { job }), 0)]),
        );
      };
      const [c0, r0, t0] = [await claims(), await ranNow(), Date.now()];
      await new Promise((r) => setTimeout(r, 62_000));
      const [c1, r1, t1] = [await claims(), await ranNow(), Date.now()];
      assert.deepEqual(
        Array.from({ length: NODES }, (_, i) => nodePid(i + 1)),
        pids,
        'no node restarted during the window (its counts would be lost)',
      );
      // A claim moves the job's next due time a period on, so at most one run starts per period;
      // the first node to tick after that takes the next one (a minute or a little more later).
      const periods = Math.floor((t1 - t0) / 60_000) + 1;
      let seen = 0;
      for (const job of ONCE_PER_CLUSTER.minutely) {
        const ran = r1[job] - r0[job];
        const claimed = (c1[job] ?? 0) - (c0[job] ?? 0);
        t.diagnostic(`${job}: ran ${ran} time(s) across the nodes in ${t1 - t0} ms`);
        assert.equal(ran, claimed, `${job}: every run on a node is a claimed period (ran ${ran}, claimed ${claimed})`);
        assert.ok(ran <= periods, `${job}: ran ${ran} times in ${t1 - t0} ms (once per 60 s period)`);
        seen += ran;
      }
      assert.ok(seen >= 1, 'the window saw the once-a-minute jobs run');
      // Restarted nodes (the lease test's) did not run the hourly jobs again.
      assert.equal(logLines(), 1, 'still one "audit checkpoint" log line after a node restarted');
    } finally {
      jobsFirstLook.open();
      jobsDone.open();
    }
  });

  // One after the other (a describe inherits its parent's concurrency unless it says otherwise).
  describe('users and their screens', { concurrency: 1 }, () => {
    before(() => restarted.wait());

    test('a session signed in through nginx (and one on node 1) works on nodes 2 and 3', async () => {
      const viaNginx = await login(NGINX, 'commander');
      const onNode1 = await login(nodeUrl(1), 'duty');
      for (const [who, cookie] of [
        ['commander', viaNginx],
        ['duty', onNode1],
      ]) {
        for (const base of nodeUrls()) {
          const me = await getJson(`${base}/api/me`, cookie);
          assert.equal(me.username, who, `${who}'s session on ${base}`);
        }
      }
      // The page too, through nginx: signed in, not sent to the sign-in page.
      const home = await request(`${NGINX}/`, { cookie: viaNginx });
      assert.equal(home.status, 200, home.text.slice(0, 200));
      assert.ok(!home.text.includes('name="password"'), 'the home page, not the sign-in form');
      // /metrics stays behind nginx (the example answers 404 there).
      assert.equal((await request(`${NGINX}/metrics`)).status, 404);
    });

    test(`a forced logout and a disabled account end the sessions on every node within the ${SESSION_CACHE_MS} ms cache`, async (t) => {
      const expectGone = async (username, cookie, started) => {
        const after = await Promise.all(
          nodeUrls().map((base) =>
            eventually(`${username}'s session refused on ${base}`, async () => {
              const r = await request(`${base}/api/me`, { cookie });
              return r.status === 401 ? Date.now() - started : null;
            }, { withinMs: 10_000, everyMs: 50 }),
          ),
        );
        t.diagnostic(`${username}: refused by the nodes after ${after.join(', ')} ms`);
        for (const [i, ms] of after.entries()) {
          assert.ok(ms <= SESSION_CACHE_MS + 500, `${username}: node ${i + 1} refused the session after ${ms} ms (cache ${SESSION_CACHE_MS} ms)`);
        }
      };
      const warm = async (cookie) => {
        for (const base of nodeUrls()) assert.equal((await request(`${base}/api/me`, { cookie })).status, 200);
      };
      // The security administrator ends the officer's sessions (在线用户 → 强退).
      const officer = await login(NGINX, 'officer');
      await warm(officer);
      const secadmin = await sessionOf('secadmin');
      const online = await getJson(`${nodeUrl(1)}/api/sessions`, secadmin);
      const mine = online.filter((s) => s.username === 'officer');
      assert.ok(mine.length >= 1, 'the officer is listed online');
      assert.ok(mine.every((s) => s.ip === CLIENT), `listed with the real client address ${CLIENT}: ${mine.map((s) => s.ip)}`);
      for (const s of mine) await postJson(`${nodeUrl(1)}/api/sessions/${encodeURIComponent(s.id)}/revoke`, secadmin, {});
      await expectGone('officer', officer, Date.now());

      // The system administrator disables an account: its sessions end everywhere too.
      const supplies = await login(NGINX, 'supplies');
      await warm(supplies);
      await postJson(`${nodeUrl(2)}/api/accounts/supplies/disable`, await sessionOf('sysadmin'), {});
      await expectGone('supplies', supplies, Date.now());
      const again = await request(`${NGINX}/api/login`, { json: { username: 'supplies', password: cluster.demoPassword } });
      assert.equal(again.status, 403, `a disabled account cannot sign in again: ${again.text}`);
    });

    test('the recall board stream through nginx gets answers made on each node within 2 s', async (t) => {
      const order = await issueRecall(await unitId('D13'), `集群看板 ${stamp()}`);
      const people = await recallTargets(order);
      assert.ok(people.length >= NODES, `the order recalls at least ${NODES} people`);
      const commander = await sessionOf('commander');
      const stream = openStream(`${NGINX}/recall/${order}/events`, commander);
      await stream.opened;
      try {
        for (let n = 1; n <= NODES; n++) {
          const since = stream.events.length;
          const t0 = Date.now();
          await postJson(`${nodeUrl(n)}/api/recall/${order}/people/${people[n - 1]}`, commander, { action: 'arrive' });
          const ev = await stream.waitFor((e) => e.event === 'board' && JSON.parse(e.data).accounted >= n, 2_000, since);
          t.diagnostic(`answer on node ${n}: on the board after ${ev.at - t0} ms`);
          assert.ok(ev.at - t0 <= 2_000, `the answer on node ${n} reached the board after ${ev.at - t0} ms`);
        }
      } finally {
        stream.close();
      }
    });

    test("the dashboard's live stream through nginx shows a registration made on another node within 2 s", async (t) => {
      const cp = await checkpointNamed('G319');
      const commander = await sessionOf('commander');
      const stream = openStream(`${NGINX}/dashboard/live`, commander);
      await stream.opened;
      try {
        for (const n of [2, 3]) {
          const since = stream.events.length;
          const t0 = Date.now();
          const r = await register(nodeUrl(n), registration(cp));
          assert.equal(r.status, 201, r.text);
          const ev = await stream.waitFor((e) => e.event === 'sections', 2_000, since);
          t.diagnostic(`registration on node ${n}: on the dashboard after ${ev.at - t0} ms`);
          assert.ok(ev.at - t0 <= 2_000, `the registration on node ${n} reached the dashboard after ${ev.at - t0} ms`);
        }
      } finally {
        stream.close();
      }
    });

    test('counters add up exactly across nodes: registrations on the dashboard, article views', async (t) => {
      const N = 30;
      const M = 45;
      const cp = await checkpointNamed('G319');
      const article = await publishArticle(`集群计数 ${stamp()}`);
      t.diagnostic(`the published article was on every node's news site after ${await visibleEverywhere(article)} ms`);
      const dash0 = figure(await dashboardFigure('checkpoint', TODAY));
      const today0 = await todayCount(cp);
      // Spread over the three nodes, a few at a time.
      const regs = Array.from({ length: N }, (_, i) => register(nodeUrl((i % NODES) + 1), registration(cp)));
      for (const r of await Promise.all(regs)) assert.equal(r.status, 201, r.text);
      const views = Array.from({ length: M }, (_, i) => request(`${nodeUrl((i % NODES) + 1)}/news/${article}`));
      for (const r of await Promise.all(views)) assert.equal(r.status, 200);

      for (const base of nodeUrls()) {
        let today;
        await eventually(`today's registrations at the checkpoint on ${base}`, async () => {
          today = await todayCount(cp, base);
          return today === today0 + N || null;
        }, { withinMs: 8_000, describe: () => `${today}, want ${today0 + N}` });
        let dash;
        await eventually(`the dashboard's figure on ${base}`, async () => {
          dash = figure(await dashboardFigure('checkpoint', TODAY, base));
          return dash === dash0 + N || null;
        }, { withinMs: 8_000, describe: () => `${dash}, want ${dash0 + N}` });
        // Each node buffers its views for up to a second: every node ends up showing all of them.
        let shown;
        await eventually(`the article's view count on ${base}`, async () => {
          shown = (await getJson(`${base}/news/${article}/views`)).views;
          return shown === M || null;
        }, { withinMs: 8_000, describe: () => `${shown}, want ${M}` });
      }
      // Stored, not just shown.
      let stored;
      await eventually('the stored view count', async () => {
        stored = Number((await sql('SELECT views FROM publicity_articles WHERE id = $1', [article]))[0].views);
        return stored === M || null;
      }, { withinMs: 5_000, describe: () => `${stored}, want ${M}` });
    });

    test("a chat-bot group's rate limit holds across the cluster (1 message per 1000 ms)", async (t) => {
      const INTERVAL = 1_000;
      const rx = await startReceiver();
      const channel = await addGroupChannel('限速测试群', `${rx.url}/wecom?key=rate`, INTERVAL);
      try {
        const d13 = await unitId('D13');
        const titles = [];
        for (let i = 0; i < 4; i++) {
          titles.push(`集群限速 ${i + 1} ${stamp()}`);
          await issueRecall(d13, titles[i], nodeUrl((i % NODES) + 1));
        }
        for (const t of titles) await rx.waitFor((m) => m.text.includes(t), 20_000);
        const at = rx.got.map((m) => m.at);
        const gaps = at.slice(1).map((t, i) => t - at[i]);
        t.diagnostic(`${at.length} messages, ${gaps.join(', ')} ms apart`);
        const tooSoon = gaps.filter((g) => g < INTERVAL - 50);
        if (tooSoon.length) {
          // What the queue recorded, for the report: when each attempt was logged (after the answer).
          const log = await sql(
            'SELECT d.outbox_id, d.at FROM notify_deliveries d WHERE d.channel_id = $1 ORDER BY d.at',
            [channel],
          );
          t.diagnostic(`arrivals ${at.map((x) => x - at[0]).join(', ')} ms; attempts logged at ${log.map((r) => Number(r.at) - at[0]).join(', ')} ms`);
        }
        assert.deepEqual(tooSoon, [], `messages arrived ${gaps.join(', ')} ms apart; the group allows one per ${INTERVAL} ms`);
      } finally {
        await disableChannel(channel).catch(() => {});
        await rx.close();
      }
    });

    describe('nodes killed, the replica stopped', { concurrency: 1 }, () => {
      before(async () => {
        await leaseDone.wait();
        await jobsDone.wait();
      });

      test('kill -9 of a node under load: nginx moves on; every acknowledged registration and answer is stored exactly once', async (t) => {
        const cp = await checkpointNamed('G319');
        const order = await issueRecall(await unitId('D13'), `集群压测 ${stamp()}`);
        const people = await recallTargets(order);
        const commander = await sessionOf('commander');
        const today0 = await todayCount(cp);
        const sent = [];
        const marks = [];
        const victim = 2;
        let killedAt = 0;
        const stopAt = Date.now() + 6_000;
        const worker = async (w) => {
          for (let i = 0; Date.now() < stopAt; i++) {
            const body = registration(cp);
            const t = Date.now();
            const r = await register(NGINX, body).catch((e) => ({ status: 0, error: e.code }));
            sent.push({ id: body.id, t, status: r.status });
            const person = people[(w + i * 4) % people.length];
            if (w < 2 && person !== undefined) {
              const m = await request(`${NGINX}/api/recall/${order}/people/${person}`, {
                cookie: commander,
                json: { action: 'arrive' },
              }).catch((e) => ({ status: 0, error: e.code }));
              marks.push({ person, t: Date.now(), status: m.status });
            }
          }
        };
        const killer = (async () => {
          await new Promise((r) => setTimeout(r, 2_000));
          killedAt = Date.now();
          await killNode(victim);
        })();
        await Promise.all([...Array.from({ length: 8 }, (_, w) => worker(w)), killer]);
        try {
          const acked = sent.filter((s) => s.status === 201);
          const failed = sent.filter((s) => s.status !== 201);
          t.diagnostic(
            `${sent.length} registrations sent, ${acked.length} acknowledged; failed: ${failed.map((f) => `${f.status || f.error} at +${f.t - killedAt} ms`).join(', ') || 'none'}; ${marks.length} answers`,
          );
          assert.ok(acked.length > 50, `registrations went through (${acked.length})`);
          // After the kill nginx sends everything to the two others: only requests in flight on the
          // dying node may fail.
          const lateFailures = failed.filter((s) => s.t > killedAt + 500);
          assert.deepEqual(lateFailures, [], 'no failure half a second after the kill');
          assert.ok(failed.length <= 8, `at most one failure per client in flight at the kill (${failed.length})`);
          // Stored: every acknowledged one, once; nothing that was not sent.
          const ids = sent.map((s) => s.id);
          const stored = await sql('SELECT id::text AS id FROM screenings WHERE id::text = ANY($1::text[])', [ids]);
          const storedIds = new Set(stored.map((r) => r.id));
          assert.equal(storedIds.size, stored.length, 'no registration stored twice');
          const lost = acked.filter((s) => !storedIds.has(s.id));
          assert.deepEqual(lost, [], 'every acknowledged registration is stored');
          // The checkpoint's counter counts each stored one once.
          await eventually('the checkpoint counter equals the stored registrations', async () =>
            (await todayCount(cp, nodeUrl(1))) === today0 + stored.length || null,
          { withinMs: 8_000, describe: () => `want ${today0 + stored.length}` });

          const ackedMarks = marks.filter((m) => m.status === 200);
          assert.ok(ackedMarks.length > 5, `answers went through (${ackedMarks.length})`);
          const events = await sql(
            "SELECT person_id, count(*) AS n FROM recall_events WHERE order_id = $1 AND to_state = 'on_post' GROUP BY person_id",
            [order],
          );
          const onPost = new Map(events.map((e) => [Number(e.person_id), Number(e.n)]));
          assert.deepEqual([...onPost.values()].filter((n) => n !== 1), [], 'each arrival recorded once');
          const missing = ackedMarks.filter((m) => !onPost.has(m.person));
          assert.deepEqual(missing, [], 'every acknowledged answer is stored');
          const board = await getJson(`${nodeUrl(1)}/api/recall/${order}`, commander);
          assert.equal(board.tally.on_post, onPost.size, 'the board counts each arrival once');
        } finally {
          await startNode(victim);
        }
      });

      // Views are counted in each node's memory and written once a second; each node also appends
      // every view it answers to the journal in its data directory, and a node killed with -9 adds
      // what it had not written when it starts again (as systemd restarts it).
      test(
        'kill -9 of a node under load: after its restart every acknowledged article view is counted once',
        async () => {
          const article = await publishArticle(`集群浏览 ${stamp()}`);
          await visibleEverywhere(article);
          const ok = [];
          const victim = 3;
          const stopAt = Date.now() + 4_000;
          const reader = async () => {
            while (Date.now() < stopAt) {
              const r = await request(`${NGINX}/news/${article}`).catch(() => ({ status: 0 }));
              if (r.status === 200) ok.push(Date.now());
            }
          };
          const killer = (async () => {
            await new Promise((r) => setTimeout(r, 2_000));
            await killNode(victim);
          })();
          await Promise.all([...Array.from({ length: 6 }, reader), killer]);
          let restarted = false;
          try {
            await startNode(victim);
            restarted = true;
            assert.ok(ok.length > 30, `views went through (${ok.length})`);
            await eventually('the stored view count', async () => {
              const r = await sql('SELECT views FROM publicity_articles WHERE id = $1', [article]);
              return Number(r[0].views) >= ok.length || null;
            }, { withinMs: 5_000, describe: () => `want ${ok.length} acknowledged views` }).catch(async (e) => {
              const r = await sql('SELECT views FROM publicity_articles WHERE id = $1', [article]);
              assert.fail(`${ok.length} views were answered, ${r[0].views} are stored: ${e.message}`);
            });
            // A view the dying node had counted when it died may not have reached its reader (or
            // nginx asked another node again): at most one per reader in flight is counted unseen.
            const r = await sql('SELECT views FROM publicity_articles WHERE id = $1', [article]);
            const extra = Number(r[0].views) - ok.length;
            assert.ok(extra >= 0 && extra <= 6, `${ok.length} views answered, ${r[0].views} stored: none lost, at most 6 unseen`);
          } finally {
            if (!restarted) await startNode(victim);
          }
        },
      );

      describe('the last checks', { concurrency: true }, () => {
        test('a forged X-Forwarded-For does not hide the client: logs and the IP deny list use 127.0.0.2', async () => {
          const forged = { 'x-forwarded-for': '10.9.9.9' };
          // A failed sign-in through nginx is logged with the real address.
          const bad = await request(`${NGINX}/api/login`, {
            headers: forged,
            json: { username: 'editor', password: 'wrong-Password#1' },
          });
          assert.equal(bad.status, 401, bad.text);
          const log = await getJson(`${nodeUrl(1)}/api/login-log`, await sessionOf('auditadmin'));
          const entries = Array.isArray(log) ? log : log.entries ?? log.items ?? log.rows;
          const last = entries.filter((e) => e.username === 'editor' && !e.success).sort((a, b) => b.at - a.at)[0];
          assert.equal(last?.ip, CLIENT, `the failed sign-in is logged from ${CLIENT}: ${JSON.stringify(last)}`);

          // The security administrator denies 127.0.0.2.
          const secadmin = await sessionOf('secadmin');
          const policy = await getJson(`${nodeUrl(1)}/api/policy`, secadmin);
          const denied = { ...policy, ip_deny: CLIENT };
          await postJson(`${nodeUrl(1)}/api/policy`, secadmin, denied, { method: 'PUT' });
          try {
            // Every node learns the rule (policy_refresh, every 10 s) …
            for (const base of nodeUrls()) {
              await eventually(`node ${base} refuses ${CLIENT}`, async () => (await request(`${base}/login`, { from: CLIENT })).status === 403 || null, {
                withinMs: 15_000,
                everyMs: 250,
              });
            }
            // … and a forged header through nginx does not get round it, on any node.
            for (let i = 0; i < NODES * 2; i++) {
              for (const p of ['/login', '/news', '/api/me']) {
                const r = await request(`${NGINX}${p}`, { headers: forged });
                assert.equal(r.status, 403, `${p} with X-Forwarded-For 10.9.9.9 from ${CLIENT}: HTTP ${r.status}`);
              }
            }
            // 127.0.0.1 (a trusted proxy, not denied) is still served: only the client is refused.
            assert.equal((await request(`${nodeUrl(1)}/login`)).status, 200);
          } finally {
            await postJson(`${nodeUrl(1)}/api/policy`, secadmin, policy, { method: 'PUT' });
          }
        });

        // Acts on the nodes directly (from 127.0.0.1): the test beside it denies 127.0.0.2 for a while.
        test('the read replica: used when caught up, skipped when it lags or stops; pages never stale', async () => {
          const readyz = async (base) => {
            const r = await request(`${base}/readyz`);
            let body = null;
            try {
              body = JSON.parse(r.text);
            } catch {
              // plain text before the replica setting
            }
            return { status: r.status, body };
          };
          const allInState = async (state, withinMs) => {
            for (const base of nodeUrls()) {
              await eventually(`readyz on ${base} says replica ${state}`, async () => {
                const r = await readyz(base);
                return r.status === 200 && r.body?.status === 'ready' && r.body?.replica?.state === state ? r : null;
              }, { withinMs, everyMs: 200, describe: (x) => JSON.stringify(x) });
            }
          };
          const usable = async (base) => metricSum(await metrics(base), 'bastion_replica_usable');
          // What a user would see on each node: the new article on the news site, the new
          // registration in the checkpoint's list and on the dashboard. A node learns of another
          // node's publication at its next check (each second), so each is polled for a few seconds:
          // a paused or stopped replica never catches up, so data read from it would never show.
          const pagesShow = async (title, regId, dashAtLeast) => {
            const checkpointer = await sessionOf('checkpoint');
            for (const base of nodeUrls()) {
              await eventually(`the news site on ${base} shows "${title}"`, async () => (await request(`${base}/news`)).text.includes(title) || null, {
                withinMs: 3_000,
              });
              await eventually(`the checkpoint's list on ${base} shows the new registration`, async () => {
                const rows = await getJson(`${base}/api/checkpoints/${cp}/screenings`, checkpointer);
                return (Array.isArray(rows) ? rows : []).some((x) => x.id === regId) || null;
              }, { withinMs: 3_000 });
              let dash;
              await eventually(`the dashboard on ${base} shows at least ${dashAtLeast} registrations today`, async () => {
                dash = figure(await dashboardFigure('checkpoint', TODAY, base));
                return dash >= dashAtLeast || null;
              }, { withinMs: 3_000, describe: () => String(dash) });
            }
          };
          const cp = await checkpointNamed('G319');

          // Caught up: every node reads from it.
          await allInState('ok', 10_000);
          for (const base of nodeUrls()) assert.equal(await usable(base), 1, `bastion_replica_usable on ${base}`);

          // Replay paused: the nodes see it lag and read the primary; what was just written shows.
          const before = figure(await dashboardFigure('checkpoint', TODAY));
          await sql('SELECT pg_wal_replay_pause()', [], cluster.readDatabase);
          try {
            const title = `副本暂停时发布 ${stamp()}`;
            await publishArticle(title, nodeUrl(1));
            const reg = registration(cp);
            const r = await register(nodeUrl(2), reg);
            assert.equal(r.status, 201, r.text);
            await allInState('lagging', 8_000);
            for (const base of nodeUrls()) {
              const body = (await readyz(base)).body;
              assert.ok(body.warning, `a warning on ${base}: ${JSON.stringify(body)}`);
              assert.ok(body.replica.lag_ms > 0, `the lag on ${base}: ${JSON.stringify(body)}`);
              const m = await metrics(base);
              assert.equal(metricSum(m, 'bastion_replica_usable'), 0, `bastion_replica_usable on ${base}`);
              assert.ok(metricSum(m, 'bastion_replica_lag_ms') > 0, `bastion_replica_lag_ms on ${base}`);
            }
            await pagesShow(title, reg.id, before + 1);
          } finally {
            await sql('SELECT pg_wal_replay_resume()', [], cluster.readDatabase).catch(() => {});
          }
          await allInState('ok', 10_000);

          // Stopped: down, the nodes stay ready (reads go to the primary) and the pages are right.
          await ctl('replica-stop');
          try {
            await allInState('down', 8_000);
            const dash = figure(await dashboardFigure('checkpoint', TODAY));
            const title = `副本停止时发布 ${stamp()}`;
            await publishArticle(title, nodeUrl(2));
            const reg = registration(cp);
            const r = await register(nodeUrl(3), reg);
            assert.equal(r.status, 201, r.text);
            await pagesShow(title, reg.id, dash + 1);
            await login(nodeUrl(1), 'duty');
          } finally {
            await ctl('replica-start');
          }
          await allInState('ok', 15_000);
        });

        test('a wrong read_database makes `bastion serve` stop at start-up with a message naming it', async () => {
          const data = mkdtempSync(path.join(tmpdir(), 'bastion-cluster-wrong-'));
          mkdirSync(path.join(data, 'keys'), { mode: 0o700 });
          copyFileSync(path.join(cluster.nodes[0].data, 'keys', 'bastion.keys'), path.join(data, 'keys', 'bastion.keys'));
          const child = spawn(cluster.bin, ['serve', '--data', data, '--database', cluster.database, '--listen', '127.0.0.1:0'], {
            env: { ...process.env, BASTION_READ_DATABASE: 'postgres://postgres@127.0.0.1:1/bastion', BASTION_LOG: 'warn' },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.on('data', (c) => (out += c));
          child.stderr.on('data', (c) => (out += c));
          try {
            const ended = await Promise.race([
              new Promise((r) => child.once('exit', (code) => r({ code }))),
              eventually('', () => (/listening on http/.test(out) ? { listening: true } : null), { withinMs: 30_000 }).catch(() => ({
                timeout: true,
              })),
            ]);
            assert.ok(!ended.listening, `it must not serve with a replica it cannot reach; it said:\n${out}`);
            assert.ok(!ended.timeout, `it neither served nor stopped within 30 s:\n${out}`);
            assert.notEqual(ended.code, 0, 'a failure exit status');
            assert.match(out, /read_database/, 'the message names the setting');
          } finally {
            child.kill('SIGKILL');
            rmSync(data, { recursive: true, force: true });
          }
        });
      });
    });
  });
});
