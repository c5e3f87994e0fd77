//! `X-Hub-Signature-256` on webhook deliveries (CONTRACT.md §9): HMAC-SHA256 of the raw body, as
//! `sha256=<hex>`. Checked on Meta's deliveries; made for the leads the app sends to the CRM.
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};

/// True when `header` (`sha256=<hex>`) is the HMAC of `body` under one of `secrets`. The
/// comparison is constant-time (`verify_slice`); the body is never re-serialised.
pub fn verify(secrets: &[SecretString], header: &str, body: &[u8]) -> bool {
    let Some(digest) = header.trim().strip_prefix("sha256=").and_then(decode_hex) else { return false };
    secrets.iter().any(|secret| {
        Hmac::<sha2::Sha256>::new_from_slice(secret.expose_secret().as_bytes())
            .map(|mut mac| {
                mac.update(body);
                mac.verify_slice(&digest).is_ok()
            })
            .unwrap_or(false)
    })
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(list: &[&str]) -> Vec<SecretString> {
        list.iter().map(|s| SecretString::from((*s).to_owned())).collect()
    }

    // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a published test vector.
    const BODY: &[u8] = b"The quick brown fox jumps over the lazy dog";
    const GOOD: &str = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";

    #[test]
    fn the_right_secret_verifies_and_any_change_fails() {
        assert!(verify(&secrets(&["key"]), GOOD, BODY));
        assert!(verify(&secrets(&["other", "key"]), GOOD, BODY), "any configured secret may sign");
        assert!(!verify(&secrets(&["other"]), GOOD, BODY));
        assert!(!verify(&secrets(&["key"]), GOOD, b"The quick brown fox jumps over the lazy cat"));
        assert!(!verify(&secrets(&["key"]), &GOOD.replace("sha256=", "sha1="), BODY));
        assert!(!verify(&secrets(&["key"]), "sha256=zz", BODY));
        assert!(!verify(&secrets(&["key"]), "", BODY));
    }

    #[test]
    fn what_is_signed_verifies() {
        assert_eq!(sign("key", BODY), GOOD);
        assert!(verify(&secrets(&["key"]), &sign("key", b"{}"), b"{}"));
    }
}
