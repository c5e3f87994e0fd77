//! The browser's rules for this site: the Content-Security-Policy each page is served with (its
//! inline scripts carry the render's nonce; everything else comes from this origin), and the
//! session cookie's name.
use super::config::Config;

/// The policy of a rendered page. Scripts run only with the render's nonce (and what they load,
/// `'strict-dynamic'`), the WASM may compile, and nothing may frame the app. Forms may also go to
/// Meta's authorize page (connecting an instance is a form that redirects there), and images
/// come from Meta's CDN (profile pictures).
pub fn page_policy(config: &Config, nonce: &str) -> String {
    let mut meta_origins: Vec<String> =
        [&config.meta.authorize_url, &config.meta.api_base_url, &config.meta.graph_base_url]
            .into_iter()
            .filter_map(|url| origin(url))
            .collect();
    // The sandbox serves all three from one origin.
    meta_origins.sort_unstable();
    meta_origins.dedup();
    let meta_origins = meta_origins.join(" ");
    let socket = origin(&config.public_url).map(|o| o.replacen("http", "ws", 1)).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: https: {meta_origins}; connect-src 'self' {socket}; \
         form-action 'self' {meta_origins}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// The policy of everything that is not a page (JSON, CSV, files): nothing runs, nothing frames.
pub const NON_PAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// `scheme://host[:port]` of a URL.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

/// The session cookie's name: with the `__Host-` prefix on https, which the browser accepts only
/// when Secure, for `/` and without a Domain, so no subdomain can plant or override it.
pub fn session_cookie_name(config: &Config) -> &'static str {
    if config.secure_cookies() {
        "__Host-ic_session"
    } else {
        "ic_session"
    }
}

/// `N` random bytes from the operating system, URL-safe base64 without padding: the tokens and
/// secrets the app hands out (sessions, OAuth states, e-mail links, API keys, lead secrets).
pub fn random_token<const N: usize>() -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    use rand::RngCore;
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares secrets in time that does not depend on where they first differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origins_drop_paths_and_queries() {
        assert_eq!(origin("https://www.instagram.com/oauth/authorize").as_deref(), Some("https://www.instagram.com"));
        assert_eq!(origin("http://127.0.0.1:3100?x=1").as_deref(), Some("http://127.0.0.1:3100"));
        assert_eq!(origin("nonsense"), None);
    }
}
