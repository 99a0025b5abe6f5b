//! Units and people: list within the caller's data scope, read, create, edit, disable, reveal.

use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::org::{self, Category, DutyStatus, PoliticalStatus, Sex, UnitKind};
use bastion_core::permission::perm;
use bastion_core::{FieldError, IdNumber, Phone};
use bastion_store::org::{NewPerson, NewUnit, UnitPatch};
/// The read models and ids the web layer and the CLI use.
pub use bastion_store::org::{Page, PeopleCounts, Person, PersonFilter, PersonId, Revealed, RowScope, Unit, UnitId};
use serde::{Deserialize, Serialize};

use crate::{in_scope, App, AppError, AppResult, Ctx};

/// A person as typed into a form, an import row or a JSON body: every field raw text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["police_no", "name", "category"]))]
pub struct PersonInput {
    #[schemars(regex(pattern = r"^[0-9A-Za-z]{4,10}$"))]
    pub police_no: String,
    #[schemars(length(min = 1, max = 30))]
    pub name: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::org::Category")]
    pub category: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::org::Sex")]
    pub sex: String,
    #[schemars(extend("format" = "date"))]
    pub birth_date: String,
    #[schemars(extend("format" = "date"))]
    pub hire_date: String,
    pub id_number: String,
    #[schemars(regex(pattern = r"^1[3-9][0-9]{9}$"))]
    pub mobile: String,
    /// Unit id (forms, API) …
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub unit_id: String,
    /// … or unit code (imports).
    pub unit_code: String,
    pub position: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::org::PoliticalStatus")]
    pub political_status: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::org::DutyStatus")]
    pub duty_status: String,
    pub police_types: String,
    /// Skills separated by `、` (commas and semicolons belong to a skill's text), or a JSON list.
    #[serde(deserialize_with = "text_or_list")]
    pub skills: String,
}

/// A field given as text or (JSON) as a list of texts, joined with `、`.
fn text_or_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize, schemars::JsonSchema)]
    #[serde(untagged)]
    enum TextOrList {
        Text(String),
        List(Vec<String>),
    }
    Ok(match TextOrList::deserialize(d)? {
        TextOrList::Text(s) => s,
        TextOrList::List(v) => v.join("、"),
    })
}

/// The separator between skills, in forms, imports, exports and storage.
pub const SKILL_SEPARATOR: char = '、';

fn collect<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

impl PersonInput {
    /// [`PersonInput::parse`] for a new person: the identity number is required (every member of
    /// staff has one), and when it is missing that is the error reported, not the sex or birth
    /// date that would have followed from it.
    pub fn parse_new(&self, unit: Option<UnitId>) -> Result<NewPerson, Vec<FieldError>> {
        let parsed = self.parse(unit);
        if non_empty(&self.id_number).is_some() {
            return parsed;
        }
        let mut errors = parsed.err().unwrap_or_default();
        if non_empty(&self.sex).is_none() {
            errors.retain(|e| e.field != "性别");
        }
        errors.insert(0, FieldError::new("身份证号", "身份证号不能为空（新增人员须填写身份证号）"));
        Err(errors)
    }

