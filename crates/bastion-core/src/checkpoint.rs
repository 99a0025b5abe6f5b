//! Checkpoints and screening (卡点、测温登记、发热随访): the enumerations of a checkpoint and of a
//! registration, and the values an officer types on a phone — temperature, plate, document number.
//! Formats follow conventions-cn.md §4 (GA 36-2018 plates, 34.0–42.0 ℃, 37.3 ℃ fever line).

use crate::error::FieldError;
use crate::IdNumber;

labelled_enum!(
    /// 卡点类型
    CheckpointKind, "卡点类型", {
    Entry = ("entry", "入境卡点", "Entry checkpoint"),
    Community = ("community", "社区", "Community"),
    Village = ("village", "村组", "Village"),
    Hospital = ("hospital", "医院", "Hospital"),
    Station = ("station", "车站", "Station"),
    Other = ("other", "其他", "Other"),
});

labelled_enum!(
    /// 卡点状态
    CheckpointStatus, "卡点状态", {
    Open = ("open", "运行中", "Open"),
    Paused = ("paused", "暂停", "Paused"),
    Closed = ("closed", "已撤除", "Closed"),
});

labelled_enum!(
    /// 证件类型
    DocType, "证件类型", {
    IdCard = ("id_card", "居民身份证", "Resident ID card"),
    Passport = ("passport", "护照", "Passport"),
    HkMacau = ("hk_macau", "港澳居民来往内地通行证", "HK/Macau permit"),
    Taiwan = ("taiwan", "台湾居民来往大陆通行证", "Taiwan permit"),
    ForeignPr = ("foreign_pr", "外国人永久居留身份证", "Foreign PR card"),
    Other = ("other", "其他证件", "Other document"),
});

labelled_enum!(
    /// 车辆类型
    VehicleType, "车辆类型", {
    Walk = ("walk", "步行/无车", "On foot"),
    Car = ("car", "小客车", "Car"),
    Truck = ("truck", "货车", "Truck"),
    Bus = ("bus", "客车", "Bus"),
    Motorcycle = ("motorcycle", "摩托车", "Motorcycle"),
    Other = ("other", "其他车辆", "Other vehicle"),
});

labelled_enum!(
    /// 事由
    Reason, "事由", {
    ReturnHome = ("return_home", "返乡", "Returning home"),
    Work = ("work", "务工", "Work"),
    Medical = ("medical", "就医", "Medical"),
    Supplies = ("supplies", "物资运输", "Supplies transport"),
    Official = ("official", "公务", "Official business"),
    Other = ("other", "其他", "Other"),
});

labelled_enum!(
    /// 健康码颜色（可选：2020 年 1 月下旬尚无健康码）
    HealthCode, "健康码", {
    None = ("none", "无", "None"),
    Green = ("green", "绿码", "Green"),
    Yellow = ("yellow", "黄码", "Yellow"),
    Red = ("red", "红码", "Red"),
});

labelled_enum!(
    /// 测温方式
    TempMethod, "测温方式", {
    Forehead = ("forehead", "额温枪", "Forehead"),
    Ear = ("ear", "耳温", "Ear"),
    Armpit = ("armpit", "腋温", "Armpit"),
    Infrared = ("infrared", "红外测温", "Infrared"),
});

labelled_enum!(
    /// 处置结果
    Decision, "处置结果", {
    Pass = ("pass", "放行", "Let through"),
    TurnBack = ("turn_back", "劝返", "Turned back"),
    Transfer = ("transfer", "转运留观", "Transferred for observation"),
});

labelled_enum!(
    /// 登记方式
    EntryMode, "登记方式", {
    Officer = ("officer", "人工代录", "Officer entry"),
    SelfScan = ("self_scan", "扫码自助", "QR self-registration"),
    Paper = ("paper", "纸质补录", "From paper"),
});

labelled_enum!(
    /// 发热病例状态
    FeverStatus, "随访状态", {
    Referred = ("referred", "已转诊", "Referred"),
    HandedOver = ("handed_over", "已交接", "Handed over"),
    Closed = ("closed", "已结案", "Closed"),
});

