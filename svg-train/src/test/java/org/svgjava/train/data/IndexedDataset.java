package org.svgjava.train.data;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dataset whose 2x2 images spell out their own index (R = index & 0xFF, G = index >> 8), with a chosen set of
 * unreadable indices and optionally one index that throws, and a count of reads.
 */
final class IndexedDataset implements Dataset {
    final int size;
    final Set<Integer> unreadable;
    final int failing;
    final AtomicInteger reads = new AtomicInteger();

    IndexedDataset(int size, Set<Integer> unreadable, int failing) {
        this.size = size;
        this.unreadable = unreadable;
        this.failing = failing;
    }

    IndexedDataset(int size) {
        this(size, Set.of(), -1);
    }

    static int indexOf(float[] chw, int offset) {
        // undo x / 127.5 - 1 for R and G of the first pixel (plane size 4)
        int r = Math.round((chw[offset] + 1) * 127.5f);
        int g = Math.round((chw[offset + 4] + 1) * 127.5f);
        return r | g << 8;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public List<String> classNames() {
        return List.of("a", "b", "c");
    }

    @Override
    public int label(int index) {
        return index % 3;
    }

    @Override
    public Optional<LabeledImage> tryGet(int index) {
        reads.incrementAndGet();
        if (index == failing) {
            throw new IllegalStateException("sample " + index + " exploded");
        }
        if (unreadable.contains(index)) {
            return Optional.empty();
        }
        byte[] rgb = new byte[12];
        for (int p = 0; p < 4; p++) {
            rgb[3 * p] = (byte) index;
            rgb[3 * p + 1] = (byte) (index >> 8);
            rgb[3 * p + 2] = (byte) p;
        }
        return Optional.of(new LabeledImage(Pixels.of(2, 2, rgb), label(index)));
    }

    @Override
    public long skippedCount() {
        return unreadable.size();
    }
}
