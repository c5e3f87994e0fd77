//! `/api/v1/openapi.json` and `/api/v1/docs`: the document, and a page that reads it, rendered
//! here from the same document (no script, no CDN: it works offline and under our CSP).
use app::backend::AppState;
use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{Html, IntoResponse, Response},
};
use serde_json::Value;
use std::{fmt::Write, sync::LazyLock};

/// The document, serialised once.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| serde_json::to_value(super::routes().1).unwrap_or(Value::Null));

pub fn document() -> &'static Value {
    &DOCUMENT
}

pub async fn openapi_json() -> Response {
    axum::Json(document()).into_response()
}

pub async fn page(State(state): State<AppState>) -> Response {
    let css = format!("/{}/{}.css", state.leptos.site_pkg_dir, state.leptos.output_name);
    let mut response = Html(render(document(), &css)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    response
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `{"$ref": "#/components/schemas/X"}` as `X`, arrays as `[X]`, plain types by name.
fn type_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    if let Some(items) = schema.get("items") {
        return format!("[{}]", type_name(items));
    }
    for combined in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(combined).and_then(Value::as_array) {
            return options.iter().map(type_name).collect::<Vec<_>>().join(" | ");
        }
    }
    match schema.get("type") {
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        Some(Value::String(kind)) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{kind} ({format})"),
            None => kind.clone(),
        },
        _ if schema.get("enum").is_some() => "enum".to_owned(),
        _ => "object".to_owned(),
    }
}

fn render(doc: &Value, css: &str) -> String {
    let info = &doc["info"];
    let title = esc(info["title"].as_str().unwrap_or("API"));
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"{css}\">\
         </head><body><main class=\"content api-docs\"><div class=\"page-head\"><h1>{title} v{}</h1>\
         <a href=\"/api/v1/openapi.json\">openapi.json</a></div><p>{}</p>",
        esc(info["version"].as_str().unwrap_or("")),
        esc(info["description"].as_str().unwrap_or("")),
    );
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for tag in doc["tags"].as_array().cloned().unwrap_or_default() {
        let name = tag["name"].as_str().unwrap_or_default();
        let _ = write!(
            html,
            "<section class=\"card\"><h2 id=\"{0}\">{0}</h2><p class=\"muted\">{1}</p>",
            esc(name),
            esc(tag["description"].as_str().unwrap_or(""))
        );
        for (path, item) in &paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let tagged = operation["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == name));
                if tagged {
                    operation_html(&mut html, method, path, operation);
                }
            }
        }
        html.push_str("</section>");
    }
    html.push_str("<section class=\"card\"><h2 id=\"schemas\">Schemas</h2>");
    for (name, schema) in doc["components"]["schemas"].as_object().into_iter().flatten() {
        let _ = write!(html, "<h3 id=\"schema-{0}\">{0}</h3>", esc(name));
        if let Some(description) = schema["description"].as_str() {
            let _ = write!(html, "<p>{}</p>", esc(description));
        }
        match schema["properties"].as_object() {
            Some(properties) => {
                let required: Vec<&str> =
                    schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                html.push_str(
                    "<div class=\"table-scroll\"><table><thead><tr><th>field</th><th>type</th><th>about</th></tr></thead><tbody>",
                );
                for (field, property) in properties {
                    let mark = if required.contains(&field.as_str()) { " *" } else { "" };
                    let _ = write!(
                        html,
                        "<tr><td><code>{}</code>{mark}</td><td>{}</td><td>{}</td></tr>",
                        esc(field),
                        esc(&type_name(property)),
                        esc(property["description"].as_str().unwrap_or(""))
                    );
                }
                html.push_str("</tbody></table></div>");
            }
            None => {
                let _ = write!(html, "<p><code>{}</code></p>", esc(&type_name(schema)));
                if let Some(values) = schema["enum"].as_array() {
                    let values: Vec<String> = values.iter().map(|v| esc(&v.to_string())).collect();
                    let _ = write!(html, "<p>{}</p>", values.join(", "));
                }
            }
        }
    }
    html.push_str("<p class=\"muted\">* required</p></section></main></body></html>");
    html
}

fn operation_html(html: &mut String, method: &str, path: &str, operation: &Value) {
    let _ = write!(
        html,
        "<article class=\"api-operation\"><h3><code>{} {}</code></h3><p><strong>{}</strong></p><p>{}</p>",
        method.to_uppercase(),
        esc(path),
        esc(operation["summary"].as_str().unwrap_or("")),
        esc(operation["description"].as_str().unwrap_or("")),
    );
    if let Some(parameters) = operation["parameters"].as_array().filter(|p| !p.is_empty()) {
        html.push_str("<div class=\"table-scroll\"><table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>about</th></tr></thead><tbody>");
        for parameter in parameters {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(parameter["name"].as_str().unwrap_or("")),
                esc(parameter["in"].as_str().unwrap_or("")),
                esc(&type_name(&parameter["schema"])),
                esc(parameter["description"].as_str().unwrap_or("")),
            );
        }
        html.push_str("</tbody></table></div>");
    }
    if let Some(body) = operation["requestBody"]["content"]["application/json"]["schema"].as_object() {
        let _ = write!(html, "<p>Body: <code>{}</code></p>", esc(&type_name(&Value::Object(body.clone()))));
    }
    html.push_str("<ul>");
    for (status, response) in operation["responses"].as_object().into_iter().flatten() {
        let schema = &response["content"]["application/json"]["schema"];
        let body = if schema.is_null() { String::new() } else { format!(" <code>{}</code>", esc(&type_name(schema))) };
        let _ = write!(
            html,
            "<li><code>{}</code> {}{body}</li>",
            esc(status),
            esc(response["description"].as_str().unwrap_or(""))
        );
    }
    html.push_str("</ul></article>");
}
