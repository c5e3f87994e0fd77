//! The sandbox's test professional accounts, with posts and reels.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Media {
    pub id: String,
    pub caption: String,
    pub media_type: String,
    pub media_product_type: String,
    pub permalink: String,
    pub timestamp: String,
    pub comments_count: u32,
    pub like_count: u32,
}

/// Kept across restarts (`crate::persist`), but for the recent-call counters, which start afresh.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Account {
    /// IG_ID: what webhooks and `/me.user_id` carry.
    pub ig_id: String,
    /// App-scoped id: `/me.id`.
    pub app_scoped_id: String,
    /// The code exchange's `user_id`, a JSON integer above 2^53.
    pub login_user_id: u64,
    pub username: String,
    pub name: String,
    pub account_type: String,
    pub followers_count: u32,
    pub follows_count: u32,
    pub media: Vec<Media>,
    /// Sandbox clock times of recent Graph calls, for the usage headers.
    #[serde(skip)]
    pub calls: Vec<i64>,
    /// Send API calls in the last second (unix milliseconds).
    #[serde(skip)]
    pub sends: Vec<i64>,
    /// Private replies in the last hour (unix seconds).
    #[serde(default)]
    pub private_replies: Vec<i64>,
    /// The FAQ shown to people who have not written yet (`messenger_profile`): question, payload.
    pub ice_breakers: Vec<(String, String)>,
}

impl Account {
    /// Meta answers a signed CDN URL; the sandbox serves the picture itself, at the host the
    /// caller used, so the app can show it without reaching Meta.
    pub fn picture_url(&self, host: &str) -> String {
        format!("http://{host}/_sandbox/pictures/{}.svg", self.username)
    }

    /// A round avatar with the account's initial, as an SVG image.
    pub fn picture_svg(&self) -> String {
        let initial = self.name.chars().next().unwrap_or('?');
        let hue = self.ig_id.bytes().fold(0_u32, |h, b| (h * 31 + u32::from(b)) % 360);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"150\" height=\"150\" viewBox=\"0 0 150 150\">\
             <circle cx=\"75\" cy=\"75\" r=\"75\" fill=\"hsl({hue},60%,45%)\"/>\
             <text x=\"75\" y=\"97\" font-family=\"sans-serif\" font-size=\"64\" text-anchor=\"middle\" fill=\"#fff\">{initial}</text></svg>"
        )
    }
}

impl Media {
    /// Where the sandbox serves this media's picture (Instagram's CDN cannot be reached here).
    pub fn picture_url(&self, host: &str) -> String {
        format!("http://{host}/_sandbox/media/{}.svg", self.id)
    }

    /// A square with the caption's first letter, and a play sign for reels.
    pub fn picture_svg(&self) -> String {
        let initial = self.caption.chars().next().unwrap_or('?');
        let hue = self.id.bytes().fold(0_u32, |h, b| (h * 31 + u32::from(b)) % 360);
        let play = if self.media_product_type == "REELS" {
            "<polygon points=\"110,20 130,32 110,44\" fill=\"#fff\"/>"
        } else {
            ""
        };
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"150\" height=\"150\" viewBox=\"0 0 150 150\">\
             <rect width=\"150\" height=\"150\" fill=\"hsl({hue},55%,50%)\"/>{play}\
             <text x=\"75\" y=\"97\" font-family=\"sans-serif\" font-size=\"64\" text-anchor=\"middle\" fill=\"#fff\">{initial}</text></svg>"
        )
    }
}

pub fn media(id: &str, caption: &str, reel: bool, timestamp: &str, comments: u32, likes: u32) -> Media {
    let (media_type, product, kind) = if reel { ("VIDEO", "REELS", "reel") } else { ("IMAGE", "FEED", "p") };
    Media {
        id: id.to_owned(),
        caption: caption.to_owned(),
        media_type: media_type.to_owned(),
        media_product_type: product.to_owned(),
        permalink: format!("https://www.instagram.com/{kind}/{}/", &id[id.len() - 6..]),
        timestamp: timestamp.to_owned(),
        comments_count: comments,
        like_count: likes,
    }
}

