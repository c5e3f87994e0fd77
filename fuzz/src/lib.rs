//! Generated inputs for the code that reads what strangers send: the webhook path (the signature
//! check over the raw body, the JSON, the event parser) and the report filter and CSV code. Each
//! input is a mutation of a real one (Meta's payloads from CONTRACT.md, the page's own query
//! strings, report rows with hostile text); each run checks that nothing panics and that the
//! properties hold: a body verifies only with its own signature, a filter that parses round-trips
//! through its query string and its range never overflows, a CSV record reads back as written.
use app::{
    backend::{meta::events, meta::signature, reports},
    domain::{
        automation::AutomationKind,
        report::{ReportFilter, ReportRow},
    },
};
use secrecy::SecretString;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What a run tried and what it found.
#[derive(Debug, Default)]
pub struct Findings {
    pub inputs: u64,
    pub panics: u64,
    /// Broken properties, with the input (the first few only).
    pub failures: Vec<String>,
    pub failed: u64,
}

impl Findings {
    fn fail(&mut self, what: String) {
        self.failed += 1;
        if self.failures.len() < 10 {
            self.failures.push(what);
        }
    }

    /// Runs one check, counting a panic as a finding instead of stopping.
    fn check(&mut self, input: &[u8], check: impl FnOnce(&mut Self)) {
        self.inputs += 1;
        if catch_unwind(AssertUnwindSafe(|| check(self))).is_err() {
            self.panics += 1;
            self.fail(format!("panic on {:?}", String::from_utf8_lossy(input)));
        }
    }

    pub fn clean(&self) -> bool {
        self.panics == 0 && self.failed == 0
    }
}

/// A small, fast, seeded generator (xorshift64*): the same seed gives the same inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % u64::try_from(n.max(1)).unwrap_or(u64::MAX)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Real deliveries (CONTRACT.md §8): a DM, an echo, a comment, a reply to a comment, a reaction,
/// a postback, a story mention, a batch across accounts, the dashboard's test sample.
pub const SEEDS: &[&str] = &[
    r#"{"object":"instagram","entry":[{"time":1732300000000,"id":"17841405822304914","messaging":[{"sender":{"id":"1254477777772919"},"recipient":{"id":"17841405822304914"},"timestamp":1732300000000,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTQ1NTg4NzQ5NTMwNzk1MzozMTg2NjQ4MzQ5MjQzMTg5NTM5NzAzMjkzMjI2NjgwNzQ4OAZDZD","text":"Qual o preço? 😀"}}]}]}"#,
    r#"{"object":"instagram","entry":[{"time":1732300000000,"id":"17841405822304914","messaging":[{"sender":{"id":"17841405822304914"},"recipient":{"id":"1254477777772919"},"timestamp":1732300000000,"message":{"mid":"m_echo","text":"Oi! Começa em R$ 50.","is_echo":true,"metadata":"ic:01a23197-b23b-7548-be43-2ea5981d8b93"}}]}]}"#,
    r#"{"object":"instagram","entry":[{"id":"17841405822304914","time":1732300000,"changes":[{"field":"comments","value":{"from":{"id":"1254400000000001","username":"cliente.fiel"},"media":{"id":"17895695668004550","media_product_type":"FEED"},"id":"17865799348089039","text":"Quero o link!"}}]}]}"#,
    r#"{"object":"instagram","entry":[{"id":"17841405822304914","time":1732300000,"changes":[{"field":"comments","value":{"from":{"id":"1254400000000002","username":"outra.cliente"},"media":{"id":"17895695668004550","media_product_type":"REELS"},"id":"17865799348089040","parent_id":"17865799348089039","text":"eu também \ud83d"}}]}]}"#,
    r#"{"object":"instagram","entry":[{"time":1732300000000,"id":"17841405822304914","messaging":[{"sender":{"id":"1254477777772919"},"recipient":{"id":"17841405822304914"},"timestamp":1732300000000,"reaction":{"mid":"m_1","action":"react","reaction":"love","emoji":"❤"}}]}]}"#,
    r#"{"object":"instagram","entry":[{"time":1732300000000,"id":"17841405822304914","messaging":[{"sender":{"id":"1254477777772919"},"recipient":{"id":"17841405822304914"},"timestamp":1732300000000,"postback":{"mid":"m_2","title":"Sim","payload":"QUERO_LINK"}}]}]}"#,
    r#"{"object":"instagram","entry":[{"time":1732300000000,"id":"17841405822304914","messaging":[{"sender":{"id":"1254477777772919"},"recipient":{"id":"17841405822304914"},"timestamp":1732300000000,"message":{"mid":"m_3","attachments":[{"type":"story_mention","payload":{"url":"https://lookaside.fbsbx.com/x"}}]}}]}]}"#,
    r#"{"object":"instagram","entry":[{"time":1732300000000,"id":"17841400000000001","messaging":[{"sender":{"id":"1"},"recipient":{"id":"17841400000000001"},"timestamp":1732300000000,"message":{"mid":"m_a","text":"preço\u0000"}}]},{"time":1732300000000,"id":"17841400000000002","messaging":[{"sender":{"id":"2"},"recipient":{"id":"17841400000000002"},"timestamp":1732300000000,"message":{"mid":"m_b","text":"oi"}}]}]}"#,
    r#"{"object":"instagram","entry":[{"id":"0","time":1732300000,"changes":[{"field":"messages","value":{"event_type":"test"}}]}]}"#,
];

