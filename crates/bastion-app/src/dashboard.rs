//! The command dashboard (指挥大屏): every feature's figures at a glance, gathered through
//! [`SECTIONS`] — a feature adds its section by providing figures here, never by editing the page.
//! A section the viewer may not see is marked as such (never shown as zeros); a failed read is an
//! error for the whole page, never an empty section.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::{App, AppResult, Ctx};

/// One figure, with the list behind it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Figure {
    pub label: String,
    /// As shown: `956/956`, `1,234`, `3.5 天`.
    pub value: String,
    /// The list behind the figure, scoped to the viewer like the figure.
    pub href: String,
    /// Needs attention (a fever case open, a post short-staffed, a finding overdue).
    pub alert: bool,
}

impl Figure {
    pub fn new(label: impl Into<String>, value: impl ToString, href: impl Into<String>) -> Self {
        Self { label: label.into(), value: value.to_string(), href: href.into(), alert: false }
    }
    pub fn alert_if(mut self, alert: bool) -> Self {
        self.alert = alert;
        self
    }
}

/// One line of a section's table (a checkpoint, a post, a unit).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub cells: Vec<String>,
    pub href: String,
    pub alert: bool,
}

/// A feature's part of the dashboard.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Section {
    pub feature: &'static str,
    pub title: String,
    /// `None`: the viewer may not see this feature's figures (shown marked, not as zeros).
    pub figures: Option<Vec<Figure>>,
    /// Column heads of `rows`.
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Section {
    /// The section of a feature the viewer may not see.
    pub fn refused(feature: &'static str, title: &str) -> Self {
        Self { feature, title: title.into(), figures: None, columns: Vec::new(), rows: Vec::new() }
    }
    pub fn of(feature: &'static str, title: &str, figures: Vec<Figure>) -> Self {
        Self { feature, title: title.into(), figures: Some(figures), columns: Vec::new(), rows: Vec::new() }
    }
}

type SectionFuture<'a> = Pin<Box<dyn Future<Output = AppResult<Section>> + Send + 'a>>;

/// A feature's section: its figures for this viewer, within their permissions and scope.
pub struct DashboardSource {
    pub feature: &'static str,
    pub section: for<'a> fn(&'a App, &'a Ctx) -> SectionFuture<'a>,
}

/// Every feature's section, in this order.
pub const SECTIONS: &[DashboardSource] = &[
    crate::recall::DASHBOARD,
    crate::org::DASHBOARD,
    crate::checkpoint::DASHBOARD,
    crate::duty::DASHBOARD,
    crate::supplies::DASHBOARD,
    crate::party::DASHBOARD,
    crate::inspection::DASHBOARD,
    crate::publicity::DASHBOARD,
];

/// Thousands separated the Chinese way on screens (`12,345`).
pub fn grouped(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

impl App {
    /// The dashboard for this viewer: every feature's section, in order.
    pub async fn dashboard(&self, ctx: &Ctx) -> AppResult<Vec<Section>> {
        ctx.scope(bastion_core::permission::perm::DASHBOARD_READ)?;
        let mut out = Vec::with_capacity(SECTIONS.len());
        for s in SECTIONS {
            out.push((s.section)(self, ctx).await?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(956), "956");
        assert_eq!(super::grouped(1234), "1,234");
        assert_eq!(super::grouped(10_000_000), "10,000,000");
        assert_eq!(super::grouped(-1234), "-1,234");
    }
}
