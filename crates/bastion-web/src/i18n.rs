//! The string catalogue: zh-CN by default, en on request. Both files are embedded and must hold
//! the same keys (a unit test checks).

use std::collections::HashMap;
use std::sync::OnceLock;

static ZH: &str = include_str!("../locales/zh-CN.toml");
static EN: &str = include_str!("../locales/en.toml");

fn parse(src: &str) -> HashMap<String, String> {
    match toml::from_str::<HashMap<String, String>>(src) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!("locale file is broken: {e}");
            HashMap::new()
        }
    }
}

fn catalogues() -> &'static (HashMap<String, String>, HashMap<String, String>) {
    static C: OnceLock<(HashMap<String, String>, HashMap<String, String>)> = OnceLock::new();
    C.get_or_init(|| (parse(ZH), parse(EN)))
}

/// A language handle for templates: `t.s("key")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub en: bool,
}

impl Tr {
    pub fn new(lang: &str) -> Self {
        Self { en: lang == "en" }
    }

    pub fn lang(&self) -> &'static str {
        if self.en {
            "en"
        } else {
            "zh-CN"
        }
    }

    pub fn code(&self) -> &'static str {
        if self.en {
            "en"
        } else {
            "zh"
        }
    }

    pub fn s<'a>(&self, key: &'a str) -> &'a str {
        let (zh, en) = catalogues();
        let m = if self.en { en } else { zh };
        match m.get(key) {
            // The catalogue lives for the whole program; hand out a 'a borrow of it.
            Some(v) => v.as_str(),
            None => key,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_catalogues_have_the_same_keys() {
        let (zh, en) = super::catalogues();
        assert!(zh.len() > 50);
        let mut a: Vec<_> = zh.keys().collect();
        let mut b: Vec<_> = en.keys().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        assert_eq!(super::Tr::new("zh").s("login"), "登录");
        assert_eq!(super::Tr::new("en").s("login"), "Sign in");
    }
}