    /// Parse every field, reporting every broken one (not just the first). `unit` resolves the
    /// unit reference. On update an empty ID or mobile keeps the stored value.
    pub fn parse(&self, unit: Option<UnitId>) -> Result<NewPerson, Vec<FieldError>> {
        let mut e = Vec::new();
        let today = bastion_core::time::today();
        let police_no = collect(&mut e, org::police_no(&self.police_no));
        let name = collect(&mut e, text("姓名", &self.name, 1, 30));
        let category = collect(&mut e, Category::parse(&self.category));
        let id_number = match non_empty(&self.id_number) {
            Some(raw) => collect(&mut e, IdNumber::parse(raw, today)).map(Some),
            None => Some(None),
        };
        let sex = match (non_empty(&self.sex), &id_number) {
            (Some(raw), _) => collect(&mut e, Sex::parse(raw)),
            (None, Some(Some(id))) => Some(if id.is_male() { Sex::Male } else { Sex::Female }),
            // The ID number is wrong: that error is reported; sex would follow from it.
            (None, None) => None,
            (None, Some(None)) => collect(&mut e, Sex::parse("")),
        };
        let birth_date = match (non_empty(&self.birth_date), &id_number) {
            (Some(raw), _) => {
                collect(&mut e, bastion_core::time::parse_date("出生日期", raw)).map(|d| Some(d.to_string()))
            }
            (None, Some(Some(id))) => Some(Some(id.birth_date().to_string())),
            (None, _) => Some(None),
        };
        if let (Some(Some(b)), Some(Some(id))) = (&birth_date, &id_number) {
            if *b != id.birth_date().to_string() {
                e.push(FieldError::new("出生日期", "出生日期与身份证号不一致"));
            }
        }
        let hire_date = match non_empty(&self.hire_date) {
            Some(raw) => collect(&mut e, bastion_core::time::parse_date("入职日期", raw)).map(|d| Some(d.to_string())),
            None => Some(None),
        };
        let mobile = match non_empty(&self.mobile) {
            Some(raw) => collect(&mut e, Phone::parse(raw)).map(Some),
            None => Some(None),
        };
        if unit.is_none() {
            e.push(FieldError::new("所属单位", "所属单位不存在或未填写"));
        }
        let position = collect(&mut e, opt_text("职务", &self.position, 30));
        let political_status = match non_empty(&self.political_status) {
            Some(raw) => collect(&mut e, PoliticalStatus::parse(raw)),
            None => Some(PoliticalStatus::Masses),
        };
        let duty_status = match non_empty(&self.duty_status) {
            Some(raw) => collect(&mut e, DutyStatus::parse(raw)),
            None => Some(DutyStatus::OnDuty),
        };
        let police_types = collect(&mut e, org::police_types(&self.police_types));
        // Only `、` separates skills: `@SUM(1,1)` or `驾驶;维修` is one skill, stored as typed.
        let skills: Vec<String> =
            self.skills.split(SKILL_SEPARATOR).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        if skills.iter().any(|s| s.chars().any(|c| c.is_control() || bastion_core::text::is_invisible(c))) {
            e.push(FieldError::new("技能特长", "技能特长不能包含控制字符或不可见字符"));
        } else if skills.iter().any(|s| s.chars().count() > 20) {
            e.push(FieldError::new("技能特长", "每项技能特长不能超过 20 个字（多项之间用“、”分隔）"));
        } else if skills.len() > 20 {
            e.push(FieldError::new("技能特长", "技能特长最多 20 项"));
        }
        match (
            police_no,
            name,
            category,
            sex,
            birth_date,
            hire_date,
            id_number,
            mobile,
            unit,
            position,
            political_status,
            duty_status,
            police_types,
        ) {
            (
                Some(police_no),
                Some(name),
                Some(category),
                Some(sex),
                Some(birth_date),
                Some(hire_date),
                Some(id_number),
                Some(mobile),
                Some(unit_id),
                Some(position),
                Some(political_status),
                Some(duty_status),
                Some(police_types),
            ) if e.is_empty() => Ok(NewPerson {
                police_no,
                name,
                category,
                sex,
                birth_date,
                hire_date,
                id_number,
                mobile,
                unit_id,
                position,
                political_status,
                duty_status,
                police_types,
                skills,
            }),
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, Default, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["code", "name"]))]
pub struct UnitInput {
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub parent_id: String,
    pub code: String,
    pub name: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bastion_core::org::UnitKind")]
    pub kind: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub sort_order: String,
    pub phone: String,
}

impl App {
    pub async fn units(&self, ctx: &Ctx) -> AppResult<Vec<Unit>> {
        ctx.scope(perm::UNIT_READ)?;
        Ok(self.store.units().await?)
    }

    /// The unit tree with each unit's own headcount, for the tree beside lists and the unit
    /// pickers: readers of units, and the security admin who grants roles over chosen units.
    pub async fn unit_tree(&self, ctx: &Ctx) -> AppResult<(Vec<Unit>, Vec<(UnitId, i64)>)> {
        if !ctx.can(perm::ROLE_GRANT) {
            ctx.scope(perm::UNIT_READ)?;
        }
        Ok((self.store.units().await?, self.store.unit_headcounts().await?))
    }

