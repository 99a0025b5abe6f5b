//! The demo bureau: a fictional county public-security bureau with the reference figures of
//! docs (956 staff, 457 party members, a command HQ, departments, stations and squads), one
//! active operation and an account for every role. Names are generated from character lists;
//! they belong to nobody. Generation is deterministic (fixed seed) so screenshots are stable.

use bastion_core::id_number::check_char;
use bastion_core::org::{Category, DutyStatus, PoliceType, PoliticalStatus, Sex, UnitKind};
use bastion_core::{IdNumber, Phone};
use bastion_store::auth::NewAccount;
use bastion_store::operation::NewOperation;
use bastion_store::org::{NewPerson, NewUnit, PersonId, UnitId};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::{App, AppError, AppResult, Ctx};

pub const BUREAU_NAME: &str = "青岚县公安局";
pub const STAFF: usize = 956;
pub const PARTY_MEMBERS: usize = 457;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋",
    "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "范",
    "石", "廖", "贾",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宁",
    "峰", "建", "志", "文", "海", "亮", "俊", "洋", "林", "凯", "浩", "宇", "晨", "阳", "东", "昊", "瑞", "博", "然",
    "航", "楠",
];
const GIVEN_FEMALE: &[&str] = &[
    "静", "丽", "敏", "艳", "娟", "霞", "婷", "雪", "琳", "颖", "倩", "悦", "欣", "晓", "红", "兰", "芳", "燕", "萍",
    "岚", "文", "华", "宁", "晨", "佳", "怡", "璐", "蕾", "洁", "慧",
];
const SKILLS: &[&str] = &["驾驶", "急救", "无人机", "心理疏导", "外语", "警犬", "摄影", "信息研判", "调解", "射击"];

/// (code, name, kind, parent code, headcount, police types)
type DemoUnit = (&'static str, &'static str, UnitKind, &'static str, usize, &'static [PoliceType]);
const UNITS: &[DemoUnit] = &[
    ("BUREAU", BUREAU_NAME, UnitKind::Bureau, "", 8, &[PoliceType::Command]),
    ("HQ", "疫情防控指挥部", UnitKind::Command, "BUREAU", 40, &[PoliceType::Command]),
    ("D01", "办公室", UnitKind::Department, "BUREAU", 22, &[PoliceType::Command]),
    ("D02", "政治处", UnitKind::Department, "BUREAU", 18, &[PoliceType::Command]),
    ("D03", "警务保障室", UnitKind::Department, "BUREAU", 20, &[PoliceType::Logistics]),
    ("D04", "指挥中心", UnitKind::Department, "BUREAU", 36, &[PoliceType::Command]),
    ("D05", "治安管理大队", UnitKind::Department, "BUREAU", 40, &[PoliceType::Security]),
    ("D06", "刑事侦查大队", UnitKind::Department, "BUREAU", 58, &[PoliceType::Criminal]),
    ("D07", "交通警察大队", UnitKind::Department, "BUREAU", 30, &[PoliceType::Traffic]),
    ("D07-1", "交警一中队", UnitKind::Squad, "D07", 52, &[PoliceType::Traffic]),
    ("D07-2", "交警二中队", UnitKind::Squad, "D07", 48, &[PoliceType::Traffic]),
    ("D08", "巡逻特警大队", UnitKind::Department, "BUREAU", 26, &[PoliceType::Patrol]),
    ("D08-1", "特警一中队", UnitKind::Squad, "D08", 44, &[PoliceType::Patrol]),
    ("D08-2", "特警二中队", UnitKind::Squad, "D08", 42, &[PoliceType::Patrol]),
    ("D09", "经济犯罪侦查大队", UnitKind::Department, "BUREAU", 20, &[PoliceType::Economic]),
    ("D10", "禁毒大队", UnitKind::Department, "BUREAU", 18, &[PoliceType::Narcotics]),
    ("D11", "网络安全保卫大队", UnitKind::Department, "BUREAU", 16, &[PoliceType::Cyber]),
    ("D12", "法制大队", UnitKind::Department, "BUREAU", 12, &[PoliceType::Legal]),
    ("D13", "督察大队", UnitKind::Department, "BUREAU", 10, &[PoliceType::Supervision]),
    ("S01", "城关派出所", UnitKind::Station, "BUREAU", 40, &[PoliceType::Station]),
    ("S01-1", "城关社区警务中队", UnitKind::Squad, "S01", 38, &[PoliceType::Station]),
    ("S02", "东关派出所", UnitKind::Station, "BUREAU", 48, &[PoliceType::Station]),
    ("S03", "西河派出所", UnitKind::Station, "BUREAU", 44, &[PoliceType::Station]),
    ("S04", "南山派出所", UnitKind::Station, "BUREAU", 40, &[PoliceType::Station]),
    ("S05", "北坪派出所", UnitKind::Station, "BUREAU", 38, &[PoliceType::Station]),
    ("S06", "桥头派出所", UnitKind::Station, "BUREAU", 40, &[PoliceType::Station]),
    ("S07", "石门派出所", UnitKind::Station, "BUREAU", 36, &[PoliceType::Station]),
    ("S08", "高铁站派出所", UnitKind::Station, "BUREAU", 34, &[PoliceType::Station, PoliceType::Security]),
    ("S09", "青岚湖派出所", UnitKind::Station, "BUREAU", 38, &[PoliceType::Station]),
];

