//! The home page: what is waiting for the viewer (待办, gathered from every feature through
//! [`TODO`]), the figures the viewer's scope covers, and the operation in force. A figure the
//! viewer may not see is absent (`None`), never a zero; a failed read is an error, never an
//! empty to-do list.

use std::future::Future;
use std::pin::Pin;

use bastion_core::permission::perm;
use bastion_store::operation::Operation;
use bastion_store::org::{PeopleCounts, RowScope};

use crate::{in_scope, App, AppError, AppResult, Ctx};

/// One thing waiting for the viewer, with where to do it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TodoItem {
    /// The feature's name on the list (召集令, 发热随访, 宣传…).
    pub feature: &'static str,
    pub title: String,
    pub href: String,
    /// Shown first and marked (an order to answer now, a case not yet handed over).
    pub urgent: bool,
}

type TodoFuture<'a> = Pin<Box<dyn Future<Output = AppResult<Vec<TodoItem>>> + Send + 'a>>;

/// A feature's part of the viewer's to-do list: what it asks of this viewer now, within the
/// viewer's permissions and scope (nothing, not an error, for a viewer it asks nothing of).
pub struct TodoSource {
    pub feature: &'static str,
    pub items: for<'a> fn(&'a App, &'a Ctx) -> TodoFuture<'a>,
}

/// Every feature's to-do items, in this order (urgent ones first on the page).
pub const TODO: &[TodoSource] = &[
    crate::recall::TODO,
    crate::duty::TODO,
    crate::checkpoint::TODO,
    crate::inspection::TODO,
    crate::supplies::TODO,
    crate::party::TODO,
    crate::publicity::TODO,
];

/// What the home page shows one account.
#[derive(Debug, Clone)]
pub struct HomeFigures {
    /// Headcounts of the units the viewer may read people of; `None` for an account that may see
    /// only itself or nobody (a bureau-wide figure would not be theirs to see).
    pub people: Option<PeopleCounts>,
    /// Whether `people` covers the whole bureau or part of it.
    pub people_whole_bureau: bool,
    /// Units the viewer may read; `None` without the permission.
    pub units: Option<usize>,
    pub operation: Option<Operation>,
}

/// `Ok(None)` where no role grants `perm` (or grants only the person itself), the scope otherwise.
fn wide_scope(ctx: &Ctx, perm: &str) -> AppResult<Option<RowScope>> {
    match ctx.scope(perm) {
        Ok(s @ (RowScope::All | RowScope::Subtrees(_))) => Ok(Some(s)),
        Ok(RowScope::Person(_) | RowScope::Nothing) | Err(AppError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl App {
    pub async fn home_figures(&self, ctx: &Ctx) -> AppResult<HomeFigures> {
        let people_scope = wide_scope(ctx, perm::PERSON_READ)?;
        let people = match &people_scope {
            Some(s) => Some(self.store.people_counts(s).await?),
            None => None,
        };
        let units = match wide_scope(ctx, perm::UNIT_READ)? {
            Some(s) => Some(self.store.units().await?.iter().filter(|u| in_scope(&s, &u.path, None)).count()),
            None => None,
        };
        Ok(HomeFigures {
            people,
            people_whole_bureau: people_scope == Some(RowScope::All),
            units,
            operation: self.active_operation().await?,
        })
    }

    /// What is waiting for the viewer, urgent first, from every feature.
    pub async fn todo(&self, ctx: &Ctx) -> AppResult<Vec<TodoItem>> {
        let mut all = Vec::new();
        for source in TODO {
            all.extend((source.items)(self, ctx).await?);
        }
        all.sort_by_key(|t| !t.urgent);
        Ok(all)
    }

    /// The operation in force, shown in every signed-in page's header.
    pub async fn active_operation(&self) -> AppResult<Option<Operation>> {
        Ok(self.store.active_operation().await?)
    }
}
