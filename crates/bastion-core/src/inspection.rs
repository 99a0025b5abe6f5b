//! Inspections (督导检查): checklist results, findings and their rectification, the rule for a
//! finding's deadline, and the draw of an unannounced night route (never the same order twice
//! running). No IO: the caller passes the clock and the random seed.

use crate::error::FieldError;

labelled_enum!(
    /// 检查结果
    ItemResult, "检查结果", {
    Ok = ("ok", "合格", "OK"),
    NotOk = ("not_ok", "不合格", "Not OK"),
    NotApplicable = ("na", "不适用", "N/A"),
});

labelled_enum!(
    /// 问题等级
    Severity, "问题等级", {
    Minor = ("minor", "一般", "Minor"),
    Major = ("major", "较重", "Major"),
    Critical = ("critical", "严重", "Critical"),
});

labelled_enum!(
    /// 整改状态
    FindingStatus, "整改状态", {
    Open = ("open", "待整改", "Awaiting rectification"),
    Rectified = ("rectified", "待复查", "Awaiting re-inspection"),
    Closed = ("closed", "已销号", "Closed"),
});

labelled_enum!(
    /// 照片来源
    PhotoSource, "照片来源", {
    Camera = ("camera", "现场拍摄", "Camera"),
    Gallery = ("gallery", "相册选取", "Gallery"),
    Unknown = ("unknown", "未知", "Unknown"),
});

/// Most items a checklist may have.
pub const MAX_ITEMS: usize = 40;

/// A checklist as typed: one item per line, 2–100 characters each, no item twice, 1–40 items.
pub fn parse_checklist(field: &str, raw: &str) -> Result<Vec<String>, FieldError> {
    let items: Vec<String> = raw
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '·', '*']).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if items.is_empty() {
        return Err(FieldError::new(field, format!("{field}至少要有一项（每行一项）")));
    }
    if items.len() > MAX_ITEMS {
        return Err(FieldError::new(field, format!("{field}最多 {MAX_ITEMS} 项，现有 {} 项", items.len())));
    }
    for (i, item) in items.iter().enumerate() {
        let n = item.chars().count();
        if !(2..=100).contains(&n) {
            return Err(FieldError::new(field, format!("{field}第 {} 行须为 2–100 个字（现为 {n} 个）", i + 1)));
        }
        if items[..i].contains(item) {
            return Err(FieldError::new(field, format!("{field}第 {} 行“{item}”与前面的项目重复", i + 1)));
        }
    }
    Ok(items)
}

/// The default time to put a finding right, by severity: a critical one the same day.
pub fn default_deadline_ms(severity: Severity, found_at: i64) -> i64 {
    const HOUR: i64 = 3_600_000;
    found_at
        + match severity {
            Severity::Critical => 12 * HOUR,
            Severity::Major => 48 * HOUR,
            Severity::Minor => 72 * HOUR,
        }
}

/// How long before its deadline an open finding's unit is reminded.
pub const REMIND_BEFORE_MS: i64 = 12 * 3_600_000;

pub use crate::time::DeadlineStep;

/// What a finding's clock asks for at `now`: a reminder before the deadline, an escalation (to the
/// unit's head and the HQ) once it has passed; each once, and nothing once it is no longer open.
pub fn deadline_step(
    status: FindingStatus,
    deadline_at: i64,
    reminded: bool,
    escalated: bool,
    now: i64,
) -> Option<DeadlineStep> {
    if status != FindingStatus::Open {
        return None;
    }
    crate::time::deadline_step(deadline_at, REMIND_BEFORE_MS, reminded, escalated, now)
}

/// A small deterministic generator (splitmix64), so a draw is reproducible from its seed.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A random order of the posts to visit; never the previous draw's order when there is another.
pub fn draw_route(posts: &[i64], previous: Option<&[i64]>, seed: u64) -> Vec<i64> {
    let mut rng = Mix(seed);
    let mut route = posts.to_vec();
    for i in (1..route.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        route.swap(i, j);
    }
    if previous == Some(route.as_slice()) && route.len() > 1 {
        let by = 1 + rng.below(route.len() as u64 - 1) as usize;
        route.rotate_left(by);
    }
    route
}

