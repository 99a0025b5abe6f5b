// What the cluster suite does in Bastion, as its users do it: through the JSON API (sign-in,
// registrations, recall orders, articles, channels), plus a few look-ups in the database to arrange
// data and to count what was stored.
import { randomUUID } from 'node:crypto';

import { getJson, nodeUrl, postJson, request, sessionOf, sql } from './cluster.mjs';

/** A unit's id by its code (the demo bureau's codes: BUREAU, D13 …). */
export async function unitId(code) {
  const rows = await sql('SELECT id FROM units WHERE code = $1', [code]);
  if (!rows.length) throw new Error(`no unit ${code}`);
  return Number(rows[0].id);
}

/** The id of the checkpoint whose name contains `name`, as the checkpoint officer sees it. */
export async function checkpointNamed(name, base = nodeUrl(1)) {
  const list = await getJson(`${base}/api/checkpoints`, await sessionOf('checkpoint'));
  const cp = list.find((c) => c.name.includes(name));
  if (!cp) throw new Error(`no checkpoint named ${name}: ${JSON.stringify(list).slice(0, 300)}`);
  return cp.id;
}

/** Today's registrations at checkpoint `cp` as the checkpoint list on node `base` shows them. */
export async function todayCount(cp, base = nodeUrl(1)) {
  const list = await getJson(`${base}/api/checkpoints`, await sessionOf('checkpoint'));
  return list.find((c) => c.id === cp).live.today;
}

/** A traveller's registration at `cp` with a fresh id (the phone mints one per entry). */
export function registration(cp, temp = '36.6') {
  return {
    id: randomUUID(),
    checkpoint_id: cp,
    name: '林晓风',
    doc_type: 'id_card',
    doc_number: '11010519491231002X',
    phone: '13900001111',
    plate: '赣G12345',
    vehicle_type: 'car',
    origin: '武汉市',
    destination: '青岚县城关镇',
    reason: 'return_home',
    travel_flag: '1',
    health_code: 'green',
    temp,
    method: 'forehead',
    decision: 'pass',
  };
}

/** POST one registration at `base` with the checkpoint officer's session: the response. */
export async function register(base, body, opts = {}) {
  return request(`${base}/api/checkpoints/registrations`, { ...opts, json: body, cookie: await sessionOf('checkpoint') });
}

/** Issues a drill recall order to one unit (and below) as the commander; its id. */
export async function issueRecall(unit, title, base = nodeUrl(1)) {
  const r = await postJson(`${base}/api/recall`, await sessionOf('commander'), {
    title,
    message: '请立即返岗报到',
    scope: 'units',
    unit_ids: String(unit),
    deadline_minutes: '30',
    mode: 'drill',
    waves: '',
  });
  if (r.status && r.status !== 'active') throw new Error(`the order "${title}" is ${r.status}, not active`);
  return r.id;
}

/** The people an order recalls (person ids), from the database. */
export async function recallTargets(order) {
  const rows = await sql('SELECT person_id FROM recall_targets WHERE order_id = $1 ORDER BY person_id', [order]);
  return rows.map((r) => Number(r.person_id));
}

/** Writes an article as the editor and publishes it as the commander; its id. */
export async function publishArticle(title, base = nodeUrl(1)) {
  const editor = await sessionOf('editor');
  const { id } = await postJson(`${base}/api/publicity/articles`, editor, {
    title,
    body: `<p>${title}：集群测试的正文。</p>`,
    author: '政治处',
    source: '青岚县公安局政治处',
    column: 'deeds',
  });
  await postJson(`${base}/api/publicity/articles/${id}/step`, editor, { action: 'submit', note: '' });
  await postJson(`${base}/api/publicity/articles/${id}/step`, await sessionOf('commander'), {
    action: 'publish',
    note: '同意发布',
  });
  return id;
}

/** Adds a WeCom group channel pointing at `url`; its id. */
export async function addGroupChannel(name, url, minIntervalMs) {
  const { id } = await postJson(`${nodeUrl(1)}/api/notify/channels`, await sessionOf('commander'), {
    kind: 'wecom',
    name,
    url,
    min_interval_ms: String(minIntervalMs),
  });
  return id;
}

/** Switches a channel off (it has carried messages, so it cannot be deleted). */
export async function disableChannel(id) {
  await postJson(`${nodeUrl(1)}/api/notify/channels/${id}/enabled`, await sessionOf('commander'), { enabled: false }, {
    method: 'PUT',
  });
}

/** The dashboard's figure `label` of section `feature` (as the commander sees it at `base`). */
export async function dashboardFigure(feature, label, base = nodeUrl(1)) {
  const sections = await getJson(`${base}/api/dashboard`, await sessionOf('commander'));
  const s = sections.find((x) => x.feature === feature);
  if (!s || !s.figures) throw new Error(`no ${feature} section with figures: ${JSON.stringify(sections).slice(0, 400)}`);
  const f = s.figures.find((x) => x.label === label);
  if (!f) throw new Error(`no figure "${label}" in ${feature}: ${JSON.stringify(s.figures)}`);
  return f;
}
