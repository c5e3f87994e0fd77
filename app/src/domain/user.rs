//! Accounts as the UI sees them, and the rules for what a person may type when signing up.
use super::error::FieldError;
use crate::domain::error::FieldCode;
use crate::domain::id::UserId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

/// The signed-in person, as the pages need it. Never carries the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub premium: bool,
    /// How many instances this account may connect; `None` means no limit (premium).
    pub instance_quota: Option<i32>,
}

impl UserView {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A row of the admin's user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub premium: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// An email address, trimmed and lower-cased so one person cannot hold two accounts by case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(FieldError::new("email", FieldCode::Required));
        }
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    && !domain.ends_with('.') && !domain.contains('@'));
        if valid {
            Ok(Self(email))
        } else {
            Err(FieldError::new("email", FieldCode::InvalidEmail))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Checks a new password's length; the hash is made on the server.
pub fn check_new_password(raw: &str) -> Result<(), FieldError> {
    match raw.chars().count() {
        0 => Err(FieldError::new("password", FieldCode::Required)),
        n if n < PASSWORD_MIN => Err(FieldError::new("password", FieldCode::TooShort)),
        n if n > PASSWORD_MAX => Err(FieldError::new("password", FieldCode::TooLong)),
        _ => Ok(()),
    }
}

/// A display name: trimmed, 1 to 80 characters.
pub fn parse_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(FieldError::new("name", FieldCode::Required)),
        1..=80 => Ok(name.to_owned()),
        _ => Err(FieldError::new("name", FieldCode::TooLong)),
    }
}

/// A validated sign-up form.
#[derive(Clone, Debug)]
pub struct SignUp {
    pub email: Email,
    pub name: String,
    pub password: String,
}

impl SignUp {
    /// Collects every field's error at once, so the form shows them all together.
    pub fn parse(email: &str, name: &str, password: &str) -> Result<Self, Vec<FieldError>> {
        let email = Email::parse(email);
        let name = parse_name(name);
        let password_check = check_new_password(password);
        match (email, name, password_check) {
            (Ok(email), Ok(name), Ok(())) => Ok(Self { email, name, password: password.to_owned() }),
            (email, name, password) => Err([email.err(), name.err(), password.err()].into_iter().flatten().collect()),
        }
    }
}

/// A path of this site to return to, so a `next` parameter cannot send people elsewhere.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/instances".to_owned(),
    }
}

/// Where to go after signing in: a local path, but never back to the sign-in or sign-up page.
pub fn safe_next(next: Option<&str>) -> String {
    let path = local_path(next);
    if path.starts_with("/sign-") {
        "/instances".to_owned()
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_folded_and_checked() {
        assert_eq!(Email::parse("  Ana@Loja.COM.br ").map(|e| e.0), Ok("ana@loja.com.br".to_owned()));
        for bad in ["ana", "ana@", "@loja.com", "ana@loja", "a na@loja.com", "ana@@loja.com", "ana@.com"] {
            assert_eq!(Email::parse(bad), Err(FieldError::new("email", FieldCode::InvalidEmail)), "{bad}");
        }
        assert_eq!(Email::parse("  "), Err(FieldError::new("email", FieldCode::Required)));
    }

    #[test]
    fn sign_up_reports_every_bad_field() {
        let errors = SignUp::parse("x", "", "short").err().unwrap_or_default();
        let codes: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(codes, [("email", "invalid_email"), ("name", "required"), ("password", "too_short")]);
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        assert!(check_new_password("çççççççç").is_ok());
        assert!(check_new_password(&"a".repeat(PASSWORD_MAX + 1)).is_err());
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/reports?type=dm")), "/reports?type=dm");
        for bad in ["https://evil.example", "//evil.example", "/\\evil", "/sign-in", "reports"] {
            assert_eq!(safe_next(Some(bad)), "/instances", "{bad}");
        }
        assert_eq!(safe_next(None), "/instances");
        assert_eq!(local_path(Some("/sign-up")), "/sign-up");
    }
}