/// (username, display name, roles, unit code, linked to a person of that unit)
pub const ACCOUNTS: &[(&str, &str, &str, &str, bool)] = &[
    ("admin", "超级管理员", "superadmin", "BUREAU", false),
    ("sysadmin", "系统管理员", "sysadmin", "D04", false),
    ("secadmin", "安全管理员", "secadmin", "D02", false),
    ("auditadmin", "审计管理员", "auditadmin", "D13", false),
    ("commander", "指挥长", "commander", "HQ", true),
    ("duty", "指挥部值班员", "duty", "HQ", true),
    ("secretary", "城关所支部书记", "secretary", "S01", true),
    ("checkpoint", "卡点民警", "checkpoint", "D07-1", true),
    ("supplies", "装备管理员", "supplies", "D03", true),
    ("editor", "宣传编辑", "editor", "D02", true),
    ("officer", "城关所民警", "officer", "S01", true),
];

fn name(rng: &mut StdRng, male: bool) -> String {
    let given = if male { GIVEN_MALE } else { GIVEN_FEMALE };
    let mut s = SURNAMES.choose(rng).copied().unwrap_or("王").to_string();
    for _ in 0..rng.gen_range(1..=2) {
        s.push_str(given.choose(rng).copied().unwrap_or("明"));
    }
    s
}

/// The head of a unit is called differently by unit kind; others by what they do there.
fn position(kind: UnitKind, head: bool, category: Category) -> &'static str {
    match (category, kind, head) {
        (Category::Auxiliary, _, _) => "辅警",
        (Category::Civilian, _, _) => "文职人员",
        (_, UnitKind::Bureau, true) => "局长",
        (_, UnitKind::Bureau, false) => "副局长",
        (_, UnitKind::Command, true) => "指挥长",
        (_, UnitKind::Command, false) => "专班成员",
        (_, UnitKind::Station, true) => "所长",
        (_, UnitKind::Station, false) => "社区民警",
        (_, UnitKind::Squad, true) => "中队长",
        (_, UnitKind::Squad, false) => "队员",
        (_, UnitKind::Department, true) => "大队长",
        (_, UnitKind::Department, false) => "科员",
    }
}

fn id_number(rng: &mut StdRng, birth: jiff::civil::Date, male: bool) -> Option<IdNumber> {
    // 51xxxx: a made-up county code in a real province, so the number parses but names no one.
    let seq = rng.gen_range(0..500) * 2 + u32::from(male);
    let body = format!("5199{:02}{}{:03}", rng.gen_range(1..30), birth.strftime("%Y%m%d"), seq);
    let full = format!("{body}{}", check_char(body.as_bytes()));
    IdNumber::parse(&full, bastion_core::time::today()).ok()
}

pub struct DemoSummary {
    pub units: usize,
    pub people: usize,
    pub party: usize,
    pub accounts: Vec<(String, String, String)>,
}

