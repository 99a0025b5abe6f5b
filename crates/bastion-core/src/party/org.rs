//! Organisation rules: what a temporary branch may not do, the missions of petitions and assault
//! teams, the committee a branch's size calls for, terms of office, and organisational life (三会一课:
//! periods and the general meeting's quorum).

use jiff::civil::Date;

use super::{add, years, OfficerRole, OrgKind};
use crate::error::FieldError;

labelled_enum!(
    /// 支部工作事项（临时党支部不得办理其中的发展党员、处分处置、收缴党费、选举换届）
    BranchAct, "事项", {
    Study = ("study", "政治学习", "Political study"),
    Meeting = ("meeting", "组织生活会议", "Branch meeting"),
    Admission = ("admission", "发展党员", "Admission of members"),
    Discipline = ("discipline", "处分处置党员", "Discipline"),
    Dues = ("dues", "收缴党费", "Dues"),
    Election = ("election", "选举和换届", "Elections"),
});

/// The rule on temporary branches (《中国共产党支部工作条例（试行）》).
pub const TEMPORARY_RULE: &str = "临时党支部一般不发展党员、处分处置党员，不收缴党费，不选举党代表大会代表和进行换届";

/// Refuse an act a temporary branch may not perform, naming the rule; `Ok` for the others.
pub fn temporary_allows(act: BranchAct) -> Result<(), String> {
    match act {
        BranchAct::Admission | BranchAct::Discipline | BranchAct::Dues | BranchAct::Election => {
            Err(format!("临时党支部不能办理“{}”：{}（组织关系仍在原支部，请由原支部办理）", act.zh(), TEMPORARY_RULE))
        }
        BranchAct::Study | BranchAct::Meeting => Ok(()),
    }
}

labelled_enum!(
    /// 请战任务 / 突击队任务类型
    Mission, "任务类型", {
    Screening = ("screening", "摸底排查", "Screening"),
    Patrol = ("patrol", "巡逻防控", "Patrol"),
    Traffic = ("traffic", "交通管控", "Traffic control"),
    Crime = ("crime", "打击犯罪", "Crime"),
});

/// A list of missions written `screening,patrol` or `摸底排查、巡逻防控`.
pub fn parse_missions(field: &str, raw: &[String]) -> Result<Vec<Mission>, FieldError> {
    let mut out = Vec::new();
    for part in raw.iter().flat_map(|r| r.split([',', '，', '、', ' '])).map(str::trim).filter(|p| !p.is_empty()) {
        let m = Mission::parse(part).map_err(|e| e.for_field(field))?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    if out.is_empty() {
        let all: Vec<&str> = Mission::ALL.iter().map(|m| m.zh()).collect();
        return Err(FieldError::new(field, format!("{field}须至少选择一项：{}", all.join("、"))));
    }
    Ok(out)
}

pub fn format_missions(m: &[Mission]) -> String {
    m.iter().map(|m| m.code()).collect::<Vec<_>>().join(",")
}

pub fn missions_from_codes(raw: &str) -> Vec<Mission> {
    raw.split(',').filter_map(|c| Mission::parse(c).ok()).collect()
}

/// A branch's committee by its size (§6.1): 7 or more full members elect a committee of 3 to 5
/// (at most 7); fewer have a secretary only.
pub fn committee_rule(full_members: i64) -> &'static str {
    if full_members >= 7 {
        "正式党员 7 人以上，设支部委员会（委员 3 至 5 人，一般不超过 7 人）"
    } else {
        "正式党员不足 7 人，不设支部委员会，设书记 1 人（必要时设副书记 1 人）"
    }
}

labelled_enum!(
    /// 组织生活（三会一课等）
    MeetingKind, "会议类型", {
    General = ("general", "支部党员大会", "Branch general meeting"),
    Committee = ("committee", "支部委员会", "Branch committee meeting"),
    Group = ("group", "党小组会", "Party group meeting"),
    Lecture = ("lecture", "党课", "Party lecture"),
    ThemeDay = ("theme_day", "主题党日", "Theme day"),
    Life = ("life", "组织生活会", "Organisational life meeting"),
});

labelled_enum!(
    /// 党员先锋岗 / 党员责任区: how the party marks a post.
    PostMarkKind, "标识类型", {
    Vanguard = ("vanguard", "党员先锋岗", "Party vanguard post"),
    Area = ("area", "党员责任区", "Party member's responsibility area"),
});

labelled_enum!(
    /// 召开方式: organisational life may be held online (a video meeting) as well as on site.
    MeetingMode, "召开方式", {
    Offline = ("offline", "现场", "On site"),
    Online = ("online", "线上", "Online"),
    Both = ("both", "线上线下结合", "On site and online"),
});

labelled_enum!(
    /// What a picture attached to a meeting shows: the meeting itself, or its signed attendance sheet.
    MeetingFileKind, "附件类型", {
    Photo = ("photo", "会议照片", "Meeting photo"),
    SignInSheet = ("sign_in_sheet", "签到表", "Sign-in sheet"),
});

/// Most pictures one meeting keeps.
pub const MAX_MEETING_FILES: usize = 20;