    /// The unit a form names, if the caller's scope covers it: a unit that does not exist is a
    /// field error (`field` names it), one outside the scope a refusal.
    pub(crate) async fn unit_in_scope(&self, scope: &RowScope, unit: UnitId, field: &str) -> AppResult<Unit> {
        let u = self
            .store
            .unit(unit)
            .await
            .map_err(|_| AppError::invalid(FieldError::new(field, format!("{field}不存在"))))?;
        if !crate::in_scope(scope, &u.path, None) {
            return Err(AppError::forbidden_data());
        }
        Ok(u)
    }

    /// The ids of the units a scope covers (None: all of them; none for a scope of one person).
    /// The bureau's name (the root unit): the issuing office of its documents.
    pub(crate) async fn bureau_name(&self) -> AppResult<String> {
        Ok(self.store.units().await?.into_iter().find(|u| u.parent_id.is_none()).map(|u| u.name).unwrap_or_default())
    }

    pub(crate) async fn visible_units(&self, scope: &RowScope) -> AppResult<Option<Vec<i64>>> {
        Ok(match scope {
            RowScope::All => None,
            RowScope::Subtrees(_) => Some(
                self.store
                    .units()
                    .await?
                    .into_iter()
                    .filter(|u| in_scope(scope, &u.path, None))
                    .map(|u| u.id.0)
                    .collect(),
            ),
            _ => Some(Vec::new()),
        })
    }

    /// The unit tree of the people page: only the units whose people the viewer may see (the
    /// viewer's subtrees, none for an account that sees only itself), each with its headcount; a
    /// unit whose parent is out of sight becomes a root.
    pub async fn people_unit_tree(&self, ctx: &Ctx) -> AppResult<(Vec<Unit>, Vec<(UnitId, i64)>)> {
        let scope = ctx.scope(perm::PERSON_READ)?;
        self.unit_tree_in(&scope).await
    }

    /// The units a scope covers with each unit's own headcount; a unit whose parent is out of
    /// the scope becomes a root.
    pub(crate) async fn unit_tree_in(&self, scope: &RowScope) -> AppResult<(Vec<Unit>, Vec<(UnitId, i64)>)> {
        let (units, counts) = (self.store.units().await?, self.store.unit_headcounts().await?);
        let Some(visible) = self.visible_units(scope).await? else { return Ok((units, counts)) };
        let keep: std::collections::HashSet<i64> = visible.into_iter().collect();
        let units = units
            .into_iter()
            .filter(|u| keep.contains(&u.id.0))
            .map(|mut u| {
                if u.parent_id.is_some_and(|p| !keep.contains(&p.0)) {
                    u.parent_id = None;
                }
                u
            })
            .collect();
        Ok((units, counts.into_iter().filter(|(u, _)| keep.contains(&u.0)).collect()))
    }

    /// A unit by its code (the command line names units by code).
    pub async fn unit_by_code(&self, ctx: &Ctx, code: &str) -> AppResult<Unit> {
        ctx.scope(perm::UNIT_READ)?;
        self.store.unit_by_code(code).await?.ok_or_else(|| AppError::NotFound(format!("单位编码“{code}”不存在")))
    }

    /// The root of the unit tree: the bureau itself (its name heads the public site).
    pub async fn bureau(&self) -> AppResult<Option<Unit>> {
        Ok(self.store.units().await?.into_iter().find(|u| u.parent_id.is_none()))
    }

