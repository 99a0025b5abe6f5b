//! Party organisation (党建: 支部建在一线): the branch tree with members at the front, temporary
//! branches (proposed, approved by the committee under a document number by another account,
//! closed by hand or with their operation; membership there is a secondment, the home branch never
//! moves, and the acts a temporary branch may not perform are refused naming the rule), petitions
//! (请战书) with a drawn signature, assault teams formed from them and their daily results, and the
//! membership pipeline driven by the rules engine in `bastion_core::party`.
//!
//! Scopes: the committee (指挥长 in the demo) sees everything; a branch secretary the branches of
//! their unit and below, and a temporary branch they lead; everyone else their own record and
//! petitions. Political records are read only through these checks.

use bastion_core::error::non_empty;
use bastion_core::FieldError;
/// The read models and ids the web layer shows.
pub use bastion_store::party::{
    Absence, BranchRecord, Candidate, CandidateId, DayTotals, Meeting, MeetingFile, Member, Officer, Org, OrgId,
    Petition, PetitionId, PostMark, StepRecord, Team, TeamId, TeamMember, Totals,
};

mod application;
pub use application::*;
mod attachments;
mod dashboard;
mod input;
pub use input::*;
mod life;
mod orgs;
mod pipeline;
mod posts;
use pipeline::*;
pub(crate) use posts::POST_TAGS;
mod record;
mod setup;
mod stories;
mod teams;
mod todo;
pub(crate) use todo::TODO;
mod view;
pub use view::*;
mod dossier;
pub(crate) use dashboard::{DASHBOARD, REPORT};
mod person;
pub(crate) use person::PERSON;
pub mod demo;

/// What "members at the front" counts, shown on the page with the figures.
pub const FRONT_DEFINITION: &str =
    "一线党员：今天在值班排班中有班次（指挥部值班台、卡点、巡逻、专班岗位）的正式党员和预备党员，\
按其组织关系所在支部统计；同一人多个班次只计一次。";

const NOTIFY_SOURCE: &str = "party";

fn id_of(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    match non_empty(raw) {
        None => {
            e.push(FieldError::required(field));
            None
        }
        Some(t) => match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                e.push(FieldError::new(field, format!("{field}须为正整数编号")));
                None
            }
        },
    }
}

fn ids_of(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Vec<i64> {
    let mut out = Vec::new();
    for part in raw.split([',', '，', '、', ' ', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(n) if n > 0 => {
                if !out.contains(&n) {
                    out.push(n)
                }
            }
            _ => {
                e.push(FieldError::new(field, format!("{field}中的“{part}”不是有效编号")));
                return out;
            }
        }
    }
    out
}

fn date_not_future(field: &str, raw: &str, e: &mut Vec<FieldError>) -> Option<jiff::civil::Date> {
    match bastion_core::time::parse_date(field, raw) {
        Ok(d) if d > bastion_core::time::today() => {
            e.push(FieldError::new(field, format!("{field}不能晚于今天")));
            None
        }
        Ok(d) => Some(d),
        Err(x) => {
            e.push(x);
            None
        }
    }
}

fn count(field: &str, raw: &str, e: &mut Vec<FieldError>) -> i64 {
    match non_empty(raw) {
        None => 0,
        Some(t) => match t.parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => n,
            _ => {
                e.push(FieldError::new(field, format!("{field}须为 0 到 100000 之间的整数")));
                0
            }
        },
    }
}
