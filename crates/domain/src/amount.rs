//! Exact money amounts.
//!
//! Amounts are entered and shown in 万元 (10,000 yuan) with at most four decimal places, so
//! one yuan is the smallest unit. They are kept as an integer count of yuan: SQLite stores
//! decimals as floats (CRATES.md trap 1), integers survive both backends exactly.

use std::fmt;

use crate::DomainError;

/// Yuan in one 万元.
pub const YUAN_PER_WAN: i64 = 10_000;

/// The most one amount may hold, in 万元: 10^10 万元 (100 万亿元, about a year of the
/// country's output). Far above any project, plan or city indicator, and low enough that
/// 92,000 such amounts still add up inside an `i64` (sums use [`Total`] anyway).
pub const MAX_WAN: i64 = 10_000_000_000;

/// An exact amount of money, stored as whole yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    /// Zero yuan.
    pub const ZERO: Amount = Amount(0);

    /// The largest amount accepted on input: [`MAX_WAN`] 万元.
    pub const MAX: Amount = Amount(MAX_WAN * YUAN_PER_WAN);

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

    /// Parses a non-negative amount in 万元: digits with at most four decimal places, at most
    /// [`Amount::MAX`]. Surrounding blanks are ignored. A comma may only group thousands
    /// (`1,234.5`, every group after the first exactly three digits): a decimal comma such as
    /// `1,5` is refused rather than read as 15.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] for anything else: negative numbers, more than four
    /// decimals, a decimal comma or misplaced separator, letters, or an amount above
    /// [`Amount::MAX`].
    pub fn parse_wan(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(DomainError::invalid("empty amount"));
        }
        if t.starts_with('-') {
            return Err(DomainError::invalid("must not be negative"));
        }
        let t = t.strip_prefix('+').unwrap_or(t);
        let (int, frac) = match t.split_once('.') {
            Some((i, f)) => (i, f),
            None => (t, ""),
        };
        let int = ungroup_thousands(int, frac)?;
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(&int) || !digits(frac) {
            return Err(DomainError::invalid("not a decimal number"));
        }
        if frac.len() > 4 {
            return Err(DomainError::invalid("more than 4 decimal places"));
        }
        let too_large = || {
            DomainError::invalid(format!(
                "larger than {MAX_WAN} 万元, the most one amount may hold"
            ))
        };
        let int = int.trim_start_matches('0');
        if int.len() > 11 {
            return Err(too_large());
        }
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
        let yuan = int_part * YUAN_PER_WAN + frac_part;
        if yuan > Amount::MAX.0 {
            return Err(too_large());
        }
        Ok(Amount(yuan))
    }

    /// Whether the amount lies in `0..=`[`Amount::MAX`], as every stored amount must.
    pub const fn is_in_range(self) -> bool {
        self.0 >= 0 && self.0 <= Amount::MAX.0
    }

    /// Sum of two amounts, `None` if it does not fit (sums of many amounts: [`Total`]).
    pub const fn checked_add(self, other: Amount) -> Option<Amount> {
        match self.0.checked_add(other.0) {
            Some(y) => Some(Amount(y)),
            None => None,
        }
    }
}

/// Removes thousands separators from the integer part `int` of a number whose decimals are
/// `frac`: only `1,234` / `12,345,678` shapes (a first group of one to three digits, then
/// groups of exactly three). A comma anywhere else is taken for a decimal comma and refused.
fn ungroup_thousands(int: &str, frac: &str) -> Result<String, DomainError> {
    const DECIMAL_COMMA: &str = "a comma is not a decimal point (write 1.5, not 1,5); \
                                 a comma may only group thousands, as in 1,234.5";
    if frac.contains(',') {
        return Err(DomainError::invalid(DECIMAL_COMMA));
    }
    if !int.contains(',') {
        return Ok(int.to_string());
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    let all_digits = |g: &str| g.chars().all(|c| c.is_ascii_digit());
    let ok = (1..=3).contains(&first.len())
        && all_digits(first)
        && groups.all(|g| g.len() == 3 && all_digits(g));
    if ok {
        Ok(int.replace(',', ""))
    } else {
        Err(DomainError::invalid(DECIMAL_COMMA))
    }
}

/// Writes `yuan` in 万元 with the decimals it needs (at most four).
fn fmt_yuan(f: &mut fmt::Formatter<'_>, yuan: i128) -> fmt::Result {
    let sign = if yuan < 0 { "-" } else { "" };
    let abs = yuan.unsigned_abs();
    let int = abs / YUAN_PER_WAN as u128;
    let frac = abs % YUAN_PER_WAN as u128;
    if frac == 0 {
        write!(f, "{sign}{int}")
    } else {
        let s = format!("{frac:04}");
        write!(f, "{sign}{int}.{}", s.trim_end_matches('0'))
    }
}

impl fmt::Display for Amount {
    /// Shows the amount in 万元 with the decimals it needs (at most four).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_yuan(f, i128::from(self.0))
    }
}

