//! A stand-in for Clerky's CRM, so the leads webhook can be seen working without Clerky: it takes
//! what the app posts to `/_sandbox/crm/leads`, keeps it (with the signature headers), and lists
//! it as JSON and on a page. `/_sandbox/crm/fail` makes it refuse the next N posts with a 500, for
//! tests of the app's retries.
use crate::{oauth::escape, Sandbox};
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the receiver holds: every post it accepted, and how many more to refuse.
#[derive(Default)]
pub struct Receiver {
    received: Vec<Received>,
    refuse_next: u32,
    refused: u32,
}

#[derive(Clone, Serialize)]
struct Received {
    at_ms: i64,
    event: Option<String>,
    delivery: Option<String>,
    signature: Option<String>,
    body: Value,
}

/// Posts kept at most.
const KEPT: usize = 1000;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/crm/leads", post(receive).get(list))
        .route("/_sandbox/crm/fail", post(fail))
        .route("/_sandbox/crm", get(page))
}

async fn receive(State(sandbox): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let at_ms = sandbox.world().now_ms();
    let mut crm = sandbox.crm();
    if crm.refuse_next > 0 {
        crm.refuse_next -= 1;
        crm.refused += 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, "the CRM is down (sandbox fault)").into_response();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if crm.received.len() >= KEPT {
        crm.received.remove(0);
    }
    crm.received.push(Received {
        at_ms,
        event: header("x-insta-clerky-event"),
        delivery: header("x-insta-clerky-delivery"),
        signature: header("x-insta-clerky-signature"),
        body,
    });
    StatusCode::NO_CONTENT.into_response()
}

async fn list(State(sandbox): State<Sandbox>) -> Json<Value> {
    let crm = sandbox.crm();
    Json(serde_json::json!({ "received": crm.received, "refused": crm.refused }))
}

#[derive(Deserialize)]
struct Fail {
    times: u32,
}

async fn fail(State(sandbox): State<Sandbox>, Json(fail): Json<Fail>) -> StatusCode {
    sandbox.crm().refuse_next = fail.times;
    StatusCode::NO_CONTENT
}

/// The leads as a CRM would show them: one card per lead, its additions under it.
async fn page(State(sandbox): State<Sandbox>) -> Html<String> {
    let crm = sandbox.crm();
    let mut leads: Vec<(String, Vec<&Received>)> = Vec::new();
    for post in &crm.received {
        let id = post.body["lead_id"].as_str().unwrap_or_default().to_owned();
        match leads.iter_mut().find(|(lead, _)| *lead == id) {
            Some((_, posts)) => posts.push(post),
            None => leads.push((id, vec![post])),
        }
    }
    let cards: String = leads
        .iter()
        .rev()
        .map(|(_, posts)| {
            let first = &posts[0].body;
            let items: String = posts
                .iter()
                .map(|p| {
                    format!(
                        "<li><small>{} · {}</small><br>{}</li>",
                        escape(p.event.as_deref().unwrap_or("?")),
                        escape(p.body["message"]["channel"].as_str().unwrap_or("")),
                        escape(p.body["message"]["text"].as_str().unwrap_or("(sem texto)")),
                    )
                })
                .collect();
            format!(
                "<section><h2>{}</h2><p><small>{} · assinatura {}</small></p><ul>{items}</ul></section>",
                escape(first["title"].as_str().unwrap_or("Lead")),
                escape(first["instance"]["username"].as_str().map(|u| format!("@{u}")).as_deref().unwrap_or("")),
                escape(posts[0].signature.as_deref().map(|s| &s[..s.len().min(19)]).unwrap_or("nenhuma")),
            )
        })
        .collect();
    let empty = if leads.is_empty() { "<p>Nenhum lead recebido ainda.</p>" } else { "" };
    Html(format!(
        "<!DOCTYPE html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>CRM de teste</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#262626}}\
section{{border:1px solid #dbdbdb;border-radius:8px;padding:0.5rem 1rem;margin:0.75rem 0}}h2{{font-size:1.05rem}}\
li{{margin:0.35rem 0}}small{{color:#737373}}</style></head><body><h1>CRM de teste (sandbox)</h1>\
<p>O que o Insta-Clerky enviou a <code>/_sandbox/crm/leads</code>: um cartão por lead, as adições embaixo. \
Recusadas de propósito: {}.</p>{empty}{cards}</body></html>",
        crm.refused
    ))
}
