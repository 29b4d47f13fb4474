package org.svgjava.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Shuffled mini-batches of a {@link Dataset}, prefetched on a background thread.
 *
 * <p>The order is a pure function of (seed, epoch): epoch {@code e} visits a permutation drawn from
 * {@code Seeds.of(seed, e)}, and step {@code k} always takes positions {@code [k*B, (k+1)*B)} of it. A run resumed
 * at (epoch, step) with {@link #batches(int, int)} therefore sees exactly the batches an uninterrupted run would.
 * Random augmentation ({@link SampleTransform}) is seeded the same way, per position.
 *
 * <p>A sample the dataset cannot read is replaced by the next readable one after the batch's own positions, in
 * permutation order (wrapping), so batches keep their size and their boundaries do not shift; such a replacement
 * appears twice in that epoch. Decoding and the transform run on the worker; their exceptions reach the consumer.
 */
public final class Loader implements AutoCloseable {
    private final Dataset dataset;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int prefetch;
    private final SampleTransform transform;
    private final int[] sampleShape;
    private final ExecutorService decoders;
    private final Set<BatchIterator> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Loader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.transform = b.transform;
        this.sampleShape = b.sampleShape;
        this.decoders = b.workers > 1 ? Executors.newFixedThreadPool(b.workers, r -> {
            Thread t = new Thread(r, "svg-loader-decode");
            t.setDaemon(true);
            return t;
        }) : null;
        if (stepsPerEpoch() == 0) {
            throw new IllegalArgumentException("dataset " + dataset + " has " + dataset.size() + " samples: not one"
                    + " full batch of " + batchSize + (dropLast ? " (dropLast)" : ""));
        }
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch: {@code n / B}, rounded up unless the last partial batch is dropped. */
    public int stepsPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The order in which epoch {@code epoch} visits the dataset's indices. */
    public int[] order(int epoch) {
        int n = dataset.size();
        if (shuffle) {
            return EpochOrder.of(n, seed, epoch);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** All batches of {@code epoch}. Close the iterator (or this loader) if you stop early. */
    public BatchIterator batches(int epoch) {
        return batches(epoch, 0);
    }

    /** The batches of {@code epoch} from step {@code startStep} on, identical to those of an uninterrupted pass. */
    public BatchIterator batches(int epoch, int startStep) {
        if (closed) {
            throw new IllegalStateException("loader is closed");
        }
        if (epoch < 0 || startStep < 0 || startStep > stepsPerEpoch()) {
            throw new IllegalArgumentException("no step " + startStep + " in epoch " + epoch + " (" + stepsPerEpoch()
                    + " steps per epoch)");
        }
        int[] order = order(epoch);
        BatchIterator[] self = new BatchIterator[1];
        self[0] = new BatchIterator("svg-loader-epoch-" + epoch, startStep, stepsPerEpoch(), prefetch,
                step -> assemble(epoch, step, order), () -> open.remove(self[0]));
        open.add(self[0]);
        return self[0];
    }

    /** One sample after decoding and transform; shape is known from the image the transform saw. */
    private record Sample(float[] x, int label, int index, int width, int height) {
    }

    private Batch assemble(int epoch, int step, int[] order) {
        int n = order.length;
        int start = step * batchSize;
        int size = Math.min(batchSize, n - start);
        List<Optional<Sample>> nominal = decodeAll(epoch, order, start, size);
        Sample[] samples = new Sample[size];
        int spare = 0;
        for (int j = 0; j < size; j++) {
            Optional<Sample> s = nominal.get(j);
            while (s.isEmpty()) {
                if (spare >= n) {
                    throw new IllegalStateException("no readable sample in " + dataset + " (" + dataset.skippedCount()
                            + " unreadable)");
                }
                int pos = (start + size + spare++) % n;
                s = load(epoch, pos, order[pos]);
            }
            samples[j] = s.get();
        }
        return pack(epoch, step, samples);
    }

    private List<Optional<Sample>> decodeAll(int epoch, int[] order, int start, int size) {
        List<Optional<Sample>> out = new ArrayList<>(size);
        if (decoders == null) {
            for (int j = 0; j < size; j++) {
                out.add(load(epoch, start + j, order[start + j]));
            }
            return out;
        }
        List<Future<Optional<Sample>>> futures = new ArrayList<>(size);
        for (int j = 0; j < size; j++) {
            int pos = start + j;
            futures.add(decoders.submit(() -> load(epoch, pos, order[pos])));
        }
        try {
            for (Future<Optional<Sample>> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new CancellationException("loader closed");
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
        return out;
    }

    private Optional<Sample> load(int epoch, int pos, int index) {
        Optional<LabeledImage> img = dataset.tryGet(index);
        if (img.isEmpty()) {
            return Optional.empty();
        }
        Pixels p = img.get().pixels();
        float[] x = transform.apply(p, new Random(Seeds.of(~seed, epoch, pos)));
        if (x == null) {
            throw new IllegalStateException("transform returned null for sample " + index);
        }
        return Optional.of(new Sample(x, img.get().label(), index, p.width(), p.height()));
    }

    private Batch pack(int epoch, int step, Sample[] samples) {
        int len = samples[0].x.length;
        int[] shape = sampleShape;
        if (shape == null) {
            int w = samples[0].width;
            int h = samples[0].height;
            shape = len == 3 * w * h ? new int[] {3, h, w} : new int[] {len};
        } else if (Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) != len) {
            throw new IllegalStateException("transform returned " + len + " floats for sample " + samples[0].index
                    + ", but the sample shape is " + Arrays.toString(shape));
        }
        float[] data = new float[Math.multiplyExact(samples.length, len)];
        long[] labels = new long[samples.length];
        int[] indices = new int[samples.length];
        for (int j = 0; j < samples.length; j++) {
            Sample s = samples[j];
            if (s.x.length != len) {
                throw new IllegalStateException("transform returned " + s.x.length + " floats for sample " + s.index
                        + " but " + len + " for sample " + samples[0].index + ": images of different sizes need a"
                        + " resize or crop in the transform");
            }
            System.arraycopy(s.x, 0, data, j * len, len);
            labels[j] = s.label;
            indices[j] = s.index;
        }
        return new Batch(epoch, step, shape, data, labels, indices);
    }

    /** Stops every open iterator's worker and the decode pool. */
    @Override
    public void close() {
        closed = true;
        for (BatchIterator it : List.copyOf(open)) {
            it.close();
        }
        if (decoders != null) {
            decoders.shutdownNow();
        }
    }

    /** Loader settings; everything but the dataset has a default. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 32;
        private long seed;
        private boolean shuffle = true;
        private boolean dropLast = true;
        private int prefetch = 4;
        private int workers = 1;
        private SampleTransform transform = (p, rng) -> p.toChwMinusOneOne();
        private int[] sampleShape;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether each epoch visits a fresh permutation (default) or the dataset's own order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Whether a final batch smaller than the batch size is dropped (default true, as for training). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** How many finished batches may wait in the queue (default 4). */
        public Builder prefetch(int batches) {
            if (batches <= 0) {
                throw new IllegalArgumentException("prefetch must be at least 1 batch, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** Threads decoding the samples of a batch in parallel (default 1: the worker decodes them itself). */
        public Builder workers(int workers) {
            if (workers <= 0) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** A deterministic transform; the default is {@link Pixels#toChwMinusOneOne()}. */
        public Builder transform(Function<Pixels, float[]> transform) {
            Objects.requireNonNull(transform, "transform");
            this.transform = (p, rng) -> transform.apply(p);
            return this;
        }

        /** A random transform (crops, flips), given a generator seeded per (seed, epoch, position). */
        public Builder randomTransform(SampleTransform transform) {
            this.transform = Objects.requireNonNull(transform, "transform");
            return this;
        }

        /**
         * The shape of one transformed sample. Without it, a transform output of {@code 3*H*W} floats for an
         * {@code H x W} image is taken as {@code [3, H, W]}, anything else as flat.
         */
        public Builder sampleShape(int... shape) {
            this.sampleShape = shape.clone();
            return this;
        }

        public Loader build() {
            return new Loader(this);
        }
    }
}
