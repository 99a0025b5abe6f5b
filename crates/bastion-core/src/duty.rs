//! Duty (值班): kinds of post, shift patterns, the rules an assignment must keep, and the desk
//! log's categories. Times of a shift are Beijing wall-clock times on the assignment's date; a
//! shift that ends at or before its start runs past midnight.

use jiff::civil::Date;
use serde::Serialize;

use crate::error::FieldError;

labelled_enum!(
    /// 岗位类型
    PostKind, "岗位类型", {
    Desk = ("desk", "指挥部值班台", "HQ desk"),
    Checkpoint = ("checkpoint", "卡点", "Checkpoint"),
    Patrol = ("patrol", "巡逻", "Patrol"),
    Team = ("team", "专班", "Team"),
    Lead = ("lead", "领导带班", "Leader on duty"),
});

impl PostKind {
    /// The posts a petition (请战书) volunteers for by its mission: screening (摸底排查) and
    /// traffic control at the checkpoints, patrols on patrol, fighting crime with the teams (专班).
    pub fn for_mission(m: crate::party::Mission) -> PostKind {
        use crate::party::Mission;
        match m {
            Mission::Screening | Mission::Traffic => PostKind::Checkpoint,
            Mission::Patrol => PostKind::Patrol,
            Mission::Crime => PostKind::Team,
        }
    }
}

labelled_enum!(
    /// 值班日志类别
    LogCategory, "类别", {
    Call = ("call", "来电", "Call"),
    Order = ("order", "指令", "Order"),
    Report = ("report", "上报", "Report"),
    Action = ("action", "处置", "Action"),
    Other = ("other", "其他", "Other"),
});

labelled_enum!(
    /// 指挥体系中的组别
    GroupKind, "组别类型", {
    Leading = ("leading", "领导小组", "Leading group"),
    Hq = ("hq", "指挥部专班", "HQ special team"),
    Work = ("work", "工作组", "Work group"),
});

labelled_enum!(
    /// 组内职务
    GroupRole, "职务", {
    Leader = ("leader", "组长", "Leader"),
    Deputy = ("deputy", "副组长", "Deputy"),
    Member = ("member", "成员", "Member"),
});

labelled_enum!(
    /// 会议类型
    MeetingKind, "会议类型", {
    Scheduling = ("scheduling", "调度会", "Scheduling meeting"),
    Progress = ("progress", "推进会", "Progress meeting"),
    Topic = ("topic", "专题会", "Topic meeting"),
});

labelled_enum!(
    /// 督办事项的状态
    TaskStatus, "办理状态", {
    Open = ("open", "办理中", "Open"),
    Done = ("done", "已办结", "Done"),
});

/// How long before its deadline a task's owner is reminded.
pub const TASK_REMIND_BEFORE_MS: i64 = 12 * 3_600_000;

/// The bureau's rule: at least 11 hours' rest between two shifts of one person.
pub const MIN_REST_MS: i64 = 11 * 3_600_000;

/// One shift of a post's pattern, e.g. 白班 08:00-20:00, two people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ShiftDef {
    pub name: String,
    /// Minutes after midnight.
    pub start: u16,
    pub end: u16,
    /// 应到人数
    pub required: i64,
}

fn hm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

impl ShiftDef {
    /// `08:00-20:00`
    pub fn hours(&self) -> String {
        format!("{}-{}", hm(self.start), hm(self.end))
    }

    /// Length in minutes (a shift with equal ends lasts 24 hours).
    pub fn minutes(&self) -> i64 {
        let d = (i64::from(self.end) - i64::from(self.start)).rem_euclid(1440);
        if d == 0 {
            1440
        } else {
            d
        }
    }

    /// Start and end (UTC ms) of this shift on `day` (Beijing time).
    pub fn span(&self, day: Date) -> (i64, i64) {
        let midnight = day.to_zoned(crate::time::beijing()).map(|z| z.timestamp().as_millisecond()).unwrap_or_default();
        let start = midnight + i64::from(self.start) * 60_000;
        (start, start + self.minutes() * 60_000)
    }
}

