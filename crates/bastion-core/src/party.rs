//! Party organisation (党建: 支部建在一线): the kinds of organisation, the membership pipeline
//! (入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员) and its time rules, the 火线入党
//! waiver, what a temporary branch (临时党支部) may not do, and the missions of assault teams.
//!
//! The rules engine is pure: given a candidate's recorded steps it says, for each next step, the
//! earliest date it becomes possible and, when it is blocked, which rule blocks it (in zh-CN,
//! naming the rule and the date). Sources: 《中国共产党发展党员工作细则》, 党章第七条,
//! 《中国共产党支部工作条例（试行）》 (see `shared/conventions-cn.md` §6).

use jiff::civil::Date;
use jiff::Span;

use crate::error::FieldError;

labelled_enum!(
    /// 党组织类型
    OrgKind, "组织类型", {
    Committee = ("committee", "党委", "Party committee"),
    Branch = ("branch", "党支部", "Branch"),
    Temporary = ("temporary", "临时党支部", "Temporary branch"),
});

labelled_enum!(
    /// 党组织状态
    OrgStatus, "组织状态", {
    Proposed = ("proposed", "待批准", "Awaiting approval"),
    Active = ("active", "运行中", "Active"),
    Closed = ("closed", "已撤销", "Closed"),
});

labelled_enum!(
    /// 支部委员职务
    OfficerRole, "职务", {
    Secretary = ("secretary", "书记", "Secretary"),
    Deputy = ("deputy", "副书记", "Deputy secretary"),
    Organisation = ("organisation", "组织委员", "Organisation member"),
    Propaganda = ("propaganda", "宣传委员", "Propaganda member"),
    Discipline = ("discipline", "纪检委员", "Discipline member"),
    Member = ("member", "委员", "Committee member"),
});

labelled_enum!(
    /// 党员类别
    MemberKind, "党员类别", {
    Full = ("full", "正式党员", "Full member"),
    Probationary = ("probationary", "预备党员", "Probationary member"),
});

labelled_enum!(
    /// 发展阶段
    Stage, "发展阶段", {
    Applicant = ("applicant", "入党申请人", "Applicant"),
    Activist = ("activist", "入党积极分子", "Activist"),
    Candidate = ("candidate", "发展对象", "Candidate"),
    Probationary = ("probationary", "预备党员", "Probationary member"),
    Member = ("member", "正式党员", "Full member"),
});

labelled_enum!(
    /// 发展党员的步骤（按程序顺序）
    Step, "步骤", {
    Applied = ("applied", "递交入党申请书", "Application received"),
    Talked = ("talked", "党组织派人谈话", "Talk with the applicant"),
    Activist = ("activist", "确定为入党积极分子", "Made an activist"),
    Candidate = ("candidate", "确定为发展对象", "Made a development candidate"),
    Training = ("training", "短期集中培训", "Short training"),
    Review = ("review", "政治审查", "Political review"),
    Admitted = ("admitted", "支部大会接收为预备党员", "Admitted by the branch meeting"),
    Approved = ("approved", "上级党委审批", "Approved by the committee"),
    Full = ("full", "转为正式党员", "Made a full member"),
});

labelled_enum!(
    /// 发展党员的规则
    Rule, "规则", {
    Age = ("age", "入党须年满十八周岁", "Must be 18 or older"),
    Order = ("order", "发展党员须按程序逐步进行", "Steps in order"),
    TalkWithinMonth = ("talk_month", "收到入党申请书后一个月内派人谈话", "Talk within a month of the application"),
    ApplicantMonths = ("applicant_months", "递交入党申请书满三个月方可确定为入党积极分子", "Three months as an applicant"),
    ActivistYear = ("activist_year", "入党积极分子经一年以上培养教育和考察方可确定为发展对象", "A year as an activist"),
    Training = ("training", "发展对象须经短期集中培训，时间不少于三天或二十四学时", "Training of 3 days or 24 hours"),
    ReviewValid = ("review_valid", "政治审查结论一年内有效", "Political review valid one year"),
    ApprovalMonths = ("approval_months", "上级党委一般在支部大会后三个月内审批", "Approval within three months"),
    ProbationYear = ("probation_year", "预备期为一年，自支部大会通过之日算起", "A probationary year from the branch meeting"),
});

