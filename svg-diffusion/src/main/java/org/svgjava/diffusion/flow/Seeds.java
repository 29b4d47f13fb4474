package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J generators for user seeds. ND4J's native generator takes seed 0 to mean "no seed": two
 * {@code getNewRandomInstance(0)} in one process gave two different streams, so the demo's default seed 0 sampled
 * different images on every run. Seeds go through SplitMix64 first (a bijection of the longs), and the one seed
 * that it maps to 0 is moved to 1.
 */
public final class Seeds {
    private Seeds() {
    }

    /** A generator whose stream depends only on {@code seed}. */
    public static Random nd4j(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return Nd4j.getRandomFactory().getNewRandomInstance(z == 0 ? 1 : z);
    }
}
