//! Argon2id password hashes, computed off the async runtime, a few at a time: each takes a core
//! and 19 MiB for tens of milliseconds, so a burst of sign-ins or sign-ups queues for the cores
//! instead of filling the blocking pool and the memory.
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::{sync::OnceLock, time::Duration};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes computed at once in this process.
const CONCURRENT_HASHES: usize = 2;
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);
/// A request that cannot start its hash in this long is refused as busy.
const QUEUE_WAIT: Duration = Duration::from_secs(10);

async fn turn() -> Result<tokio::sync::SemaphorePermit<'static>, HashError> {
    match tokio::time::timeout(QUEUE_WAIT, HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(HashError("too many passwords are being checked".into())),
    }
}

pub async fn hash(password: String) -> Result<String, HashError> {
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
    .map_err(|e| HashError(e.to_string()))
}

/// Checks `password` against `stored`; with no stored hash (unknown account) it still spends the
/// same time on a dummy hash, so response times do not reveal which emails have accounts.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(_turn) = turn().await else { return false };
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&stored)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(b"not a real password", &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let stored = hash("correct horse".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse".into(), Some(stored)).await);
        assert!(!verify("not a real password".into(), None).await);
    }

    #[tokio::test]
    async fn no_more_than_a_few_hashes_run_at_once() {
        let running = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks = (0..8).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            tokio::spawn(async move {
                let _turn = turn().await.expect("a turn");
                let now = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            })
        });
        for task in tasks.collect::<Vec<_>>() {
            task.await.expect("task");
        }
        // At most the cap (another test may hold a turn meanwhile), never all eight.
        assert!((1..=CONCURRENT_HASHES).contains(&most.load(std::sync::atomic::Ordering::SeqCst)));
    }
}
