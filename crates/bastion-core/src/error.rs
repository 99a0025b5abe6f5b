//! The error a parser gives back: which field, which rule, in words an officer understands.

use serde::Serialize;

/// One rejected field. `field` is the Chinese field label shown on the form, `message` the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, schemars::JsonSchema)]
#[error("{field}：{message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    pub fn required(field: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field}不能为空");
        Self { field, message }
    }

    /// The same error reported under another field label (parsers name a generic field).
    pub fn for_field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.message = self.message.replace(&self.field, &field);
        self.field = field;
        self
    }
}

/// Trim a raw form value; `None` when nothing is left.
pub fn non_empty(raw: &str) -> Option<&str> {
    let t = raw.trim();
    (!t.is_empty()).then_some(t)
}

/// A required text field with a length rule counted in characters.
pub fn text(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let t = non_empty(raw).ok_or_else(|| FieldError::required(field))?;
    let n = t.chars().count();
    if n < min || n > max {
        return Err(FieldError::new(field, format!("{field}长度必须介于 {min} 和 {max} 之间")));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(field, format!("{field}不能包含控制字符")));
    }
    Ok(t.to_string())
}

/// A text of several lines (a textarea: a note, a body, a remit): like [`text`], but line breaks
/// are kept (`\r\n` becomes `\n`) and the length counts what is left after trimming.
pub fn multiline(field: &str, raw: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let t = raw.replace("\r\n", "\n").replace('\r', "\n");
    let t = non_empty(&t).ok_or_else(|| FieldError::required(field))?;
    let n = t.chars().count();
    if n < min || n > max {
        return Err(FieldError::new(field, format!("{field}长度必须介于 {min} 和 {max} 之间")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldError::new(field, format!("{field}不能包含控制字符")));
    }
    Ok(t.to_string())
}

/// An optional text of several lines with a maximum length (see [`multiline`]).
pub fn opt_multiline(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    match non_empty(raw) {
        None => Ok(None),
        Some(_) => multiline(field, raw, 1, max).map(Some),
    }
}

/// An optional text field with a maximum length.
pub fn opt_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    match non_empty(raw) {
        None => Ok(None),
        Some(_) => text(field, raw, 1, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_textarea_keeps_its_lines_and_refuses_other_control_characters() {
        assert_eq!(
            super::multiline("交班说明", " 一、卡点正常\r\n二、发热 1 人已转运 ", 2, 100).unwrap(),
            "一、卡点正常\n二、发热 1 人已转运"
        );
        assert_eq!(super::multiline("交班说明", "a\u{7}b", 2, 100).unwrap_err().message, "交班说明不能包含控制字符");
        assert_eq!(super::text("姓名", "张\n三", 1, 10).unwrap_err().message, "姓名不能包含控制字符");
        assert_eq!(super::opt_multiline("职责", "  ", 10).unwrap(), None);
        assert_eq!(super::multiline("正文", "一\n二", 4, 10).unwrap_err().message, "正文长度必须介于 4 和 10 之间");
    }
}
