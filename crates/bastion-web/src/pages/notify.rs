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
    /// The channel the form changes (None: the form adds one).
    pub editing: Option<i64>,
    /// Why the last action on the list was refused.
    pub problem: Option<String>,
}

/// What the page shows around the form.
#[derive(Default)]
struct Frame {
    editing: Option<i64>,
    problem: Option<String>,
}

async fn channels_page(
    state: &AppState,
    ctx: &bastion_app::Ctx,
    t: Tr,
    v: ChannelInput,
    errors: Vec<bastion_core::FieldError>,
    frame: Frame,
    status: StatusCode,
) -> Response {
    match state.app.channels_and_log(ctx).await {
        Ok((items, log)) => {
            let shell = Shell::new(state, ctx, t, "/notify/channels", t.s("notify.channels")).await;
            let kinds = CHANNEL_KINDS.to_vec();
            let Frame { editing, problem } = frame;
            render_status(status, &ChannelsPage { shell, items, log, kinds, v, errors, editing, problem })
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn channels(State(state): State<AppState>, PageCtx(ctx, t): PageCtx) -> Response {
    channels_page(&state, &ctx, t, ChannelInput::default(), vec![], Frame::default(), StatusCode::OK).await
}

pub async fn add_channel(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Form(v): Form<ChannelInput>,
) -> Response {
    match state.app.add_channel(&ctx, &v).await {
        Ok(_) => Redirect::to("/notify/channels").into_response(),
        Err(AppError::Invalid(errors)) => {
            channels_page(&state, &ctx, t, v, errors, Frame::default(), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

/// The channels page with the form filled with one channel's settings (never its secret).
pub async fn edit_channel(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    let channels = match state.app.channels(&ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(t, e),
    };
    let Some(c) = channels.into_iter().find(|c| c.id.0 == id) else {
        return error_page(t, AppError::NotFound("通知渠道不存在".into()));
    };
    let v = ChannelInput {
        kind: c.kind,
        name: c.name,
        url: c.url,
        secret: String::new(),
        template: c.template,
        link_base: c.link_base,
        min_interval_ms: c.min_interval_ms.to_string(),
    };
    let frame = Frame { editing: Some(id), problem: None };
    channels_page(&state, &ctx, t, v, vec![], frame, StatusCode::OK).await
}

pub async fn update_channel(
    State(state): State<AppState>,
    PageCtx(ctx, t): PageCtx,
    Path(id): Path<i64>,
    Form(v): Form<ChannelInput>,
) -> Response {
    match state.app.update_channel(&ctx, ChannelId(id), &v).await {
        Ok(()) => Redirect::to("/notify/channels").into_response(),
        Err(AppError::Invalid(errors)) => {
            let frame = Frame { editing: Some(id), problem: None };
            channels_page(&state, &ctx, t, v, errors, frame, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(t, e),
    }
}

pub async fn delete_channel(State(state): State<AppState>, PageCtx(ctx, t): PageCtx, Path(id): Path<i64>) -> Response {
    match state.app.delete_channel(&ctx, ChannelId(id)).await {
        Ok(()) => Redirect::to("/notify/channels").into_response(),
        Err(AppError::Conflict(m)) => {
            let frame = Frame { editing: None, problem: Some(m) };
            channels_page(&state, &ctx, t, ChannelInput::default(), vec![], frame, StatusCode::CONFLICT).await
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
        get("/notify/channels/{id}/edit", edit_channel).perm(perm::NOTIFY_CHANNEL).probe("/notify/channels/1/edit"),
        post("/notify/channels/{id}", update_channel).perm(perm::NOTIFY_CHANNEL).probe("/notify/channels/999999"),
        post("/notify/channels/{id}/delete", delete_channel)
            .perm(perm::NOTIFY_CHANNEL)
            .probe("/notify/channels/999999/delete"),
        get("/recall/channels", old_address).perm(perm::NOTIFY_CHANNEL),
    ]
}
