//! Query-string encoding, the same in the browser and on the server.

/// Percent-encodes a query value. `/` stays as it is (allowed in a query), so site paths passed
/// in `next=` remain readable.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes a query value (`%XX` and `+`); malformed escapes are kept as they are.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_paths_stay_readable() {
        assert_eq!(encode("/reports?a=1&b=ç"), "/reports%3Fa%3D1%26b%3D%C3%A7");
        assert_eq!(decode(&encode("maria souza @ 100%")), "maria souza @ 100%");
        assert_eq!(decode("a+b%2x"), "a b%2x");
    }
}
