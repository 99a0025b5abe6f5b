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

mod org;
mod pipeline;
pub use org::*;
pub use pipeline::*;

fn add(d: Date, span: Span) -> Date {
    d.checked_add(span).unwrap_or(d)
}

fn months(n: i64) -> Span {
    Span::new().months(n)
}

fn years(n: i64) -> Span {
    Span::new().years(n)
}

/// A document number (文号) such as `青公党〔2020〕3号`: 4–40 characters with a digit.
pub fn doc_number(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = crate::error::text(field, raw, 4, 40)?;
    if !t.chars().any(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(field, format!("{field}须写明发文字号，如“青公党〔2020〕3号”")));
    }
    Ok(t)
}