/// Where and how a meeting is held: the place (if given) when on site, an `http(s)://` video-meeting
/// link when online, both when both. Returns (place, link), each empty when the mode does not use it.
pub fn meeting_venue(mode: MeetingMode, place: &str, link: &str) -> Result<(String, String), Vec<FieldError>> {
    let mut e = Vec::new();
    let (place, link) = (place.trim(), link.trim());
    let wants_place = matches!(mode, MeetingMode::Offline | MeetingMode::Both);
    let wants_link = matches!(mode, MeetingMode::Online | MeetingMode::Both);
    if place.chars().count() > 100 {
        e.push(FieldError::new("会议地点", "会议地点不能超过 100 字"));
    }
    if wants_link && link.is_empty() {
        e.push(FieldError::new("会议链接", format!("“{}”召开的会议须填写视频会议链接", mode.zh())));
    } else if !(link.is_empty() || link.starts_with("http://") || link.starts_with("https://")) {
        e.push(FieldError::new("会议链接", "会议链接须为以 http:// 或 https:// 开头的网址"));
    } else if link.len() > 300 || link.chars().any(char::is_whitespace) {
        e.push(FieldError::new("会议链接", "会议链接须为不含空格、不超过 300 个字符的网址"));
    }
    if !e.is_empty() {
        return Err(e);
    }
    let keep = |want: bool, v: &str| if want { v.to_string() } else { String::new() };
    Ok((keep(wants_place, place), keep(wants_link, link)))
}

/// How often a kind of meeting is due (§6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month,
    Quarter,
    Year,
}

impl MeetingKind {
    pub fn period(self) -> Period {
        match self {
            MeetingKind::General | MeetingKind::Lecture => Period::Quarter,
            MeetingKind::Committee | MeetingKind::Group | MeetingKind::ThemeDay => Period::Month,
            MeetingKind::Life => Period::Year,
        }
    }

    /// `支部党员大会一般每季度召开一次`
    pub fn frequency_rule(self) -> String {
        let every = match self.period() {
            Period::Month => "每月",
            Period::Quarter => "每季度",
            Period::Year => "每年",
        };
        format!("{}一般{every}至少召开一次", self.zh())
    }
}

/// The first day of the period that contains `day`.
pub fn period_start(p: Period, day: Date) -> Date {
    let month = match p {
        Period::Month => day.month(),
        Period::Quarter => (day.month() - 1) / 3 * 3 + 1,
        Period::Year => 1,
    };
    Date::new(day.year(), month, 1).unwrap_or(day)
}

/// A general meeting decides only with more than half of the full members present.
pub fn quorum(kind: MeetingKind, full_members: i64, present_full: i64) -> Result<(), String> {
    if kind == MeetingKind::General && present_full * 2 <= full_members {
        return Err(format!(
            "支部党员大会须有半数以上有表决权的党员到会：正式党员 {full_members} 人，到会 {present_full} 人，不足半数，会议决定无效"
        ));
    }
    Ok(())
}

/// Check an appointment to an organisation's committee (§6.1; for a temporary branch, the
/// secretary, deputy and members appointed by the approving committee): `Err` names the rule.
pub fn check_officer(
    kind: OrgKind,
    full_members: i64,
    current: &[OfficerRole],
    new: OfficerRole,
) -> Result<(), String> {
    match kind {
        OrgKind::Committee => return Err("党委委员由党员代表大会选举产生，不在此任命".into()),
        OrgKind::Temporary => {
            if !matches!(new, OfficerRole::Secretary | OfficerRole::Deputy | OfficerRole::Member) {
                return Err(format!(
                    "临时党支部只设书记、副书记和委员（由批准其成立的党组织指定），不设“{}”",
                    new.zh()
                ));
            }
        }
        OrgKind::Branch => {
            if full_members < 7 && !matches!(new, OfficerRole::Secretary | OfficerRole::Deputy) {
                return Err(format!("本支部{}，不能任命“{}”", committee_rule(full_members), new.zh()));
            }
        }
    }
    if matches!(new, OfficerRole::Secretary | OfficerRole::Deputy) && current.contains(&new) {
        return Err(format!("已有{}，须先免去现任{}", new.zh(), new.zh()));
    }
    if current.len() >= 7 {
        return Err("支部委员会委员一般不超过 7 人".into());
    }
    Ok(())
}

