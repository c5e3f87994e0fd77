//! Acknowledging deliveries. Each webhook request hands its verified body here and waits; a few
//! committer tasks store whatever arrived meanwhile with one multi-row insert and one commit, then
//! answer every request of the batch. Under load a commit carries hundreds of deliveries; when
//! quiet, one, with no added wait.
use crate::backend::store::access::System;
use crate::backend::store::{
    pg::deliveries::{self, Received},
    StoreError,
};
use axum::body::Bytes;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex, Notify};
use uuid::Uuid;

/// Deliveries per commit at most, and their total size.
const BATCH: usize = 1000;
const BATCH_BYTES: usize = 16 * 1024 * 1024;

struct Request {
    instance_name: Option<String>,
    body: Bytes,
    signature: String,
    done: oneshot::Sender<Result<Uuid, String>>,
}

#[derive(Debug, thiserror::Error)]
#[error("delivery not stored: {0}")]
pub struct AcceptError(String);

#[derive(Clone)]
pub struct Acceptor {
    queue: mpsc::Sender<Request>,
}

impl Acceptor {
    /// Starts `committers` committers on `pg`; `stored` is told after each commit. A batch's
    /// first delivery waits `gather` for others to join it.
    pub fn spawn(pg: PgPool, stored: Arc<Notify>, committers: u32, gather: std::time::Duration) -> Self {
        let (queue, receiver) = mpsc::channel(BATCH * 8);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..committers.max(1) {
            tokio::spawn(commit_batches(pg.clone(), receiver.clone(), stored.clone(), gather));
        }
        Self { queue }
    }

    /// Stores the delivery durably (its transaction committed) and returns its id.
    pub async fn accept(&self, instance_name: Option<&str>, body: Bytes, signature: &str) -> Result<Uuid, AcceptError> {
        let (done, answer) = oneshot::channel();
        let request =
            Request { instance_name: instance_name.map(str::to_owned), body, signature: signature.to_owned(), done };
        self.queue.send(request).await.map_err(|_| AcceptError("the acceptor stopped".into()))?;
        answer.await.map_err(|_| AcceptError("the acceptor stopped".into()))?.map_err(AcceptError)
    }
}

async fn commit_batches(
    pg: PgPool,
    receiver: Arc<Mutex<mpsc::Receiver<Request>>>,
    stored: Arc<Notify>,
    gather: std::time::Duration,
) {
    loop {
        let batch = {
            let mut receiver = receiver.lock().await;
            let Some(first) = receiver.recv().await else { return };
            if !gather.is_zero() {
                tokio::time::sleep(gather).await;
            }
            let mut bytes = first.body.len();
            let mut batch = vec![first];
            while batch.len() < BATCH && bytes < BATCH_BYTES {
                match receiver.try_recv() {
                    Ok(request) => {
                        bytes += request.body.len();
                        batch.push(request);
                    }
                    Err(_) => break,
                }
            }
            batch
        };
        let outcome = store(&pg, &batch).await;
        if outcome.is_ok() {
            stored.notify_one();
        }
        match outcome {
            Ok(ids) => {
                for (request, id) in batch.into_iter().zip(ids) {
                    // The caller may have gone (Meta timed out): the delivery is stored anyway.
                    let _ = request.done.send(Ok(id));
                }
            }
            Err(error) => {
                let message = error.to_string();
                for request in batch {
                    let _ = request.done.send(Err(message.clone()));
                }
            }
        }
    }
}

async fn store(pg: &PgPool, batch: &[Request]) -> Result<Vec<Uuid>, StoreError> {
    let received: Vec<Received> = batch
        .iter()
        .map(|r| Received { instance_name: r.instance_name.as_deref(), body: &r.body, signature: &r.signature })
        .collect();
    let mut tx = pg.begin().await?;
    let ids = deliveries::store_many(&mut tx, &System::ACTING, &received).await?;
    tx.commit().await?;
    Ok(ids)
}
