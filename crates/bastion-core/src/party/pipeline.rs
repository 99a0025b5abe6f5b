//! The membership pipeline (入党申请人 → 正式党员): its stages and steps, the time rules, the
//! 火线入党 waiver, and the pure engine that says when each next step becomes possible and which
//! rule blocks it.

use jiff::civil::Date;

use super::{add, doc_number, months, years};
use crate::error::FieldError;

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
}
