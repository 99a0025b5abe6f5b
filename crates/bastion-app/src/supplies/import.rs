//! Receipts from a spreadsheet (.xlsx or .csv, sheet “入库”): one row per receipt, every row
//! checked before anything is written; one bad row and nothing is written, each error naming its
//! row and field.

use bastion_core::permission::perm;
use bastion_core::FieldError;
use serde::Serialize;

use super::{ReceiptInput, StoreKind};
use crate::{in_scope, App, AppError, AppResult, Ctx};

/// The columns of the receipts sheet; the first four are required.
pub const RECEIPT_COLUMNS: [&str; 8] = ["库点编码", "物资编码", "数量", "来源", "批号", "有效期至", "捐赠方", "备注"];

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReceiptImport {
    pub rows: usize,
    pub units: i64,
    pub dry_run: bool,
}

impl App {
    pub async fn import_supply_receipts(
        &self,
        ctx: &Ctx,
        file_name: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> AppResult<ReceiptImport> {
        let scope = ctx.scope(perm::SUPPLY_MOVE)?;
        let table = crate::transfer::read_table(file_name, bytes, "入库", &RECEIPT_COLUMNS[..4])?;
        if table.rows.is_empty() {
            return Err(AppError::invalid(FieldError::new("文件", "文件中没有数据行")));
        }
        if table.rows.len() > 5000 {
            return Err(AppError::invalid(FieldError::new("文件", "一次最多导入 5000 行")));
        }
        let stores = self.store.supply_stores().await?;
        let items = self.store.supply_items().await?;
        let col = |cells: &[String], name: &str| -> String {
            table.headers.iter().position(|h| h == name).and_then(|i| cells.get(i)).cloned().unwrap_or_default()
        };
        let mut errors = Vec::new();
        let mut planned = Vec::new();
        for (row, cells) in &table.rows {
            let here =
                |e: FieldError| FieldError::new(format!("第{row}行{}", e.field), format!("第{row}行：{}", e.message));
            let store_code = col(cells, "库点编码");
            let item_code = col(cells, "物资编码");
            let store = stores.iter().find(|s| s.code == store_code.trim());
            let item = items.iter().find(|i| i.code == item_code.trim());
            if store.is_none() {
                errors.push(here(FieldError::new("库点编码", format!("库点编码“{store_code}”不存在"))));
            }
            if item.is_none() {
                errors.push(here(FieldError::new("物资编码", format!("物资编码“{item_code}”不存在"))));
            }
            if let Some(s) = store {
                if !in_scope(&scope, &s.unit_path, None) {
                    errors.push(here(FieldError::new("库点编码", format!("库点“{}”不在您的管辖范围内", s.name))));
                }
            }
            let input = ReceiptInput {
                store_id: store.map(|s| s.id.0.to_string()).unwrap_or_else(|| "1".into()),
                item_id: item.map(|i| i.id.0.to_string()).unwrap_or_else(|| "1".into()),
                quantity: col(cells, "数量"),
                batch: col(cells, "批号"),
                expires_on: col(cells, "有效期至"),
                source: col(cells, "来源"),
                donor: col(cells, "捐赠方"),
                reason: col(cells, "备注"),
            };
            match input.parse() {
                Ok(r) => {
                    if let (Some(s), Some(i)) = (store, item) {
                        planned.push((s, i, r));
                    }
                }
                Err(es) => errors.extend(es.into_iter().map(here)),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let units: i64 = planned.iter().map(|(_, _, r)| r.quantity).sum();
        let report = ReceiptImport { rows: planned.len(), units, dry_run };
        if dry_run {
            return Ok(report);
        }
        // Balances are touched in (store, item) order, the order every other withdrawal locks in.
        planned.sort_by_key(|(s, i, _)| (s.id, i.id));
        let mut tx = self.store.begin().await?;
        for (s, i, r) in &planned {
            let m = r.movement(ctx, s.id, i);
            self.store.post_movement(&mut tx, &m).await?;
        }
        let warehouse_rows = planned.iter().filter(|(s, _, _)| s.kind == StoreKind::Warehouse).count();
        self.audit(
            &mut tx,
            ctx,
            "supplies",
            "物资批量入库",
            file_name,
            &format!("{} 行，合计 {units} 个发放单位（其中入局装备仓库 {warehouse_rows} 行）", planned.len()),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(report)
    }
}
