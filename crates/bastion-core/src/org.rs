//! The enumerations on a person and a unit. Each has a stable code (stored, in the API) and a
//! Chinese label (on pages, in imports and exports); parsing accepts either.

use crate::error::FieldError;

#[doc(hidden)]
pub use crate::labelled_enum;

#[macro_export]
#[doc(hidden)]
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, { $($variant:ident = ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const FIELD: &'static str = $field;
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            pub fn label(self, lang: &str) -> &'static str { if lang == "en" { self.en() } else { self.zh() } }
            /// Accepts the code or the Chinese label.
            pub fn parse(raw: &str) -> Result<Self, $crate::error::FieldError> {
                let t = raw.trim();
                $(if t == $code || t == $zh { return Ok($name::$variant); })+
                if t.is_empty() {
                    return Err($crate::error::FieldError::required($field));
                }
                let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.zh()).collect();
                Err($crate::error::FieldError::new($field, format!("{}只能是：{}", $field, allowed.join("、"))))
            }
        }
    };
}

labelled_enum!(
    /// 人员类别
    Category, "人员类别", {
    Police = ("police", "民警", "Police officer"),
    Auxiliary = ("auxiliary", "辅警", "Auxiliary police"),
    Civilian = ("civilian", "文职", "Civilian staff"),
});

labelled_enum!(Sex, "性别", {
    Male = ("male", "男", "Male"),
    Female = ("female", "女", "Female"),
});

labelled_enum!(
    /// 政治面貌 — the stages of the party's development pipeline, then full membership.
    PoliticalStatus, "政治面貌", {
    Masses = ("masses", "群众", "Non-member"),
    Applicant = ("applicant", "入党申请人", "Applicant"),
    Activist = ("activist", "入党积极分子", "Activist"),
    Candidate = ("candidate", "发展对象", "Candidate"),
    Probationary = ("probationary", "预备党员", "Probationary member"),
    Member = ("member", "正式党员", "Party member"),
});

impl PoliticalStatus {
    /// Probationary and full members count as party members on the front line.
    pub fn is_party_member(self) -> bool {
        matches!(self, Self::Probationary | Self::Member)
    }
}

labelled_enum!(
    /// 在岗状态 — who can be rostered or recalled, and who is excused.
    DutyStatus, "在岗状态", {
    OnDuty = ("on_duty", "在岗", "On duty"),
    Leave = ("leave", "休假", "On leave"),
    Sick = ("sick", "病假", "Sick leave"),
    Quarantine = ("quarantine", "隔离", "Quarantined"),
    Away = ("away", "外出", "Away"),
    Left = ("left", "离职", "Left"),
});

labelled_enum!(
    /// 单位类型
    UnitKind, "单位类型", {
    Bureau = ("bureau", "局", "Bureau"),
    Command = ("command", "指挥部", "Command HQ"),
    Department = ("department", "部门", "Department"),
    Station = ("station", "派出所", "Police station"),
    Squad = ("squad", "中队", "Squad"),
});

labelled_enum!(
    /// 警种
    PoliceType, "警种", {
    Station = ("station", "派出所", "Community policing"),
    Patrol = ("patrol", "巡特警", "Patrol"),
    Traffic = ("traffic", "交警", "Traffic"),
    Criminal = ("criminal", "刑侦", "Criminal investigation"),
    Security = ("security", "治安", "Public order"),
    Domestic = ("domestic", "国保", "Domestic security"),
    Economic = ("economic", "经侦", "Economic crime"),
    Narcotics = ("narcotics", "禁毒", "Narcotics"),
    Cyber = ("cyber", "网安", "Cyber security"),
    Command = ("command", "指挥", "Command"),
    Legal = ("legal", "法制", "Legal affairs"),
    Supervision = ("supervision", "督察", "Inspection"),
    Logistics = ("logistics", "警务保障", "Logistics"),
});

labelled_enum!(
    /// 行动状态
    OperationStatus, "行动状态", {
    Planned = ("planned", "筹备", "Planned"),
    Active = ("active", "进行中", "Active"),
    Closed = ("closed", "已结束", "Closed"),
});

/// A police number (警号): 6 to 8 digits or upper-case letters, unique in the bureau.
pub fn police_no(raw: &str) -> Result<String, FieldError> {
    let t = raw.trim().to_uppercase();
    if t.is_empty() {
        return Err(FieldError::required("警号"));
    }
    if !(4..=10).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FieldError::new("警号", "警号应为4–10位数字或字母"));
    }
    Ok(t)
}

/// Several police types separated by `、`, `,`, `，`, `/` or spaces.
pub fn police_types(raw: &str) -> Result<Vec<PoliceType>, FieldError> {
    let mut out = Vec::new();
    for part in raw.split(['、', ',', '，', '/', ' ', ';', '；']).filter(|p| !p.trim().is_empty()) {
        let t = PoliceType::parse(part)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_labels() {
        assert_eq!(Category::parse("辅警").unwrap(), Category::Auxiliary);
        assert_eq!(Category::parse("police").unwrap(), Category::Police);
        let e = Category::parse("保安").unwrap_err();
        assert_eq!(e.message, "人员类别只能是：民警、辅警、文职");
        assert!(PoliticalStatus::Probationary.is_party_member());
        assert_eq!(police_types("交警、巡特警,交警").unwrap(), vec![PoliceType::Traffic, PoliceType::Patrol]);
        assert_eq!(police_no(" ab1234 ").unwrap(), "AB1234");
        assert!(police_no("12-34").is_err());
    }
}
