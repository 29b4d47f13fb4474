package org.svgjava.train.data;

import java.util.SplittableRandom;

/** The visiting order of one epoch: a shuffle fixed by (seed, epoch), so a resumed run sees the same batches. */
public final class EpochOrder {
    private EpochOrder() {
    }

    public static int[] of(int n, long seed, long epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.of(seed, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
