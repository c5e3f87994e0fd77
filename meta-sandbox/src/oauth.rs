//! Business Login (CONTRACT.md §1) and the token endpoints (§2 to §4).
use crate::{
    accounts::Account,
    errors::{GraphError, TokenEndpointError},
    world::{TokenKind, CODE_LIFETIME, REFRESH_MIN_AGE},
    Sandbox,
};
use axum::{
    extract::{FromRequest, Multipart, Path, Query, Request, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Form, Json,
};
use serde::Deserialize;
use serde_json::json;

const SCOPES: [(&str, &str); 5] = [
    ("instagram_business_basic", "Ver o perfil e as publicações"),
    ("instagram_business_manage_messages", "Ler e responder mensagens diretas"),
    ("instagram_business_manage_comments", "Ler e responder comentários"),
    ("instagram_business_content_publish", "Publicar conteúdo"),
    ("instagram_business_manage_insights", "Ver métricas da conta"),
];

#[derive(Debug, Deserialize)]
pub struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
}

/// A request Meta would accept, with its scopes parsed.
struct ValidAuthorize {
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
}

/// Meta answers a malformed authorize request with its own error page, never a redirect.
fn error_page(reason: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><title>Erro</title></head>\
         <body><h1>Invalid Request</h1><p id=\"error\">{}</p></body></html>",
        escape(reason)
    );
    (StatusCode::BAD_REQUEST, Html(page)).into_response()
}

/// The request as Meta would accept it, or the reason it refuses it.
fn validate(sandbox: &Sandbox, params: &AuthorizeParams) -> Result<ValidAuthorize, String> {
    if params.client_id.as_deref() != Some(sandbox.app.app_id.as_str()) {
        return Err("Invalid platform app".to_owned());
    }
    let redirect_uri = params.redirect_uri.clone().unwrap_or_default();
    if !sandbox.app.redirect_uris.contains(&redirect_uri) {
        return Err("Invalid redirect_uri: it must exactly match a URI registered for the app".to_owned());
    }
    if params.response_type.as_deref() != Some("code") {
        return Err("Invalid response_type: only code is supported".to_owned());
    }
    let scopes: Vec<String> = params
        .scope
        .as_deref()
        .unwrap_or_default()
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(unknown) = scopes.iter().find(|s| !SCOPES.iter().any(|(name, _)| name == s)) {
        return Err(format!("Invalid Scopes: {unknown}"));
    }
    if !scopes.iter().any(|s| s == "instagram_business_basic") {
        return Err("Invalid Scopes: instagram_business_basic is required".to_owned());
    }
    Ok(ValidAuthorize { redirect_uri, scopes, state: params.state.clone() })
}

/// `GET /oauth/authorize`: the consent page, listing the test accounts to log in as.
pub async fn authorize_page(State(sandbox): State<Sandbox>, Query(params): Query<AuthorizeParams>) -> Response {
    let valid = match validate(&sandbox, &params) {
        Ok(valid) => valid,
        Err(reason) => return error_page(&reason),
    };
    let accounts = sandbox.world().accounts.clone();
    Html(consent_page(&sandbox.app.app_id, &valid, &accounts)).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    #[serde(flatten)]
    params: AuthorizeParams,
    decision: String,
    account: Option<String>,
}

