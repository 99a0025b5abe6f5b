//! A tiny builder for dynamic portable SQL: it numbers `$n` placeholders itself (sqlx's
//! `QueryBuilder<Any>` emits `?`, which PostgreSQL rejects).

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

#[derive(Debug, Clone)]
pub enum Arg {
    I64(i64),
    Text(String),
}

#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self { text: text.to_string(), args: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Append a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    pub fn bind_text(&mut self, s: impl Into<String>) -> &mut Self {
        self.bind(Arg::Text(s.into()))
    }

    pub fn bind_i64(&mut self, v: i64) -> &mut Self {
        self.bind(Arg::I64(v))
    }

    /// `(a, b, c)`: one bound parameter per id (the caller writes `col IN` before it).
    pub fn bind_i64_list(&mut self, ids: &[i64]) -> &mut Self {
        self.push("(");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind_i64(*id);
        }
        self.push(")")
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The half-open range `[path, path_end)` that contains a unit path and every path below it.
/// Paths look like `/1/4/17/`; `/` (0x2F) + 1 is `0` (0x30), so the upper bound replaces the last `/`.
pub fn subtree_range(path: &str) -> (String, String) {
    let mut end = path.trim_end_matches('/').to_string();
    end.push('0');
    (path.to_string(), end)
}

#[cfg(test)]
mod tests {
    #[test]
    fn subtree_bounds() {
        let (lo, hi) = super::subtree_range("/1/4/");
        assert_eq!((lo.as_str(), hi.as_str()), ("/1/4/", "/1/40"));
        assert!("/1/4/17/" >= lo.as_str() && "/1/4/17/" < hi.as_str());
        assert!("/1/45/" >= hi.as_str());
        assert_eq!(super::like_escape("a%_\\"), "a\\%\\_\\\\");
    }
}
