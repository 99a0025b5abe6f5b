//! The party registry at province scale, through the use cases (no HTTP): the demo bureau on a
//! fresh database, grown to `--branches` branches (default 1,000, each on a unit of its own under
//! 50 county units) holding `--members` party members (default 100,000, people of those units), a
//! year of organisational life per branch (some kinds left undone, so the compliance view has
//! something to say), `--candidates` people (default 300) in the pipeline of the demo secretary's
//! branch at every stage, and five applicants in every other new branch. Then, timed `--rounds`
//! times each as the party committee (指挥长) and as that branch's secretary: the branch tree with
//! member counts (`App::party_overview`), the compliance view (`App::party_compliance`) and the
//! pipeline page (`App::pipeline`); beside them, in the same run, the store's trivial round trip
//! (`SELECT 1` through the read pool) as the floor. Prints p50/p99 in milliseconds.
//!
//! Usage: `party_bench --data EMPTY_DIR [--database URL_OF_AN_EMPTY_DATABASE] [--branches N]
//! [--members N] [--candidates N] [--rounds R]`

mod common;
use common::{arg, e, num, timed};

use std::time::Instant;

use bastion_core::org::UnitKind;
use bastion_core::party::{OrgKind, OrgStatus, Stage, Step};
use bastion_store::org::{NewUnit, UnitId};
use bastion_store::party::{NewOrg, NewStep, OrgId};
use bastion_store::Store;

const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
const GIVEN: &[&str] =
    &["建国", "海燕", "志强", "秀英", "明辉", "丽娟", "国栋", "晓东", "春梅", "立新", "卫东", "静怡"];

fn name(n: usize) -> String {
    format!("{}{}", SURNAMES[n % SURNAMES.len()], GIVEN[(n / SURNAMES.len()) % GIVEN.len()])
}

fn days_ago(n: i64) -> jiff::civil::Date {
    let today = bastion_core::time::today();
    today.checked_sub(jiff::Span::new().days(n)).unwrap_or(today)
}

/// Insert `rows` (each a parenthesised tuple of literals) into `table (cols)` 1,000 at a time.
async fn bulk(store: &Store, table_cols: &str, rows: &[String]) -> anyhow::Result<()> {
    for chunk in rows.chunks(1000) {
        let mut tx = store.begin().await?;
        sqlx::query(&format!("INSERT INTO {table_cols} VALUES {}", chunk.join(","))).execute(&mut *tx).await?;
        bastion_store::commit(tx).await?;
    }
    Ok(())
}

/// People of `unit`: police numbers `{prefix}{n:07}`, the political status given.
fn person_row(prefix: &str, n: usize, unit: i64, status: &str, birth: &str, now: i64) -> String {
    let sex = if n.is_multiple_of(3) { "female" } else { "male" };
    format!(
        "('{prefix}{n:07}', '{}', 'police', '{sex}', '{birth}', {unit}, '{status}', 'on_duty', ',station,', '', 1, {now}, {now})",
        name(n)
    )
}

