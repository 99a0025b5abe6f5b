//! Demo party data: the bureau's party committee, 18 branches holding the 457 members, 6
//! approved temporary branches (the HQ and five checkpoints) of the active operation, more than
//! 30 people in the pipeline at every stage (dated from today so the rules say something), 130
//! petitions and 6 assault teams of 116 people with a week of results. Deterministic.

use std::collections::HashMap;

use bastion_core::org::PoliticalStatus;
use bastion_core::party::{
    MeetingKind, MeetingMode, MemberKind, Mission, OfficerRole, OrgKind, OrgStatus, Period, Stage, Step,
};
use bastion_store::org::{PersonId, UnitId};
use bastion_store::party::{NewMeeting, NewOrg, NewPetition, NewResult, NewStep, NewTeam, OrgId, PetitionId, Totals};

use crate::{App, AppError, AppResult};

/// A person of the demo bureau as the party seed needs them.
pub struct DemoPerson {
    pub id: PersonId,
    pub unit: &'static str,
    pub status: PoliticalStatus,
    pub on_duty: bool,
}

/// (branch name, the units whose members it holds; the first is its own unit)
const BRANCHES: [(&str, &[&str]); 18] = [
    ("局机关党支部", &["BUREAU", "D01"]),
    ("指挥部党支部", &["HQ"]),
    ("政治处督察大队联合党支部", &["D02", "D13"]),
    ("警务保障室法制大队联合党支部", &["D03", "D12"]),
    ("指挥中心党支部", &["D04"]),
    ("治安管理大队党支部", &["D05"]),
    ("刑事侦查大队党支部", &["D06"]),
    ("交警大队第一党支部", &["D07", "D07-1"]),
    ("交警大队第二党支部", &["D07-2"]),
    ("特警大队第一党支部", &["D08", "D08-1"]),
    ("特警大队第二党支部", &["D08-2"]),
    ("经侦禁毒网安联合党支部", &["D09", "D10", "D11"]),
    ("城关派出所党支部", &["S01", "S01-1"]),
    ("东关派出所党支部", &["S02"]),
    ("西河南山派出所联合党支部", &["S03", "S04"]),
    ("北坪桥头派出所联合党支部", &["S05", "S06"]),
    ("石门高铁站派出所联合党支部", &["S07", "S08"]),
    ("青岚湖派出所党支部", &["S09"]),
];

const PETITION_TEXT: &[&str] = &[
    "疫情就是命令，防控就是责任。我志愿加入抗疫一线，服从组织安排，不计报酬，无论生死。",
    "我是一名人民警察，请求组织把我派到最危险、最需要的岗位，坚决完成党交给的任务。",
    "本人身体健康，家中无后顾之忧，申请到卡点一线参加值守和排查工作，请组织批准。",
    "若有战，召必回，战必胜。请求参加党员突击队，冲锋在前。",
];

const TEAMS: [(&str, &[Mission]); 6] = [
    ("第一党员突击队", &[Mission::Screening, Mission::Patrol]),
    ("第二党员突击队", &[Mission::Traffic]),
    ("第三党员突击队", &[Mission::Screening]),
    ("第四党员突击队", &[Mission::Patrol, Mission::Crime]),
    ("第五党员突击队", &[Mission::Traffic, Mission::Patrol]),
    ("第六党员突击队", &[Mission::Crime, Mission::Screening]),
];
const TEAM_SIZES: [usize; 6] = [20, 20, 19, 19, 19, 19];

/// A person of the pipeline: their steps and the training days recorded.
type Plan<'a> = (&'a DemoPerson, Vec<(Step, jiff::civil::Date)>, i64);

fn days_ago(today: jiff::civil::Date, n: i64) -> jiff::civil::Date {
    today.checked_sub(jiff::Span::new().days(n)).unwrap_or(today)
}