/// A term of office: a branch's committee serves generally 3 years (村、社区 5); a temporary
/// branch's officers serve until it closes (no end needed).
pub fn check_term(kind: OrgKind, start: Date, end: Option<Date>) -> Result<(), String> {
    match (kind, end) {
        (_, Some(e)) if e <= start => Err(format!("任期结束日期 {e} 须晚于开始日期 {start}")),
        (OrgKind::Branch, None) => Err("党支部委员须写明任期结束日期（任期一般为三年）".into()),
        (OrgKind::Branch, Some(e)) if e > add(start, years(3)) => {
            Err(format!("党支部委员会每届任期一般为三年：自 {start} 起最晚至 {}", add(start, years(3))))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::party::doc_number;

    #[test]
    fn temporary_branch_refusals_and_missions() {
        for act in [BranchAct::Admission, BranchAct::Discipline, BranchAct::Dues, BranchAct::Election] {
            let m = temporary_allows(act).unwrap_err();
            assert!(m.contains(act.zh()) && m.contains("临时党支部"), "{m}");
        }
        assert!(temporary_allows(BranchAct::Study).is_ok());
        let m = parse_missions("请战任务", &["screening、巡逻防控".into()]).unwrap();
        assert_eq!(format_missions(&m), "screening,patrol");
        assert_eq!(missions_from_codes("screening,patrol"), m);
        assert!(parse_missions("请战任务", &[]).unwrap_err().message.contains("至少"));
        assert!(parse_missions("请战任务", &["飞行".into()]).is_err());
        assert!(doc_number("批准文号", "青公党〔2020〕3号").is_ok());
        assert!(doc_number("批准文号", "没有文号的文字").is_err());
        assert!(committee_rule(7).contains("支部委员会"));
    }

    #[test]
    fn meetings_periods_and_quorum() {
        let d = jiff::civil::date(2020, 2, 17);
        assert_eq!(period_start(Period::Quarter, d), jiff::civil::date(2020, 1, 1));
        assert_eq!(period_start(Period::Month, d), jiff::civil::date(2020, 2, 1));
        assert_eq!(period_start(Period::Year, jiff::civil::date(2020, 11, 3)), jiff::civil::date(2020, 1, 1));
        assert_eq!(period_start(Period::Quarter, jiff::civil::date(2020, 12, 31)), jiff::civil::date(2020, 10, 1));
        assert_eq!(MeetingKind::General.frequency_rule(), "支部党员大会一般每季度至少召开一次");
        assert!(quorum(MeetingKind::General, 20, 11).is_ok());
        let e = quorum(MeetingKind::General, 20, 10).unwrap_err();
        assert!(e.contains("半数以上") && e.contains("到会 10 人"), "{e}");
        assert!(quorum(MeetingKind::Lecture, 20, 2).is_ok());
    }

    #[test]
    fn committee_and_terms() {
        use OfficerRole::*;
        assert!(check_officer(OrgKind::Branch, 5, &[Secretary], Deputy).is_ok());
        let e = check_officer(OrgKind::Branch, 5, &[Secretary], Organisation).unwrap_err();
        assert!(e.contains("不足 7 人") && e.contains("组织委员"), "{e}");
        assert!(check_officer(OrgKind::Branch, 30, &[Secretary], Organisation).is_ok());
        assert!(check_officer(OrgKind::Branch, 30, &[Secretary], Secretary).unwrap_err().contains("已有书记"));
        let full = [Secretary, Deputy, Organisation, Propaganda, Discipline, Member, Member];
        assert!(check_officer(OrgKind::Branch, 30, &full, Member).unwrap_err().contains("不超过 7 人"));
        assert!(check_officer(OrgKind::Temporary, 3, &[Secretary], Member).is_ok());
        assert!(check_officer(OrgKind::Temporary, 3, &[Secretary], Discipline).unwrap_err().contains("临时党支部"));
        assert!(check_officer(OrgKind::Committee, 99, &[], Member).is_err());
        let d = |y, m, dd| jiff::civil::date(y, m, dd);
        assert!(check_term(OrgKind::Branch, d(2019, 6, 28), Some(d(2022, 6, 27))).is_ok());
        assert!(check_term(OrgKind::Branch, d(2019, 6, 28), Some(d(2023, 6, 27))).unwrap_err().contains("三年"));
        assert!(check_term(OrgKind::Branch, d(2019, 6, 28), None).is_err());
        assert!(check_term(OrgKind::Temporary, d(2020, 1, 26), None).is_ok());
        assert!(check_term(OrgKind::Temporary, d(2020, 1, 26), Some(d(2020, 1, 1))).is_err());
    }

    #[test]
    fn a_meeting_names_where_it_is_held() {
        use super::{meeting_venue, MeetingMode};
        let fields = |r: Result<(String, String), Vec<crate::FieldError>>| {
            r.unwrap_err().iter().map(|f| f.field.clone()).collect::<Vec<_>>()
        };
        assert_eq!(meeting_venue(MeetingMode::Offline, "", ""), Ok((String::new(), String::new())));
        assert_eq!(fields(meeting_venue(MeetingMode::Offline, &"室".repeat(101), "")), ["会议地点"]);
        assert_eq!(fields(meeting_venue(MeetingMode::Online, "会议室", "")), ["会议链接"]);
        assert_eq!(fields(meeting_venue(MeetingMode::Both, "", "meeting.example/1")), ["会议链接"]);
        assert_eq!(fields(meeting_venue(MeetingMode::Online, "", "https://a b")), ["会议链接"]);
        // What the mode does not use is dropped.
        let got = meeting_venue(MeetingMode::Online, "三楼会议室", "https://meeting.example/room/7").unwrap();
        assert_eq!(got, (String::new(), "https://meeting.example/room/7".to_string()));
        let got = meeting_venue(MeetingMode::Both, "三楼会议室", "https://meeting.example/room/7").unwrap();
        assert_eq!(got.0, "三楼会议室");
    }
}
