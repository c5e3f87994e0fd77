//! Instagram tokens at rest: AES-256-GCM with a random 96-bit nonce, the instance id as associated
//! data (a ciphertext copied onto another instance does not decrypt), and the key id stored beside
//! the ciphertext so keys can be rotated: `{key id}:{base64(nonce ‖ ciphertext)}`.
use super::config::TokenKeys;
use aes_gcm::{
    aead::{Aead, KeyInit, OsRng, Payload},
    AeadCore, Aes256Gcm, Key, Nonce,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use secrecy::{ExposeSecret, SecretString};

/// A secret as it rests in the databases: only [`seal`] makes one from a secret, and the stores
/// take nothing else where a token or a signing secret is kept, so none is stored in clear.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct Sealed(String);

impl Sealed {
    /// What a store read back from where it keeps sealed secrets.
    pub fn stored(text: String) -> Self {
        Self(text)
    }

    /// The text the stores write.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the stored token names key {0:?}, which is not configured")]
    UnknownKey(String),
    #[error("the stored token is malformed or was not encrypted for this instance")]
    Corrupt,
}

/// Encrypts `token` for `instance_id` with the first (active) key.
pub fn seal(keys: &TokenKeys, instance_id: &str, token: &SecretString) -> Result<Sealed, CryptoError> {
    let (id, key) = keys.keys.first().ok_or_else(|| CryptoError::UnknownKey(String::new()))?;
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ciphertext = cipher
        .encrypt(&nonce, Payload { msg: token.expose_secret().as_bytes(), aad: instance_id.as_bytes() })
        .map_err(|_| CryptoError::Corrupt)?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&ciphertext);
    Ok(Sealed(format!("{id}:{}", STANDARD.encode(sealed))))
}

/// Decrypts what `seal` produced for the same instance, with whichever configured key it names.
pub fn open(keys: &TokenKeys, instance_id: &str, sealed: &Sealed) -> Result<SecretString, CryptoError> {
    let (id, data) = sealed.0.split_once(':').ok_or(CryptoError::Corrupt)?;
    let (_, key) = keys.keys.iter().find(|(kid, _)| kid == id).ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))?;
    let bytes = STANDARD.decode(data).map_err(|_| CryptoError::Corrupt)?;
    if bytes.len() < 12 {
        return Err(CryptoError::Corrupt);
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let plain = cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: instance_id.as_bytes() })
        .map_err(|_| CryptoError::Corrupt)?;
    String::from_utf8(plain).map(SecretString::from).map_err(|_| CryptoError::Corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ids: &[(&str, u8)]) -> TokenKeys {
        TokenKeys { keys: ids.iter().map(|(id, byte)| ((*id).to_owned(), [*byte; 32])).collect() }
    }

    const TOKEN: &str = "IGAARsecretlonglivedtoken1234567890";

    #[test]
    fn a_sealed_token_opens_only_for_its_instance_and_never_shows_the_token() {
        let keys = keys(&[("k1", 7)]);
        let token = SecretString::from(TOKEN);
        let sealed = seal(&keys, "inst-a", &token).expect("seal");
        assert!(sealed.as_str().starts_with("k1:"));
        assert!(!sealed.as_str().contains(TOKEN) && !sealed.as_str().contains("IGAA"));
        assert_eq!(open(&keys, "inst-a", &sealed).expect("open").expose_secret(), TOKEN);
        assert_eq!(open(&keys, "inst-b", &sealed).err(), Some(CryptoError::Corrupt));
        assert_ne!(seal(&keys, "inst-a", &token).expect("seal"), sealed, "a fresh nonce every time");
    }

    #[test]
    fn rotation_keeps_old_tokens_readable_and_seals_with_the_new_key() {
        let old = keys(&[("k1", 7)]);
        let sealed_old = seal(&old, "i", &SecretString::from(TOKEN)).expect("seal");
        let rotated = keys(&[("k2", 9), ("k1", 7)]);
        assert_eq!(open(&rotated, "i", &sealed_old).expect("open").expose_secret(), TOKEN);
        assert!(seal(&rotated, "i", &SecretString::from(TOKEN)).expect("seal").as_str().starts_with("k2:"));
        let retired = keys(&[("k2", 9)]);
        assert_eq!(open(&retired, "i", &sealed_old).err(), Some(CryptoError::UnknownKey("k1".into())));
    }

    #[test]
    fn tampering_is_detected() {
        let keys = keys(&[("k1", 7)]);
        let sealed = seal(&keys, "i", &SecretString::from(TOKEN)).expect("seal");
        let mut bytes = STANDARD.decode(&sealed.as_str()[3..]).expect("base64");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = Sealed::stored(format!("k1:{}", STANDARD.encode(bytes)));
        assert_eq!(open(&keys, "i", &tampered).err(), Some(CryptoError::Corrupt));
        assert_eq!(open(&keys, "i", &Sealed::stored("k1:AAAA".into())).err(), Some(CryptoError::Corrupt));
    }
}