    pub async fn create_unit(&self, ctx: &Ctx, input: &UnitInput) -> AppResult<Unit> {
        let scope = ctx.scope(perm::UNIT_WRITE)?;
        let mut e = Vec::new();
        let parent = match non_empty(&input.parent_id) {
            Some(raw) => match raw.parse::<i64>() {
                Ok(id) => match self.store.unit(UnitId(id)).await {
                    Ok(u) => Some(u),
                    Err(_) => {
                        e.push(FieldError::new("上级单位", "上级单位不存在"));
                        None
                    }
                },
                Err(_) => {
                    e.push(FieldError::new("上级单位", "上级单位不存在"));
                    None
                }
            },
            None => None,
        };
        if let Some(p) = &parent {
            if !in_scope(&scope, &p.path, None) {
                return Err(AppError::forbidden_data());
            }
        } else if scope != RowScope::All {
            return Err(AppError::forbidden_data());
        }
        let code = collect(&mut e, text("单位编码", &input.code, 1, 30));
        let name = collect(&mut e, text("单位名称", &input.name, 1, 50));
        let kind = collect(&mut e, UnitKind::parse(&input.kind));
        let sort_order = match non_empty(&input.sort_order) {
            Some(raw) => raw.parse::<i64>().map_err(|_| e.push(FieldError::new("显示顺序", "显示顺序必须是整数"))).ok(),
            None => Some(0),
        };
        let phone = collect(&mut e, opt_text("联系电话", &input.phone, 30));
        let (Some(code), Some(name), Some(kind), Some(sort_order), Some(phone)) = (code, name, kind, sort_order, phone)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let mut tx = self.store.begin().await?;
        let unit = self
            .store
            .insert_unit(&mut tx, &NewUnit { parent_id: parent.map(|p| p.id), code, name, kind, sort_order, phone })
            .await?;
        self.audit(&mut tx, ctx, "org", "新增单位", &format!("unit:{} {}", unit.id.0, unit.name), "").await?;
        bastion_store::commit(tx).await?;
        Ok(unit)
    }

    /// Change a unit's name, kind, display order and phone, within the caller's scope. Its code
    /// (named by imports and the command line) and its place in the tree stay.
    pub async fn update_unit(&self, ctx: &Ctx, id: UnitId, input: &UnitInput) -> AppResult<Unit> {
        let scope = ctx.scope(perm::UNIT_WRITE)?;
        let unit = self.store.unit(id).await.map_err(|_| AppError::NotFound("单位不存在".into()))?;
        if !in_scope(&scope, &unit.path, None) {
            return Err(AppError::forbidden_data());
        }
        let mut e = Vec::new();
        let name = collect(&mut e, text("单位名称", &input.name, 1, 50));
        let kind = collect(&mut e, UnitKind::parse(&input.kind));
        let sort_order = match non_empty(&input.sort_order) {
            Some(raw) => raw.parse::<i64>().map_err(|_| e.push(FieldError::new("显示顺序", "显示顺序必须是整数"))).ok(),
            None => Some(unit.sort_order),
        };
        let phone = collect(&mut e, opt_text("联系电话", &input.phone, 30));
        let (Some(name), Some(kind), Some(sort_order), Some(phone)) = (name, kind, sort_order, phone) else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let patch = UnitPatch { name, kind, sort_order, phone, enabled: unit.enabled };
        let mut tx = self.store.begin().await?;
        self.store.update_unit(&mut tx, id, &patch).await?;
        let detail = if unit.name == patch.name { String::new() } else { format!("原名称 {}", unit.name) };
        self.audit(&mut tx, ctx, "org", "修改单位", &format!("unit:{} {}", id.0, patch.name), &detail).await?;
        bastion_store::commit(tx).await?;
        Ok(self.store.unit(id).await?)
    }

    pub async fn people(&self, ctx: &Ctx, f: &PersonFilter, page: i64, size: i64) -> AppResult<Page<Person>> {
        let scope = ctx.scope(perm::PERSON_READ)?;
        Ok(self.store.people(&scope, f, page, size).await?)
    }

    /// One person, if the caller's scope covers them; otherwise NotFound (no existence leak).
    pub async fn person(&self, ctx: &Ctx, id: PersonId) -> AppResult<Person> {
        let scope = ctx.scope(perm::PERSON_READ)?;
        self.person_in(&scope, id).await
    }

    /// The person if `scope` covers them; NotFound otherwise, so ids outside the scope look like
    /// ids that do not exist.
    async fn person_in(&self, scope: &RowScope, id: PersonId) -> AppResult<Person> {
        let p = self.store.person(id).await.map_err(|_| AppError::NotFound("人员不存在".into()))?;
        if !in_scope(scope, &p.unit_path, Some(p.id)) {
            return Err(AppError::NotFound("人员不存在".into()));
        }
        Ok(p)
    }

    async fn resolve_unit(&self, input: &PersonInput) -> Option<Unit> {
        if let Some(raw) = non_empty(&input.unit_id) {
            return match raw.parse::<i64>() {
                Ok(id) => self.store.unit(UnitId(id)).await.ok(),
                Err(_) => None,
            };
        }
        match non_empty(&input.unit_code) {
            Some(code) => self.store.unit_by_code(code).await.ok().flatten(),
            None => None,
        }
    }

