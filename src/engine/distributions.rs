//! The few random distributions the workload needs, drawn from [`SimRng`] with `libm` maths.
//!
//! Why not `rand_distr`: its float maths goes through `num-traits`, which calls the platform's libm as
//! soon as any crate in the build enables `std` — and glibc and the wasm libm may differ in the last
//! bit, which would make a seed replay differently in the browser. Every transcendental call here is
//! `libm`'s pure-Rust implementation, identical on every target; `+ − × ÷ sqrt` are exact IEEE anyway.
//!
//! The binomial sampler follows rand_distr 0.6: BINV (inversion) when `n·p < 10`, otherwise BTPE
//! (Kachitvichyanukul & Schmeiser, "Binomial random variate generation", CACM 31(2), 1988).

use super::rng::SimRng;
use std::cmp::Ordering;

/// A binomial draw: how many of `n` independent trials succeed with probability `p` (clamped to 0…1).
pub fn binomial(rng: &mut SimRng, n: u64, p: f64) -> u64 {
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let flipped = p > 0.5;
    let p = if flipped { 1.0 - p } else { p };
    let np = n as f64 * p;
    let draw = if np < 10.0 { binv(rng, n, p) } else { btpe(rng, n, p) };
    if flipped {
        n - draw
    } else {
        draw
    }
}

/// Splits `n` items over categories in proportion to `weights` (a multinomial draw), into `counts`.
///
/// Conditional binomials: category i gets Binomial(remaining, wᵢ / remaining weight). Non-positive
/// weights get nothing; if every weight is zero, nothing is assigned.
pub fn multinomial(rng: &mut SimRng, n: u64, weights: &[f64], counts: &mut [u64]) {
    debug_assert_eq!(weights.len(), counts.len(), "one count per weight");
    counts.iter_mut().for_each(|c| *c = 0);
    let mut left_weight: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    let mut left = n;
    let last = weights.iter().rposition(|w| *w > 0.0);
    for (i, (&w, count)) in weights.iter().zip(counts.iter_mut()).enumerate() {
        if left == 0 || w <= 0.0 {
            continue;
        }
        let take = if Some(i) == last { left } else { binomial(rng, left, w / left_weight) };
        *count = take;
        left -= take;
        left_weight -= w;
    }
}

/// A standard normal draw (Marsaglia's polar method).
pub fn standard_normal(rng: &mut SimRng) -> f64 {
    loop {
        let u = 2.0 * rng.unit_f64() - 1.0;
        let v = 2.0 * rng.unit_f64() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * libm::log(s) / s).sqrt();
        }
    }
}

/// Zipf weights 1/k^s for ranks k = 1…n (not normalised).
pub fn zipf_weights(n: usize, exponent: f64) -> Vec<f64> {
    (1..=n).map(|k| 1.0 / libm::pow(k as f64, exponent)).collect()
}

/// Inversion for small means: walk the probability mass function from 0.
fn binv(rng: &mut SimRng, n: u64, p: f64) -> u64 {
    // Past this many successes the walk restarts; the tail beyond it has negligible mass for n·p < 10.
    const BINV_MAX_X: u64 = 110;
    let q = 1.0 - p;
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    let r0 = libm::pow(q, n as f64);
    'outer: loop {
        let mut r = r0;
        let mut u = rng.unit_f64();
        let mut x = 0;
        while u > r {
            u -= r;
            x += 1;
            if x > BINV_MAX_X || x > n {
                continue 'outer;
            }
            r *= a / (x as f64) - s;
        }
        return x;
    }
}

