//! What the demo banner links to, under `make run`.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLinks {
    /// The Meta sandbox, which plays Instagram.
    pub sandbox_url: String,
    /// The page showing the e-mail the app sent, when a local catcher receives it.
    pub mail_url: Option<String>,
}
