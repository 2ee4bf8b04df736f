//! Where an official or a task force is reached besides email: a phone number for SMS and
//! the ids of the `[[channels]]` (group robots, an SMS gateway) their messages also go to.
//! Which channel ids exist is the notifier's to check; this checks their form.

use std::collections::HashSet;

use crate::config::ConfigError;

/// Whether `value` is a phone number an SMS gateway takes: an optional leading `+` and 5 to
/// 15 digits, nothing else (`13800138000`, `+8613800138000`).
pub fn is_valid_phone(value: &str) -> bool {
    let digits = value.strip_prefix('+').unwrap_or(value);
    (5..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

/// Checks `phone` (the key `{key}.phone`) and the channel list (`{key}.channels[j]`: not
/// empty, no repeats).
///
/// # Errors
/// [`ConfigError`] naming the key.
pub(crate) fn check_contact(
    key: &str,
    phone: Option<&str>,
    channels: &[String],
) -> Result<(), ConfigError> {
    if let Some(p) = phone
        && !is_valid_phone(p)
    {
        return Err(ConfigError::new(
            format!("{key}.phone"),
            format!(
                "invalid phone number {p:?}: digits only (5 to 15), optionally a leading +, e.g. \"13800138000\""
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (j, c) in channels.iter().enumerate() {
        let ckey = format!("{key}.channels[{j}]");
        if c.trim().is_empty() {
            return Err(ConfigError::new(ckey, "must not be empty"));
        }
        if !seen.insert(c.as_str()) {
            return Err(ConfigError::new(
                ckey,
                format!("channel {c:?} is listed twice"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        for ok in ["13800138000", "+8613800138000", "02112345"] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "+",
            "138 0013 8000",
            "138-0013-8000",
            "1234",
            "abc12345",
            "+1234567890123456",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn contacts_name_their_key() {
        let err = check_contact("officials[2]", Some("138-0013"), &[]).unwrap_err();
        assert_eq!(err.key, "officials[2].phone");
        let twice = ["sms".to_string(), "sms".to_string()];
        let err = check_contact("task_forces[0]", None, &twice).unwrap_err();
        assert_eq!(err.key, "task_forces[0].channels[1]");
        assert!(check_contact("officials[0]", Some("13800138000"), &twice[..1]).is_ok());
    }
}
