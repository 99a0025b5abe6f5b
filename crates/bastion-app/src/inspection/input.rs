//! The inspection module's inputs as typed (a phone sends text, a script numbers), each checked
//! field by field into the values the use cases work with.

use bastion_core::duty::PostKind;
use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::inspection::{self, ItemResult, Severity};
use bastion_core::FieldError;
use bastion_store::duty::PostId;
use bastion_store::inspection::{FindingId, PlanId};
use serde::{Deserialize, Serialize};

fn id(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    match non_empty(raw).map(str::parse::<i64>) {
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            e.push(FieldError::new(field, format!("{field}须为正整数编号")));
            None
        }
        None => {
            e.push(FieldError::required(field));
            None
        }
    }
}

fn opt_id(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    non_empty(raw).and_then(|_| id(field, raw, e))
}

/// One checklist line as the inspector answered it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["result"]))]
pub struct ItemInput {
    #[schemars(with = "ItemResult")]
    pub result: String,
    pub note: String,
    /// For a "not OK" item: the finding's severity (default 一般).
    #[schemars(with = "Option<Severity>")]
    pub severity: String,
    /// For a "not OK" item: the deadline, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` (default by severity).
    pub deadline: String,
}

/// An inspection as a phone sends it (again, possibly, from its offline queue: `client_key`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["client_key", "post_id", "template_id", "items"]))]
pub struct InspectionInput {
    /// Made by the phone once per inspection (8–64 letters, digits or dashes).
    pub client_key: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub post_id: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "i64")]
    pub template_id: String,
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub plan_id: String,
    /// The finding this visit re-inspects (复查).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub follows_finding: String,
    /// When the inspector opened the checklist on the phone (epoch ms).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "Option<i64>")]
    pub started_at: String,
    pub note: String,
    /// Where the phone said it was, when it could.
    pub location: String,
    pub items: Vec<ItemInput>,
    /// Mismatches the inspector accepted as findings (from the pre-filled facts).
    pub mismatches: Vec<String>,
}

pub(crate) struct ParsedItem {
    pub result: ItemResult,
    pub note: String,
    pub severity: Option<Severity>,
    pub deadline: Option<i64>,
}

pub(crate) struct ParsedInspection {
    pub client_key: String,
    pub post: PostId,
    pub template: i64,
    pub plan: Option<PlanId>,
    pub follows: Option<FindingId>,
    pub started_at: i64,
    pub note: String,
    pub location: String,
    pub items: Vec<ParsedItem>,
    pub mismatches: Vec<String>,
}

impl InspectionInput {
    pub(crate) fn parse(&self, now: i64) -> Result<ParsedInspection, Vec<FieldError>> {
        let mut e = Vec::new();
        let key = self.client_key.trim();
        if !(8..=64).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            e.push(FieldError::new("提交编号", "提交编号须为 8–64 位字母、数字或短横线（由手机生成）"));
        }
        let post = id("岗位", &self.post_id, &mut e);
        let template = id("检查表", &self.template_id, &mut e);
        let plan = opt_id("检查计划", &self.plan_id, &mut e);
        let follows = opt_id("复查问题", &self.follows_finding, &mut e);
        let started_at = match non_empty(&self.started_at).map(str::parse::<i64>) {
            None => now,
            Some(Ok(t)) if t <= now + 60_000 && t > now - 7 * 86_400_000 => t,
            Some(_) => {
                e.push(FieldError::new("开始时间", "开始时间须为最近 7 天内的时间"));
                now
            }
        };
        let note = bastion_core::error::opt_multiline("检查说明", &self.note, 1000)
            .map_err(|x| e.push(x))
            .ok()
            .flatten()
            .unwrap_or_default();
        let location = opt_text("位置", &self.location, 100).map_err(|x| e.push(x)).ok().flatten().unwrap_or_default();
        if self.items.is_empty() {
            e.push(FieldError::new("检查项目", "请逐项填写检查结果"));
        }
        let mut items = Vec::new();
        for (i, it) in self.items.iter().enumerate() {
            let n = i + 1;
            let result = match ItemResult::parse(&it.result) {
                Ok(r) => r,
                Err(_) if it.result.trim().is_empty() => {
                    e.push(FieldError::new("检查结果", format!("第 {n} 项还没有选择合格、不合格或不适用")));
                    continue;
                }
                Err(x) => {
                    e.push(FieldError::new("检查结果", format!("第 {n} 项：{}", x.message)));
                    continue;
                }
            };
            let note = match opt_text("说明", &it.note, 500) {
                Ok(t) => t.unwrap_or_default(),
                Err(x) => {
                    e.push(FieldError::new("说明", format!("第 {n} 项：{}", x.message)));
                    String::new()
                }
            };
            let severity = match non_empty(&it.severity) {
                None => None,
                Some(s) => Severity::parse(s)
                    .map_err(|x| e.push(FieldError::new("问题等级", format!("第 {n} 项：{}", x.message))))
                    .ok(),
            };
            let deadline = match non_empty(&it.deadline) {
                None => None,
                Some(s) => match bastion_core::time::parse_when("整改期限", s, true) {
                    Ok(t) if t <= now => {
                        e.push(FieldError::new("整改期限", format!("第 {n} 项的整改期限 {s} 已过，须晚于现在")));
                        None
                    }
                    Ok(t) => Some(t),
                    Err(x) => {
                        e.push(FieldError::new("整改期限", format!("第 {n} 项：{}", x.message)));
                        None
                    }
                },
            };
            items.push(ParsedItem { result, note, severity, deadline });
        }
        let mut mismatches = Vec::new();
        for m in &self.mismatches {
            match text("现场问题", m, 2, 200) {
                Ok(t) if !mismatches.contains(&t) => mismatches.push(t),
                Ok(_) => {}
                Err(x) => e.push(x),
            }
        }
        match (post, template) {
            (Some(post), Some(template)) if e.is_empty() => Ok(ParsedInspection {
                client_key: key.to_string(),
                post: PostId(post),
                template,
                plan: plan.map(PlanId),
                follows: follows.map(FindingId),
                started_at,
                note,
                location,
                items,
                mismatches,
            }),
            _ => Err(e),
        }
    }
}

