package org.svgjava.train.data;

/**
 * Derives independent seeds from tuples such as (seed, epoch) or (seed, index), so that nothing depends on the
 * order in which samples or epochs are visited.
 */
final class Seeds {
    private Seeds() {
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated outputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long of(long a, long b) {
        return mix(mix(a + 0x9E3779B97F4A7C15L) ^ b);
    }

    static long of(long a, long b, long c) {
        return mix(of(a, b) ^ mix(c + 0x632BE59BD9B4E019L));
    }
}
