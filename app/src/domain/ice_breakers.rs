//! Ice breakers: up to four questions Instagram shows a person before their first message; a tap
//! runs the follow-up automation the question points to.
use super::{automation_draft::automation_ref, error::FieldError};
use crate::domain::error::FieldCode;
use crate::domain::id::AutomationId;
use serde::{Deserialize, Serialize};

pub const ICE_BREAKERS_MAX: usize = 4;
pub const QUESTION_MAX_CHARS: usize = 80;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceBreaker {
    pub question: String,
    pub automation_id: AutomationId,
}

/// A row of the form; a blank one is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceBreakerInput {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub automation_id: String,
}

/// The rows as ice breakers, every problem reported on `ice_breakers`.
pub fn parse(rows: &[IceBreakerInput]) -> Result<Vec<IceBreaker>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut breakers = Vec::new();
    for row in rows.iter().filter(|r| !(r.question.trim().is_empty() && r.automation_id.trim().is_empty())) {
        let question = row.question.trim();
        if question.is_empty() || question.chars().count() > QUESTION_MAX_CHARS {
            errors.push(FieldError::new("ice_breakers", FieldCode::QuestionLength));
        } else if let Some(automation_id) = automation_ref(&row.automation_id) {
            breakers.push(IceBreaker { question: question.to_owned(), automation_id });
        } else {
            errors.push(FieldError::new("ice_breakers", FieldCode::FollowUpMissing));
        }
    }
    if breakers.len() > ICE_BREAKERS_MAX {
        errors.push(FieldError::new("ice_breakers", FieldCode::TooManyQuestions));
    }
    if errors.is_empty() {
        Ok(breakers)
    } else {
        errors.dedup();
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: &str = "0192f0c0-0000-7000-8000-000000000001";

    fn row(question: &str, automation_id: &str) -> IceBreakerInput {
        IceBreakerInput { question: question.into(), automation_id: automation_id.into() }
    }

    fn codes(rows: &[IceBreakerInput]) -> Vec<String> {
        parse(rows).err().unwrap_or_default().into_iter().map(|e| e.code.as_str().to_owned()).collect()
    }

    #[test]
    fn questions_point_to_a_follow_up_and_meta_takes_four() {
        let ok =
            parse(&[row(" Quais os preços? ", TARGET), row("", ""), row("Onde fica a loja?", TARGET)]).expect("valid");
        assert_eq!(
            ok.iter().map(|b| b.question.as_str()).collect::<Vec<_>>(),
            ["Quais os preços?", "Onde fica a loja?"]
        );
        assert_eq!(codes(&[row("a".repeat(81).as_str(), TARGET)]), ["question_length"]);
        assert_eq!(codes(&[row("Preços?", "")]), ["follow_up_missing"]);
        assert_eq!(codes(&vec![row("Preços?", TARGET); 5]), ["too_many_questions"]);
        assert_eq!(parse(&[]), Ok(vec![]), "none: the account shows none");
    }
}
