package org.svgjava.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;

@Timeout(60)
class LoaderTest {

    private static List<Batch> drain(BatchIterator it) {
        List<Batch> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not reached in 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void orderIsAFunctionOfSeedAndEpoch() {
        IndexedDataset d = new IndexedDataset(103);
        try (Loader a = Loader.builder(d).batchSize(10).seed(5).dropLast(false).build();
             Loader b = Loader.builder(d).batchSize(10).seed(5).dropLast(false).build();
             Loader other = Loader.builder(d).batchSize(10).seed(6).dropLast(false).build()) {
            List<Batch> a0 = drain(a.batches(0));
            List<Batch> b0 = drain(b.batches(0));
            assertThat(a0).hasSize(11);
            assertThat(a0.get(10).size()).as("last partial batch kept").isEqualTo(3);
            for (int i = 0; i < a0.size(); i++) {
                assertThat(a0.get(i).indices()).isEqualTo(b0.get(i).indices());
                assertThat(a0.get(i).data()).isEqualTo(b0.get(i).data());
                assertThat(a0.get(i).step()).isEqualTo(i);
            }
            int[] seen = a0.stream().flatMapToInt(x -> Arrays.stream(x.indices())).sorted().toArray();
            assertThat(seen).as("an epoch visits every index once").isEqualTo(IntStream.range(0, 103).toArray());
            assertThat(a.order(0)).isNotEqualTo(IntStream.range(0, 103).toArray());
            assertThat(a.order(1)).isNotEqualTo(a.order(0));
            assertThat(other.order(0)).isNotEqualTo(a.order(0));
            // the data really is the sample at that index, and labels follow it
            Batch first = a0.get(0);
            for (int j = 0; j < first.size(); j++) {
                assertThat(IndexedDataset.indexOf(first.data(), j * 12)).isEqualTo(first.indices()[j]);
                assertThat(first.labels()[j]).isEqualTo(first.indices()[j] % 3);
            }
        }
    }

    @Test
    void resumingMidEpochGivesTheSameBatchesIncludingRandomAugmentation() {
        IndexedDataset d = new IndexedDataset(64);
        SampleTransform noisy = (p, rng) -> {
            float[] x = p.toChwMinusOneOne();
            x[x.length - 1] = rng.nextFloat();
            return x;
        };
        try (Loader l = Loader.builder(d).batchSize(8).seed(42).randomTransform(noisy).build()) {
            assertThat(l.stepsPerEpoch()).isEqualTo(8);
            List<Batch> full = drain(l.batches(3));
            List<Batch> resumed = drain(l.batches(3, 5));
            assertThat(resumed).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(resumed.get(i).step()).isEqualTo(5 + i);
                assertThat(resumed.get(i).indices()).isEqualTo(full.get(5 + i).indices());
                assertThat(resumed.get(i).data()).isEqualTo(full.get(5 + i).data());
            }
            assertThat(drain(l.batches(3, 8))).isEmpty();
            assertThatThrownBy(() -> l.batches(3, 9)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void parallelDecodingGivesTheSameBatches() {
        IndexedDataset d = new IndexedDataset(50, Set.of(3, 17, 18), -1);
        try (Loader one = Loader.builder(d).batchSize(7).seed(1).build();
             Loader four = Loader.builder(d).batchSize(7).seed(1).workers(4).build()) {
            List<Batch> a = drain(one.batches(2));
            List<Batch> b = drain(four.batches(2));
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).indices()).isEqualTo(a.get(i).indices());
                assertThat(b.get(i).data()).isEqualTo(a.get(i).data());
            }
        }
    }

    @Test
    void deliversNd4jArraysOfShapeBx3xHxW() {
        ProceduralDataset d = ProceduralDataset.of(16, 4, 0);
        try (Loader l = Loader.builder(d).batchSize(5).shuffle(false).build();
             BatchIterator it = l.batches(0)) {
            Batch b = it.next();
            assertThat(b.shape()).containsExactly(5, 3, 16, 16);
            INDArray x = b.features();
            assertThat(x.shape()).containsExactly(5L, 3L, 16L, 16L);
            Pixels p = d.get(2).pixels();
            // sample 2, channel 1, row 7, column 9
            assertThat(x.getFloat(2, 1, 7, 9)).isEqualTo(p.get(9, 7, 1) / 127.5f - 1f);
            assertThat(b.labelArray().toLongVector()).containsExactly(0, 1, 2, 3, 4);
            assertThat(x.minNumber().floatValue()).isGreaterThanOrEqualTo(-1f);
            assertThat(x.maxNumber().floatValue()).isLessThanOrEqualTo(1f);
        }
    }