impl App {
    /// Fill an empty database with the demo bureau. Refuses when any unit exists.
    /// `totp_secret` (base32) is enrolled for the three administrators, who must use a second factor.
    pub async fn create_demo(&self, password: &str, totp_secret: &str) -> AppResult<DemoSummary> {
        if !self.store.units().await?.is_empty() {
            return Err(AppError::Conflict("数据库中已有单位数据，演示数据只能写入空库".into()));
        }
        let mut rng = StdRng::seed_from_u64(20_200_124);
        let hash = crate::auth::hash_password(password)?;
        let mut tx = self.store.begin().await?;
        let mut ids: std::collections::HashMap<&str, UnitId> = std::collections::HashMap::new();
        let mut roster: Vec<(usize, &str)> = Vec::new();
        for (i, (code, uname, kind, parent, count, _)) in UNITS.iter().enumerate() {
            let unit = self
                .store
                .insert_unit(
                    &mut tx,
                    &NewUnit {
                        parent_id: ids.get(parent).copied(),
                        code: code.to_string(),
                        name: uname.to_string(),
                        kind: *kind,
                        sort_order: i as i64,
                        phone: Some(format!("0999-{}", 6_100_000 + i * 11)),
                    },
                )
                .await?;
            ids.insert(code, unit.id);
            roster.extend(std::iter::repeat_n((i, *code), *count));
        }
        if roster.len() != STAFF {
            return Err(AppError::Internal(anyhow::anyhow!("演示单位人数合计 {} 不等于 {STAFF}", roster.len())));
        }
        // Decide categories and political status over the whole bureau so the totals are exact.
        let mut politics: Vec<PoliticalStatus> = Vec::with_capacity(STAFF);
        politics.extend(std::iter::repeat_n(PoliticalStatus::Member, PARTY_MEMBERS - 12));
        politics.extend(std::iter::repeat_n(PoliticalStatus::Probationary, 12));
        politics.extend(std::iter::repeat_n(PoliticalStatus::Candidate, 6));
        politics.extend(std::iter::repeat_n(PoliticalStatus::Activist, 10));
        politics.extend(std::iter::repeat_n(PoliticalStatus::Applicant, 14));
        politics.resize(STAFF, PoliticalStatus::Masses);
        politics.shuffle(&mut rng);
        let mut duty: Vec<DutyStatus> = Vec::with_capacity(STAFF);
        duty.extend(std::iter::repeat_n(DutyStatus::Leave, 38));
        duty.extend(std::iter::repeat_n(DutyStatus::Sick, 6));
        duty.extend(std::iter::repeat_n(DutyStatus::Quarantine, 4));
        duty.extend(std::iter::repeat_n(DutyStatus::Away, 6));
        duty.resize(STAFF, DutyStatus::OnDuty);
        duty.shuffle(&mut rng);
        let mut first_of_unit: std::collections::HashMap<&str, PersonId> = std::collections::HashMap::new();
        let mut on_duty: Vec<(PersonId, UnitId)> = Vec::new();
        let mut politics_of: Vec<crate::party::demo::DemoPerson> = Vec::new();
        let (mut police_seq, mut aux_seq) = (0u32, 0u32);
        for (n, (unit_idx, code)) in roster.iter().enumerate() {
            let (_, _, kind, _, _, types) = UNITS[*unit_idx];
            let category = match n % 50 {
                0 if kind == UnitKind::Department => Category::Civilian,
                k if k % 5 < 3 || *politics.get(n).unwrap_or(&PoliticalStatus::Masses) == PoliticalStatus::Member => {
                    Category::Police
                }
                _ => Category::Auxiliary,
            };
            let male = rng.gen_bool(0.82);
            let birth = jiff::civil::date(1962, 1, 1)
                .checked_add(jiff::Span::new().days(rng.gen_range(0..(365 * 38))))
                .unwrap_or(jiff::civil::date(1980, 1, 1));
            let hire_year = (i32::from(birth.year()) + rng.gen_range(21..30)).min(2019) as i16;
            let police_no = match category {
                Category::Auxiliary => {
                    aux_seq += 1;
                    format!("FJ{aux_seq:04}")
                }
                _ => {
                    police_seq += 1;
                    format!("{:06}", 51_0000 + police_seq)
                }
            };
            let mut skills: Vec<String> = Vec::new();
            if rng.gen_bool(0.35) {
                skills.push(SKILLS.choose(&mut rng).copied().unwrap_or("驾驶").to_string());
            }
            let phone =
                Phone::parse(&format!("1{}{:09}", rng.gen_range(3..10), rng.gen_range(0..1_000_000_000u64))).ok();
            let person = NewPerson {
                police_no,
                name: name(&mut rng, male),
                category,
                sex: if male { Sex::Male } else { Sex::Female },
                birth_date: Some(birth.to_string()),
                hire_date: Some(format!("{hire_year}-{:02}-01", rng.gen_range(1..13))),
                id_number: id_number(&mut rng, birth, male),
                mobile: phone,
                unit_id: ids.get(code).copied().unwrap_or(UnitId(1)),
                position: Some(position(kind, !first_of_unit.contains_key(code), category).to_string()),
                political_status: politics[n],
                duty_status: duty[n],
                police_types: types.to_vec(),
                skills,
            };
            let id = self.store.insert_person(&mut tx, &person).await?;
            first_of_unit.entry(code).or_insert(id);
            politics_of.push(crate::party::demo::DemoPerson {
                id,
                unit: code,
                status: person.political_status,
                on_duty: person.duty_status == DutyStatus::OnDuty,
            });
            if person.duty_status == DutyStatus::OnDuty {
                on_duty.push((id, person.unit_id));
            }
        }
        let mut accounts = Vec::new();
        for (username, display, roles, unit_code, linked) in ACCOUNTS {
            let unit_id = ids.get(unit_code).copied().unwrap_or(UnitId(1));
            let person_id = if *linked { first_of_unit.get(unit_code).copied() } else { None };
            let id = self
                .store
                .insert_account(
                    &mut tx,
                    &NewAccount {
                        username: username.to_string(),
                        display_name: display.to_string(),
                        person_id,
                        unit_id,
                        password_hash: hash.clone(),
                        roles: roles.split(',').map(str::to_string).collect(),
                        must_change_password: false,
                    },
                )
                .await?;
            if bastion_core::permission::ADMIN_TRIAD.contains(roles) {
                let cipher = self.store.crypto.encrypt(totp_secret)?;
                self.store.set_totp(&mut tx, id, Some(&cipher), true).await?;
            }
            let role_name = bastion_core::permission::role(roles).map(|r| r.zh).unwrap_or("");
            accounts.push((username.to_string(), display.to_string(), role_name.to_string()));
        }
        self.store
            .insert_operation(
                &mut tx,
                &NewOperation {
                    name: "新冠肺炎疫情防控阻击战".into(),
                    description: "全警动员、全员返岗，设立指挥部工作专班和入境卡点临时党支部，24 小时值守。".into(),
                    status: bastion_core::org::OperationStatus::Active,
                    start_date: "2020-01-24".into(),
                    end_date: None,
                },
            )
            .await?;
        // checkpoint
        crate::checkpoint::seed_demo(self, &mut tx, &ids).await?;
        // publicity: stories, covers, reads and nominations
        crate::publicity::demo::seed_demo(self, &mut tx, &ids).await?;
        let root = ids.get("BUREAU").copied().unwrap_or(UnitId(1));
        self.audit(&mut tx, &Ctx::cli(root), "system", "生成演示数据", BUREAU_NAME, &format!("{STAFF} 人")).await?;
        self.retire_bootstrap_admin(&mut tx, &Ctx::cli(root)).await?;
        bastion_store::commit(tx).await?;
        // recall: one finished drill order so the board shows something
        crate::recall::seed_demo(self).await?;
        // supplies: items, the warehouse and a stock point per post, stocked
        crate::supplies::seed_demo(self).await?;
        // duty: posts (the HQ desk, one per checkpoint) and today's shifts
        let officer = ACCOUNTS
            .iter()
            .find(|a| a.2 == "officer")
            .and_then(|a| Some((first_of_unit.get(a.3).copied()?, ids.get(a.3).copied()?)));
        crate::duty::seed_demo(self, &ids, &on_duty, officer).await?;
        // duty: the command structure (leading group, HQ special team, ten work groups)
        let code_of: std::collections::HashMap<UnitId, &str> = ids.iter().map(|(c, u)| (*u, *c)).collect();
        let by_code: Vec<(PersonId, &str)> = on_duty.iter().filter_map(|(p, u)| Some((*p, *code_of.get(u)?))).collect();
        crate::duty::command::seed_demo(self, &by_code).await?;
        // inspections: checklists per kind of post and one inspection with an open finding
        crate::inspection::seed_demo(self).await?;
        // party: the committee, 18 branches, temporary branches, the pipeline, petitions and teams
        crate::party::demo::seed_demo(self, &ids, &politics_of).await?;
        self.store.analyze().await?;
        Ok(DemoSummary { units: UNITS.len(), people: STAFF, party: PARTY_MEMBERS, accounts })
    }
}