/// `POST /oauth/authorize`: Allow redirects with a code, Cancel with Meta's error parameters.
pub async fn decide(State(sandbox): State<Sandbox>, Form(form): Form<Decision>) -> Response {
    let valid = match validate(&sandbox, &form.params) {
        Ok(valid) => valid,
        Err(reason) => return error_page(&reason),
    };
    let mut query: Vec<(&str, String)> = Vec::new();
    if form.decision == "allow" {
        let mut world = sandbox.world();
        let Some(account) = world.accounts.iter().position(|a| Some(a.username.as_str()) == form.account.as_deref())
        else {
            return (StatusCode::BAD_REQUEST, Html("<p id=\"error\">Escolha uma conta.</p>")).into_response();
        };
        query.push(("code", world.issue_code(account, &valid.redirect_uri, valid.scopes.clone())));
    } else {
        query.push(("error", "access_denied".into()));
        query.push(("error_reason", "user_denied".into()));
        query.push(("error_description", "The user denied your request".into()));
    }
    if let Some(state) = valid.state {
        query.push(("state", state));
    }
    let separator = if valid.redirect_uri.contains('?') { '&' } else { '?' };
    let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
    // Meta appends "#_" on success; it never reaches the server.
    let fragment = if form.decision == "allow" { "#_" } else { "" };
    Redirect::to(&format!("{}{separator}{encoded}{fragment}", valid.redirect_uri)).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CodeExchange {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    redirect_uri: Option<String>,
    code: Option<String>,
}

/// `POST /oauth/access_token`: code to short-lived token, in the flat shape real clients receive.
/// The fields come URL-encoded or, as in Meta's curl sample, as multipart form data.
pub async fn exchange_code(State(sandbox): State<Sandbox>, request: Request) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let form = if multipart {
        match Multipart::from_request(request, &()).await {
            Ok(parts) => multipart_fields(parts).await,
            Err(_) => return TokenEndpointError("Invalid multipart body").into_response(),
        }
    } else {
        match Form::<CodeExchange>::from_request(request, &()).await {
            Ok(Form(form)) => Ok(form),
            Err(_) => {
                return TokenEndpointError("Missing client_id, client_secret, grant_type, redirect_uri or code")
                    .into_response()
            }
        }
    };
    let form = match form {
        Ok(form) => form,
        Err(error) => return error.into_response(),
    };
    if form.client_id.as_deref() != Some(sandbox.app.app_id.as_str()) {
        return TokenEndpointError("Invalid platform app").into_response();
    }
    if form.client_secret.as_deref() != Some(sandbox.app.app_secret.as_str()) {
        return TokenEndpointError("Error validating client secret").into_response();
    }
    if form.grant_type.as_deref() != Some("authorization_code") {
        return TokenEndpointError("Invalid grant_type: expected authorization_code").into_response();
    }
    let mut world = sandbox.world();
    let now = world.now();
    let Some(code) = form.code.as_deref().and_then(|c| world.codes.get_mut(c)).filter(|c| !c.used) else {
        return TokenEndpointError("Matching code was not found or was already used").into_response();
    };
    if code.issued_at + CODE_LIFETIME <= now {
        return TokenEndpointError("This authorization code has expired").into_response();
    }
    if form.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        return TokenEndpointError(
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
        )
        .into_response();
    }
    code.used = true;
    let (account, scopes) = (code.account, code.scopes.clone());
    let (token, _) = world.issue_token(account, TokenKind::ShortLived, scopes.clone());
    let user_id = world.accounts[account].login_user_id;
    Json(json!({ "access_token": token, "user_id": user_id, "permissions": scopes })).into_response()
}

async fn multipart_fields(mut parts: Multipart) -> Result<CodeExchange, TokenEndpointError> {
    let mut fields = std::collections::HashMap::new();
    while let Some(field) = parts.next_field().await.map_err(|_| TokenEndpointError("Invalid multipart body"))? {
        let name = field.name().unwrap_or_default().to_owned();
        let value = field.text().await.map_err(|_| TokenEndpointError("Invalid multipart body"))?;
        fields.insert(name, value);
    }
    let mut take = |name: &str| fields.remove(name);
    Ok(CodeExchange {
        client_id: take("client_id"),
        client_secret: take("client_secret"),
        grant_type: take("grant_type"),
        redirect_uri: take("redirect_uri"),
        code: take("code"),
    })
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    grant_type: Option<String>,
    client_secret: Option<String>,
    access_token: Option<String>,
}

