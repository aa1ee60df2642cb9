//! Amounts as text: parsing and exact formatting in msat, sat and BTC, by integer digits only.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{excerpt, AmountError, Msat, MSAT_PER_BTC, MSAT_PER_SAT};

/// A unit amounts are written in.
///
/// Serialised as `"msat"`, `"sat"` or `"btc"`; displayed as `msat`, `sat` or `BTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Millisatoshis: whole numbers only.
    Msat,
    /// Satoshis (1,000 msat): up to 3 decimals.
    Sat,
    /// Bitcoin (100,000,000 sat): up to 11 decimals.
    Btc,
}

impl Unit {
    /// Millisatoshis in one of this unit.
    pub const fn msat_per_unit(self) -> u64 {
        match self {
            Unit::Msat => 1,
            Unit::Sat => MSAT_PER_SAT,
            Unit::Btc => MSAT_PER_BTC,
        }
    }

    /// How many decimals this unit needs to write any millisatoshi amount exactly.
    pub const fn decimals(self) -> usize {
        match self {
            Unit::Msat => 0,
            Unit::Sat => 3,
            Unit::Btc => 11,
        }
    }

    /// The unit's symbol as [`Msat::format`] writes it: `msat`, `sat` or `BTC`.
    pub const fn symbol(self) -> &'static str {
        match self {
            Unit::Msat => "msat",
            Unit::Sat => "sat",
            Unit::Btc => "BTC",
        }
    }

    /// Reads a unit name in any case: `msat`, `msats`, `millisat(s)`, `sat`, `sats`,
    /// `satoshi(s)` or `btc`.
    fn from_name(name: &str) -> Option<Unit> {
        match name.to_ascii_lowercase().as_str() {
            "msat" | "msats" | "millisat" | "millisats" => Some(Unit::Msat),
            "sat" | "sats" | "satoshi" | "satoshis" => Some(Unit::Sat),
            "btc" => Some(Unit::Btc),
            _ => None,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Unit {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Unit, AmountError> {
        Unit::from_name(s.trim()).ok_or_else(|| AmountError::UnknownUnit { unit: excerpt(s) })
    }
}

impl Msat {
    /// Parses an amount with its unit: `"1500 msat"`, `"21 sat"`, `"21sats"`, `"0.00021 BTC"`,
    /// `"0.00000000001 btc"`. Whitespace around and between number and unit is ignored; the
    /// unit is case-insensitive.
    ///
    /// The number is a plain decimal (digits, optionally `.` and more digits), converted
    /// exactly, never through a float. Trailing zero decimals are fine (`"1.000 msat"`), but a
    /// non-zero digit below one millisatoshi is an error, never rounded.
    ///
    /// # Errors
    /// [`AmountError::Empty`], [`AmountError::InvalidNumber`], [`AmountError::MissingUnit`],
    /// [`AmountError::UnknownUnit`], [`AmountError::SubMsatPrecision`], and
    /// [`AmountError::AboveMaxSupply`] for anything above 21,000,000 BTC.
    pub fn parse(input: &str) -> Result<Msat, AmountError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        if number.is_empty() {
            return Err(AmountError::InvalidNumber {
                input: excerpt(text),
            });
        }
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(AmountError::MissingUnit {
                input: excerpt(text),
            });
        }
        let unit = Unit::from_name(unit).ok_or_else(|| AmountError::UnknownUnit {
            unit: excerpt(unit),
        })?;
        Msat::parse_with_unit(number, unit)
    }

    /// Parses a bare number (`"0.00021"`, surrounding whitespace allowed) as an amount in
    /// `unit`, with the same rules as [`Msat::parse`].
    ///
    /// # Errors
    /// As [`Msat::parse`], except that no unit is read.
    pub fn parse_with_unit(value: &str, unit: Unit) -> Result<Msat, AmountError> {
        let number = value.trim();
        if number.is_empty() {
            return Err(AmountError::Empty);
        }
        let invalid = || AmountError::InvalidNumber {
            input: excerpt(number),
        };
        let (whole, fraction) = match number.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (number, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits_only(whole)
            || !digits_only(fraction)
            || (number.contains('.') && fraction.is_empty())
        {
            return Err(invalid());
        }
        let above = AmountError::AboveMaxSupply {
            max_msat: Msat::MAX_SUPPLY.as_u64(),
        };
        let places = unit.decimals();
        let (kept, dropped) = fraction.split_at(fraction.len().min(places));
        if dropped.bytes().any(|b| b != b'0') {
            return Err(AmountError::SubMsatPrecision {
                input: excerpt(number),
            });
        }
        // Whole part, then the kept decimals padded to the unit's places: an integer count of
        // millisatoshis. u128 holds 38 digits; anything longer is far above the supply.
        let mut msat: u128 = 0;
        let padding = places - kept.len();
        for digit in whole.bytes().chain(kept.bytes()) {
            msat = msat
                .checked_mul(10)
                .and_then(|m| m.checked_add(u128::from(digit - b'0')))
                .ok_or(above.clone())?;
        }
        for _ in 0..padding {
            msat = msat.checked_mul(10).ok_or(above.clone())?;
        }
        match u64::try_from(msat) {
            Ok(msat) if msat <= Msat::MAX_SUPPLY.as_u64() => Ok(Msat(msat)),
            _ => Err(above),
        }
    }

    /// Parses a bare number of bitcoin, e.g. `"0.00021"` (same as
    /// `Msat::parse_with_unit(value, Unit::Btc)`).
    ///
    /// # Errors
    /// As [`Msat::parse_with_unit`].
    pub fn from_btc_str(value: &str) -> Result<Msat, AmountError> {
        Msat::parse_with_unit(value, Unit::Btc)
    }

    /// The exact amount in `unit` with its symbol: `"1500 msat"`, `"1.5 sat"`, `"0.000015 BTC"`.
    ///
    /// Decimals are written only as far as needed (trailing zeros trimmed); nothing is rounded,
    /// so [`Msat::parse`] reads the text back to the same amount.
    pub fn format(self, unit: Unit) -> String {
        format!("{} {}", self.format_value(unit), unit.symbol())
    }

    /// The exact amount in `unit` without a symbol (`"0.000015"`): the inverse of
    /// [`Msat::parse_with_unit`].
    pub fn format_value(self, unit: Unit) -> String {
        let per_unit = unit.msat_per_unit();
        let whole = self.0 / per_unit;
        let part = self.0 % per_unit;
        if part == 0 {
            return whole.to_string();
        }
        let decimals = format!("{part:0width$}", width = unit.decimals());
        format!("{whole}.{}", decimals.trim_end_matches('0'))
    }
}

impl fmt::Display for Msat {
    /// Writes the exact amount in millisatoshis, e.g. `1500 msat`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} msat", self.0)
    }
}

