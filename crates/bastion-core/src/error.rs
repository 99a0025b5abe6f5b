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

/// An optional text field with a maximum length.
pub fn opt_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    match non_empty(raw) {
        None => Ok(None),
        Some(_) => text(field, raw, 1, max).map(Some),
    }
}
