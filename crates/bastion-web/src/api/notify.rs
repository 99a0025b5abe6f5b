//! `/api/notify…`: the delivery channels every feature sends through.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use bastion_app::notify::{Channel, ChannelId, ChannelInput};
use serde::Deserialize;

use super::AppJson;
use crate::error::ApiResult;
use crate::routes::{delete, get, post, put, Endpoint};
use crate::session::ApiCtx;
use crate::AppState;
use bastion_core::permission::perm;

pub async fn channels(State(s): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Json<Vec<Channel>>> {
    Ok(Json(s.app.channels(&ctx).await?))
}

pub async fn add_channel(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    AppJson(input): AppJson<ChannelInput>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let id = s.app.add_channel(&ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": id.0}))))
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct EnabledInput {
    pub enabled: bool,
}

pub async fn set_enabled(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<EnabledInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.set_channel_enabled(&ctx, ChannelId(id), input.enabled).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn update_channel(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
    AppJson(input): AppJson<ChannelInput>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.update_channel(&ctx, ChannelId(id), &input).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

pub async fn delete_channel(
    State(s): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    s.app.delete_channel(&ctx, ChannelId(id)).await?;
    Ok(Json(serde_json::json!({"ok": true})))
}

/// The endpoints of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/api/notify/channels", channels).perm(perm::NOTIFY_CHANNEL).doc(
            "消息通知",
            "通知渠道（短信网关、企业微信/钉钉/飞书群机器人），密钥不返回、地址脱敏",
            None,
            "ChannelList",
            "200",
        ),
        post("/api/notify/channels", add_channel).perm(perm::NOTIFY_CHANNEL).doc(
            "消息通知",
            "新增通知渠道",
            Some("ChannelInput"),
            "Created",
            "201",
        ),
        put("/api/notify/channels/{id}/enabled", set_enabled)
            .perm(perm::NOTIFY_CHANNEL)
            .probe("/api/notify/channels/999999/enabled")
            .probe_body(r#"{"enabled": false}"#)
            .doc("消息通知", "停用（排队的消息等待）或重新启用一个渠道", Some("ChannelEnabled"), "Ok", "200"),
        put("/api/notify/channels/{id}", update_channel)
            .perm(perm::NOTIFY_CHANNEL)
            .probe("/api/notify/channels/999999")
            .doc("消息通知", "修改通知渠道（加签密钥留空则不变）", Some("ChannelInput"), "Ok", "200"),
        delete("/api/notify/channels/{id}", delete_channel)
            .perm(perm::NOTIFY_CHANNEL)
            .probe("/api/notify/channels/999999")
            .doc("消息通知", "删除从未发过消息的渠道（发过的只能停用）", None, "Ok", "200"),
    ]
}
