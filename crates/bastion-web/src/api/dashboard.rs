//! `/api/dashboard`: the command dashboard's figures, every feature's section for the caller.

use axum::extract::State;
use axum::Json;
use bastion_app::dashboard::Section;
use bastion_core::permission::perm;

use crate::error::ApiResult;
use crate::routes::{get, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

pub async fn dashboard(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Section>>> {
    Ok(Json(s.app.dashboard(&ctx).await?))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![get("/api/dashboard", dashboard).perm(perm::DASHBOARD_READ).doc(
        "指挥大屏",
        "各功能的态势数字（按查看者的权限与数据范围；无权查看的部分 figures 为 null）",
        None,
        "DashboardSections",
        "200",
    )]
}