impl Rule {
    /// The rules a committee-approved 火线入党 waiver may set aside: the waiting times and the
    /// length of training (2020 notices allowed admitting outstanding front-line officers before
    /// their year as activists was complete). Age, order, the validity of the political review
    /// and the probationary year are never waived.
    pub fn waivable(self) -> bool {
        matches!(self, Rule::ApplicantMonths | Rule::ActivistYear | Rule::Training)
    }
}

/// Months as an applicant before one may be made an activist (bureau practice: 3–6).
pub const APPLICANT_MONTHS: i64 = 3;
/// Minimum training: 3 days or 24 class hours.
pub const TRAINING_DAYS: i64 = 3;
pub const TRAINING_HOURS: i64 = 24;

fn add(d: Date, span: Span) -> Date {
    d.checked_add(span).unwrap_or(d)
}

fn months(n: i64) -> Span {
    Span::new().months(n)
}

fn years(n: i64) -> Span {
    Span::new().years(n)
}

/// The steps recorded for one candidate, with the facts the rules need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dossier {
    pub birth_date: Option<Date>,
    /// (step, date) as recorded; at most one of each.
    pub steps: Vec<(Step, Date)>,
    /// Training recorded: days and class hours.
    pub training_days: i64,
    pub training_hours: i64,
    /// Probation extended by this many months (at most 12).
    pub extension_months: i64,
}

impl Dossier {
    pub fn date(&self, step: Step) -> Option<Date> {
        self.steps.iter().find(|(s, _)| *s == step).map(|(_, d)| *d)
    }

    pub fn done(&self, step: Step) -> bool {
        self.date(step).is_some()
    }

    /// The stage the recorded steps put the candidate in.
    pub fn stage(&self) -> Stage {
        if self.done(Step::Full) {
            Stage::Member
        } else if self.done(Step::Admitted) {
            Stage::Probationary
        } else if self.done(Step::Candidate) {
            Stage::Candidate
        } else if self.done(Step::Activist) {
            Stage::Activist
        } else {
            Stage::Applicant
        }
    }
}

/// A committee-approved exception (火线入党): which rules it waives, why, and the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rules: Vec<Rule>,
    pub reason: String,
    /// 批准文号
    pub doc_no: String,
}

impl Waiver {
    /// `rules` by code or Chinese name, separated by commas, 、 or spaces.
    pub fn parse(rules: &str, reason: &str, doc_no: &str) -> Result<Waiver, Vec<FieldError>> {
        let mut e = Vec::new();
        let mut list = Vec::new();
        for r in rules.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|r| !r.is_empty()) {
            match Rule::parse(r) {
                Ok(rule) if !rule.waivable() => e.push(FieldError::new(
                    "豁免的规则",
                    format!("“{}”不能豁免：火线入党只能豁免{}", rule.zh(), waivable_names()),
                )),
                Ok(rule) if !list.contains(&rule) => list.push(rule),
                Ok(_) => {}
                Err(_) => {
                    e.push(FieldError::new("豁免的规则", format!("未知规则“{r}”；可豁免的规则：{}", waivable_names())))
                }
            }
        }
        if list.is_empty() && e.is_empty() {
            e.push(FieldError::new("豁免的规则", format!("须至少选择一条豁免的规则：{}", waivable_names())));
        }
        let reason = crate::error::text("豁免理由", reason, 4, 500).map_err(|x| e.push(x)).ok();
        let doc_no = doc_number("批准文号", doc_no).map_err(|x| e.push(x)).ok();
        match (reason, doc_no) {
            (Some(reason), Some(doc_no)) if e.is_empty() => Ok(Waiver { rules: list, reason, doc_no }),
            _ => Err(e),
        }
    }

    pub fn covers(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }
}