/// A random two-hour window of the night after `night_start` (22:00 Beijing on the plan's day,
/// passed in as epoch ms): it starts between 22:00 and 04:00 on a quarter hour.
pub fn draw_night_window(night_start: i64, seed: u64) -> (i64, i64) {
    const QUARTER: i64 = 15 * 60_000;
    let mut rng = Mix(seed ^ 0x5EED);
    let start = night_start + rng.below(25) as i64 * QUARTER;
    (start, start + 8 * QUARTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checklists_are_checked_line_by_line() {
        assert_eq!(
            parse_checklist("检查项目", "人员在岗\n- 防护到位\n\n测温规范").unwrap(),
            ["人员在岗", "防护到位", "测温规范"]
        );
        let cases = [
            ("", "检查项目至少要有一项（每行一项）"),
            ("在岗\n甲", "检查项目第 2 行须为 2–100 个字（现为 1 个）"),
            ("人员在岗\n人员在岗", "检查项目第 2 行“人员在岗”与前面的项目重复"),
        ];
        for (raw, msg) in cases {
            assert_eq!(parse_checklist("检查项目", raw).unwrap_err().message, msg, "{raw:?}");
        }
        let many: String = (0..41).map(|i| format!("第{i}项检查\n")).collect();
        assert_eq!(parse_checklist("检查项目", &many).unwrap_err().message, "检查项目最多 40 项，现有 41 项");
    }

    #[test]
    fn the_deadline_clock_reminds_then_escalates_once() {
        let (h, d) = (3_600_000, 100 * 3_600_000);
        let open = FindingStatus::Open;
        assert_eq!(deadline_step(open, d, false, false, d - 13 * h), None);
        assert_eq!(deadline_step(open, d, false, false, d - 12 * h), Some(DeadlineStep::Remind));
        assert_eq!(deadline_step(open, d, true, false, d - h), None);
        assert_eq!(deadline_step(open, d, true, false, d), Some(DeadlineStep::Escalate));
        assert_eq!(
            deadline_step(open, d, false, false, d + h),
            Some(DeadlineStep::Escalate),
            "late: escalate, no reminder"
        );
        assert_eq!(deadline_step(open, d, true, true, d + h), None);
        assert_eq!(deadline_step(FindingStatus::Rectified, d, false, false, d + h), None);
        assert_eq!(default_deadline_ms(Severity::Critical, 0), 12 * h);
        assert_eq!(default_deadline_ms(Severity::Minor, 0), 72 * h);
    }

    #[test]
    fn a_route_is_never_the_previous_order() {
        let posts = [1, 2, 3, 4, 5];
        let mut previous: Option<Vec<i64>> = None;
        for seed in 0..200 {
            let route = draw_route(&posts, previous.as_deref(), seed);
            let mut sorted = route.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, posts, "every post once");
            assert_ne!(Some(&route), previous.as_ref(), "seed {seed}");
            previous = Some(route);
        }
        // Two posts: the draw alternates rather than repeat.
        assert_eq!(draw_route(&[7, 8], Some(&draw_route(&[7, 8], None, 3)), 3), {
            let mut r = draw_route(&[7, 8], None, 3);
            r.reverse();
            r
        });
        assert_eq!(draw_route(&[9], Some(&[9]), 1), [9], "one post has one order");
    }

    #[test]
    fn the_night_window_lies_between_ten_and_six() {
        let night = 1_000_000_000;
        for seed in 0..100 {
            let (a, b) = draw_night_window(night, seed);
            assert!(a >= night && b <= night + 8 * 3_600_000 && b - a == 2 * 3_600_000, "{seed}: {a} {b}");
            assert_eq!((a - night) % (15 * 60_000), 0);
        }
    }
}