/// Bytes that break parsers: quotes, escapes, brackets, surrogates, NUL, huge numbers.
const SPICE: &[&str] = &[
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\\u0000",
    "\\ud800",
    "\\udfff",
    "\u{0}",
    "null",
    "true",
    "-1",
    "1e999",
    "18446744073709551616",
    "\"id\":",
    "\"text\":",
    "\"messaging\":[",
    "\"changes\":[",
    "\u{feff}",
    "😀",
    "\u{202e}",
    "</script>",
];

/// One mutation of `seed`: a few byte flips, insertions, deletions, duplications or spice.
pub fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let spice = rng.pick(SPICE).as_bytes().to_vec();
                out.splice(at..at, spice);
            }
            2 if !out.is_empty() => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 if !out.is_empty() => {
                let end = (at + rng.below(64)).min(out.len());
                let copy = out[at.min(end)..end].to_vec();
                out.splice(at..at, copy);
            }
            4 => {
                let long = "9".repeat(rng.below(2048));
                out.splice(at..at, long.into_bytes());
            }
            5 => {
                let byte = u8::try_from(rng.below(256)).unwrap_or(0);
                out.insert(at, byte);
            }
            _ => {}
        }
    }
    out
}

/// The webhook path: the signature check over the raw bytes, then the JSON and the event parser.
pub fn webhook(seed: u64, inputs: u64) -> Findings {
    let secrets = [SecretString::from("fuzz-app-secret")];
    let mut rng = Rng::new(seed);
    let mut findings = Findings::default();
    for _ in 0..inputs {
        let seed = *rng.pick(SEEDS);
        let body = mutate(&mut rng, seed.as_bytes());
        let good = meta_sandbox::signature_sha256("fuzz-app-secret", &body);
        let header = match rng.below(4) {
            0 => good.clone(),
            1 => String::from_utf8_lossy(&mutate(&mut rng, good.as_bytes())).into_owned(),
            2 => meta_sandbox::signature_sha256("another-secret", &body),
            _ => String::from_utf8_lossy(&mutate(&mut rng, b"sha256=")).into_owned(),
        };
        // Hex digits may come in either case; the prefix may not.
        let good_hex = good.trim_start_matches("sha256=");
        let expected = header.trim().strip_prefix("sha256=").is_some_and(|hex| hex.eq_ignore_ascii_case(good_hex));
        findings.check(&body, |findings| {
            if signature::verify(&secrets, &header, &body) != expected {
                findings.fail(format!("signature {header:?} verified {}", !expected));
            }
            if let Ok(entries) = events::parse(&body, 1_732_300_000_000) {
                // Every entry is accounted for: parsed, refused with a reason, or not ours.
                let _ = entries.len();
            }
        });
    }
    findings
}

const FILTER_PARAMS: &[&str] =
    &["instance", "type", "period", "from", "to", "status", "username", "owner", "automation", "q", "cursor", "newer"];
const FILTER_VALUES: &[&str] = &[
    "",
    "dm",
    "comment",
    "custom",
    "today",
    "7d",
    "30d",
    "all",
    "sent",
    "failed",
    "2026-11-01",
    "2026-02-30",
    "+262143-12-31",
    "-0001-01-01",
    "9999-12-31",
    "2100-12-31",
    "2000-01-01",
    "%00",
    "%FF",
    "%",
    "%2",
    "@Cliente.Fiel",
    "65f0c0ffee",
    "ontem",
    "2026-11-01T00:00:00Z",
    "+",
    "&",
    "=",
];