/// BTPE for larger means (p ≤ 0.5): a triangle/parallelogram/exponential hat with squeezes.
#[allow(clippy::many_single_char_names)] // the names of the reference algorithm
fn btpe(rng: &mut SimRng, n: u64, p: f64) -> u64 {
    const SQUEEZE_THRESHOLD: u64 = 20;
    let q = 1.0 - p;
    let np = n as f64 * p;
    let npq = np * q;
    let f_m = np + p;
    let m = f_m as u64;
    let p1 = libm::floor(2.195 * npq.sqrt() - 4.6 * q) + 0.5;
    let x_m = m as f64 + 0.5;
    let (x_l, x_r) = (x_m - p1, x_m + p1);
    let c = 0.134 + 20.5 / (15.3 + m as f64);
    let p2 = p1 * (1.0 + 2.0 * c);
    let lambda = |a: f64| a * (1.0 + 0.5 * a);
    let lambda_l = lambda((f_m - x_l) / (f_m - x_l * p));
    let lambda_r = lambda((x_r - f_m) / (x_r * q));
    let p3 = p2 + c / lambda_l;
    let p4 = p3 + c / lambda_r;
    loop {
        let u = rng.unit_f64() * p4;
        let mut v = rng.unit_f64();
        let y: u64;
        if u <= p1 {
            return (x_m - p1 * v + u) as u64;
        }
        if u <= p2 {
            let x = x_l + (u - p1) / c;
            v = v * c + 1.0 - (x - x_m).abs() / p1;
            if v > 1.0 || x < 0.0 {
                continue;
            }
            y = x as u64;
        } else if u <= p3 {
            let y_tmp = x_l + libm::log(v) / lambda_l;
            if y_tmp < 0.0 {
                continue;
            }
            y = y_tmp as u64;
            v *= (u - p2) * lambda_l;
        } else {
            y = (x_r - libm::log(v) / lambda_r) as u64; // `as` saturates
            if y > n {
                continue;
            }
            v *= (u - p3) * lambda_r;
        }
        if y > n {
            continue;
        }
        let k = y.abs_diff(m);
        if k <= SQUEEZE_THRESHOLD || k as f64 >= 0.5 * npq - 1.0 {
            // Evaluate f(y)/f(m) by the recurrence.
            let s = p / q;
            let a = s * (n as f64 + 1.0);
            let mut f = 1.0;
            match m.cmp(&y) {
                Ordering::Less => (m + 1..=y).for_each(|i| f *= a / i as f64 - s),
                Ordering::Greater => (y + 1..=m).for_each(|i| f /= a / i as f64 - s),
                Ordering::Equal => {}
            }
            if v > f {
                continue;
            }
            return y;
        }
        let kf = k as f64;
        let rho = (kf / npq) * ((kf * (kf / 3.0 + 0.625) + 1.0 / 6.0) / npq + 0.5);
        let t = -0.5 * kf * kf / npq;
        let alpha = libm::log(v);
        if alpha < t - rho {
            return y;
        }
        if alpha > t + rho {
            continue;
        }
        let x1 = (y + 1) as f64;
        let f1 = (m + 1) as f64;
        let z = (n - m + 1) as f64;
        let w = (n - y + 1) as f64;
        let stirling = |a: f64| {
            let a2 = a * a;
            (13860.0 - (462.0 - (132.0 - (99.0 - 140.0 / a2) / a2) / a2) / a2) / a / 166_320.0
        };
        let y_sub_m = y as f64 - m as f64;
        let bound = x_m * libm::log(f1 / x1)
            + ((n - m) as f64 + 0.5) * libm::log(z / w)
            + y_sub_m * libm::log(w * p / (x1 * q))
            + stirling(f1)
            + stirling(z)
            - stirling(x1)
            - stirling(w);
        if alpha > bound {
            continue;
        }
        return y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Seed;

    fn moments(n: u64, p: f64, draws: usize) -> (f64, f64) {
        let mut rng = SimRng::new(Seed(17));
        let xs: Vec<f64> = (0..draws).map(|_| binomial(&mut rng, n, p) as f64).collect();
        let mean = xs.iter().sum::<f64>() / draws as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / draws as f64;
        (mean, var)
    }

    #[test]
    fn binomial_means_and_variances_match_theory() {
        for (n, p) in [(20, 0.1), (1_000, 0.003), (1_000, 0.5), (100_000, 0.01), (50, 0.9), (1_000_000, 0.25)] {
            let (mean, var) = moments(n, p, 20_000);
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            // Standard error of the mean is sqrt(v / 20,000); allow 5 of them. Variance within 5 %.
            assert!((mean - m).abs() < 5.0 * (v / 20_000.0).sqrt() + 1e-9, "n={n} p={p}: mean {mean} vs {m}");
            assert!((var - v).abs() < 0.05 * v, "n={n} p={p}: variance {var} vs {v}");
        }
    }

    #[test]
    fn binomial_edges_are_exact() {
        let mut rng = SimRng::new(Seed(1));
        assert_eq!(binomial(&mut rng, 0, 0.5), 0);
        assert_eq!(binomial(&mut rng, 10, 0.0), 0);
        assert_eq!(binomial(&mut rng, 10, 1.0), 10);
        assert_eq!(binomial(&mut rng, 10, f64::NAN), 0);
        assert!((0..1_000).all(|_| binomial(&mut rng, 7, 0.5) <= 7));
    }

    #[test]
    fn the_draws_are_pinned() {
        // If this fails, recorded scenarios no longer replay: the sampler or its maths changed.
        let mut rng = SimRng::new(Seed(2024));
        let got: Vec<u64> = [(30, 0.2), (100_000, 0.01), (1_000, 0.7), (5_000_000, 0.5)]
            .iter()
            .map(|&(n, p)| binomial(&mut rng, n, p))
            .collect();
        assert_eq!(got, PINNED);
    }
    const PINNED: [u64; 4] = [6, 1_011, 703, 2_501_919];

    #[test]
    fn multinomial_assigns_everything_by_weight() {
        let mut rng = SimRng::new(Seed(5));
        let weights = [0.7, 0.0, 0.2, 0.1];
        let mut counts = [0; 4];
        let mut totals = [0u64; 4];
        for _ in 0..1_000 {
            multinomial(&mut rng, 1_000, &weights, &mut counts);
            assert_eq!(counts.iter().sum::<u64>(), 1_000);
            assert_eq!(counts[1], 0, "zero weight gets nothing");
            totals.iter_mut().zip(counts).for_each(|(t, c)| *t += c);
        }
        assert!((695_000..705_000).contains(&totals[0]), "{totals:?}");
        assert!((98_000..102_000).contains(&totals[3]), "{totals:?}");
        multinomial(&mut rng, 5, &[0.0, 0.0], &mut counts[..2]);
        assert_eq!(counts[..2], [0, 0]);
    }

    #[test]
    fn normals_and_zipf_weights_look_right() {
        let mut rng = SimRng::new(Seed(8));
        let xs: Vec<f64> = (0..20_000).map(|_| standard_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| x * x).sum::<f64>() / xs.len() as f64 - mean * mean;
        assert!(mean.abs() < 0.04 && (var - 1.0).abs() < 0.05, "{mean} {var}");
        assert_eq!(zipf_weights(3, 1.0), vec![1.0, 0.5, 1.0 / 3.0]);
    }
}