const PEOPLE: &str = "people (police_no, name, category, sex, birth_date, unit_id, political_status, duty_status, \
    police_types, skills, enabled, created_at, updated_at)";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(arg("--data").unwrap_or_else(|| "/tmp/bastion-party-bench".into()));
    let database = arg("--database");
    let branches: usize = num("--branches", 1000);
    let members: usize = num("--members", 100_000);
    let candidates: usize = num("--candidates", 300);
    let rounds: usize = num("--rounds", 100);
    let (store, app) = common::demo_bureau(&data, database.as_deref()).await?;
    let backend = store.backend.name();
    let (boss, secretary) = (common::ctx_of(&store, "commander").await?, common::ctx_of(&store, "secretary").await?);
    let started = Instant::now();
    let now = bastion_core::time::now_ms();

    // Units and branches: 50 county units under the bureau, the stations under them, a branch each.
    let orgs = store.party_orgs().await?;
    let committee =
        orgs.iter().find(|o| o.kind == OrgKind::Committee).ok_or_else(|| anyhow::anyhow!("no committee"))?;
    let root = committee.unit_id;
    let demo_branches = orgs.iter().filter(|o| o.kind == OrgKind::Branch).count();
    let new_branches = branches.saturating_sub(demo_branches);
    let mut tx = store.begin().await?;
    let mut counties = Vec::new();
    for k in 0..50 {
        let u = NewUnit {
            parent_id: Some(root),
            code: format!("PB-C{k:02}"),
            name: format!("第{k}分局"),
            kind: UnitKind::Department,
            sort_order: 100 + k as i64,
            phone: None,
        };
        counties.push(store.insert_unit(&mut tx, &u).await?.id);
    }
    let mut stations: Vec<UnitId> = Vec::new();
    for n in 0..new_branches {
        let u = NewUnit {
            parent_id: Some(counties[n % counties.len()]),
            code: format!("PB-S{n:04}"),
            name: format!("第{}分局第{}派出所", n % counties.len(), n / counties.len()),
            kind: UnitKind::Station,
            sort_order: n as i64,
            phone: None,
        };
        let unit = store.insert_unit(&mut tx, &u).await?;
        let org = NewOrg {
            kind: OrgKind::Branch,
            name: format!("{}党支部", unit.name),
            parent_id: Some(committee.id),
            unit_id: unit.id,
            status: OrgStatus::Active,
            operation_id: None,
            post: None,
            checkpoint_id: None,
            secretary_id: None,
            term_start: Some("2019-06-28".into()),
            term_end: Some("2022-06-27".into()),
            proposed_by: None,
            approved_by: None,
            approval_doc_no: None,
        };
        store.insert_party_org(&mut tx, &org).await?;
        stations.push(unit.id);
    }
    bastion_store::commit(tx).await?;

    // Members: people of the new stations, each a member of their station's branch.
    let have = store.party_orgs().await?.iter().filter(|o| o.kind == OrgKind::Branch).map(|o| o.members).sum::<i64>();
    let more = members.saturating_sub(have as usize);
    if !stations.is_empty() {
        let rows: Vec<String> = (0..more)
            .map(|n| {
                let status = if n.is_multiple_of(20) { "probationary" } else { "member" };
                let birth = format!("19{}-0{}-1{}", 70 + n % 28, 1 + n % 9, n % 10);
                person_row("PB", n, stations[n % stations.len()].0, status, &birth, now)
            })
            .collect();
        bulk(&store, PEOPLE, &rows).await?;
    }
    let mut tx = store.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO party_members (person_id, branch_id, kind, joined_on, updated_at) \
         SELECT p.id, o.id, CASE WHEN p.political_status = 'probationary' THEN 'probationary' ELSE 'full' END, \
         '2012-07-01', {now} FROM people p JOIN party_orgs o ON o.unit_id = p.unit_id AND o.kind = 'branch' \
         WHERE p.police_no LIKE 'PB%'"
    ))
    .execute(&mut *tx)
    .await?;
    bastion_store::commit(tx).await?;

    // A year of organisational life per branch; every 7th branch skips this quarter's general
    // meeting, every 5th this month's committee meeting.
    let all: Vec<OrgId> =
        store.party_orgs().await?.iter().filter(|o| o.kind == OrgKind::Branch).map(|o| o.id).collect();
    let today = bastion_core::time::today();
    let mut rows = Vec::new();
    for (i, b) in all.iter().enumerate() {
        for m in 0..12i64 {
            let on = days_ago(m * 30 + (i as i64 % 20));
            let month = |kind: &str| format!("({}, '{kind}', '{on}', '第{m}次{kind}', 'bench', {now})", b.0);
            if !(m == 0 && i.is_multiple_of(5)) {
                rows.push(month("committee"));
            }
            rows.push(month("group"));
            rows.push(month("theme_day"));
            if m % 3 == 0 && !(m == 0 && i.is_multiple_of(7)) {
                rows.push(month("general"));
                rows.push(month("lecture"));
            }
            if m == 6 {
                rows.push(month("life"));
            }
        }
    }
    let meetings = rows.len();
    bulk(&store, "party_meetings (org_id, kind, on_date, topic, created_by, created_at)", &rows).await?;

    // The pipeline: `candidates` people of the secretary's unit, in the branch on that unit, at
    // every stage, through the store as the use cases write them.
    let sec_person = secretary.person_id.ok_or_else(|| anyhow::anyhow!("secretary without a person"))?;
    let sec_unit = store.person(sec_person).await?.unit_id;
    let branch = store
        .party_orgs()
        .await?
        .into_iter()
        .find(|o| o.kind == OrgKind::Branch && o.unit_id == sec_unit)
        .ok_or_else(|| anyhow::anyhow!("no branch on the secretary's unit"))?;
    let rows: Vec<String> =
        (0..candidates).map(|n| person_row("PC", n, sec_unit.0, "applicant", "1996-04-12", now)).collect();
    bulk(&store, PEOPLE, &rows).await?;
    let plan: [(Stage, &[(Step, i64)]); 5] = [
        (Stage::Applicant, &[(Step::Applied, 10)]),
        (Stage::Applicant, &[(Step::Applied, 50), (Step::Talked, 30)]),
        (Stage::Activist, &[(Step::Applied, 400), (Step::Talked, 380), (Step::Activist, 200)]),
        (
            Stage::Candidate,
            &[
                (Step::Applied, 800),
                (Step::Talked, 780),
                (Step::Activist, 600),
                (Step::Candidate, 100),
                (Step::Training, 60),
            ],
        ),
        (
            Stage::Probationary,
            &[
                (Step::Applied, 1200),
                (Step::Talked, 1180),
                (Step::Activist, 1000),
                (Step::Candidate, 500),
                (Step::Training, 450),
                (Step::Review, 440),
                (Step::Admitted, 400),
            ],
        ),
    ];
    let mut tx = store.begin().await?;
    for n in 0..candidates {
        let person = store
            .person_by_police_no(&format!("PC{n:07}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("no candidate {n}"))?;
        let (stage, steps) = plan[n % plan.len()];
        let id = store.insert_candidate(&mut tx, person, branch.id, stage).await?;
        for (step, ago) in steps {
            let s = NewStep {
                step: *step,
                on_date: days_ago(*ago).to_string(),
                note: None,
                waived: None,
                recorded_by: "secretary".into(),
            };
            store.insert_step(&mut tx, id, &s).await?;
        }
        let training = steps.iter().any(|(s, _)| *s == Step::Training).then_some((3, 24));
        store.update_candidate(&mut tx, id, stage, training).await?;
    }
    bastion_store::commit(tx).await?;

    // Five applicants in every other new branch (the pipeline page must not read them).
    let rows: Vec<String> = (0..stations.len() * 5)
        .map(|n| person_row("PD", n, stations[n % stations.len()].0, "applicant", "1998-09-20", now))
        .collect();
    bulk(&store, PEOPLE, &rows).await?;
    let applied = days_ago(20);
    let mut tx = store.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO party_candidates (person_id, branch_id, stage, created_at, updated_at) \
         SELECT p.id, o.id, 'applicant', {now}, {now} FROM people p \
         JOIN party_orgs o ON o.unit_id = p.unit_id AND o.kind = 'branch' WHERE p.police_no LIKE 'PD%'"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO party_steps (candidate_id, step, on_date, recorded_by, recorded_at) \
         SELECT c.id, 'applied', '{applied}', 'bench', {now} FROM party_candidates c \
         JOIN people p ON p.id = c.person_id WHERE p.police_no LIKE 'PD%'"
    ))
    .execute(&mut *tx)
    .await?;
    bastion_store::commit(tx).await?;
    store.analyze().await?;
    // A serving node folds the write-ahead log into the database every second (the
    // `sqlite_wal_checkpoint` job); do the same once here, so reads are timed as they are served.
    store.checkpoint_wal().await?;
    let generated = started.elapsed();

    let tree = app.party_overview(&boss).await.map_err(e)?;
    let tree_branches = tree.orgs.iter().filter(|r| r.org.kind == OrgKind::Branch).count();
    let compliance = app.party_compliance(&boss).await.map_err(e)?;
    let general_due = compliance.kinds.first().map(|k| k.missing).unwrap_or(0);
    let mine = app.pipeline(&secretary, None).await.map_err(e)?;
    let sec_tree = app.party_overview(&secretary).await.map_err(e)?;
    println!(
        "backend={backend} branches={tree_branches} members={} meetings={meetings} generated_s={:.1} today={today}",
        tree.members_total,
        generated.as_secs_f64()
    );
    println!(
        "compliance: {} branches, {general_due} without this quarter's general meeting; secretary's tree: {} organisations; \
         secretary's pipeline ({}): {} candidates",
        compliance.rows.len(),
        sec_tree.orgs.len(),
        branch.name,
        mine.len()
    );

    let floor = timed(rounds, || async { store.ping().await.map_err(e) }).await?;
    let tree_boss = timed(rounds, || async { app.party_overview(&boss).await.map_err(e) }).await?;
    let tree_sec = timed(rounds, || async { app.party_overview(&secretary).await.map_err(e) }).await?;
    let comp_boss = timed(rounds, || async { app.party_compliance(&boss).await.map_err(e) }).await?;
    let comp_sec = timed(rounds, || async { app.party_compliance(&secretary).await.map_err(e) }).await?;
    let pipe_sec = timed(rounds, || async { app.pipeline(&secretary, None).await.map_err(e) }).await?;
    let pipe_boss = timed(rounds, || async { app.pipeline(&boss, Some(branch.id)).await.map_err(e) }).await?;
    // Where the time goes: the store's reads alone (no scope filter, no rules).
    let day = today.to_string();
    let s_orgs = timed(rounds, || async { store.party_orgs().await.map_err(e) }).await?;
    let windows: Vec<(bastion_core::party::MeetingKind, String)> = bastion_core::party::MeetingKind::ALL
        .iter()
        .map(|k| (*k, bastion_core::party::period_start(k.period(), today).to_string()))
        .collect();
    let s_last = timed(rounds, || async { store.meetings_in_periods(&windows, &day).await.map_err(e) }).await?;
    let s_front = timed(rounds, || async { store.front_members(&day).await.map_err(e) }).await?;
    let s_pipe = timed(rounds, || async { store.pipeline_candidates(Some(&[branch.id])).await.map_err(e) }).await?;
    let pipeline_page = format!("pipeline page ({candidates} candidates), branch secretary");
    for (what, (p50, p99)) in [
        ("floor SELECT 1", floor),
        ("  store: every organisation with its member count", s_orgs),
        ("  store: meetings of each kind held this period, per organisation", s_last),
        ("  store: members at the front today", s_front),
        ("  store: the branch's candidates and steps", s_pipe),
        ("branch tree, committee", tree_boss),
        ("branch tree, branch secretary", tree_sec),
        ("compliance view, committee", comp_boss),
        ("compliance view, branch secretary", comp_sec),
        (pipeline_page.as_str(), pipe_sec),
        ("pipeline of that branch, committee", pipe_boss),
    ] {
        println!("{what}: p50 {p50:.2} ms, p99 {p99:.2} ms");
    }
    Ok(())
}
