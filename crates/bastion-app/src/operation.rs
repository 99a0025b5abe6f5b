//! Operations (行动): create, edit, close.

use bastion_core::error::{non_empty, text};
use bastion_core::org::OperationStatus;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::operation::NewOperation;
/// The read models the web layer shows.
pub use bastion_store::operation::{Operation, OperationId};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, AppResult, Ctx};

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["name"]))]
pub struct OperationInput {
    pub name: String,
    pub description: String,
    pub status: String,
    #[schemars(extend("format" = "date"))]
    pub start_date: String,
    #[schemars(extend("format" = "date"))]
    pub end_date: String,
}

impl OperationInput {
    pub fn parse(&self) -> Result<NewOperation, Vec<FieldError>> {
        let mut e = Vec::new();
        let name = text("行动名称", &self.name, 2, 60).map_err(|x| e.push(x)).ok();
        let description =
            bastion_core::error::opt_multiline("行动说明", &self.description, 2000).map_err(|x| e.push(x)).ok();
        let status = match non_empty(&self.status) {
            Some(s) => OperationStatus::parse(s).map_err(|x| e.push(x)).ok(),
            None => Some(OperationStatus::Active),
        };
        let start = bastion_core::time::parse_date("开始日期", &self.start_date).map_err(|x| e.push(x)).ok();
        let end = match non_empty(&self.end_date) {
            Some(s) => bastion_core::time::parse_date("结束日期", s).map_err(|x| e.push(x)).ok().map(Some),
            None => Some(None),
        };
        if let (Some(s), Some(Some(en))) = (start, end) {
            if en < s {
                e.push(FieldError::new("结束日期", "结束日期不能早于开始日期"));
            }
        }
        match (name, description, status, start, end) {
            (Some(name), Some(d), Some(status), Some(s), Some(en)) if e.is_empty() => Ok(NewOperation {
                name,
                description: d.unwrap_or_default(),
                status,
                start_date: s.to_string(),
                end_date: en.map(|d| d.to_string()),
            }),
            _ => Err(e),
        }
    }
}

impl App {
    pub async fn operations(&self, ctx: &Ctx) -> AppResult<Vec<Operation>> {
        ctx.scope(perm::OPERATION_READ)?;
        Ok(self.store.operations().await?)
    }

    pub async fn create_operation(&self, ctx: &Ctx, input: &OperationInput) -> AppResult<OperationId> {
        ctx.scope(perm::OPERATION_WRITE)?;
        let o = input.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_operation(&mut tx, &o).await?;
        self.audit(&mut tx, ctx, "operation", "新增行动", &format!("operation:{} {}", id.0, o.name), "").await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    pub async fn update_operation(&self, ctx: &Ctx, id: OperationId, input: &OperationInput) -> AppResult<()> {
        ctx.scope(perm::OPERATION_WRITE)?;
        let o = input.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store.begin().await?;
        self.store.update_operation(&mut tx, id, &o).await?;
        self.audit(&mut tx, ctx, "operation", "修改行动", &format!("operation:{} {}", id.0, o.name), "").await?;
        if o.status == OperationStatus::Closed {
            // party: the operation's temporary branches close with it, in this transaction.
            self.close_party_for_operation(&mut tx, ctx, id.0, &o.name).await?;
        }
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// End an operation today (its end date stays if one was set and is not later than today).
    pub async fn close_operation(&self, ctx: &Ctx, id: OperationId) -> AppResult<()> {
        ctx.scope(perm::OPERATION_WRITE)?;
        let o = self.store.operation(id).await.map_err(|_| AppError::NotFound("行动不存在".into()))?;
        if o.status == OperationStatus::Closed {
            return Err(AppError::Conflict(format!("行动“{}”已结束", o.name)));
        }
        let today = bastion_core::time::today().to_string();
        let end_date = match o.end_date {
            Some(d) if d <= today => d,
            _ => today,
        };
        let closed = NewOperation {
            name: o.name,
            description: o.description,
            status: OperationStatus::Closed,
            start_date: o.start_date,
            end_date: Some(end_date),
        };
        let mut tx = self.store.begin().await?;
        self.store.update_operation(&mut tx, id, &closed).await?;
        self.audit(&mut tx, ctx, "operation", "结束行动", &format!("operation:{} {}", id.0, closed.name), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }
}
