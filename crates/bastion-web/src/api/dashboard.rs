//! `/api/dashboard`: the command dashboard's figures, every feature's section for the caller.

use axum::extract::State;
use axum::Json;
use bastion_app::dashboard::{Section, Trends};
use bastion_core::permission::perm;

use crate::error::ApiResult;
use crate::routes::{get, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;

pub async fn dashboard(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Section>>> {
    Ok(Json(s.app.dashboard(&ctx).await?))
}

pub async fn trends(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Trends>> {
    Ok(Json(s.app.dashboard_trends(&ctx).await?))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/dashboard", dashboard).perm(perm::DASHBOARD_READ).doc(
            "指挥大屏",
            "各功能的态势数字（按查看者的权限与数据范围；无权查看的部分 figures 为 null）",
            None,
            "DashboardSections",
            "200",
        ),
        get("/api/dashboard/trends", trends).perm(perm::DASHBOARD_READ).doc(
            "指挥大屏",
            "行动以来的趋势：每日卡点登记与发热（小时计数汇总），每日战报记下的在岗人数与最短保障天数；无权查看的列在 refused",
            None,
            "DashboardTrends",
            "200",
        ),
    ]
}
