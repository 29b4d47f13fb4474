package org.svgjava.core.optim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.svgjava.core.nn.ParameterSet;

class ChunkedLoopTest {
    @Test
    void visitsEveryKeptElementExactlyOnceOnBothPaths() {
        for (int scale : new int[] {1, 5_000}) {
            ParameterSet set = ParameterSet.builder()
                    .add("a", 7L * scale).add("b", 3L * scale).add("frozen", 11L * scale).add("c", 13L * scale).build();
            ChunkedLoop loop = ChunkedLoop.of(set, name -> !name.equals("frozen"));
            assertThat(loop.size()).isEqualTo(23L * scale);
            assertThat(loop.ranges()).as("a and b merge; c is apart").isEqualTo(2);
            AtomicIntegerArray seen = new AtomicIntegerArray((int) set.numel());
            loop.forEach((from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            long[] frozen = set.range("frozen");
            for (int i = 0; i < seen.length(); i++) {
                boolean inFrozen = i >= frozen[0] && i < frozen[0] + frozen[1];
                assertThat(seen.get(i)).as("element %d", i).isEqualTo(inFrozen ? 0 : 1);
            }
            assertThat(loop.sum((from, to) -> to - from)).isEqualTo(23.0 * scale);
        }
    }

    @Test
    void sumsAreReproducibleRunToRun() {
        ChunkedLoop loop = ChunkedLoop.whole(1_000_003);
        ChunkedLoop.SumBody body = (from, to) -> {
            double s = 0;
            for (int i = from; i < to; i++) {
                s += 1.0 / (i + 1.0);
            }
            return s;
        };
        double first = loop.sum(body);
        for (int k = 0; k < 5; k++) {
            assertThat(loop.sum(body)).isEqualTo(first);
        }
        assertThat(ChunkedLoop.whole(0).sum(body)).isZero();
    }
}
