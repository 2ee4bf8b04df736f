//! Exact money amounts.
//!
//! Amounts are entered and shown in 万元 (10,000 yuan) with at most four decimal places, so
//! one yuan is the smallest unit. They are kept as an integer count of yuan: SQLite stores
//! decimals as floats (CRATES.md trap 1), integers survive both backends exactly.

use std::fmt;

use crate::DomainError;

/// Yuan in one 万元.
pub const YUAN_PER_WAN: i64 = 10_000;

/// An exact amount of money, stored as whole yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    /// Zero yuan.
    pub const ZERO: Amount = Amount(0);

    /// An amount of whole yuan.
    pub const fn from_yuan(yuan: i64) -> Self {
        Amount(yuan)
    }

    /// An amount of whole 万元.
    pub const fn from_wan(wan: i64) -> Self {
        Amount(wan * YUAN_PER_WAN)
    }

    /// The amount in yuan, as stored.
    pub const fn yuan(self) -> i64 {
        self.0
    }

    /// The amount in 万元 as a float, for JSON numbers and ratios only (never stored).
    pub fn wan_f64(self) -> f64 {
        self.0 as f64 / YUAN_PER_WAN as f64
    }

    /// Parses a non-negative amount in 万元: digits with at most four decimal places.
    /// Thousands separators (`,`) and surrounding blanks are accepted.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] for anything else: negative numbers, more than four
    /// decimals, letters, or an amount too large to hold.
    pub fn parse_wan(text: &str) -> Result<Self, DomainError> {
        let t: String = text.trim().chars().filter(|c| *c != ',').collect();
        if t.is_empty() {
            return Err(DomainError::invalid("empty amount"));
        }
        if t.starts_with('-') {
            return Err(DomainError::invalid("must not be negative"));
        }
        let t = t.strip_prefix('+').unwrap_or(&t);
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return Err(DomainError::invalid("not a decimal number"));
        }
        if frac.len() > 4 {
            return Err(DomainError::invalid("more than 4 decimal places"));
        }
        let too_large = || DomainError::invalid("amount too large");
        let int_part: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| too_large())?
        };
        let mut frac_part: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| too_large())?
        };
        for _ in frac.len()..4 {
            frac_part *= 10;
        }
        int_part
            .checked_mul(YUAN_PER_WAN)
            .and_then(|y| y.checked_add(frac_part))
            .map(Amount)
            .ok_or_else(too_large)
    }

    /// Sum of two amounts (saturating: sums of real budgets are far below the limit).
    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for Amount {
    /// Shows the amount in 万元 with the decimals it needs (at most four).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let int = abs / YUAN_PER_WAN as u64;
        let frac = abs % YUAN_PER_WAN as u64;
        if frac == 0 {
            write!(f, "{sign}{int}")
        } else {
            let s = format!("{frac:04}");
            write!(f, "{sign}{int}.{}", s.trim_end_matches('0'))
        }
    }
}

impl std::iter::Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Self {
        iter.fold(Amount::ZERO, Amount::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wan_exactly() {
        assert_eq!(Amount::parse_wan("1").unwrap().yuan(), 10_000);
        assert_eq!(Amount::parse_wan("1.5").unwrap().yuan(), 15_000);
        assert_eq!(Amount::parse_wan("0.0001").unwrap().yuan(), 1);
        assert_eq!(
            Amount::parse_wan(" 1,234.5678 ").unwrap().yuan(),
            12_345_678
        );
        assert_eq!(
            Amount::parse_wan("99999999999999.9999").unwrap().yuan(),
            999_999_999_999_999_999
        );
        assert_eq!(Amount::parse_wan(".5").unwrap().yuan(), 5_000);
    }

    #[test]
    fn rejects_bad_amounts() {
        for bad in ["", "-1", "1.23456", "abc", "1e5", "1.2.3", "."] {
            assert!(Amount::parse_wan(bad).is_err(), "{bad} should fail");
        }
        assert!(Amount::parse_wan("9999999999999999999").is_err());
    }

    #[test]
    fn displays_in_wan() {
        assert_eq!(Amount::from_yuan(15_000).to_string(), "1.5");
        assert_eq!(Amount::from_yuan(10_000).to_string(), "1");
        assert_eq!(Amount::from_yuan(1).to_string(), "0.0001");
        assert_eq!(
            Amount::parse_wan("123.4560").unwrap().to_string(),
            "123.456"
        );
    }
}
