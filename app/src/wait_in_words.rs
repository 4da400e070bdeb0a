//! How long to wait, as a person says it: "about 15 minutes", not "892 seconds".

pub fn wait_in_words(secs: u64) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    match secs {
        0..MINUTE => "less than a minute".to_owned(),
        MINUTE..HOUR => match (secs + MINUTE / 2) / MINUTE {
            1 => "about a minute".to_owned(),
            60 => "about an hour".to_owned(),
            n => format!("about {n} minutes"),
        },
        _ => match (secs + HOUR / 2) / HOUR {
            1 => "about an hour".to_owned(),
            n => format!("about {n} hours"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::wait_in_words;

    #[test]
    fn rounds_to_what_a_person_would_say() {
        assert_eq!(wait_in_words(0), "less than a minute");
        assert_eq!(wait_in_words(59), "less than a minute");
        assert_eq!(wait_in_words(60), "about a minute");
        assert_eq!(wait_in_words(89), "about a minute");
        assert_eq!(wait_in_words(90), "about 2 minutes");
        assert_eq!(wait_in_words(892), "about 15 minutes");
        assert_eq!(wait_in_words(3_599), "about an hour");
        assert_eq!(wait_in_words(3_600), "about an hour");
        assert_eq!(wait_in_words(5_400), "about 2 hours");
        assert_eq!(wait_in_words(86_400), "about 24 hours");
    }
}
