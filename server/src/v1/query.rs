//! Query strings as ordered pairs: the flows need repeated parameters (`scopes=a&scopes=b`)
//! and must see duplicates of single ones, which a map would hide.
use app::domain::flow::FlowError;

pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub use app::domain::query_pairs::first as get;

/// A boolean query flag: absent is false; anything but true/false is a 400.
pub fn flag(pairs: &[(String, String)], name: &str) -> Result<bool, FlowError> {
    match get(pairs, name) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(FlowError::parameter(
            "request.invalid",
            format!("{name} must be true or false."),
        )),
    }
}

/// A non-negative integer query parameter.
pub fn number(pairs: &[(String, String)], name: &str) -> Result<Option<u64>, FlowError> {
    match get(pairs, name) {
        None => Ok(None),
        Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
            FlowError::parameter(
                "request.invalid",
                format!("{name} must be a non-negative integer."),
            )
        }),
    }
}
