//! Operations (行动): the emergency response that later records hang on.

use bastion_core::org::OperationStatus;
use serde::Serialize;
use sqlx::Row;

use crate::db::{found, Store, StoreError, StoreResult, Tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct OperationId(pub i64);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Operation {
    pub id: OperationId,
    pub name: String,
    pub description: String,
    pub status: OperationStatus,
    pub start_date: String,
    pub end_date: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOperation {
    pub name: String,
    pub description: String,
    pub status: OperationStatus,
    pub start_date: String,
    pub end_date: Option<String>,
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Operation> {
    Ok(Operation {
        id: OperationId(r.try_get("id")?),
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        status: OperationStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(OperationStatus::Planned),
        start_date: r.try_get("start_date")?,
        end_date: r.try_get("end_date")?,
    })
}

const COLS: &str = "id, name, description, status, start_date, end_date";

impl Store {
    pub async fn insert_operation(&self, tx: &mut Tx, o: &NewOperation) -> StoreResult<OperationId> {
        let t = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO operations (name, description, status, start_date, end_date, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id",
        )
        .bind(&o.name)
        .bind(&o.description)
        .bind(o.status.code())
        .bind(&o.start_date)
        .bind(o.end_date.as_deref())
        .bind(t)
        .fetch_one(&mut **tx)
        .await?;
        Ok(OperationId(row.try_get("id")?))
    }

    pub async fn update_operation(&self, tx: &mut Tx, id: OperationId, o: &NewOperation) -> StoreResult<()> {
        let n = sqlx::query(
            "UPDATE operations SET name=$1, description=$2, status=$3, start_date=$4, end_date=$5, updated_at=$6 WHERE id=$7",
        )
        .bind(&o.name)
        .bind(&o.description)
        .bind(o.status.code())
        .bind(&o.start_date)
        .bind(o.end_date.as_deref())
        .bind(bastion_core::time::now_ms())
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        found(n)
    }

    pub async fn operations(&self) -> StoreResult<Vec<Operation>> {
        let rows =
            sqlx::query(&format!("SELECT {COLS} FROM operations ORDER BY id DESC")).fetch_all(&self.read).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn operation(&self, id: OperationId) -> StoreResult<Operation> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM operations WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// The newest active operation, shown in every page header.
    pub async fn active_operation(&self) -> StoreResult<Option<Operation>> {
        let row =
            sqlx::query(&format!("SELECT {COLS} FROM operations WHERE status = 'active' ORDER BY id DESC LIMIT 1"))
                .fetch_optional(&self.read)
                .await?;
        row.as_ref().map(from_row).transpose()
    }
}