fn waivable_names() -> String {
    Rule::ALL.iter().filter(|r| r.waivable()).map(|r| format!("“{}”", r.zh())).collect::<Vec<_>>().join("、")
}

/// A document number (文号) such as `青公党〔2020〕3号`: 4–40 characters with a digit.
pub fn doc_number(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = crate::error::text(field, raw, 4, 40)?;
    if !t.chars().any(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(field, format!("{field}须写明发文字号，如“青公党〔2020〕3号”")));
    }
    Ok(t)
}

/// Why a step cannot be recorded (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub rule: Rule,
    /// The date from which the step becomes possible, when waiting is enough.
    pub possible_from: Option<Date>,
    /// zh-CN, naming the rule and the date.
    pub message: String,
}

impl Block {
    fn wait(step: Step, rule: Rule, from: Date, since: &str) -> Block {
        Block {
            rule,
            possible_from: Some(from),
            message: format!("违反“{}”规则：{since}，“{}”最早可于 {from} 办理", rule.zh(), step.zh()),
        }
    }

    fn never(rule: Rule, message: String) -> Block {
        Block { rule, possible_from: None, message: format!("违反“{}”规则：{message}", rule.zh()) }
    }
}

/// What the engine says about one next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    pub step: Step,
    /// The earliest date the step may be recorded with (None: it cannot be, see `blocked`).
    pub earliest: Option<Date>,
    /// Blocking today (with the rule and, if waiting helps, the date).
    pub blocked: Option<Block>,
    /// A deadline the rules set for this step (e.g. the talk within a month), and its rule.
    pub due: Option<(Date, Rule)>,
    /// A waiver set aside a rule for this step.
    pub waived: Vec<Rule>,
}

/// The steps that come before `step` and must be recorded first.
fn prerequisites(step: Step) -> &'static [Step] {
    match step {
        Step::Applied => &[],
        Step::Talked => &[Step::Applied],
        Step::Activist => &[Step::Talked],
        Step::Candidate => &[Step::Activist],
        Step::Training | Step::Review => &[Step::Candidate],
        Step::Admitted => &[Step::Training, Step::Review],
        Step::Approved => &[Step::Admitted],
        Step::Full => &[Step::Approved],
    }
}

/// The earliest date `step` may carry given the dossier, the waiver and its rules (ignoring
/// training length and the review's validity, which depend on what is recorded). `Err` when a
/// prerequisite is missing or a rule can never be met by waiting.
fn earliest(d: &Dossier, step: Step, w: Option<&Waiver>) -> Result<(Date, Vec<Rule>), Block> {
    let missing: Vec<Step> = prerequisites(step).iter().copied().filter(|s| !d.done(*s)).collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|s| format!("“{}”", s.zh())).collect();
        return Err(Block::never(Rule::Order, format!("“{}”之前须先完成{}", step.zh(), names.join("、"))));
    }
    let waived = |r: Rule| w.is_some_and(|w| w.covers(r));
    let mut used = Vec::new();
    let mut from = prerequisites(step).iter().filter_map(|s| d.date(*s)).max();
    let mut at_least = |date: Date, rule: Rule| {
        if waived(rule) {
            used.push(rule);
        } else if from.is_none_or(|f| f < date) {
            from = Some(date);
        }
    };
    match step {
        Step::Applied => {
            if let Some(b) = d.birth_date {
                at_least(add(b, years(18)), Rule::Age);
            }
        }
        Step::Activist => {
            if let Some(a) = d.date(Step::Applied) {
                at_least(add(a, months(APPLICANT_MONTHS)), Rule::ApplicantMonths);
            }
        }
        Step::Candidate => {
            if let Some(a) = d.date(Step::Activist) {
                at_least(add(a, years(1)), Rule::ActivistYear);
            }
        }
        Step::Admitted => {
            if let Some(b) = d.birth_date {
                at_least(add(b, years(18)), Rule::Age);
            }
            if !waived(Rule::Training) && d.training_days < TRAINING_DAYS && d.training_hours < TRAINING_HOURS {
                return Err(Block::never(
                    Rule::Training,
                    format!(
                        "已记录的培训为 {} 天、{} 学时，不足三天或二十四学时，须补足培训后方可接收为预备党员",
                        d.training_days, d.training_hours
                    ),
                ));
            }
            if waived(Rule::Training) && d.training_days < TRAINING_DAYS && d.training_hours < TRAINING_HOURS {
                used.push(Rule::Training);
            }
        }
        Step::Full => {
            if let Some(a) = d.date(Step::Admitted) {
                let ext = d.extension_months.clamp(0, 12);
                at_least(add(add(a, years(1)), months(ext)), Rule::ProbationYear);
            }
        }
        Step::Talked | Step::Training | Step::Review | Step::Approved => {}
    }
    let from = from.unwrap_or(Date::MIN);
    Ok((from, used))
}