impl FromStr for Msat {
    type Err = AmountError;

    /// The same as [`Msat::parse`].
    fn from_str(s: &str) -> Result<Msat, AmountError> {
        Msat::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn msat(v: u64) -> Msat {
        Msat::from_msat(v)
    }

    #[test]
    fn parses_every_unit_and_spelling() {
        let cases = [
            ("1500 msat", 1_500),
            ("21 sat", 21_000),
            ("21sats", 21_000),
            ("  21 \t SAT \n", 21_000),
            ("1.5 sat", 1_500),
            ("0.001 sat", 1),
            ("0.00021 BTC", 21_000_000),
            ("0.00000000001 btc", 1),
            ("0.000000000010 btc", 1),
            ("1.000 msat", 1),
            ("007 Satoshis", 7_000),
            ("3 millisats", 3),
            ("1 BTC", 100_000_000_000),
            ("21000000 BTC", 2_100_000_000_000_000_000),
            ("0 msat", 0),
        ];
        for (text, expected) in cases {
            assert_eq!(Msat::parse(text), Ok(msat(expected)), "{text}");
            assert_eq!(text.parse::<Msat>(), Ok(msat(expected)), "{text}");
        }
        assert_eq!(Msat::from_btc_str("0.00021"), Ok(msat(21_000_000)));
        assert_eq!(Msat::parse_with_unit(" 2.5 ", Unit::Sat), Ok(msat(2_500)));
    }

    #[test]
    fn refuses_bad_text_with_typed_errors() {
        assert_eq!(Msat::parse("  "), Err(AmountError::Empty));
        assert_eq!(
            Msat::parse_with_unit("", Unit::Sat),
            Err(AmountError::Empty)
        );
        for bad in [
            "-5 sat",
            "+5 sat",
            "sat",
            ".5 sat",
            "5. sat",
            "1.2.3 sat",
            "1e3 sat",
        ] {
            let code = Msat::parse(bad).map_err(|e| e.code());
            assert!(
                matches!(code, Err("amount_invalid_number" | "amount_unknown_unit")),
                "{bad}: {code:?}"
            );
        }
        assert_eq!(
            Msat::parse("-5 sat"),
            Err(AmountError::InvalidNumber {
                input: "-5 sat".into()
            })
        );
        assert_eq!(
            Msat::parse("21"),
            Err(AmountError::MissingUnit { input: "21".into() })
        );
        assert_eq!(
            Msat::parse("21 bits"),
            Err(AmountError::UnknownUnit {
                unit: "bits".into()
            })
        );
        for sub in [
            "1.5 msat",
            "0.0001 sat",
            "0.000000000001 BTC",
            "1.0000000000015 btc",
        ] {
            assert_eq!(
                Msat::parse(sub).map_err(|e| e.code()),
                Err("amount_sub_msat_precision"),
                "{sub}"
            );
        }
        let above = Err(AmountError::AboveMaxSupply {
            max_msat: 2_100_000_000_000_000_000,
        });
        assert_eq!(Msat::parse("21000000.00000000001 BTC"), above);
        assert_eq!(Msat::parse("18446744073709551616 msat"), above);
        assert_eq!(Msat::parse(&format!("{} sat", "9".repeat(100))), above);
    }

    #[test]
    fn errors_keep_at_most_64_characters_of_input() {
        let long = "x".repeat(10_000);
        match Msat::parse(&format!("1 {long}")) {
            Err(AmountError::UnknownUnit { unit }) => assert_eq!(unit.len(), 64),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn formats_exactly_with_trailing_zeros_trimmed() {
        assert_eq!(msat(1_500).format(Unit::Msat), "1500 msat");
        assert_eq!(msat(1_500).format(Unit::Sat), "1.5 sat");
        assert_eq!(msat(21_000).format(Unit::Sat), "21 sat");
        assert_eq!(msat(21_000_000).format(Unit::Btc), "0.00021 BTC");
        assert_eq!(msat(1).format(Unit::Btc), "0.00000000001 BTC");
        assert_eq!(msat(100_000_000_000).format(Unit::Btc), "1 BTC");
        assert_eq!(msat(0).format_value(Unit::Btc), "0");
        assert_eq!(
            msat(u64::MAX).format_value(Unit::Btc),
            "184467440.73709551615"
        );
        assert_eq!(msat(1_500).to_string(), "1500 msat");
        assert_eq!(Unit::Btc.to_string(), "BTC");
        assert_eq!("Sats".parse::<Unit>(), Ok(Unit::Sat));
        assert_eq!(serde_json::to_string(&Unit::Btc).unwrap(), "\"btc\"");
    }

    fn any_unit() -> impl Strategy<Value = Unit> {
        prop_oneof![Just(Unit::Msat), Just(Unit::Sat), Just(Unit::Btc)]
    }

    proptest! {
        #[test]
        fn parse_reads_back_what_format_writes(v in 0..=Msat::MAX_SUPPLY.as_u64(), unit in any_unit()) {
            let amount = msat(v);
            prop_assert_eq!(Msat::parse(&amount.format(unit)), Ok(amount));
            prop_assert_eq!(Msat::parse_with_unit(&amount.format_value(unit), unit), Ok(amount));
            prop_assert_eq!(Msat::parse(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn above_the_supply_is_refused(v in (Msat::MAX_SUPPLY.as_u64() + 1).., unit in any_unit()) {
            prop_assert_eq!(
                Msat::parse(&msat(v).format(unit)).map_err(|e| e.code()),
                Err("amount_above_max_supply")
            );
        }

        #[test]
        fn no_text_makes_parse_panic(text in "\\PC{0,40}") {
            let _ = Msat::parse(&text);
            let _ = Msat::parse_with_unit(&text, Unit::Btc);
        }

        #[test]
        fn digit_text_parses_or_fails_cleanly(text in "[0-9]{0,25}(\\.[0-9]{0,15})? ?(msat|sat|btc|BTC)") {
            if let Ok(amount) = Msat::parse(&text) {
                prop_assert!(amount <= Msat::MAX_SUPPLY);
            }
        }
    }
}