/// A sum of amounts, exact for any number of them: whole yuan in an `i128`, so no realistic
/// count of amounts up to [`Amount::MAX`] (about 10^24 of them) can overflow it. Sheets and
/// bulletins add with it instead of `i64`, which two large figures could wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Total(i128);

impl Total {
    /// Nothing yet.
    pub const ZERO: Total = Total(0);

    /// A total of whole yuan.
    pub const fn from_yuan(yuan: i128) -> Self {
        Total(yuan)
    }

    /// Adds whole yuan (an amount as stored).
    pub fn add_yuan(&mut self, yuan: i64) {
        self.0 += i128::from(yuan);
    }

    /// The total in yuan.
    pub const fn yuan(self) -> i128 {
        self.0
    }

    /// The total in 万元 as a float, for JSON numbers and ratios only (never stored).
    pub fn wan_f64(self) -> f64 {
        self.0 as f64 / YUAN_PER_WAN as f64
    }
}

impl std::ops::Add for Total {
    type Output = Total;
    fn add(self, other: Total) -> Total {
        Total(self.0 + other.0)
    }
}

impl std::ops::AddAssign for Total {
    fn add_assign(&mut self, other: Total) {
        self.0 += other.0;
    }
}

impl From<Amount> for Total {
    fn from(a: Amount) -> Self {
        Total(i128::from(a.0))
    }
}

impl fmt::Display for Total {
    /// Shows the total in 万元 with the decimals it needs (at most four).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_yuan(f, self.0)
    }
}

impl std::iter::Sum<Amount> for Total {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Self {
        Total(iter.map(|a| i128::from(a.0)).sum())
    }
}

impl<'a> std::iter::Sum<&'a Amount> for Total {
    fn sum<I: Iterator<Item = &'a Amount>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

impl std::iter::Sum<i64> for Total {
    /// Sums stored whole-yuan values.
    fn sum<I: Iterator<Item = i64>>(iter: I) -> Self {
        Total(iter.map(i128::from).sum())
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
        assert_eq!(Amount::parse_wan("10000000000").unwrap(), Amount::MAX);
        assert_eq!(
            Amount::parse_wan("9999999999.9999").unwrap().yuan(),
            99_999_999_999_999
        );
        assert_eq!(Amount::parse_wan("1,234").unwrap().yuan(), 12_340_000);
        assert_eq!(
            Amount::parse_wan("12,345,678").unwrap().yuan(),
            123_456_780_000
        );
        assert_eq!(Amount::parse_wan("+1.5").unwrap().yuan(), 15_000);
        assert_eq!(Amount::parse_wan("0007").unwrap().yuan(), 70_000);
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
    fn refuses_decimal_commas_and_bad_groups() {
        for bad in [
            "1,5", "1,50", "1,5000", "12,34.5", "1,234,5", "1.234,5", ",123", "1234,567", "1,,234",
        ] {
            let e = Amount::parse_wan(bad).unwrap_err().to_string();
            assert!(e.contains("comma"), "{bad}: {e}");
        }
    }

    #[test]
    fn refuses_amounts_above_the_maximum() {
        for bad in ["10000000000.0001", "922337203685477", "99999999999999.9999"] {
            let e = Amount::parse_wan(bad).unwrap_err().to_string();
            assert!(e.contains("10000000000 万元"), "{bad}: {e}");
        }
        assert!(Amount::MAX.is_in_range() && !Amount::from_yuan(-1).is_in_range());
    }

    #[test]
    fn totals_are_exact_beyond_i64() {
        let big = Amount::from_yuan(9_223_372_036_854_770_000);
        let t: Total = [big, big].iter().sum();
        assert_eq!(t.yuan(), 18_446_744_073_709_540_000);
        assert_eq!(t.to_string(), "1844674407370954");
        let mut u = Total::ZERO;
        u.add_yuan(15_000);
        u += Total::from(Amount::from_yuan(1));
        assert_eq!(u.to_string(), "1.5001");
        assert_eq!([1i64, 2, 3].into_iter().sum::<Total>().yuan(), 6);
        assert_eq!(big.checked_add(big), None);
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
