//! Identifiers shaped like Meta's (CONTRACT.md §0, "Identifiers").
use base64::{engine::general_purpose::STANDARD, Engine};
use rand::Rng;

const MID_PREFIX: &str = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE";

/// A message id embedding the business's IG_ID, as real mids do; `=` padding is written `ZD`.
pub fn mid(ig_id: &str) -> String {
    let mut rng = rand::thread_rng();
    let thread: String = (0..39).map(|_| char::from(b'0' + rng.gen_range(0..10))).collect();
    let item: String = (0..35).map(|_| char::from(b'0' + rng.gen_range(0..10))).collect();
    let encoded = STANDARD.encode(format!(":{ig_id}:{thread}:{item}"));
    format!("{MID_PREFIX}{}", encoded.replace('=', "ZD"))
}

/// A 17-digit comment or media id starting with 17 or 18.
pub fn object_id() -> String {
    let mut rng = rand::thread_rng();
    format!("178{:014}", rng.gen_range(0..100_000_000_000_000_u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mids_embed_the_account_and_look_like_metas() {
        let mid = mid("17841405822304914");
        assert!(mid.starts_with(MID_PREFIX));
        assert!(!mid.contains('='));
        let mut body = mid.trim_start_matches(MID_PREFIX).to_owned();
        while let Some(rest) = body.strip_suffix("ZD") {
            body = rest.to_owned();
        }
        let padding = (4 - body.len() % 4) % 4;
        let body = format!("{body}{}", "=".repeat(padding));
        let decoded = String::from_utf8(STANDARD.decode(body).expect("base64")).expect("utf8");
        assert!(decoded.starts_with(":17841405822304914:"), "{decoded}");
        assert_eq!(object_id().len(), 17);
    }
}