    @Test
    void unreadableSamplesAreReplacedSoBatchesStayFull() {
        Set<Integer> bad = Set.of(0, 1, 2, 10, 11, 40);
        IndexedDataset d = new IndexedDataset(48, bad, -1);
        try (Loader l = Loader.builder(d).batchSize(8).seed(9).build()) {
            List<Batch> all = drain(l.batches(0));
            assertThat(all).hasSize(6);
            for (Batch b : all) {
                assertThat(b.size()).isEqualTo(8);
                assertThat(b.data()).hasSize(8 * 12);
                for (int j = 0; j < b.size(); j++) {
                    assertThat(bad).doesNotContain(b.indices()[j]);
                    assertThat(IndexedDataset.indexOf(b.data(), j * 12)).isEqualTo(b.indices()[j]);
                }
            }
            // replacements come from after the batch, so batch boundaries (and resume) are unaffected
            List<Batch> resumed = drain(l.batches(0, 4));
            assertThat(resumed.get(0).indices()).isEqualTo(all.get(4).indices());
        }
        IndexedDataset none = new IndexedDataset(4, Set.of(0, 1, 2, 3), -1);
        try (Loader l = Loader.builder(none).batchSize(2).build(); BatchIterator it = l.batches(0)) {
            assertThatThrownBy(it::next).isInstanceOf(LoaderException.class)
                    .hasRootCauseMessage("no readable sample in " + none + " (4 unreadable)");
        }
    }

    @Test
    void workerExceptionsReachTheConsumerAtTheRightStep() {
        IndexedDataset probe = new IndexedDataset(40);
        int failingIndex;
        int failingStep;
        try (Loader l = Loader.builder(probe).batchSize(4).seed(3).build()) {
            int[] order = l.order(0);
            failingStep = 6;
            failingIndex = order[failingStep * 4 + 2];
        }
        IndexedDataset d = new IndexedDataset(40, Set.of(), failingIndex);
        try (Loader l = Loader.builder(d).batchSize(4).seed(3).build(); BatchIterator it = l.batches(0)) {
            for (int s = 0; s < failingStep; s++) {
                assertThat(it.next().step()).isEqualTo(s);
            }
            assertThatThrownBy(it::next).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("step " + failingStep)
                    .cause().isInstanceOf(IllegalStateException.class)
                    .hasMessage("sample " + failingIndex + " exploded");
            assertThatThrownBy(it::hasNext).as("the failure is not forgotten").isInstanceOf(LoaderException.class);
        }
        try (Loader l = Loader.builder(new IndexedDataset(8)).batchSize(4)
                .transform(p -> {
                    throw new ArithmeticException("bad transform");
                }).build(); BatchIterator it = l.batches(0)) {
            assertThatThrownBy(it::next).isInstanceOf(LoaderException.class)
                    .hasRootCauseInstanceOf(ArithmeticException.class);
        }
    }

    @Test
    void prefetchFillsABoundedQueueAhead() throws InterruptedException {
        IndexedDataset d = new IndexedDataset(400);
        try (Loader l = Loader.builder(d).batchSize(4).prefetch(3).build(); BatchIterator it = l.batches(0)) {
            // nothing consumed yet: the worker fills the queue, then blocks holding one more finished batch
            await(() -> it.buffered() == 3 && d.reads.get() == 16);
            Thread.sleep(100);
            assertThat(d.reads.get()).as("reads stay bounded by the queue").isEqualTo(16);
            assertThat(it.next().step()).isZero();
            await(() -> d.reads.get() == 20);
            assertThat(it.buffered()).isEqualTo(3);
        }
    }

    @Test
    void closeStopsTheWorker() throws InterruptedException {
        IndexedDataset d = new IndexedDataset(400);
        Loader l = Loader.builder(d).batchSize(4).prefetch(2).build();
        BatchIterator it = l.batches(0);
        it.next();
        BatchIterator other = l.batches(1);
        await(() -> it.buffered() == 2 && other.buffered() == 2);
        it.close();
        assertThat(it.isWorkerAlive()).isFalse();
        assertThat(it.buffered()).isZero();
        assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        it.close();

        l.close();
        assertThat(other.isWorkerAlive()).isFalse();
        assertThatThrownBy(() -> l.batches(2)).isInstanceOf(IllegalStateException.class);
        int reads = d.reads.get();
        Thread.sleep(50);
        assertThat(d.reads.get()).isEqualTo(reads);

        // an epoch run to the end shuts its worker down by itself
        try (Loader small = Loader.builder(new IndexedDataset(8)).batchSize(4).build()) {
            BatchIterator done = small.batches(0);
            drain(done);
            assertThat(done.hasNext()).isFalse();
            await(() -> !done.isWorkerAlive());
        }
    }

    @Test
    void rejectsDatasetsSmallerThanABatch() {
        assertThatThrownBy(() -> Loader.builder(new IndexedDataset(3)).batchSize(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 samples");
        try (Loader l = Loader.builder(new IndexedDataset(3)).batchSize(4).dropLast(false).build()) {
            assertThat(l.stepsPerEpoch()).isEqualTo(1);
            assertThat(drain(l.batches(0)).get(0).size()).isEqualTo(3);
        }
    }
}