labelled_enum!(
    /// 结案结论
    FeverOutcome, "结案结论", {
    Excluded = ("excluded", "排除发热/已退热", "Excluded"),
    HomeObservation = ("home_observation", "居家观察期满", "Home observation ended"),
    Isolated = ("isolated", "集中隔离", "Isolated"),
    Hospitalised = ("hospitalised", "住院治疗", "Hospitalised"),
    Other = ("other", "其他", "Other"),
});

/// A body temperature in tenths of a degree Celsius, only ever 34.0–42.0 ℃.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Temperature(i64);

impl Temperature {
    pub const MIN: i64 = 340;
    pub const MAX: i64 = 420;

    /// `36.5`, `36,5`, `36.5℃`, `36.5°C`, full-width digits. `3.7` and `373` are refused, not guessed.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' | '，' | ',' | '。' => '.',
                c => c,
            })
            .collect();
        let s = s.trim_end_matches(['℃', 'C', 'c', '度']).trim_end_matches('°').trim();
        if s.is_empty() {
            return Err(FieldError::required(field));
        }
        let bad = || FieldError::new(field, format!("{field}应为数字，如 36.5"));
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int.is_empty() || int.len() > 3 || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(if frac.bytes().all(|b| b.is_ascii_digit()) {
                FieldError::new(field, format!("{field}最多保留一位小数，如 36.5"))
            } else {
                bad()
            });
        }
        let int: i64 = int.parse().map_err(|_| bad())?;
        let mut hundredths = int * 100;
        for (i, b) in frac.bytes().enumerate() {
            hundredths += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        // Round half up to tenths: thermometers show one decimal.
        let tenths = (hundredths + 5) / 10;
        if !(Self::MIN..=Self::MAX).contains(&tenths) {
            return Err(FieldError::new(field, format!("{field}超出合理范围（34.0–42.0 ℃），请核对后重新测量")));
        }
        Ok(Self(tenths))
    }

    pub fn from_tenths(t: i64) -> Option<Self> {
        (Self::MIN..=Self::MAX).contains(&t).then_some(Self(t))
    }

    /// A reading forced into range (generated data, never user input).
    pub fn clamped(t: i64) -> Self {
        Self(t.clamp(Self::MIN, Self::MAX))
    }

    pub fn tenths(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for Temperature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// The fever line: default 37.3 ℃, `>=` (configurable to `>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FeverRule {
    pub threshold_tenths: i64,
    pub inclusive: bool,
}

impl Default for FeverRule {
    fn default() -> Self {
        Self { threshold_tenths: 373, inclusive: true }
    }
}

impl FeverRule {
    pub fn is_fever(&self, t: Temperature) -> bool {
        if self.inclusive {
            t.0 >= self.threshold_tenths
        } else {
            t.0 > self.threshold_tenths
        }
    }

    /// `≥37.3` / `>37.3`
    pub fn label(&self) -> String {
        format!(
            "{}{}.{}",
            if self.inclusive { "≥" } else { ">" },
            self.threshold_tenths / 10,
            self.threshold_tenths % 10
        )
    }
}

const PROVINCE_CHARS: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领";

/// A licence plate as typed: normalised (upper case, half-width, no spaces or dots) and kept even
/// when it does not match GA 36-2018 — a checkpoint cannot stop traffic for a regex — with a warning.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, schemars::JsonSchema)]
pub struct Plate {
    pub text: String,
    /// Why the plate looks unusual (`None` when it matches a known format).
    pub warning: Option<String>,
}

impl Plate {
    /// `None` for an empty input (no vehicle). Refuses only what cannot be a plate at all.
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        const FIELD: &str = "车牌号";
        let text: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '-' | '.' | '．' | '－'))
            .map(|c| match c {
                '！'..='～' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .flat_map(char::to_uppercase)
            .collect();
        if text.is_empty() || matches!(text.as_str(), "无" | "无车牌" | "步行" | "无牌") {
            return Ok(None);
        }
        if text.chars().count() > 10 {
            return Err(FieldError::new(FIELD, "车牌号过长（最多10个字符）"));
        }
        if text.chars().any(|c| !(c.is_ascii_alphanumeric() || ('\u{4e00}'..='\u{9fff}').contains(&c))) {
            return Err(FieldError::new(FIELD, "车牌号只能包含汉字、字母和数字"));
        }
        let warning = plate_warning(&text);
        Ok(Some(Self { text, warning }))
    }
}