/// A new version of a kind's checklist.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["kind", "items"]))]
pub struct TemplateInput {
    #[schemars(with = "PostKind")]
    pub kind: String,
    /// One item per line.
    pub items: String,
}

impl TemplateInput {
    pub(crate) fn parse(&self) -> Result<(PostKind, Vec<String>), Vec<FieldError>> {
        let mut e = Vec::new();
        let kind = PostKind::parse(&self.kind).map_err(|x| e.push(x)).ok();
        let items = inspection::parse_checklist("检查项目", &self.items).map_err(|x| e.push(x)).ok();
        match (kind, items) {
            (Some(k), Some(i)) => Ok((k, i)),
            _ => Err(e),
        }
    }
}

/// A rectification, a closing remark or the reason a finding is sent back.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct FindingStepInput {
    pub note: String,
}

impl FindingStepInput {
    /// The text, at least `min` characters (0: may be empty).
    pub(crate) fn parse_text(&self, field: &str, min: usize) -> Result<String, FieldError> {
        if min == 0 {
            return Ok(bastion_core::error::opt_multiline(field, &self.note, 1000)?.unwrap_or_default());
        }
        bastion_core::error::multiline(field, &self.note, min, 1000)
    }
}

/// An inspection plan as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["title", "inspectors", "posts"]))]
pub struct PlanInput {
    pub title: String,
    /// Inspectors' accounts, separated by commas or spaces.
    pub inspectors: String,
    /// The posts to inspect (ids), in order for an announced plan.
    #[serde(deserialize_with = "bastion_core::input::flex_list")]
    #[schemars(with = "Vec<i64>")]
    pub posts: String,
    /// 暗访: draw the order and a night window (true/1/on).
    #[serde(deserialize_with = "bastion_core::input::flex")]
    #[schemars(with = "bool")]
    pub unannounced: String,
    /// The day of an unannounced plan (its night follows it); default today.
    #[schemars(extend("format" = "date"))]
    pub day: String,
    /// An announced plan's window, `YYYY-MM-DD HH:MM`.
    pub window_start: String,
    pub window_end: String,
}

pub(crate) struct ParsedPlan {
    pub title: String,
    pub inspectors: Vec<String>,
    pub posts: Vec<i64>,
    pub unannounced: bool,
    pub day: jiff::civil::Date,
    pub window: (i64, i64),
}

