//! One declaration per endpoint. Each feature lists its pages and API endpoints once, in its own
//! `endpoints()`; from that list come the router (with the declared access enforced before the
//! handler runs), the OpenAPI operations (`openapi.rs`) and the role matrix that tries every
//! endpoint with every demo role (`crates/bastion/tests/it/matrix.rs`).
//!
//! The declared access is a gate in front of the handler; the use case behind it still
//! authorises the caller and scopes the data (the gate never replaces that).

use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use bastion_app::{AppError, Ctx};

use crate::session::RequestInfo;
use crate::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Delete => "delete",
        }
    }
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone, signed in or not (sign-in, personal links, self-registration, health checks).
    Public,
    /// The public news site: served without looking up a session at all.
    PublicSite,
    /// Any signed-in account.
    SignedIn,
    /// Signed-in accounts holding this permission (at any data scope).
    Perm(&'static str),
    /// Signed-in accounts holding at least one of these permissions.
    AnyPerm(&'static [&'static str]),
}

/// How an API endpoint is described in the OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub tag: &'static str,
    pub summary: &'static str,
    /// Schema name of the request body (`Upload` is multipart), if it takes one.
    pub request: Option<&'static str>,
    /// Schema name of the success response (`File` for downloads).
    pub response: &'static str,
    /// Status of the success response.
    pub status: &'static str,
}

/// One page or API endpoint.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// What the role matrix requests (the path with sample ids and query); `None` when the
    /// endpoint ends the session or is covered by its own tests (say why at the declaration).
    pub probe: Option<&'static str>,
    /// The JSON body the matrix sends, for endpoints whose body is parsed before the use case.
    pub probe_body: Option<&'static str>,
    pub doc: Option<Doc>,
    /// The page's entry in the left menu, if it has one.
    pub menu: Option<MenuEntry>,
    handler: MethodRouter<AppState>,
}

/// A page's entry in the left menu: shown to every viewer its access allows, in `order`.
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    /// Position in the menu. Bands: 10 home, 20 organisation, 30 operations and duty, 40
    /// checkpoints and supplies, 50 recall, 60 publicity, 70 party, 80 administration, 90 documentation.
    pub order: u16,
    /// Its label's key in the locales.
    pub label: &'static str,
    pub icon: &'static str,
}

fn endpoint(method: Method, path: &'static str, handler: MethodRouter<AppState>) -> Endpoint {
    Endpoint {
        method,
        path,
        access: Access::SignedIn,
        probe: Some(path),
        probe_body: None,
        doc: None,
        menu: None,
        handler,
    }
}

pub fn get<H: Handler<T, AppState>, T: 'static>(path: &'static str, h: H) -> Endpoint {
    endpoint(Method::Get, path, axum::routing::get(h))
}

pub fn post<H: Handler<T, AppState>, T: 'static>(path: &'static str, h: H) -> Endpoint {
    endpoint(Method::Post, path, axum::routing::post(h))
}

pub fn put<H: Handler<T, AppState>, T: 'static>(path: &'static str, h: H) -> Endpoint {
    endpoint(Method::Put, path, axum::routing::put(h))
}

pub fn delete<H: Handler<T, AppState>, T: 'static>(path: &'static str, h: H) -> Endpoint {
    endpoint(Method::Delete, path, axum::routing::delete(h))
}

impl Endpoint {
    pub fn perm(mut self, perm: &'static str) -> Self {
        self.access = Access::Perm(perm);
        self
    }

    pub fn any_perm(mut self, perms: &'static [&'static str]) -> Self {
        self.access = Access::AnyPerm(perms);
        self
    }

    pub fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    pub fn public_site(mut self) -> Self {
        self.access = Access::PublicSite;
        self
    }

    /// The request the role matrix sends instead of the bare path.
    pub fn probe(mut self, probe: &'static str) -> Self {
        self.probe = Some(probe);
        self
    }

    pub fn probe_body(mut self, body: &'static str) -> Self {
        self.probe_body = Some(body);
        self
    }

    /// `Cache-Control: no-store` on the answer: it carries a person's data (a page of a person, a
    /// reveal of the clear numbers), of which the browser keeps no copy.
    pub fn no_store(mut self) -> Self {
        self.handler = self.handler.layer(crate::no_store());
        self
    }

    /// Left out of the role matrix (the declaration says why in a comment).
    pub fn no_probe(mut self) -> Self {
        self.probe = None;
        self
    }

    /// A GET page's entry in the left menu (see [`MenuEntry`]).
    pub fn menu(mut self, order: u16, label: &'static str, icon: &'static str) -> Self {
        self.menu = Some(MenuEntry { order, label, icon });
        self
    }

    /// The OpenAPI description of an API endpoint.
    pub fn doc(
        mut self,
        tag: &'static str,
        summary: &'static str,
        request: Option<&'static str>,
        response: &'static str,
        status: &'static str,
    ) -> Self {
        self.doc = Some(Doc { tag, summary, request, response, status });
        self
    }
}