pub fn seed() -> Vec<Account> {
    vec![
        Account {
            ig_id: "17841405822304914".into(),
            app_scoped_id: "28978671838402975".into(),
            login_user_id: 9_123_456_789_012_345,
            username: "loja.exemplo".into(),
            name: "Loja Exemplo".into(),
            account_type: "BUSINESS".into(),
            followers_count: 1520,
            follows_count: 310,
            media: vec![
                media(
                    "17918195224117851",
                    "Promo de sexta: tudo com 20% off",
                    true,
                    "2026-11-20T14:03:11+0000",
                    12,
                    140,
                ),
                media("17895695668004550", "Nova coleção de verão", false, "2026-11-18T09:00:00+0000", 3, 51),
                media("17902231457700112", "Bastidores da loja", true, "2026-11-10T18:30:00+0000", 7, 88),
            ],
            calls: Vec::new(),
            sends: Vec::new(),
            private_replies: Vec::new(),
            ice_breakers: Vec::new(),
        },
        Account {
            ig_id: "17841477965412210".into(),
            app_scoped_id: "28978671838409911".into(),
            login_user_id: 9_123_456_789_054_321,
            username: "doces.da.bia".into(),
            name: "Doces da Bia".into(),
            account_type: "MEDIA_CREATOR".into(),
            followers_count: 864,
            follows_count: 122,
            media: vec![
                media(
                    "17934400112233445",
                    "Bolo de pote: qual sabor você quer?",
                    false,
                    "2026-11-21T11:15:00+0000",
                    21,
                    230,
                ),
                media("17934400112299887", "Receita de brigadeiro gourmet", true, "2026-11-15T16:45:00+0000", 34, 512),
            ],
            calls: Vec::new(),
            sends: Vec::new(),
            private_replies: Vec::new(),
            ice_breakers: Vec::new(),
        },
        Account {
            ig_id: "17841400000000777".into(),
            app_scoped_id: "28978671838407777".into(),
            login_user_id: 9_123_456_789_077_777,
            username: "cafe.da.praca".into(),
            name: "Café da Praça".into(),
            account_type: "BUSINESS".into(),
            followers_count: 2310,
            follows_count: 98,
            media: vec![media(
                "17940000000000777",
                "Cappuccino em dobro às quartas",
                false,
                "2026-11-19T08:30:00+0000",
                5,
                77,
            )],
            calls: Vec::new(),
            sends: Vec::new(),
            private_replies: Vec::new(),
            ice_breakers: Vec::new(),
        },
    ]
}

/// A test account for load runs: `{prefix}.loja{n}`, with a post and a reel. Its ids come from
/// `serial`, unique in the world, so accounts of different prefixes never share an IG_ID.
pub fn numbered(prefix: &str, n: usize, serial: usize) -> Account {
    let n64 = u64::try_from(serial).unwrap_or(0);
    Account {
        ig_id: format!("1784{:013}", 9_000_000_000_000 + n64),
        app_scoped_id: format!("2897{:013}", 9_000_000_000_000 + n64),
        login_user_id: 9_200_000_000_000_000 + n64,
        username: format!("{prefix}.loja{n}"),
        name: format!("Loja {n}"),
        account_type: "BUSINESS".into(),
        followers_count: 1000,
        follows_count: 100,
        media: vec![
            media(&format!("1790{:013}", 2 * n64), "Oferta da semana", false, "2026-11-20T10:00:00+0000", 0, 10),
            media(&format!("1790{:013}", 2 * n64 + 1), "Reel de novidades", true, "2026-11-21T10:00:00+0000", 0, 20),
        ],
        calls: Vec::new(),
        sends: Vec::new(),
        private_replies: Vec::new(),
        ice_breakers: Vec::new(),
    }
}