fn due(d: &Dossier, step: Step) -> Option<(Date, Rule)> {
    match step {
        Step::Talked => d.date(Step::Applied).map(|a| (add(a, months(1)), Rule::TalkWithinMonth)),
        Step::Approved => d.date(Step::Admitted).map(|a| (add(a, months(3)), Rule::ApprovalMonths)),
        Step::Admitted => d.date(Step::Review).map(|r| (add(r, years(1)), Rule::ReviewValid)),
        _ => None,
    }
}

fn since(d: &Dossier, rule: Rule) -> String {
    let on = |s: Step| d.date(s).map(|x| x.to_string()).unwrap_or_default();
    match rule {
        Rule::Age => match d.birth_date {
            Some(b) => format!("出生日期 {b}，{} 年满十八周岁", add(b, years(18))),
            None => String::new(),
        },
        Rule::ApplicantMonths => format!("入党申请书于 {} 递交", on(Step::Applied)),
        Rule::ActivistYear => format!("于 {} 确定为入党积极分子", on(Step::Activist)),
        Rule::ProbationYear => {
            let ext = if d.extension_months > 0 {
                format!("（延长预备期 {} 个月）", d.extension_months)
            } else {
                String::new()
            };
            format!("支部大会于 {} 接收为预备党员{ext}", on(Step::Admitted))
        }
        _ => String::new(),
    }
}

/// Check that `step` may be recorded on `on`. A date earlier than a rule allows is refused with
/// the rule and the date it becomes possible; a step out of order is refused naming the steps
/// missing. A waiver sets aside the rules it names.
pub fn check(d: &Dossier, step: Step, on: Date, w: Option<&Waiver>) -> Result<Vec<Rule>, Block> {
    if d.done(step) {
        return Err(Block::never(
            Rule::Order,
            format!("“{}”已于 {} 记录，不能重复记录", step.zh(), d.date(step).unwrap_or(on)),
        ));
    }
    let (from, used) = earliest(d, step, w)?;
    if on < from {
        // Name the rule that sets this date (the latest of the prerequisites, or a time rule).
        let rule = [Rule::Age, Rule::ApplicantMonths, Rule::ActivistYear, Rule::ProbationYear]
            .into_iter()
            .find(|r| {
                let mut rules = w.map(|w| w.rules.clone()).unwrap_or_default();
                rules.push(*r);
                let without = Waiver { rules, reason: String::new(), doc_no: String::new() };
                earliest(d, step, Some(&without)).is_ok_and(|(f, _)| f < from)
            })
            .unwrap_or(Rule::Order);
        if rule == Rule::Order {
            return Err(Block::never(Rule::Order, format!("“{}”的日期不能早于前一步骤的日期 {from}", step.zh())));
        }
        return Err(Block::wait(step, rule, from, &since(d, rule)));
    }
    if step == Step::Admitted {
        if let Some(r) = d.date(Step::Review) {
            let valid_to = add(r, years(1));
            if on > valid_to {
                return Err(Block::never(
                    Rule::ReviewValid,
                    format!("政治审查于 {r} 完成，结论有效至 {valid_to}，须重新进行政治审查"),
                ));
            }
        }
    }
    Ok(used)
}