/// The report filter: parse, range and round trip.
pub fn report_filter(seed: u64, inputs: u64) -> Findings {
    let mut rng = Rng::new(seed);
    let mut findings = Findings::default();
    let today = chrono::DateTime::from_timestamp(1_764_547_200, 0).unwrap_or_default().date_naive();
    for _ in 0..inputs {
        let pairs: Vec<String> =
            (0..=rng.below(6)).map(|_| format!("{}={}", rng.pick(FILTER_PARAMS), rng.pick(FILTER_VALUES))).collect();
        let query = mutate(&mut rng, pairs.join("&").as_bytes());
        let query = String::from_utf8_lossy(&query).into_owned();
        findings.check(query.as_bytes(), |findings| {
            if let Ok(filter) = ReportFilter::parse_query(&query) {
                let _ = filter.days(today);
                let _ = filter.chart_days(today, None);
                let again = ReportFilter::parse_query(&filter.to_query());
                if again.as_ref() != Ok(&filter) {
                    findings.fail(format!("{query:?} does not round-trip: {filter:?} became {again:?}"));
                }
            }
        });
    }
    findings
}

/// Text people type, at its worst.
fn hostile_text(rng: &mut Rng) -> String {
    let base =
        *rng.pick(&["=HYPERLINK(\"x\")", "+55 11", "-1", "@cliente", "a,b", "\"aspas\"", "linha\r\nlinha", "\t", "ok"]);
    String::from_utf8_lossy(&mutate(rng, base.as_bytes())).into_owned()
}

/// The CSV: each record reads back as the cells it was written from.
pub fn csv(seed: u64, inputs: u64) -> Findings {
    let mut rng = Rng::new(seed);
    let mut findings = Findings::default();
    for _ in 0..inputs {
        let row = ReportRow {
            id: "01a23197-b23b-7548-be43-2ea5981d8b93".into(),
            at: chrono::DateTime::from_timestamp(i64::try_from(rng.below(4_000_000_000)).unwrap_or(0), 0)
                .unwrap_or_default(),
            kind: if rng.below(2) == 0 { AutomationKind::Dm } else { AutomationKind::Comment },
            instance_id: hostile_text(&mut rng).into(),
            instance_name: (rng.below(2) == 0).then(|| hostile_text(&mut rng)),
            username: Some(hostile_text(&mut rng)),
            user_id_instagram: hostile_text(&mut rng).into(),
            text: Some(hostile_text(&mut rng)),
            reply: Some(hostile_text(&mut rng)),
            reply_by: None,
            status: app::domain::report::ReplyStatus::Sent,
            error: None,
            comment_id: Some(hostile_text(&mut rng).into()),
            media_id: None,
        };
        let input = row.text.clone().unwrap_or_default();
        findings.check(input.as_bytes(), |findings| {
            let cells = reports::csv_cells(&row);
            if cells.iter().any(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r'])) {
                findings.fail(format!("a cell a spreadsheet would run: {cells:?}"));
            }
            let mut out = Vec::new();
            if reports::write_record(&mut out, reports::Separator::Comma, cells.iter().map(|c| c.as_bytes())).is_err() {
                findings.fail(format!("cannot write {cells:?}"));
                return;
            }
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_slice());
            let read: Vec<String> = match reader.records().next() {
                Some(Ok(record)) => record.iter().map(str::to_owned).collect(),
                _ => Vec::new(),
            };
            if read != cells {
                findings.fail(format!("{cells:?} read back as {read:?}"));
            }
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    // The smaller property run of `make test`; `make fuzz` runs a million of each.
    #[test]
    fn the_webhook_path_never_panics_and_verifies_only_its_own_signature() {
        let findings = webhook(1, 20_000);
        assert_eq!(findings.inputs, 20_000);
        assert!(findings.clean(), "{findings:?}");
    }

    #[test]
    fn report_filters_never_panic_and_round_trip() {
        let findings = report_filter(2, 20_000);
        assert!(findings.clean(), "{findings:?}");
    }

    #[test]
    fn csv_records_read_back_as_written_and_never_run_as_formulas() {
        let findings = csv(3, 20_000);
        assert!(findings.clean(), "{findings:?}");
    }

    #[test]
    fn a_broken_property_is_found() {
        let mut findings = Findings::default();
        findings.check(b"x", |f| f.fail("on purpose".into()));
        findings.check(b"y", |_| panic!("on purpose"));
        assert_eq!((findings.inputs, findings.panics, findings.failed), (2, 1, 2));
        assert!(!findings.clean());
    }
}