fn plate_warning(p: &str) -> Option<String> {
    let c: Vec<char> = p.chars().collect();
    let letter = |x: char| x.is_ascii_uppercase() && x != 'I' && x != 'O';
    let alnum = |x: char| letter(x) || x.is_ascii_digit();
    let tail = |x: char| alnum(x) || "挂学警港澳".contains(x);
    if p.starts_with("WJ") {
        return None;
    }
    let Some(first) = c.first() else { return Some("车牌号为空".into()) };
    if !PROVINCE_CHARS.contains(*first) {
        return Some("首字不是省份简称，请核对".into());
    }
    if c.iter().any(|x| *x == 'I' || *x == 'O') {
        return Some("车牌中不使用字母 I 和 O，请核对是否为数字 1 或 0".into());
    }
    let ok = match c.len() {
        7 => letter(c[1]) && c[2..6].iter().all(|x| alnum(*x)) && tail(c[6]),
        8 => {
            letter(c[1])
                && ((matches!(c[2], 'D' | 'F' | 'A' | 'B' | 'C' | 'E' | 'G' | 'H' | 'J' | 'K')
                    && alnum(c[3])
                    && c[4..].iter().all(char::is_ascii_digit))
                    || (c[2..7].iter().all(char::is_ascii_digit) && matches!(c[7], 'D' | 'F')))
        }
        _ => false,
    };
    (!ok).then(|| "车牌格式与常见号牌（7位普通、8位新能源）不符，已照录，请核对".into())
}

/// A travel document number, normalised: for a resident ID card a valid GB 11643 number (15-digit
/// numbers upgraded); for other documents 3–30 letters, digits or dashes (no checksum is known).
pub fn document_number(doc: DocType, raw: &str, today: jiff::civil::Date) -> Result<String, FieldError> {
    const FIELD: &str = "证件号码";
    match doc {
        DocType::IdCard => IdNumber::parse(raw, today).map(|i| i.as_str().to_string()).map_err(|e| e.for_field(FIELD)),
        _ => {
            let s: String = raw.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
            if s.is_empty() {
                return Err(FieldError::required(FIELD));
            }
            let n = s.chars().count();
            if !(3..=30).contains(&n) {
                return Err(FieldError::new(FIELD, format!("证件号码长度应为3–30位，实为{n}位")));
            }
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '(' || c == ')') {
                return Err(FieldError::new(FIELD, "证件号码只能包含字母、数字、短横线和括号"));
            }
            Ok(s)
        }
    }
}

/// Masking for any document number: first 3 and last 4 characters kept (ID-card rule).
pub fn mask_document(n: &str) -> String {
    if n.chars().count() <= 7 {
        return crate::mask::keep_ends(n, 1, 1);
    }
    crate::mask::keep_ends(n, 3, 4)
}

/// The blind-index domain of a document: resident ID numbers share `id` with staff records.
pub fn document_index_kind(doc: DocType) -> String {
    match doc {
        DocType::IdCard => "id".into(),
        other => format!("doc:{}", other.code()),
    }
}