fn parse_hm(t: &str) -> Option<u16> {
    let (h, m) = t.trim().split_once([':', '：'])?;
    let (h, m): (u16, u16) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    if h == 24 && m == 0 {
        return Some(0);
    }
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Shift pattern as written on the form: one shift per line (or separated by `;`/`；`), each
/// `名称 开始-结束 人数`, e.g. `白班 08:00-20:00 2`.
pub fn parse_shifts(field: &str, raw: &str) -> Result<Vec<ShiftDef>, FieldError> {
    let mut out: Vec<ShiftDef> = Vec::new();
    let rule = "每行一个班次，写作“名称 开始-结束 人数”，如“白班 08:00-20:00 2”";
    for line in raw.split(['\n', ';', '；']).map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let bad = || FieldError::new(field, format!("{field}“{line}”有误：{rule}"));
        let &[name, hours, required] = parts.as_slice() else { return Err(bad()) };
        let (s, e) = hours.split_once(['-', '－', '~', '～']).ok_or_else(bad)?;
        let (start, end) = (parse_hm(s).ok_or_else(bad)?, parse_hm(e).ok_or_else(bad)?);
        let required: i64 = required.trim_end_matches('人').parse().map_err(|_| bad())?;
        if !(1..=99).contains(&required) {
            return Err(FieldError::new(field, format!("{field}“{line}”：每班人数须在 1 到 99 之间")));
        }
        if name.chars().count() > 20 || name.chars().any(char::is_control) {
            return Err(FieldError::new(field, format!("{field}“{line}”：班次名称不超过 20 个字")));
        }
        if out.iter().any(|x| x.name == name) {
            return Err(FieldError::new(field, format!("{field}：班次名称“{name}”重复")));
        }
        out.push(ShiftDef { name: name.to_string(), start, end, required });
    }
    if out.is_empty() {
        return Err(FieldError::new(field, format!("{field}不能为空：{rule}")));
    }
    if out.len() > 6 {
        return Err(FieldError::new(field, format!("{field}最多 6 个班次")));
    }
    Ok(out)
}

/// The pattern written back in the form's words.
pub fn format_shifts(shifts: &[ShiftDef]) -> String {
    shifts.iter().map(|s| format!("{} {} {}", s.name, s.hours(), s.required)).collect::<Vec<_>>().join("\n")
}

/// Which rule a new shift of a person breaks against one of their other shifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// The two shifts overlap: never allowed.
    Overlap,
    /// Less than [`MIN_REST_MS`] between them: allowed only with a written reason.
    Rest { gap_ms: i64 },
}

/// Check a new shift `[start, end)` against another shift of the same person.
pub fn breach(new: (i64, i64), other: (i64, i64)) -> Option<Breach> {
    if new.0 < other.1 && other.0 < new.1 {
        return Some(Breach::Overlap);
    }
    let gap = if other.1 <= new.0 { new.0 - other.1 } else { other.0 - new.1 };
    (gap < MIN_REST_MS).then_some(Breach::Rest { gap_ms: gap })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_parse_and_rules() {
        let s = parse_shifts("班次", "早班 08:00-16:00 2；中班 16:00-24:00 2\n夜班 0:00-8:00 1").unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].minutes(), 480);
        assert_eq!(format_shifts(&s[..1]), "早班 08:00-16:00 2");
        let night = parse_shifts("班次", "夜班 20:00-08:00 1").unwrap();
        assert_eq!(night[0].minutes(), 720);
        let e = parse_shifts("班次", "白班 8点-20点").unwrap_err();
        assert!(e.message.contains("班次") && e.message.contains("名称 开始-结束 人数"), "{}", e.message);
        assert!(parse_shifts("班次", "").is_err());
        let h = 3_600_000;
        assert_eq!(breach((0, 8 * h), (4 * h, 12 * h)), Some(Breach::Overlap));
        assert_eq!(breach((0, 8 * h), (16 * h, 24 * h)), Some(Breach::Rest { gap_ms: 8 * h }));
        assert_eq!(breach((0, 8 * h), (19 * h, 27 * h)), None);
        assert_eq!(breach((20 * h, 28 * h), (0, 8 * h)), None);
    }
}