    /// Is `id` free for the person `except` (None: a new person)? An identity number belongs to
    /// one person; the refusal names the holder's police number when the caller may see them.
    pub(crate) async fn id_number_holder(
        &self,
        ctx: &Ctx,
        id: &IdNumber,
        except: Option<PersonId>,
    ) -> AppResult<Option<FieldError>> {
        let holders: Vec<PersonId> =
            self.store.people_by_id_number(id).await?.into_iter().filter(|h| Some(*h) != except).collect();
        let Some(first) = holders.first() else { return Ok(None) };
        let visible = match ctx.scope(perm::PERSON_READ) {
            Ok(scope) => self.person_in(&scope, *first).await.ok(),
            Err(_) => None,
        };
        let msg = match visible {
            Some(p) => format!("身份证号已被警号 {} 的人员使用（一个身份证号只能属于一人）", p.police_no),
            None => "身份证号已被其他人员使用（一个身份证号只能属于一人）".to_string(),
        };
        Ok(Some(FieldError::new("身份证号", msg)))
    }

    /// Identity numbers held by more than one person (stored before duplicates were refused), as
    /// the holders' police numbers, oldest record first. Reported, never merged: an operator decides.
    pub async fn duplicate_id_numbers(&self) -> AppResult<Vec<Vec<String>>> {
        Ok(self.store.duplicate_id_numbers().await?)
    }

