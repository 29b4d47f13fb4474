package org.svgjava.core.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.Predicate;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.ParameterSet;

/**
 * A fixed set of index ranges of a flat buffer, cut once into chunks that run on the common ForkJoinPool, so a
 * training step is one pass over memory with no per-step allocation: the tasks are built here and reinitialised
 * on every run.
 *
 * <p>No piece crosses a {@link FlatBuffers#segment} boundary, so a body reads one NIO segment.
 *
 * <p>The chunking depends only on the ranges, not on the number of cores, and {@link #sum} adds the chunk partial
 * sums in chunk order, so results are the same on every machine and on the serial and parallel paths.
 *
 * <p>Not thread-safe: one loop serves one optimiser (or one clip call) at a time.
 */
final class ChunkedLoop {
    /** Below this many elements forking costs more than it saves; such loops run on the calling thread. */
    static final int PARALLEL_THRESHOLD = 1 << 16;
    private static final int MIN_CHUNK = 1 << 15;
    private static final int MAX_CHUNKS = 64;

    /** The loop body over {@code [from, to)}. */
    interface Body {
        void run(int from, int to);
    }

    /** A loop body returning a partial sum over {@code [from, to)}. */
    interface SumBody {
        double run(int from, int to);
    }

    private final int[] pieceStart;
    private final int[] pieceEnd;
    /** Chunk c is pieces {@code chunkFirst[c] .. chunkFirst[c + 1] - 1}. */
    private final int[] chunkFirst;
    private final long size;
    private final Chunk[] tasks;
    private final double[] partial;
    private Body body;
    private SumBody sumBody;

    private ChunkedLoop(List<int[]> ranges) {
        long total = 0;
        for (int[] r : ranges) {
            total += r[1] - r[0];
        }
        size = total;
        long chunk = Math.max(MIN_CHUNK, (total + MAX_CHUNKS - 1) / MAX_CHUNKS);
        List<int[]> pieces = new ArrayList<>();
        List<Integer> firsts = new ArrayList<>();
        firsts.add(0);
        long filled = 0;
        for (int[] r : ranges) {
            int s = r[0];
            while (s < r[1]) {
                long segmentEnd = ((long) FlatBuffers.segment(s) + 1) << FlatBuffers.SEGMENT_SHIFT;
                int e = (int) Math.min(Math.min(r[1], s + (chunk - filled)), segmentEnd);
                pieces.add(new int[] {s, e});
                filled += e - s;
                s = e;
                if (filled == chunk) {
                    firsts.add(pieces.size());
                    filled = 0;
                }
            }
        }
        if (firsts.get(firsts.size() - 1) != pieces.size()) {
            firsts.add(pieces.size());
        }
        pieceStart = new int[pieces.size()];
        pieceEnd = new int[pieces.size()];
        for (int i = 0; i < pieces.size(); i++) {
            pieceStart[i] = pieces.get(i)[0];
            pieceEnd[i] = pieces.get(i)[1];
        }
        chunkFirst = firsts.stream().mapToInt(Integer::intValue).toArray();
        int chunks = chunkFirst.length - 1;
        partial = new double[chunks];
        if (total >= PARALLEL_THRESHOLD) {
            tasks = new Chunk[chunks];
            for (int c = 0; c < chunks; c++) {
                tasks[c] = new Chunk(c);
            }
        } else {
            tasks = null;
        }
    }

    /** Every element of a buffer of {@code n} elements. */
    static ChunkedLoop whole(long n) {
        return new ChunkedLoop(n == 0 ? List.of() : List.of(new int[] {0, Math.toIntExact(n)}));
    }

    /** The elements of the tensors whose names pass {@code keep}, neighbouring tensors merged into one range. */
    static ChunkedLoop of(ParameterSet set, Predicate<String> keep) {
        List<int[]> ranges = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : set.views().entrySet()) {
            if (!keep.test(e.getKey())) {
                continue;
            }
            long[] r = set.range(e.getKey());
            if (r[1] == 0) {
                continue;
            }
            int s = Math.toIntExact(r[0]);
            int end = Math.toIntExact(r[0] + r[1]);
            int[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && last[1] == s) {
                last[1] = end;
            } else {
                ranges.add(new int[] {s, end});
            }
        }
        return new ChunkedLoop(ranges);
    }

    /** Number of elements covered. */
    long size() {
        return size;
    }

    /** Number of disjoint index ranges after merging neighbours (for logs and tests). */
    int ranges() {
        int n = 0;
        for (int i = 0; i < pieceStart.length; i++) {
            if (i == 0 || pieceStart[i] != pieceEnd[i - 1]) {
                n++;
            }
        }
        return n;
    }

    void forEach(Body b) {
        body = b;
        sumBody = null;
        try {
            runAll();
        } finally {
            body = null;
        }
    }

    double sum(SumBody b) {
        sumBody = b;
        body = null;
        try {
            runAll();
        } finally {
            sumBody = null;
        }
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    private void runAll() {
        if (tasks == null) {
            for (int c = 0; c < partial.length; c++) {
                runChunk(c);
            }
            return;
        }
        for (Chunk t : tasks) {
            t.reinitialize();
        }
        // from a plain thread this forks into the common pool; the caller runs one chunk and joins the rest
        ForkJoinTask.invokeAll(tasks);
    }

    private void runChunk(int c) {
        if (sumBody != null) {
            double s = 0;
            for (int p = chunkFirst[c]; p < chunkFirst[c + 1]; p++) {
                s += sumBody.run(pieceStart[p], pieceEnd[p]);
            }
            partial[c] = s;
        } else {
            for (int p = chunkFirst[c]; p < chunkFirst[c + 1]; p++) {
                body.run(pieceStart[p], pieceEnd[p]);
            }
        }
    }

    private final class Chunk extends RecursiveAction {
        private final int index;

        Chunk(int index) {
            this.index = index;
        }

        @Override
        protected void compute() {
            runChunk(index);
        }
    }
}
