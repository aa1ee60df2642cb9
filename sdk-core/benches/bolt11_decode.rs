//! Benchmark: decoding and fully validating a typical mainnet BOLT11 invoice (bech32, fields,
//! signature recovery and check, network, expiry) with `etrid_core::invoice::decode_invoice`.
//!
//! Run: `cargo bench -p etrid-core --bench bolt11_decode -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use etrid_core::clock::FixedClock;
use etrid_core::invoice::decode_invoice;
use etrid_core::network::Network;

/// The BOLT11 specification's store invoice: amount in pico-BTC, a 237-character description,
/// expiry, min_final_cltv, a route hint, payment secret and features; no `n` field, so the payee
/// key is recovered from the signature as for most invoices in the wild.
const INVOICE: &str = "lnbc9678785340p1pwmna7lpp5gc3xfm08u9qy06djf8dfflhugl6p7lgza6dsjxq454gxhj9t7a0sd8dgfkx7cmtwd68yetpd5s9xar0wfjn5gpc8qhrsdfq24f5ggrxdaezqsnvda3kkum5wfjkzmfqf3jkgem9wgsyuctwdus9xgrcyqcjcgpzgfskx6eqf9hzqnteypzxz7fzypfhg6trddjhygrcyqezcgpzfysywmm5ypxxjemgw3hxjmn8yptk7untd9hxwg3q2d6xjcmtv4ezq7pqxgsxzmnyyqcjqmt0wfjjq6t5v4khxsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygsxqyjw5qcqp2rzjq0gxwkzc8w6323m55m4jyxcjwmy7stt9hwkwe2qxmy8zpsgg7jcuwz87fcqqeuqqqyqqqqlgqqqqn3qq9q9qrsgqrvgkpnmps664wgkp43l22qsgdw4ve24aca4nymnxddlnp8vh9v2sdxlu5ywdxefsfvm0fq3sesf08uf6q9a2ke0hc9j6z6wlxg5z5kqpu2v9wz";

fn bolt11_decode(c: &mut Criterion) {
    // The invoice's own timestamp, so it is not expired.
    let clock = FixedClock::from_unix_secs(1_572_468_703);
    c.bench_function("bolt11_decode_mainnet_with_signature", |b| {
        b.iter(|| decode_invoice(black_box(INVOICE), Network::Bitcoin, &clock))
    });
}

criterion_group!(benches, bolt11_decode);
criterion_main!(benches);