    pub async fn create_person(&self, ctx: &Ctx, input: &PersonInput) -> AppResult<PersonId> {
        let scope = ctx.scope(perm::PERSON_WRITE)?;
        let unit = self.resolve_unit(input).await;
        let p = input.parse_new(unit.as_ref().map(|u| u.id)).map_err(AppError::Invalid)?;
        if let Some(u) = &unit {
            if !in_scope(&scope, &u.path, None) {
                return Err(AppError::forbidden_data());
            }
        }
        if let Some(id_number) = &p.id_number {
            if let Some(e) = self.id_number_holder(ctx, id_number, None).await? {
                return Err(AppError::invalid(e));
            }
        }
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_person(&mut tx, &p).await?;
        self.audit(&mut tx, ctx, "org", "新增人员", &format!("person:{} {}", id.0, p.police_no), "").await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    pub async fn update_person(&self, ctx: &Ctx, id: PersonId, input: &PersonInput) -> AppResult<()> {
        let scope = ctx.scope(perm::PERSON_WRITE)?;
        self.person_in(&scope, id).await?;
        let unit = self.resolve_unit(input).await;
        let p = input.parse(unit.as_ref().map(|u| u.id)).map_err(AppError::Invalid)?;
        if let Some(u) = &unit {
            if !in_scope(&scope, &u.path, None) {
                return Err(AppError::forbidden_data());
            }
        }
        if let Some(id_number) = &p.id_number {
            if let Some(e) = self.id_number_holder(ctx, id_number, Some(id)).await? {
                return Err(AppError::invalid(e));
            }
        }
        let mut tx = self.store.begin().await?;
        self.store.update_person(&mut tx, id, &p).await?;
        self.audit(&mut tx, ctx, "org", "修改人员", &format!("person:{} {}", id.0, p.police_no), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    pub async fn set_person_enabled(&self, ctx: &Ctx, id: PersonId, enabled: bool) -> AppResult<()> {
        let scope = ctx.scope(perm::PERSON_WRITE)?;
        let current = self.person_in(&scope, id).await?;
        let mut tx = self.store.begin().await?;
        self.store.set_person_enabled(&mut tx, id, enabled).await?;
        let action = if enabled { "启用人员" } else { "停用人员" };
        self.audit(&mut tx, ctx, "org", action, &format!("person:{} {}", id.0, current.police_no), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// Clear identity and phone numbers: its own permission, a stated reason, audited.
    pub async fn reveal_person(&self, ctx: &Ctx, id: PersonId, reason: &str) -> AppResult<Revealed> {
        let scope = ctx.scope(perm::PERSON_REVEAL)?;
        let reason = text("查看事由", reason, 2, 100).map_err(AppError::invalid)?;
        let current = self.person_in(&scope, id).await?;
        let revealed = self.store.reveal_person(id).await?;
        let mut tx = self.store.begin().await?;
        self.audit(
            &mut tx,
            ctx,
            "org",
            "查看明文",
            &format!("person:{} {}", id.0, current.police_no),
            &format!("事由：{reason}"),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(revealed)
    }
}

pub(crate) const DASHBOARD: crate::dashboard::DashboardSource =
    crate::dashboard::DashboardSource { feature: "org", section: |app, ctx| Box::pin(app.people_section(ctx)) };

pub(crate) const REPORT: crate::report::ReportSource = crate::report::ReportSource {
    feature: "org",
    title: "人员在岗",
    read: perm::PERSON_READ,
    owner: perm::DUTY_WRITE,
    sentences: crate::report::plain_sentences,
    day_figures: None,
};

impl App {
    /// People's part of the command dashboard: headcounts of the viewer's scope (an account that
    /// sees only itself has no headcount: the section is marked).
    async fn people_section(&self, ctx: &Ctx) -> AppResult<crate::dashboard::Section> {
        use crate::dashboard::{grouped, Figure, Section};
        const TITLE: &str = "人员在岗";
        let scope = match ctx.scope(perm::PERSON_READ) {
            Ok(s @ (RowScope::All | RowScope::Subtrees(_))) => s,
            _ => return Ok(Section::refused("org", TITLE)),
        };
        let c = self.store.people_counts(&scope).await?;
        let label = if scope == RowScope::All { "全局人数" } else { "管辖范围内人数" };
        Ok(Section::of(
            "org",
            TITLE,
            vec![
                Figure::new(label, grouped(c.total), "/org/people"),
                Figure::new("在岗", grouped(c.on_duty), "/org/people?duty_status=on_duty"),
                Figure::new("民警", grouped(c.police), "/org/people?category=police"),
                Figure::new("辅警", grouped(c.auxiliary), "/org/people?category=auxiliary"),
                Figure::new("党员", grouped(c.party), "/org/people?party=true"),
            ],
        ))
    }
}

/// One line of a feature's part of a person's page.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct PersonLine {
    pub text: String,
    /// Shown beside it, muted (a date, a unit, a state).
    pub detail: String,
    /// Where the record is, when the viewer may open it.
    pub href: Option<String>,
}

impl PersonLine {
    pub fn new(text: impl Into<String>, detail: impl Into<String>, href: Option<String>) -> Self {
        Self { text: text.into(), detail: detail.into(), href }
    }
}

/// A feature's part of a person's page: what it holds of the person, for this viewer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct PersonSection {
    pub feature: &'static str,
    pub title: String,
    /// `None`: the viewer may not see this feature's records of the person (shown marked, never
    /// as an empty list).
    pub lines: Option<Vec<PersonLine>>,
}

impl PersonSection {
    pub fn refused(feature: &'static str, title: &str) -> Self {
        Self { feature, title: title.into(), lines: None }
    }
    pub fn of(feature: &'static str, title: &str, lines: Vec<PersonLine>) -> Self {
        Self { feature, title: title.into(), lines: Some(lines) }
    }
}

type PersonFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<PersonSection>> + Send + 'a>>;

/// A feature's section of a person's page, within the viewer's permissions and scope (refused,
/// not empty, where they may not see it).
pub struct PersonSource {
    pub feature: &'static str,
    pub section: for<'a> fn(&'a App, &'a Ctx, &'a Person) -> PersonFuture<'a>,
}

/// Every feature's section of a person's page, in this order.
pub const PERSON_SECTIONS: &[PersonSource] = &[crate::duty::PERSON, crate::supplies::PERSON, crate::party::PERSON];

impl App {
    /// A person the viewer may read, with every feature's section of their page.
    pub async fn person_page(&self, ctx: &Ctx, id: PersonId) -> AppResult<(Person, Vec<PersonSection>)> {
        let p = self.person(ctx, id).await?;
        let mut sections = Vec::with_capacity(PERSON_SECTIONS.len());
        for s in PERSON_SECTIONS {
            sections.push((s.section)(self, ctx, &p).await?);
        }
        Ok((p, sections))
    }
}