/// A small signature (a drawn zig-zag) shared by the demo petitions.
fn demo_signature() -> Vec<u8> {
    let mut img = image::RgbaImage::from_pixel(160, 60, image::Rgba([255, 255, 255, 0]));
    for x in 10..150u32 {
        let y = 30.0 + 14.0 * ((x as f32) / 9.0).sin();
        for dy in 0..3 {
            img.put_pixel(x, (y as u32 + dy).min(59), image::Rgba([20, 20, 20, 255]));
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = image::DynamicImage::ImageRgba8(img).write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

pub(crate) async fn seed_demo(app: &App, units: &HashMap<&str, UnitId>, people: &[DemoPerson]) -> AppResult<()> {
    let u = |code: &str| units.get(code).copied().unwrap_or(UnitId(1));
    let today = bastion_core::time::today();
    let operation = app.store.active_operation().await?.map(|o| o.id.0);
    let checkpoints = app.store.checkpoints().await?;
    let store = &app.store;
    let mut tx = store.begin().await?;
    let org = |kind, name: String, unit: UnitId, parent: Option<OrgId>, secretary: Option<PersonId>| NewOrg {
        kind,
        name,
        parent_id: parent,
        unit_id: unit,
        status: OrgStatus::Active,
        operation_id: None,
        post: None,
        checkpoint_id: None,
        secretary_id: secretary,
        term_start: Some("2019-06-28".into()),
        term_end: Some("2022-06-27".into()),
        proposed_by: None,
        approved_by: None,
        approval_doc_no: None,
    };
    let committee = store
        .insert_party_org(&mut tx, &org(OrgKind::Committee, "中共青岚县公安局委员会".into(), u("BUREAU"), None, None))
        .await?;
    // The committee's own members (党委委员): full members of the bureau's leadership and the HQ,
    // a secretary, a deputy and five members; they also lead on duty in turn (领导带班).
    let leaders: Vec<PersonId> = people
        .iter()
        .filter(|p| ["BUREAU", "HQ"].contains(&p.unit) && p.status == PoliticalStatus::Member)
        .map(|p| p.id)
        .take(7)
        .collect();
    for (k, p) in leaders.iter().enumerate() {
        let role = match k {
            0 => OfficerRole::Secretary,
            1 => OfficerRole::Deputy,
            _ => OfficerRole::Member,
        };
        store.insert_officer(&mut tx, committee, *p, role, "2019-06-28", Some("2022-06-27"), "demo").await?;
    }
    // Branches and their members (home branch by unit).
    let mut branch_of_unit: HashMap<&str, OrgId> = HashMap::new();
    let mut branches = Vec::new();
    for (name, codes) in BRANCHES {
        let secretary =
            people.iter().find(|p| codes.contains(&p.unit) && p.status == PoliticalStatus::Member).map(|p| p.id);
        let id = store
            .insert_party_org(&mut tx, &org(OrgKind::Branch, name.into(), u(codes[0]), Some(committee), secretary))
            .await?;
        for c in codes {
            branch_of_unit.insert(c, id);
        }
        // The committee: a secretary; with 7 or more full members also three committee members.
        let full: Vec<PersonId> = people
            .iter()
            .filter(|p| codes.contains(&p.unit) && p.status == PoliticalStatus::Member)
            .map(|p| p.id)
            .collect();
        let roles: &[OfficerRole] = if full.len() >= 7 {
            &[OfficerRole::Secretary, OfficerRole::Organisation, OfficerRole::Propaganda, OfficerRole::Discipline]
        } else {
            &[OfficerRole::Secretary]
        };
        for (p, role) in full.iter().zip(roles) {
            store.insert_officer(&mut tx, id, *p, *role, "2019-06-28", Some("2022-06-27"), "demo").await?;
        }
        branches.push(id);
    }
    let branch = |unit: &str| branch_of_unit.get(unit).copied().unwrap_or(branches[0]);
    for (n, p) in people.iter().enumerate() {
        let kind = match p.status {
            PoliticalStatus::Member => MemberKind::Full,
            PoliticalStatus::Probationary => MemberKind::Probationary,
            _ => continue,
        };
        let joined = format!("{}-07-01", 1990 + (n % 29));
        let joined = (kind == MemberKind::Full).then_some(joined);
        store.upsert_party_member(&mut tx, p.id, branch(p.unit), kind, joined.as_deref()).await?;
    }
    // Organisational life: this month's theme day everywhere; this quarter's general meeting in
    // two branches of three, attended by three in five full members (the rest show as due).
    let month = bastion_core::party::period_start(Period::Month, today).to_string();
    let quarter = bastion_core::party::period_start(Period::Quarter, today).to_string();
    for (i, (b, (_, codes))) in branches.iter().zip(BRANCHES).enumerate() {
        // The theme day held online too, for the members at the checkpoints.
        let theme = NewMeeting {
            org: *b,
            kind: MeetingKind::ThemeDay,
            on_date: &month,
            topic: "主题党日：重温入党誓词，支部建在一线",
            mode: MeetingMode::Both,
            place: "所部会议室",
            link: "https://meeting.qinglan.example/party",
            agenda: "一、重温入党誓词；二、学习疫情防控工作要求；三、各卡点党员交流值守体会。",
            by: "demo",
        };
        store.insert_meeting(&mut tx, &theme).await?;
        if i % 3 == 0 {
            continue;
        }
        let general = NewMeeting {
            org: *b,
            kind: MeetingKind::General,
            on_date: &quarter,
            topic: "支部党员大会：部署疫情防控任务",
            mode: MeetingMode::Offline,
            place: "所部会议室",
            link: "",
            agenda: "",
            by: "demo",
        };
        let m = store.insert_meeting(&mut tx, &general).await?;
        let full: Vec<PersonId> = people
            .iter()
            .filter(|p| codes.contains(&p.unit) && p.status == PoliticalStatus::Member)
            .map(|p| p.id)
            .collect();
        for p in full.iter().take(full.len() * 3 / 5 + 1) {
            store.check_in(&mut tx, m, *p).await?;
        }
    }
    // Temporary branches: the HQ, the demo checkpoints and one market checkpoint, approved.
    let mut posts: Vec<(String, String, UnitId, &str, Option<i64>)> =
        vec![("指挥部临时党支部".into(), "疫情防控指挥部工作专班".into(), u("HQ"), "HQ", None)];
    let unit_code = |id: UnitId| units.iter().find(|(_, v)| **v == id).map(|(k, _)| *k).unwrap_or("BUREAU");
    for c in checkpoints.iter().take(4) {
        let short: String = c.name.replace(' ', "");
        posts.push((format!("{short}临时党支部"), c.name.clone(), c.unit_id, unit_code(c.unit_id), Some(c.id.0)));
    }
    posts.push(("东关农贸市场卡点临时党支部".into(), "东关农贸市场卡点".into(), u("S02"), "S02", None));
    let mut used: std::collections::HashSet<i64> = std::collections::HashSet::new();
    for (i, (name, post, unit, code, checkpoint)) in posts.into_iter().enumerate() {
        let pool: Vec<PersonId> = people
            .iter()
            .filter(|p| p.unit == code && p.status == PoliticalStatus::Member && p.on_duty && !used.contains(&p.id.0))
            .map(|p| p.id)
            .take(8)
            .collect();
        let Some(secretary) = pool.first().copied() else { continue };
        let new = NewOrg {
            kind: OrgKind::Temporary,
            name,
            parent_id: Some(committee),
            unit_id: unit,
            status: OrgStatus::Active,
            operation_id: operation,
            post: Some(post),
            checkpoint_id: checkpoint,
            secretary_id: Some(secretary),
            term_start: Some("2020-01-26".into()),
            term_end: None,
            proposed_by: Some("secretary".into()),
            approved_by: Some("commander".into()),
            approval_doc_no: Some(format!("青公党〔2020〕{}号", 3 + i)),
        };
        let id = store.insert_party_org(&mut tx, &new).await?;
        for (k, p) in pool.iter().enumerate() {
            used.insert(p.0);
            store.insert_secondment(&mut tx, id, *p, if k == 0 { "secretary" } else { "member" }).await?;
        }
    }
    // The pipeline: everyone at a pipeline stage, and the probationary members.
    let at = |s: PoliticalStatus| people.iter().filter(move |p| p.status == s);
    let mut plans: Vec<Plan> = Vec::new();
    for (i, p) in at(PoliticalStatus::Applicant).enumerate() {
        let applied = days_ago(today, 5 + 6 * i as i64);
        let mut steps = vec![(Step::Applied, applied)];
        if i % 3 != 2 {
            steps.push((Step::Talked, days_ago(today, (2 + 6 * i as i64).max(1)).max(applied)));
        }
        plans.push((p, steps, 0));
    }
    for (i, p) in at(PoliticalStatus::Activist).enumerate() {
        let applied = days_ago(today, 230 + 40 * i as i64);
        let activist = days_ago(today, 130 + 40 * i as i64);
        plans.push((
            p,
            vec![
                (Step::Applied, applied),
                (Step::Talked, days_ago(today, 220 + 40 * i as i64)),
                (Step::Activist, activist),
            ],
            0,
        ));
    }
    for (i, p) in at(PoliticalStatus::Candidate).enumerate() {
        let base = 900 + 20 * i as i64;
        let mut steps = vec![
            (Step::Applied, days_ago(today, base)),
            (Step::Talked, days_ago(today, base - 12)),
            (Step::Activist, days_ago(today, base - 110)),
            (Step::Candidate, days_ago(today, base - 500)),
        ];
        if i % 2 == 0 {
            steps.push((Step::Training, days_ago(today, base - 530)));
        }
        if i % 3 == 0 {
            steps.push((Step::Review, days_ago(today, base - 540)));
        }
        plans.push((p, steps, if i % 2 == 0 { 3 } else { 0 }));
    }
    for (i, p) in at(PoliticalStatus::Probationary).enumerate() {
        let admitted = days_ago(today, 40 + 28 * i as i64);
        let mut steps = vec![
            (Step::Applied, days_ago(today, 1000 + 28 * i as i64)),
            (Step::Talked, days_ago(today, 990 + 28 * i as i64)),
            (Step::Activist, days_ago(today, 880 + 28 * i as i64)),
            (Step::Candidate, days_ago(today, 480 + 28 * i as i64)),
            (Step::Training, days_ago(today, 460 + 28 * i as i64)),
            (Step::Review, days_ago(today, 300 + 28 * i as i64)),
            (Step::Admitted, admitted),
        ];
        if i % 4 != 0 {
            steps.push((Step::Approved, days_ago(today, 10 + 28 * i as i64)));
        }
        plans.push((p, steps, 3));
    }
    for (p, steps, training) in &plans {
        let stage = bastion_core::party::Dossier { steps: steps.clone(), ..Default::default() }.stage();
        let c = store.insert_candidate(&mut tx, p.id, branch(p.unit), stage).await?;
        for (step, on) in steps {
            let s =
                NewStep { step: *step, on_date: on.to_string(), note: None, waived: None, recorded_by: "demo".into() };
            store.insert_step(&mut tx, c, &s).await?;
        }
        if *training > 0 {
            store.update_candidate(&mut tx, c, stage, Some((*training, 0))).await?;
        }
        if stage == Stage::Probationary {
            let on = steps.iter().find(|s| s.0 == Step::Admitted).map(|s| s.1.to_string());
            store.upsert_party_member(&mut tx, p.id, branch(p.unit), MemberKind::Probationary, on.as_deref()).await?;
        }
    }
    // Petitions (130, from people on duty) and 6 teams of 116 formed from them.
    let signature = demo_signature();
    let petitioners: Vec<&DemoPerson> = people
        .iter()
        .filter(|p| p.on_duty && p.status != PoliticalStatus::Masses && !used.contains(&p.id.0))
        .take(130)
        .collect();
    let mut petitions: Vec<(PersonId, PetitionId)> = Vec::new();
    for (i, p) in petitioners.iter().enumerate() {
        let missions = match i % 4 {
            0 => vec![Mission::Screening, Mission::Patrol],
            1 => vec![Mission::Traffic],
            2 => vec![Mission::Patrol, Mission::Crime],
            _ => vec![Mission::Screening],
        };
        let new = NewPetition {
            person_id: p.id,
            account: "demo".into(),
            body: PETITION_TEXT[i % PETITION_TEXT.len()].into(),
            missions,
            signature: Some(signature.clone()),
            // Some authors allow their petition to be published as a story.
            publish_consent: i % 3 == 0,
        };
        petitions.push((p.id, store.insert_petition(&mut tx, &new).await?));
    }
    let flag = days_ago(today, 20).to_string();
    let mut start = 0;
    for (i, ((name, missions), size)) in TEAMS.iter().zip(TEAM_SIZES).enumerate() {
        let members: Vec<(PersonId, Option<PetitionId>)> =
            petitions.iter().skip(start).take(size).map(|(p, x)| (*p, Some(*x))).collect();
        start += size;
        let Some((leader, _)) = members.first().copied() else { break };
        let team = NewTeam {
            name: name.to_string(),
            leader_id: leader,
            missions: missions.to_vec(),
            flag_date: flag.clone(),
            operation_id: operation,
            created_by: "demo".into(),
            members,
        };
        let Some(id) = store.insert_team(&mut tx, &team).await? else {
            return Err(AppError::Internal(anyhow::anyhow!("演示突击队的请战书重复编入")));
        };
        for d in 0..7i64 {
            let k = (i as i64 + 1) * (d + 3);
            let totals = Totals {
                households: if missions.contains(&Mission::Screening) { 40 + k * 3 } else { 0 },
                patrols: if missions.contains(&Mission::Patrol) { 4 + k % 5 } else { 0 },
                traffic_stops: if missions.contains(&Mission::Traffic) { 120 + k * 7 } else { 0 },
                cases: if missions.contains(&Mission::Crime) { k % 4 } else { 0 },
                persuaded: 10 + k % 17,
            };
            let r = NewResult {
                team_id: id,
                day: days_ago(today, d).to_string(),
                totals,
                note: None,
                recorded_by: "demo".into(),
            };
            store.insert_result(&mut tx, &r).await?;
        }
    }
    bastion_store::commit(tx).await?;
    Ok(())
}
