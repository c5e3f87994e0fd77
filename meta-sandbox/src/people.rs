//! Instagram users who act as followers: they DM the test accounts and comment on their media.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Person {
    /// The person's Instagram-scoped id (IGSID), as the test accounts see them.
    pub igsid: String,
    pub username: String,
}

pub fn seed() -> Vec<Person> {
    [("1254477777772919", "cliente.fiel"), ("990000000000002", "outra.cliente"), ("1254477777770001", "maria.souza")]
        .into_iter()
        .map(|(igsid, username)| Person { igsid: igsid.into(), username: username.into() })
        .collect()
}

/// A new person with a fresh IGSID (15 to 17 digits, as Meta's).
pub fn new_person(username: &str, existing: usize) -> Person {
    Person {
        igsid: format!("12544{:010}", 7_000_000_000_u64 + u64::try_from(existing).unwrap_or(0)),
        username: username.into(),
    }
}
