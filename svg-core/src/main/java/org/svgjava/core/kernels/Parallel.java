package org.svgjava.core.kernels;

import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Splits a loop over items into a fixed number of chunks run on the common ForkJoinPool, the calling thread
 * taking part. The partition depends only on the sizes, never on scheduling, so a kernel that keeps one partial
 * sum per chunk and adds them in chunk order gives bit-identical results run after run.
 */
final class Parallel {
    /** Below this many elements of work a call runs on the calling thread: forking costs more than it saves. */
    static final long MIN_PARALLEL_WORK = 1 << 15;
    private static final long TARGET_CHUNK_WORK = 1 << 14;
    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    /** The body of one chunk: items {@code [from, to)}. */
    @FunctionalInterface
    interface ChunkBody {
        void run(int chunk, int from, int to);
    }

    /** The body of one block of a flat loop: elements {@code [from, from + length)}, block number {@code block}. */
    @FunctionalInterface
    interface BlockBody {
        void run(int block, int from, int length);
    }

    private Parallel() {
    }

    /**
     * Runs {@code body} over {@code [0, n)} in blocks of {@code blockSize} elements (the last one shorter), the blocks
     * split over the threads: the shape of every streaming element-wise kernel, which copies a block into a heap
     * array, works on it there and writes it back.
     */
    static void forBlocks(int n, int blockSize, BlockBody body) {
        int blocks = (n + blockSize - 1) / blockSize;
        forEach(blocks, blockSize, (c, b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int from = b * blockSize;
                body.run(b, from, Math.min(blockSize, n - from));
            }
        });
    }

    /** Number of chunks for {@code items} items of {@code workPerItem} elements each: 1 when small. */
    static int chunks(long items, long workPerItem) {
        long work = items * Math.max(1, workPerItem);
        if (THREADS <= 1 || items < 2 || work < MIN_PARALLEL_WORK) {
            return 1;
        }
        long byWork = Math.max(2, work / TARGET_CHUNK_WORK);
        return (int) Math.min(Math.min(items, 4L * THREADS), byWork);
    }

    /** Runs {@code body} for every chunk of {@code [0, items)}; chunk {@code c} covers {@code [c*items/chunks, (c+1)*items/chunks)}. */
    static void run(int chunks, int items, ChunkBody body) {
        if (chunks <= 1) {
            body.run(0, 0, items);
        } else {
            new Split(body, items, chunks, 0, chunks).invoke();
        }
    }

    /** Convenience: {@link #chunks} then {@link #run}. */
    static void forEach(int items, long workPerItem, ChunkBody body) {
        run(chunks(items, workPerItem), items, body);
    }

    static int from(int chunk, int chunks, int items) {
        return (int) ((long) chunk * items / chunks);
    }

    /** Halves the chunk range until one chunk is left, so the caller runs one half while the pool steals the other. */
    private static final class Split extends RecursiveAction {
        private final ChunkBody body;
        private final int items;
        private final int chunks;
        private final int lo;
        private final int hi;

        Split(ChunkBody body, int items, int chunks, int lo, int hi) {
            this.body = body;
            this.items = items;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run(lo, from(lo, chunks, items), from(lo + 1, chunks, items));
                return;
            }
            int mid = (lo + hi) >>> 1;
            ForkJoinTask.invokeAll(new Split(body, items, chunks, lo, mid), new Split(body, items, chunks, mid, hi));
        }
    }
}
