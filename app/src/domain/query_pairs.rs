//! Query strings and form bodies as ordered pairs (the flows need repeated and duplicated
//! names to stay visible); the first non-empty value of a name.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}
