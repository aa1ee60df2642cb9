//! Exact rational rounding for fiat conversions: a minimal 256-bit unsigned integer, enough to
//! hold a decimal mantissa (96 bits) times a power of ten up to 10³⁹ times 64 bits, so that
//! `num / den` is rounded by an explicit rule and never by `Decimal`'s 28-digit division.

use core::cmp::Ordering;

use super::Rounding;

/// A 256-bit unsigned integer as four little-endian 64-bit limbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct U256([u64; 4]);

impl U256 {
    /// Zero.
    pub(super) const ZERO: U256 = U256([0; 4]);

    /// `v` widened.
    pub(super) fn from_u128(v: u128) -> U256 {
        // Truncating casts split `v` into its two 64-bit halves.
        U256([v as u64, (v >> 64) as u64, 0, 0])
    }

    /// The value as a `u128`, or `None` if it does not fit.
    pub(super) fn to_u128(self) -> Option<u128> {
        let [lo, hi, a, b] = self.0;
        (a == 0 && b == 0).then_some(u128::from(lo) | (u128::from(hi) << 64))
    }

    /// `self × m`, or `None` on overflow.
    pub(super) fn checked_mul_u64(self, m: u64) -> Option<U256> {
        let mut out = [0u64; 4];
        let mut carry: u128 = 0;
        for (o, &limb) in out.iter_mut().zip(self.0.iter()) {
            // (2⁶⁴−1)² + (2⁶⁴−1) < 2¹²⁸: no overflow.
            let wide = u128::from(limb) * u128::from(m) + carry;
            *o = wide as u64;
            carry = wide >> 64;
        }
        (carry == 0).then_some(U256(out))
    }

    /// `self × 10^exp`, or `None` on overflow.
    pub(super) fn checked_mul_pow10(self, exp: u32) -> Option<U256> {
        (0..exp).try_fold(self, |v, _| v.checked_mul_u64(10))
    }

    /// `self + other`, or `None` on overflow.
    pub(super) fn checked_add(self, other: U256) -> Option<U256> {
        let mut out = [0u64; 4];
        let mut carry = false;
        for ((o, &a), &b) in out.iter_mut().zip(self.0.iter()).zip(other.0.iter()) {
            let (sum, c1) = a.overflowing_add(b);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *o = sum;
            carry = c1 || c2;
        }
        (!carry).then_some(U256(out))
    }