/// Every endpoint of every feature.
pub fn endpoints() -> Vec<Endpoint> {
    [
        crate::api::service::endpoints(),
        crate::api::auth::endpoints(),
        crate::api::org::endpoints(),
        crate::api::operation::endpoints(),
        crate::api::audit::endpoints(),
        crate::api::checkpoint::endpoints(),
        crate::api::recall::endpoints(),
        crate::api::notify::endpoints(),
        crate::api::publicity::endpoints(),
        crate::api::supplies::endpoints(),
        crate::api::dashboard::endpoints(),
        crate::api::duty::endpoints(),
        crate::api::inspection::endpoints(),
        crate::api::party::endpoints(),
        crate::api::report::endpoints(),
        crate::pages::endpoints(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Routes of `endpoints`, each behind its access gate.
pub fn router(state: &AppState, endpoints: Vec<Endpoint>) -> Router<AppState> {
    endpoints.into_iter().fold(Router::new(), |r, e| {
        let access = e.access;
        let handler =
            match access {
                Access::Public | Access::PublicSite => e.handler,
                _ => e.handler.route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    move |State(s): State<AppState>, req: Request, next: Next| async move {
                        gate(&s, access, req, next).await
                    },
                )),
            };
        r.route(e.path, handler)
    })
}

impl Access {
    /// Whether a caller (None: not signed in) may use an endpoint with this access.
    pub fn allows(self, ctx: Option<&Ctx>) -> bool {
        match (self, ctx) {
            (Access::Public | Access::PublicSite, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Perm(p), Some(c)) => c.can(p),
            (Access::AnyPerm(ps), Some(c)) => ps.iter().any(|p| c.can(p)),
        }
    }
}

/// What a refusal needs of the request, taken before anything is awaited.
struct Refused {
    api: bool,
    back: String,
    info: Option<RequestInfo>,
}

impl Refused {
    fn of(req: &Request) -> Self {
        Self {
            api: req.uri().path().starts_with("/api/"),
            back: req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
            info: req.extensions().get::<RequestInfo>().cloned(),
        }
    }
}

/// The refusal for a caller who is not signed in, or lacks the permission: JSON under `/api`;
/// elsewhere the sign-in redirect, or the refusal inside the signed-in layout (menu kept).
async fn refuse(state: Option<&AppState>, r: Refused, e: AppError) -> Response {
    if r.api {
        return crate::error::ApiError(e).into_response();
    }
    match (&e, r.info) {
        (AppError::Unauthenticated, _) => {
            let target = format!("/login?next={}", crate::session::urlencode(&r.back));
            axum::response::Redirect::to(&target).into_response()
        }
        (_, Some(info)) => match (state, info.ctx.as_ref()) {
            (Some(s), Some(ctx)) => crate::pages::error_page_in_shell(s, ctx, info.tr, e).await,
            _ => crate::pages::error_page(info.tr, e),
        },
        (_, None) => crate::error::ApiError(e).into_response(),
    }
}

async fn gate(state: &AppState, access: Access, req: Request, next: Next) -> Response {
    // Judged on a borrow; the caller's context is cloned only for a refusal.
    let ctx = req.extensions().get::<RequestInfo>().and_then(|i| i.ctx.as_ref());
    let refusal = match ctx {
        None => Some(AppError::Unauthenticated),
        Some(c) if !access.allows(Some(c)) => {
            let first = match access {
                Access::Perm(p) => Some(p),
                Access::AnyPerm(ps) => ps.first().copied(),
                _ => None,
            };
            Some(first.and_then(|p| c.scope(p).err()).unwrap_or_else(AppError::forbidden_data))
        }
        Some(_) => None,
    };
    if let Some(e) = refusal {
        return refuse(Some(state), Refused::of(&req), e).await;
    }
    // A page (not the JSON API) keeps what it needs to show its own error inside the layout.
    let page_info =
        (!req.uri().path().starts_with("/api/")).then(|| req.extensions().get::<RequestInfo>().cloned()).flatten();
    let resp = next.run(req).await;
    match (page_info, resp.extensions().get::<crate::pages::PlainError>()) {
        (Some(info), Some(e)) => match info.ctx.as_ref() {
            Some(ctx) => crate::pages::message_in_shell(state, ctx, info.tr, e.clone()).await,
            None => resp,
        },
        _ => resp,
    }
}