impl PlanInput {
    pub(crate) fn parse(&self) -> Result<ParsedPlan, Vec<FieldError>> {
        let mut e = Vec::new();
        let title = text("计划名称", &self.title, 2, 60).map_err(|x| e.push(x)).ok();
        let inspectors: Vec<String> = self
            .inspectors
            .split([',', '，', ' ', '、', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if inspectors.is_empty() {
            e.push(FieldError::new("检查人", "至少指定一名检查人（账号）"));
        }
        let mut posts = Vec::new();
        for raw in self.posts.split([',', '，', ' ', '、', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            match raw.parse::<i64>() {
                Ok(n) if n > 0 && !posts.contains(&n) => posts.push(n),
                Ok(n) if posts.contains(&n) => e.push(FieldError::new("检查岗位", format!("岗位 {n} 重复"))),
                _ => e.push(FieldError::new("检查岗位", format!("“{raw}”不是岗位编号"))),
            }
        }
        if posts.is_empty() {
            e.push(FieldError::new("检查岗位", "至少选择一个岗位"));
        }
        let unannounced = matches!(self.unannounced.trim(), "1" | "true" | "on" | "yes" | "是");
        let day = match non_empty(&self.day) {
            None => bastion_core::time::today(),
            Some(d) => bastion_core::time::parse_date("检查日期", d)
                .map_err(|x| e.push(x))
                .unwrap_or_else(|_| bastion_core::time::today()),
        };
        let mut window = (0, 0);
        if !unannounced {
            let start =
                bastion_core::time::parse_when("开始时间", &self.window_start, false).map_err(|x| e.push(x)).ok();
            let end = bastion_core::time::parse_when("结束时间", &self.window_end, false).map_err(|x| e.push(x)).ok();
            if let (Some(s), Some(t)) = (start, end) {
                if t <= s {
                    e.push(FieldError::new("结束时间", "结束时间须晚于开始时间"));
                }
                window = (s, t);
            }
        }
        match title {
            Some(title) if e.is_empty() => Ok(ParsedPlan { title, inspectors, posts, unannounced, day, window }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(result: &str) -> ItemInput {
        ItemInput { result: result.into(), ..ItemInput::default() }
    }

    #[test]
    fn an_inspection_names_what_is_wrong_item_by_item() {
        let now = bastion_core::time::parse_when("t", "2026-12-05 12:00", false).unwrap();
        let ok = InspectionInput {
            client_key: "a1b2c3d4-e5".into(),
            post_id: "3".into(),
            template_id: "1".into(),
            items: vec![item("ok"), item("不合格"), item("na")],
            ..InspectionInput::default()
        };
        let p = ok.parse(now).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            p.items.iter().map(|i| i.result).collect::<Vec<_>>(),
            [ItemResult::Ok, ItemResult::NotOk, ItemResult::NotApplicable]
        );
        type Change = Box<dyn Fn(&mut InspectionInput)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|v| v.client_key = "短".into()), "提交编号须为 8–64 位字母、数字或短横线（由手机生成）"),
            (Box::new(|v| v.post_id = "x".into()), "岗位须为正整数编号"),
            (Box::new(|v| v.items[0].result = String::new()), "第 1 项还没有选择合格、不合格或不适用"),
            (Box::new(|v| v.items[1].deadline = "2026-12-04".into()), "第 2 项的整改期限 2026-12-04 已过，须晚于现在"),
            (Box::new(|v| v.items[1].severity = "很严重".into()), "第 2 项：问题等级只能是：一般、较重、严重"),
            (Box::new(|v| v.items.clear()), "请逐项填写检查结果"),
        ];
        for (change, message) in cases {
            let mut v = ok.clone();
            change(&mut v);
            let errors = v.parse(now).err().unwrap_or_default();
            assert!(errors.iter().any(|e| e.message == message), "{message}: {errors:?}");
        }
        let mut late = ok.clone();
        late.items[1].deadline = "2026-12-06 18:00".into();
        assert_eq!(late.parse(now).ok().unwrap().items[1].deadline, Some(now + 30 * 3_600_000));
    }

    #[test]
    fn plans_name_their_inspectors_and_posts() {
        let v = PlanInput {
            title: "夜查".into(),
            inspectors: "commander".into(),
            posts: "3, 1，2".into(),
            unannounced: "on".into(),
            ..PlanInput::default()
        };
        let p = v.parse().ok().unwrap();
        assert_eq!((p.posts, p.unannounced), (vec![3, 1, 2], true));
        let bad = PlanInput { title: "夜查".into(), posts: "3,3,x".into(), ..PlanInput::default() };
        let msgs: Vec<String> = bad.parse().err().unwrap().into_iter().map(|e| e.message).collect();
        for m in
            ["至少指定一名检查人（账号）", "岗位 3 重复", "“x”不是岗位编号", "开始时间不是有效日期（格式 YYYY-MM-DD）"]
        {
            assert!(msgs.iter().any(|x| x == m), "{m}: {msgs:?}");
        }
    }
}