/// Check the training record: at least 3 days or 24 class hours (unless waived).
pub fn check_training(days: i64, hours: i64, w: Option<&Waiver>) -> Result<(), Block> {
    if !(0..=365).contains(&days) || !(0..=2000).contains(&hours) {
        return Err(Block::never(Rule::Training, "培训天数或学时不在合理范围内".into()));
    }
    if days < TRAINING_DAYS && hours < TRAINING_HOURS && !w.is_some_and(|w| w.covers(Rule::Training)) {
        return Err(Block::never(Rule::Training, format!("本次培训为 {days} 天、{hours} 学时，不足三天或二十四学时")));
    }
    Ok(())
}

/// The next steps of a candidate on `today`: each with its earliest date and, when it cannot be
/// recorded today, the rule that blocks it.
pub fn next_steps(d: &Dossier, today: Date, w: Option<&Waiver>) -> Vec<Next> {
    let candidates: Vec<Step> =
        Step::ALL.iter().copied().filter(|s| !d.done(*s) && prerequisites(*s).iter().all(|p| d.done(*p))).collect();
    candidates
        .into_iter()
        .map(|step| {
            let due = due(d, step);
            match earliest(d, step, w) {
                Ok((from, waived)) => {
                    let blocked = check(d, step, today, w).err();
                    Next { step, earliest: Some(from), blocked, due, waived }
                }
                Err(b) => Next { step, earliest: None, blocked: Some(b), due, waived: vec![] },
            }
        })
        .collect()
}

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
    use jiff::civil::date;

    fn dossier(steps: &[(Step, Date)]) -> Dossier {
        Dossier { birth_date: Some(date(1995, 5, 1)), steps: steps.to_vec(), ..Dossier::default() }
    }

    fn fire_line(rules: &str) -> Waiver {
        Waiver::parse(rules, "抗疫一线表现突出，经党委研究同意", "青公党〔2020〕7号").unwrap()
    }

    /// (what, dossier, step, date, expected: Ok or the rule and the possible date)
    #[test]
    fn every_rule_table() {
        let applied = (Step::Applied, date(2019, 1, 10));
        let talked = (Step::Talked, date(2019, 1, 20));
        let activist = (Step::Activist, date(2019, 5, 1));
        let candidate = (Step::Candidate, date(2020, 5, 6));
        let training = (Step::Training, date(2020, 6, 1));
        let review = (Step::Review, date(2020, 6, 10));
        let admitted = (Step::Admitted, date(2020, 7, 1));
        let approved = (Step::Approved, date(2020, 8, 1));
        let trained = |steps: &[(Step, Date)]| Dossier { training_days: 3, ..dossier(steps) };
        type Case = (&'static str, Dossier, Step, Date, Result<(), (Rule, Option<Date>)>);
        let cases: Vec<Case> = vec![
            (
                "age: 17 refused",
                Dossier { birth_date: Some(date(2003, 3, 1)), ..Dossier::default() },
                Step::Applied,
                date(2020, 2, 1),
                Err((Rule::Age, Some(date(2021, 3, 1)))),
            ),
            (
                "age: 18 allowed",
                Dossier { birth_date: Some(date(2002, 1, 1)), ..Dossier::default() },
                Step::Applied,
                date(2020, 2, 1),
                Ok(()),
            ),
            ("talk before application", dossier(&[]), Step::Talked, date(2019, 1, 1), Err((Rule::Order, None))),
            ("talk on time", dossier(&[applied]), Step::Talked, date(2019, 1, 20), Ok(())),
            (
                "talk before the application date",
                dossier(&[applied]),
                Step::Talked,
                date(2019, 1, 5),
                Err((Rule::Order, None)),
            ),
            (
                "activist too early",
                dossier(&[applied, talked]),
                Step::Activist,
                date(2019, 3, 1),
                Err((Rule::ApplicantMonths, Some(date(2019, 4, 10)))),
            ),
            ("activist after 3 months", dossier(&[applied, talked]), Step::Activist, date(2019, 4, 10), Ok(())),
            (
                "activist without the talk",
                dossier(&[applied]),
                Step::Activist,
                date(2019, 6, 1),
                Err((Rule::Order, None)),
            ),
            (
                "candidate before a year",
                dossier(&[applied, talked, activist]),
                Step::Candidate,
                date(2020, 2, 1),
                Err((Rule::ActivistYear, Some(date(2020, 5, 1)))),
            ),
            (
                "candidate after a year",
                dossier(&[applied, talked, activist]),
                Step::Candidate,
                date(2020, 5, 1),
                Ok(()),
            ),
            (
                "admitted without training",
                trained(&[applied, talked, activist, candidate, review]),
                Step::Admitted,
                date(2020, 7, 1),
                Err((Rule::Order, None)),
            ),
            (
                "admitted with short training",
                dossier(&[applied, talked, activist, candidate, training, review]),
                Step::Admitted,
                date(2020, 7, 1),
                Err((Rule::Training, None)),
            ),
            (
                "admitted",
                trained(&[applied, talked, activist, candidate, training, review]),
                Step::Admitted,
                date(2020, 7, 1),
                Ok(()),
            ),
            (
                "review expired",
                trained(&[applied, talked, activist, candidate, training, review]),
                Step::Admitted,
                date(2021, 6, 11),
                Err((Rule::ReviewValid, None)),
            ),
            (
                "approved",
                trained(&[applied, talked, activist, candidate, training, review, admitted]),
                Step::Approved,
                date(2020, 8, 1),
                Ok(()),
            ),
            (
                "full before the probationary year",
                trained(&[applied, talked, activist, candidate, training, review, admitted, approved]),
                Step::Full,
                date(2021, 3, 1),
                Err((Rule::ProbationYear, Some(date(2021, 7, 1)))),
            ),
            (
                "full after the year",
                trained(&[applied, talked, activist, candidate, training, review, admitted, approved]),
                Step::Full,
                date(2021, 7, 1),
                Ok(()),
            ),
            (
                "full after an extension",
                Dossier {
                    extension_months: 6,
                    ..trained(&[applied, talked, activist, candidate, training, review, admitted, approved])
                },
                Step::Full,
                date(2021, 7, 1),
                Err((Rule::ProbationYear, Some(date(2022, 1, 1)))),
            ),
            (
                "full without approval",
                trained(&[applied, talked, activist, candidate, training, review, admitted]),
                Step::Full,
                date(2021, 8, 1),
                Err((Rule::Order, None)),
            ),
            ("twice", dossier(&[applied]), Step::Applied, date(2019, 2, 1), Err((Rule::Order, None))),
        ];
        for (what, d, step, on, want) in cases {
            let got = check(&d, step, on, None);
            match (&got, &want) {
                (Ok(_), Ok(())) => {}
                (Err(b), Err((rule, from))) => {
                    assert_eq!((b.rule, b.possible_from), (*rule, *from), "{what}: {}", b.message);
                    assert!(b.message.contains(rule.zh()), "{what}: {}", b.message);
                    if let Some(f) = from {
                        assert!(b.message.contains(&f.to_string()), "{what}: {}", b.message);
                    }
                }
                _ => panic!("{what}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn training_length_rule() {
        assert!(check_training(3, 0, None).is_ok());
        assert!(check_training(0, 24, None).is_ok());
        let b = check_training(2, 16, None).unwrap_err();
        assert_eq!(b.rule, Rule::Training);
        assert!(b.message.contains("2 天、16 学时"), "{}", b.message);
        assert!(check_training(1, 8, Some(&fire_line("training"))).is_ok());
        assert!(check_training(-1, 0, None).is_err());
    }

    #[test]
    fn fire_line_waiver() {
        let applied = (Step::Applied, date(2019, 10, 1));
        let talked = (Step::Talked, date(2019, 10, 8));
        let activist = (Step::Activist, date(2020, 1, 5));
        let d = dossier(&[applied, talked, activist]);
        // Without the waiver the year as activist blocks; with it the step is allowed.
        assert_eq!(check(&d, Step::Candidate, date(2020, 2, 10), None).unwrap_err().rule, Rule::ActivistYear);
        let w = fire_line("入党积极分子经一年以上培养教育和考察方可确定为发展对象、training");
        assert_eq!(w.rules, vec![Rule::ActivistYear, Rule::Training]);
        assert_eq!(check(&d, Step::Candidate, date(2020, 2, 10), Some(&w)).unwrap(), vec![Rule::ActivistYear]);
        // Order and the probationary year are never waived.
        let e = Waiver::parse("order,probation_year", "理由充分的说明", "青公党〔2020〕7号").unwrap_err();
        assert!(e.iter().all(|x| x.field == "豁免的规则" && x.message.contains("不能豁免")), "{e:?}");
        assert_eq!(check(&d, Step::Admitted, date(2020, 2, 10), Some(&w)).unwrap_err().rule, Rule::Order);
        // The waiver needs a reason and a document number.
        let e = Waiver::parse("activist_year", "", "无").unwrap_err();
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, vec!["豁免理由", "批准文号"]);
        assert!(Waiver::parse("", "理由充分的说明", "青公党〔2020〕7号").is_err());
        assert!(Waiver::parse("age", "理由充分的说明", "青公党〔2020〕7号").unwrap_err()[0]
            .message
            .contains("入党须年满十八周岁"));
        // Training waived: admission without the full training.
        let d = Dossier {
            training_days: 1,
            ..dossier(&[
                applied,
                talked,
                activist,
                (Step::Candidate, date(2020, 2, 10)),
                (Step::Training, date(2020, 2, 12)),
                (Step::Review, date(2020, 2, 12)),
            ])
        };
        assert_eq!(check(&d, Step::Admitted, date(2020, 2, 15), None).unwrap_err().rule, Rule::Training);
        assert_eq!(check(&d, Step::Admitted, date(2020, 2, 15), Some(&w)).unwrap(), vec![Rule::Training]);
    }

    #[test]
    fn next_steps_say_when_and_why() {
        let d = dossier(&[(Step::Applied, date(2020, 1, 10))]);
        let n = next_steps(&d, date(2020, 1, 12), None);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].step, Step::Talked);
        assert_eq!(n[0].due, Some((date(2020, 2, 10), Rule::TalkWithinMonth)));
        assert!(n[0].blocked.is_none());
        let d = dossier(&[
            (Step::Applied, date(2019, 1, 10)),
            (Step::Talked, date(2019, 1, 20)),
            (Step::Activist, date(2019, 5, 1)),
        ]);
        let n = next_steps(&d, date(2020, 2, 1), None);
        assert_eq!(n[0].step, Step::Candidate);
        assert_eq!(n[0].earliest, Some(date(2020, 5, 1)));
        assert_eq!(n[0].blocked.as_ref().map(|b| b.rule), Some(Rule::ActivistYear));
        let mut d = d;
        d.steps.push((Step::Candidate, date(2020, 5, 6)));
        let n: Vec<Step> = next_steps(&d, date(2020, 6, 1), None).iter().map(|n| n.step).collect();
        assert_eq!(n, vec![Step::Training, Step::Review]);
        assert_eq!(d.stage(), Stage::Candidate);
    }

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
}
