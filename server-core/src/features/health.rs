//! `GET /api/health`: is the server up, and which brain answers.

use std::sync::Arc;

use axum::extract::{FromRef, State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::infra::config::Settings;
use crate::infra::extract::Json;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: &'static str,
    pub version: &'static str,
    pub ai_provider: String,
    pub ai_model: String,
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Settings>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(health))
}

/// Liveness, version and the configured model.
#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, description = "The server is up", body = Health)))]
async fn health(State(settings): State<Arc<Settings>>) -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        ai_provider: settings.ai_provider.clone(),
        ai_model: settings.ai_model.clone(),
    })
}
