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

/// How a place on the schematic stands now.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TileState {
    /// Staffed as required, nothing open.
    Ok,
    /// Fewer people present than required.
    Short,
    /// Something needs action there (a fever case open, a kit alert).
    Alert,
    /// No shift running now.
    Idle,
}

/// A place (a post) on the schematic of the county's posts, grouped by its unit.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Tile {
    pub name: String,
    /// The group it is drawn in (its unit).
    pub group: String,
    pub state: TileState,
    /// What is there now, in a few words each (the shift and people present, an open case).
    pub lines: Vec<String>,
    pub href: String,
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
    /// The places this feature keeps, for the schematic of the county's posts (empty: none).
    pub tiles: Vec<Tile>,
}

impl Section {
    /// The section of a feature the viewer may not see.
    pub fn refused(feature: &'static str, title: &str) -> Self {
        Self { feature, title: title.into(), figures: None, columns: Vec::new(), rows: Vec::new(), tiles: Vec::new() }
    }
    pub fn of(feature: &'static str, title: &str, figures: Vec<Figure>) -> Self {
        Self {
            feature,
            title: title.into(),
            figures: Some(figures),
            columns: Vec::new(),
            rows: Vec::new(),
            tiles: Vec::new(),
        }
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

/// One line of a trend chart: a value per day (`None`: nothing known that day).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq)]
pub struct Series {
    pub name: String,
    /// `bar` (counts of the day) or `line` (a state as reported that day).
    pub kind: &'static str,
    /// Which chart: `flow` (screenings, fevers) or `state` (people on post, days of supply).
    pub chart: &'static str,
    /// The y axis: 0 left, 1 right (a second scale on the same chart).
    pub axis: u8,
    pub values: Vec<Option<f64>>,
}

/// The trends over the operation, for this viewer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema, PartialEq)]
pub struct Trends {
    /// Every day from the operation's start (at most the last 60) to today.
    pub days: Vec<String>,
    pub series: Vec<Series>,
    /// Series the viewer may not see (named, never drawn as zeros).
    pub refused: Vec<String>,
}

/// Days shown at most.
const TREND_DAYS: i64 = 60;

fn day_start_ms(d: jiff::civil::Date) -> i64 {
    d.to_zoned(bastion_core::time::beijing()).map(|z| z.timestamp().as_millisecond()).unwrap_or_default()
}

impl App {
    /// Daily screenings and fevers (from the hourly counters) and, from each day's report, people
    /// on post and the shortest days of supply — every day from the operation's start to today.
    pub async fn dashboard_trends(&self, ctx: &Ctx) -> AppResult<Trends> {
        use crate::RowScope;
        use bastion_core::permission::perm;
        ctx.scope(perm::DASHBOARD_READ)?;
        let store = self.store.for_reads();
        let today = bastion_core::time::today();
        let ops = store.operations().await?;
        let first = ops
            .iter()
            .filter_map(|o| jiff::civil::Date::strptime("%Y-%m-%d", &o.start_date).ok())
            .min()
            .unwrap_or(today)
            .max(today.checked_sub(jiff::Span::new().days(TREND_DAYS - 1)).unwrap_or(today));
        let first = first.min(today);
        let mut days = Vec::new();
        let mut d = first;
        while d <= today {
            days.push(d);
            d = match d.tomorrow() {
                Ok(n) => n,
                Err(_) => break,
            };
        }
        let index = |ms: i64| days.iter().position(|d| day_start_ms(*d) == ms);
        let bureau_wide = |p: &str| matches!(ctx.scope(p), Ok(RowScope::All));
        let mut series = Vec::new();
        let mut refused = Vec::new();
        if bureau_wide(perm::CHECKPOINT_READ) {
            let end = today.tomorrow().map(day_start_ms).unwrap_or(i64::MAX);
            let counts = store.daily_counts(day_start_ms(first), end).await?;
            let mut passes = vec![Some(0.0); days.len()];
            let mut fevers = vec![Some(0.0); days.len()];
            for (ms, total, hot) in counts {
                if let Some(i) = index(ms) {
                    passes[i] = Some(total as f64);
                    fevers[i] = Some(hot as f64);
                }
            }
            series.push(Series {
                name: "卡点登记（人次）".into(),
                kind: "bar",
                chart: "flow",
                axis: 0,
                values: passes,
            });
            series
                .push(Series { name: "发热（人）".into(), kind: "line", chart: "flow", axis: 1, values: fevers });
        } else {
            refused.push("卡点登记与发热".into());
        }
        let states = [
            (perm::PERSON_READ, "org", "在岗", "在岗人数", 0),
            (perm::SUPPLY_READ, "supplies", "最短保障天数", "最短保障天数", 1),
        ];
        let shown: Vec<_> = states.iter().filter(|s| bureau_wide(s.0)).collect();
        refused.extend(states.iter().filter(|s| !bureau_wide(s.0)).map(|s| s.3.to_string()));
        if !shown.is_empty() {
            let asked: Vec<(&str, &str)> = shown.iter().map(|s| (s.1, s.2)).collect();
            let reported = self.reported_figures(&asked).await?;
            for (k, (_, _, _, name, axis)) in shown.iter().enumerate() {
                let mut values = vec![None; days.len()];
                for (day, v) in &reported {
                    let n = v[k]
                        .as_deref()
                        .and_then(|v| v.trim_end_matches('天').trim().replace(',', "").parse::<f64>().ok());
                    if let Some(i) = days.iter().position(|d| d.to_string() == *day) {
                        values[i] = n;
                    }
                }
                series.push(Series { name: (*name).into(), kind: "line", chart: "state", axis: *axis, values });
            }
        }
        Ok(Trends { days: days.iter().map(|d| d.to_string()).collect(), series, refused })
    }

    /// The dashboard for this viewer: every feature's section, in order.
    pub async fn dashboard(&self, ctx: &Ctx) -> AppResult<Vec<Section>> {
        ctx.scope(bastion_core::permission::perm::DASHBOARD_READ)?;
        // Read-only and refreshed every second on the wall: the read replica's work.
        let app = self.for_reads();
        // The sections wait on the database independently: read side by side, kept in order; the
        // first that fails fails the page.
        futures_util::future::try_join_all(SECTIONS.iter().map(|s| (s.section)(&app, ctx))).await
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