    /// `self − other` modulo 2²⁵⁶, and whether it borrowed (went below zero).
    fn overflowing_sub(self, other: U256) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for ((o, &a), &b) in out.iter_mut().zip(self.0.iter()).zip(other.0.iter()) {
            let (diff, b1) = a.overflowing_sub(b);
            let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
            *o = diff;
            borrow = b1 || b2;
        }
        (U256(out), borrow)
    }

    /// `self − other`, or `None` if `other` is larger.
    pub(super) fn checked_sub(self, other: U256) -> Option<U256> {
        let (diff, borrow) = self.overflowing_sub(other);
        (!borrow).then_some(diff)
    }

    /// `|self − other|`.
    pub(super) fn abs_diff(self, other: U256) -> U256 {
        if self >= other {
            self.overflowing_sub(other).0
        } else {
            other.overflowing_sub(self).0
        }
    }

    /// `2 × self + low_bit` modulo 2²⁵⁶, and the bit shifted out at the top.
    fn shl1_with(self, low_bit: bool) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut carry = low_bit;
        for (o, &limb) in out.iter_mut().zip(self.0.iter()) {
            *o = (limb << 1) | u64::from(carry);
            carry = limb >> 63 == 1;
        }
        (U256(out), carry)
    }

    /// Bit `i` (0 = least significant); bits past 255 are zero.
    fn bit(self, i: u32) -> bool {
        let limb = self.0.get((i / 64) as usize).copied().unwrap_or(0);
        (limb >> (i % 64)) & 1 == 1
    }

    /// The number of significant bits (0 for zero).
    fn bits(self) -> u32 {
        let mut bits = 256;
        for &limb in self.0.iter().rev() {
            if limb != 0 {
                return bits - limb.leading_zeros();
            }
            bits -= 64;
        }
        0
    }

    fn is_odd(self) -> bool {
        self.0[0] & 1 == 1
    }

    /// `(self / d, self % d)` by binary long division, or `None` if `d` is zero.
    pub(super) fn div_rem(self, d: U256) -> Option<(U256, U256)> {
        if d == U256::ZERO {
            return None;
        }
        let mut quotient = [0u64; 4];
        let mut rem = U256::ZERO;
        for i in (0..self.bits()).rev() {
            let (shifted, carried) = rem.shl1_with(self.bit(i));
            rem = shifted;
            // With a carry the true value is ≥ 2²⁵⁶ > d; the wrapped subtraction is then exact
            // because the result is below d.
            if carried || rem >= d {
                rem = rem.overflowing_sub(d).0;
                if let Some(limb) = quotient.get_mut((i / 64) as usize) {
                    *limb |= 1 << (i % 64);
                }
            }
        }
        Some((U256(quotient), rem))
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &U256) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &U256) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `num / den` rounded to an integer by `rounding`; `None` if `den` is zero or the rounded
/// result overflows. All values are non-negative, so `Up` means away from zero.
pub(super) fn div_round(num: U256, den: U256, rounding: Rounding) -> Option<U256> {
    let (quotient, rem) = num.div_rem(den)?;
    let round_up = match rounding {
        Rounding::Down => false,
        Rounding::Up => rem != U256::ZERO,
        // rem < den, so `den − rem` never borrows; compare rem with the half without doubling.
        Rounding::HalfEven => match rem.cmp(&den.checked_sub(rem)?) {
            Ordering::Less => false,
            Ordering::Greater => true,
            Ordering::Equal => quotient.is_odd(),
        },
    };
    if round_up {
        quotient.checked_add(U256::from_u128(1))
    } else {
        Some(quotient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn big(v: u128) -> U256 {
        U256::from_u128(v)
    }

    #[test]
    fn rounds_halves_by_the_rule() {
        let cases = [
            (5u128, 2u128, Rounding::Down, 2u128),
            (5, 2, Rounding::Up, 3),
            (5, 2, Rounding::HalfEven, 2),
            (7, 2, Rounding::HalfEven, 4),
            (7, 3, Rounding::HalfEven, 2),
            (8, 3, Rounding::HalfEven, 3),
            (6, 3, Rounding::Up, 2),
            (0, 3, Rounding::Up, 0),
        ];
        for (num, den, rounding, expected) in cases {
            let got = div_round(big(num), big(den), rounding).and_then(U256::to_u128);
            assert_eq!(got, Some(expected), "{num}/{den} {rounding:?}");
        }
        assert_eq!(div_round(big(1), U256::ZERO, Rounding::Down), None);
    }

    #[test]
    fn largest_values_divide_exactly() {
        let max = U256([u64::MAX; 4]);
        assert_eq!(max.checked_mul_u64(2), None);
        assert_eq!(max.checked_add(big(1)), None);
        assert_eq!(max.div_rem(max), Some((big(1), U256::ZERO)));
        let (q, r) = max.div_rem(big(10)).unwrap();
        assert_eq!(r, big(5)); // 2²⁵⁶ − 1 ends in ...935
        assert_eq!(q.checked_mul_u64(10).unwrap().checked_add(r), Some(max));
        // A divisor above 2²⁵⁵ exercises the carry path.
        let (q, r) = max.div_rem(U256([0, 0, 0, 1 << 63])).unwrap();
        assert_eq!(q, big(1));
        assert_eq!(r, U256([u64::MAX, u64::MAX, u64::MAX, (1 << 63) - 1]));
        assert_eq!(big(10).checked_mul_pow10(38).unwrap().bits(), 130);
    }

    proptest! {
        #[test]
        fn agrees_with_u128(a: u128, b in 1u128..) {
            let (q, r) = big(a).div_rem(big(b)).unwrap();
            prop_assert_eq!(q.to_u128(), Some(a / b));
            prop_assert_eq!(r.to_u128(), Some(a % b));
            prop_assert_eq!(big(a).abs_diff(big(b)).to_u128(), Some(a.abs_diff(b)));
            prop_assert_eq!(big(a).cmp(&big(b)), a.cmp(&b));
        }

        #[test]
        fn wide_division_inverts_multiplication(a: u128, m: u64, k in 0u32..20, rem_seed: u128) {
            let den = big(a.max(1)).checked_mul_pow10(k).unwrap();
            let rem = rem_seed % a.max(1);
            let num = den.checked_mul_u64(m).unwrap().checked_add(big(rem)).unwrap();
            prop_assert_eq!(num.div_rem(den), Some((big(u128::from(m)), big(rem))));
        }
    }
}
