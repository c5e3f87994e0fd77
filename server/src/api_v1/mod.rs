//! The public REST API, `/api/v1`: JSON in and out, `Authorization: Bearer <API key>` (or a
//! Clerky token), one error shape. The OpenAPI document is generated from these handlers, so a
//! route cannot be served without being described: `routes()` gives both from one list.
pub mod automations;
pub mod caller;
pub mod conversations;
pub mod docs;
pub mod error;
pub mod instances;
pub mod reports;

use app::{backend::AppState, domain::error::FieldCode};
use axum::{extract::rejection::JsonRejection, Json, Router};
use error::ApiError;
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Insta-Clerky API",
        version = "1",
        description = "Instagram instances, automations, reports and conversations of the key's owner. \
            Every call takes `Authorization: Bearer <API key>` (made on the API page) or a Clerky token. \
            Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`."
    ),
    modifiers(&BearerAuth),
    components(schemas(error::ErrorBody)),
    tags(
        (name = "instances", description = "Connected Instagram accounts"),
        (name = "automations", description = "Keyword and comment automations"),
        (name = "reports", description = "Every interaction and its reply"),
        (name = "conversations", description = "The inbox, and sending DMs by hand"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("An API key (`ick_…`) or a token from Clerky's backend".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The API's routes and the document that describes them.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(instances::list))
        .routes(routes!(instances::get))
        .routes(routes!(instances::stats))
        .routes(routes!(automations::list, automations::create))
        .routes(routes!(automations::get, automations::update, automations::delete))
        .routes(routes!(reports::list))
        .routes(routes!(conversations::list))
        .routes(routes!(conversations::thread))
        .routes(routes!(conversations::send))
        .split_for_parts()
}

/// A JSON body, or the API's 422 when it is not one of ours.
fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(value)| value).map_err(|rejection| {
        let code = match rejection {
            JsonRejection::MissingJsonContentType(_) => FieldCode::JsonContentType,
            _ => FieldCode::InvalidJson,
        };
        ApiError::invalid("body", code)
    })
}