/// A self-registration pass code: 8 digits, typed on a numeric keypad (spaces and dashes ignored).
pub fn pass_code(raw: &str) -> Result<String, FieldError> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if s.is_empty() {
        return Err(FieldError::required("通行码"));
    }
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new("通行码", "通行码应为8位数字"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> jiff::civil::Date {
        jiff::civil::date(2026, 11, 29)
    }

    #[test]
    fn temperatures_in_the_forms_people_type() {
        for (raw, t) in [("36.5", 365), ("36,5", 365), ("３６．５", 365), ("37.3℃", 373), ("37°C", 370), ("36.55", 366)]
        {
            assert_eq!(Temperature::parse("体温", raw).unwrap().tenths(), t, "{raw}");
        }
        assert_eq!(Temperature::parse("体温", "36.5").unwrap().to_string(), "36.5");
        for raw in ["3.7", "373", "33.9", "42.1", "-36", "36.5.1", "abc", "36.555", "1e2", "NaN"] {
            let e = Temperature::parse("体温", raw).unwrap_err();
            assert_eq!(e.field, "体温", "{raw}");
        }
        assert!(Temperature::parse("体温", "373").unwrap_err().message.contains("34.0–42.0"));
        assert_eq!(Temperature::parse("复测体温", "").unwrap_err().message, "复测体温不能为空");
    }

    #[test]
    fn fever_line_is_inclusive_by_default() {
        let r = FeverRule::default();
        assert!(r.is_fever(Temperature::parse("t", "37.3").unwrap()));
        assert!(!r.is_fever(Temperature::parse("t", "37.2").unwrap()));
        let strict = FeverRule { inclusive: false, ..r };
        assert!(!strict.is_fever(Temperature::parse("t", "37.3").unwrap()));
        assert_eq!(r.label(), "≥37.3");
    }

    #[test]
    fn plates_are_kept_with_a_warning_when_unusual() {
        for ok in ["粤B12345", "粤BD12345", "粤B12345D", "京A1234学", "wj12345", "粤 b·12345"] {
            let p = Plate::parse(ok).unwrap().unwrap();
            assert_eq!(p.warning, None, "{ok}");
        }
        assert_eq!(Plate::parse("粤 b·12345").unwrap().unwrap().text, "粤B12345");
        assert_eq!(Plate::parse("ＡＢ１２３").unwrap().unwrap().text, "AB123");
        let odd = Plate::parse("京AI1234").unwrap().unwrap();
        assert!(odd.warning.unwrap().contains("I 和 O"));
        assert!(Plate::parse("AB12345").unwrap().unwrap().warning.unwrap().contains("省份"));
        assert_eq!(Plate::parse("  ").unwrap(), None);
        assert_eq!(Plate::parse("无车牌").unwrap(), None);
        assert!(Plate::parse("粤B1234567890").unwrap_err().message.contains("过长"));
        assert!(Plate::parse("粤B<12>").unwrap_err().message.contains("只能包含"));
    }

    #[test]
    fn documents() {
        assert_eq!(document_number(DocType::IdCard, "11010519491231002x", today()).unwrap(), "11010519491231002X");
        let e = document_number(DocType::IdCard, "110105194912310021", today()).unwrap_err();
        assert_eq!(e.field, "证件号码");
        assert!(e.message.contains("校验位"), "{e}");
        assert_eq!(document_number(DocType::Passport, " e1234 5678 ", today()).unwrap(), "E12345678");
        assert!(document_number(DocType::Passport, "E1", today()).is_err());
        assert!(document_number(DocType::Passport, "E12<script>", today()).is_err());
        assert_eq!(mask_document("11010519491231002X"), "110***********002X");
        assert_eq!(document_index_kind(DocType::IdCard), "id");
        assert_eq!(pass_code("1234 5678").unwrap(), "12345678");
        assert!(pass_code("1234567").is_err());
        assert_eq!(Decision::parse("劝返").unwrap(), Decision::TurnBack);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(25_000))]
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = Temperature::parse("体温", &s);
            let _ = Plate::parse(&s);
            let _ = document_number(DocType::IdCard, &s, today());
            let _ = document_number(DocType::Other, &s, today());
            let _ = pass_code(&s);
            let _ = crate::Phone::parse(&s);
        }

        #[test]
        fn hostile_numeric_strings(s in "[0-9.,℃ -]{0,12}") {
            if let Ok(t) = Temperature::parse("体温", &s) {
                prop_assert!((Temperature::MIN..=Temperature::MAX).contains(&t.tenths()));
            }
            let _ = crate::IdNumber::parse(&s, today());
        }

        #[test]
        fn every_in_range_reading_round_trips(t in 340i64..=420) {
            let text = format!("{}.{}", t / 10, t % 10);
            prop_assert_eq!(Temperature::parse("体温", &text).unwrap().tenths(), t);
        }
    }
}