/// `GET /access_token?grant_type=ig_exchange_token`: short-lived to long-lived (~60 days).
pub async fn exchange_long_lived(State(sandbox): State<Sandbox>, Query(query): Query<TokenQuery>) -> Response {
    if query.grant_type.as_deref() != Some("ig_exchange_token") {
        return GraphError::invalid_parameter("Unsupported grant_type: expected ig_exchange_token").into_response();
    }
    if query.client_secret.as_deref() != Some(sandbox.app.app_secret.as_str()) {
        return GraphError::new(101, "Error validating client secret.").into_response();
    }
    let mut world = sandbox.world();
    let found = match world.live_token(query.access_token.as_deref()) {
        Ok(token) => token,
        Err(error) => return error.into_response(),
    };
    if found.kind != TokenKind::ShortLived {
        return GraphError::invalid_parameter("Unsupported request: the token is already long-lived").into_response();
    }
    let (token, expires_in) = world.issue_token(found.account, TokenKind::LongLived, found.scopes);
    Json(json!({ "access_token": token, "token_type": "bearer", "expires_in": expires_in })).into_response()
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token`: only for a long-lived token at least
/// 24 hours old and not expired; the old token stays valid until its own expiry.
pub async fn refresh(State(sandbox): State<Sandbox>, Query(query): Query<TokenQuery>) -> Response {
    if query.grant_type.as_deref() != Some("ig_refresh_token") {
        return GraphError::invalid_parameter("Unsupported grant_type: expected ig_refresh_token").into_response();
    }
    let mut world = sandbox.world();
    let found = match world.live_token(query.access_token.as_deref()) {
        Ok(token) => token,
        Err(error) => return error.into_response(),
    };
    if found.kind != TokenKind::LongLived {
        return GraphError::invalid_parameter("Only long-lived tokens can be refreshed").into_response();
    }
    if world.now() - found.issued_at < REFRESH_MIN_AGE {
        return GraphError::invalid_parameter("The access token must be at least 24 hours old to be refreshed")
            .into_response();
    }
    if !found.scopes.iter().any(|s| s == "instagram_business_basic") {
        return GraphError::new(10, "Permission instagram_business_basic is required to refresh").into_response();
    }
    let (token, expires_in) = world.issue_token(found.account, TokenKind::LongLived, found.scopes);
    Json(json!({ "access_token": token, "token_type": "bearer", "expires_in": expires_in })).into_response()
}

pub async fn exchange_long_lived_versioned(
    state: State<Sandbox>,
    Path(version): Path<String>,
    query: Query<TokenQuery>,
) -> Response {
    match crate::graph::check_version(&version) {
        Ok(()) => exchange_long_lived(state, query).await,
        Err(error) => error.into_response(),
    }
}

pub async fn refresh_versioned(
    state: State<Sandbox>,
    Path(version): Path<String>,
    query: Query<TokenQuery>,
) -> Response {
    match crate::graph::check_version(&version) {
        Ok(()) => refresh(state, query).await,
        Err(error) => error.into_response(),
    }
}

fn consent_page(app_id: &str, request: &ValidAuthorize, accounts: &[Account]) -> String {
    let hidden =
        |name: &str, value: &str| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value));
    let permissions: String = SCOPES
        .iter()
        .filter(|(name, _)| request.scopes.iter().any(|s| s == name))
        .map(|(name, label)| format!("<li><code>{name}</code> — {label}</li>"))
        .collect();
    // Load runs create thousands of accounts: the page shows the test accounts and the newest
    // others (any can be chosen by username in the form Meta would post).
    let seeded = accounts.len().min(3);
    let choices: String = accounts[..seeded]
        .iter()
        .chain(accounts[seeded..].iter().rev().take(17))
        .enumerate()
        .map(|(i, account)| {
            let media: String = account
                .media
                .iter()
                .map(|m| {
                    let kind = if m.media_product_type == "REELS" { "Reel" } else { "Post" };
                    format!("<li>{kind}: {}</li>", escape(&m.caption))
                })
                .collect();
            format!(
                "<label class=\"account\"><input type=\"radio\" name=\"account\" value=\"{user}\"{checked}>\
                 <img class=\"avatar\" src=\"/_sandbox/pictures/{user}.svg\" alt=\"\" width=\"40\" height=\"40\">\
                 <span><strong>@{user}</strong> · {name}<br><small>{followers} seguidores · {kind}</small>\
                 <ul class=\"media\">{media}</ul></span></label>",
                user = escape(&account.username),
                checked = if i == 0 { " checked" } else { "" },
                name = escape(&account.name),
                followers = account.followers_count,
                kind = escape(&account.account_type),
            )
        })
        .collect();
    format!(
        r#"<!doctype html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Instagram (sandbox) · Autorizar</title>
<style>
body{{font-family:system-ui,sans-serif;background:#fafafa;color:#262626;margin:0;padding:2rem 1rem}}
main{{max-width:32rem;margin:auto;background:#fff;border:1px solid #dbdbdb;border-radius:12px;padding:1.5rem}}
.account{{display:flex;gap:.75rem;align-items:flex-start;padding:.75rem;border:1px solid #dbdbdb;border-radius:8px;margin:.5rem 0;cursor:pointer}}
.avatar{{width:2.5rem;height:2.5rem;border-radius:50%}}
.media{{margin:.25rem 0 0;padding-left:1rem;font-size:.85rem;color:#737373}}
.actions{{display:flex;gap:.75rem;margin-top:1rem}} button{{flex:1;padding:.7rem;border-radius:8px;border:0;font:inherit;font-weight:600;cursor:pointer}}
.allow{{background:#0095f6;color:#fff}} .cancel{{background:#efefef}} .note{{color:#737373;font-size:.85rem}}
</style></head>
<body><main>
<h1>Instagram</h1>
<p>O app <strong>{app_id}</strong> quer acessar sua conta profissional:</p>
<ul class="permissions">{permissions}</ul>
<form method="post" action="/oauth/authorize">
{client_id}{redirect_uri}{response_type}{scope}{state}
<fieldset><legend>Entrar como</legend>{choices}</fieldset>
<div class="actions">
<button class="cancel" type="submit" name="decision" value="cancel">Cancelar</button>
<button class="allow" type="submit" name="decision" value="allow">Permitir</button>
</div>
</form>
<p class="note">Sandbox local do Insta-Clerky: nenhuma conta real do Instagram é usada.</p>
</main></body></html>"#,
        app_id = escape(app_id),
        client_id = hidden("client_id", app_id),
        redirect_uri = hidden("redirect_uri", &request.redirect_uri),
        response_type = hidden("response_type", "code"),
        scope = hidden("scope", &request.scopes.join(",")),
        state = request.state.as_deref().map(|s| hidden("state", s)).unwrap_or_default(),
    )
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
