package org.svgjava.train.data;

import java.util.Random;

/**
 * Turns one image into the network's input floats on the loader's worker thread. The generator is seeded from
 * (loader seed, epoch, position in the epoch), so random crops and flips repeat exactly when a run is resumed.
 */
@FunctionalInterface
public interface SampleTransform {
    float[] apply(Pixels image, Random rng);
}
