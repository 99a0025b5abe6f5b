//! 通知渠道 pages: the channels every feature sends through (SMS gateways, chat-bot groups), with
//! the recent delivery log of all features.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use bastion_app::notify::{Channel, ChannelId, ChannelInput, Delivery, CHANNEL_KINDS};
use bastion_app::AppError;
use bastion_core::permission::perm;
use serde::Deserialize;

use super::{error_page, render_status, Shell};
use crate::i18n::Tr;
use crate::routes::{get, post, Endpoint};
use crate::session::PageCtx;
use crate::AppState;

pub use bastion_app::notify::{kind_name, source_name};

#[derive(Template)]
#[template(path = "notify/channels.html")]
pub struct ChannelsPage {
    pub shell: Shell,
    pub items: Vec<Channel>,
    pub log: Vec<Delivery>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub v: ChannelInput,
    pub errors: Vec<bastion_core::FieldError>,
}

async fn channels_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: ChannelInput,
    errors: Vec<bastion_core::FieldError>,
    status: StatusCode,
) -> Response {
    match state.app.channels_and_log(ctx).await {
        Ok((items, log)) => {
            let shell = Shell::new(state, ctx, t, "/notify/channels", t.s("notify.channels")).await;
            render_status(status, &ChannelsPage { shell, items, log, kinds: CHANNEL_KINDS.to_vec(), v, errors })
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn channels(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    channels_page(&state, &ctx, t, ChannelInput::default(), vec![], StatusCode::OK).await
}

pub async fn add_channel(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<ChannelInput>,
) -> Response {
    match state.app.add_channel(&ctx, &v).await {
        Ok(_) => Redirect::to("/notify/channels").into_response(),
        Err(AppError::Invalid(errors)) => {
            channels_page(&state, &ctx, t, v, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct EnabledForm {
    /// `1` to switch the channel on, `0` to switch it off (its queued messages wait).
    pub enabled: String,
}

pub async fn set_channel_enabled(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(f): Form<EnabledForm>,
) -> Response {
    let enabled = match f.enabled.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            return error_page(
                t,
                AppError::Invalid(vec![bastion_core::FieldError::new("启用", "取值须为 1（启用）或 0（停用）")]),
            )
        }
    };
    match state.app.set_channel_enabled(&ctx, ChannelId(id), enabled).await {
        Ok(()) => Redirect::to("/notify/channels").into_response(),
        Err(e) => error_page(t, e),
    }
}

/// The channels page's earlier address, under recall.
async fn old_address() -> Redirect {
    Redirect::permanent("/notify/channels")
}

/// The pages of this feature (see `crate::routes`).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        get("/notify/channels", channels).perm(perm::NOTIFY_CHANNEL).menu(86, "notify.channels", "✉"),
        post("/notify/channels", add_channel).perm(perm::NOTIFY_CHANNEL),
        post("/notify/channels/{id}/enabled", set_channel_enabled)
            .perm(perm::NOTIFY_CHANNEL)
            .probe("/notify/channels/999999/enabled"),
        get("/recall/channels", old_address).perm(perm::NOTIFY_CHANNEL),
    ]
}
