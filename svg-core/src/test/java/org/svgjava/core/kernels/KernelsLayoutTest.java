package org.svgjava.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.svgjava.core.kernels.KernelCases.rand;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.nn.ParameterSet;
import org.svgjava.core.testing.Allclose;

/**
 * Memory layouts the layers will use: views at odd offsets into flat buffers (ParameterSet), row slices, in-place
 * calls, accumulation into parameter gradients, adaLN chunks with a row stride, and non-contiguous arrays (which
 * CpuKernels must hand to the portable path rather than misread).
 */
class KernelsLayoutTest {
    private static final Kernels REF = new ReferenceKernels();

    static Stream<Kernels> kernels() {
        return Stream.of(new CpuKernels(), new PortableKernels());
    }

    private static double tol(DataType t) {
        return t == DataType.FLOAT ? 1e-5 : 1e-12;
    }

    /** A copy of {@code a} living at {@code offset} inside a larger flat buffer filled with a sentinel. */
    private static INDArray viewAt(INDArray a, long offset, INDArray[] flatOut) {
        INDArray flat = Nd4j.create(a.dataType(), a.length() + 2 * offset).assign(-777.0);
        INDArray v = flat.get(NDArrayIndex.interval(offset, offset + a.length())).reshape('c', a.shape());
        v.assign(a);
        flatOut[0] = flat;
        return v;
    }

    private static void assertSentinelsIntact(INDArray flat, long offset, long length) {
        for (long i = 0; i < offset; i++) {
            assertThat(flat.getDouble(i)).isEqualTo(-777.0);
            assertThat(flat.getDouble(flat.length() - 1 - i)).isEqualTo(-777.0);
        }
        assertThat(flat.length()).isEqualTo(length + 2 * offset);
    }

    /** A SiT-XL flat parameter buffer is 2.7 GB: parameters past 2^31 bytes must still take the fast path. */
    @Test
    void parametersBeyondTwoGibibytesOfAFlatBufferAreReachable() {
        long offset = (1L << 29) + 100;
        INDArray flat = Nd4j.createUninitialized(DataType.FLOAT, offset + 2 * 37 + 10);
        INDArray gamma = flat.get(NDArrayIndex.interval(offset, offset + 37));
        INDArray beta = flat.get(NDArrayIndex.interval(offset + 37, offset + 74));
        Random r = new Random(5);
        gamma.assign(rand(DataType.FLOAT, r, 1, 37));
        beta.assign(rand(DataType.FLOAT, r, 1, 37));
        assertThat(CpuMemory.usable(DataType.FLOAT, gamma, beta)).as("fast path").isTrue();
        INDArray x = rand(DataType.FLOAT, r, 1, 4, 37);
        INDArray y = x.ulike();
        INDArray ey = x.ulike();
        new CpuKernels().layerNorm(x, gamma, beta, 1e-5, y, Nd4j.create(DataType.FLOAT, 4), Nd4j.create(DataType.FLOAT, 4));
        REF.layerNorm(x, gamma.dup(), beta.dup(), 1e-5, ey, Nd4j.create(DataType.FLOAT, 4), Nd4j.create(DataType.FLOAT, 4));
        Allclose.assertRelClose("layerNorm with far parameters", y, ey, 1e-5);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void layerNormOnParameterSetViewsAccumulatesGradients(Kernels k) {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Random r = new Random(3);
            ParameterSet params = ParameterSet.builder().add("pad", 3).add("ln.weight", 37).add("ln.bias", 37)
                    .add("tail", 5).build(t);
            params.get("ln.weight").assign(rand(t, r, 1, 37));
            params.get("ln.bias").assign(rand(t, r, 1, 37));
            ParameterSet grads = params.zerosLike();
            grads.flat().assign(0.25);
            INDArray[] flat = new INDArray[1];
            INDArray x = viewAt(rand(t, r, 1, 3, 13, 37), 11, flat);
            INDArray y = x.ulike();
            INDArray mean = Nd4j.create(t, 39);
            INDArray rstd = Nd4j.create(t, 39);
            k.layerNorm(x, params.get("ln.weight"), params.get("ln.bias"), 1e-5, y, mean, rstd);

            INDArray ey = y.ulike();
            INDArray em = mean.ulike();
            INDArray er = rstd.ulike();
            REF.layerNorm(x.dup(), params.get("ln.weight").dup(), params.get("ln.bias").dup(), 1e-5, ey, em, er);
            Allclose.assertRelClose(t + " y", y, ey, tol(t));

            INDArray dy = viewAt(rand(t, r, 1, 3, 13, 37), 5, new INDArray[1]);
            INDArray dx = dy.ulike();
            k.layerNormBackward(dy, x, params.get("ln.weight"), mean, rstd, dx, grads.get("ln.weight"),
                    grads.get("ln.bias"));
            INDArray edx = dx.ulike();
            INDArray edg = Nd4j.create(t, 37).assign(0.25);
            INDArray edb = Nd4j.create(t, 37).assign(0.25);
            REF.layerNormBackward(dy.dup(), x.dup(), params.get("ln.weight").dup(), em, er, edx, edg, edb);
            Allclose.assertRelClose(t + " dx", dx, edx, tol(t));
            Allclose.assertRelClose(t + " dgamma (accumulated)", grads.get("ln.weight"), edg, tol(t));
            Allclose.assertRelClose(t + " dbeta (accumulated)", grads.get("ln.bias"), edb, tol(t));
            // neighbours in the flat gradient buffer untouched
            assertThat(grads.get("pad").meanNumber().doubleValue()).isEqualTo(0.25);
            assertThat(grads.get("tail").meanNumber().doubleValue()).isEqualTo(0.25);
            assertSentinelsIntact(flat[0], 11, x.length());
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void inPlaceCallsMatchOutOfPlace(Kernels k) {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean large : new boolean[] {false, true}) {
                Random r = new Random(5);
                long rows = large ? 2048 : 13;
                long d = large ? 384 : 37;
                INDArray x = rand(t, r, 2, rows, d);
                INDArray dy = rand(t, r, 1, rows, d);
                INDArray gamma = rand(t, r, 1, d);
                INDArray beta = rand(t, r, 1, d);
                INDArray shift = rand(t, r, 1, 1, d);
                INDArray scale = rand(t, r, 1, 1, d);
                String what = t + " rows=" + rows + " ";

                checkInPlace(what + "layerNorm", x, (in, out) -> k.layerNorm(in, gamma, beta, 1e-5, out, null, null), t);
                checkInPlace(what + "softmax", x, k::softmax, t);
                checkInPlace(what + "geluTanh", x, (in, out) -> k.gelu(in, out, true), t);
                checkInPlace(what + "geluErf", x, (in, out) -> k.gelu(in, out, false), t);
                checkInPlace(what + "silu", x, k::silu, t);
                checkInPlace(what + "modulate", x, (in, out) -> k.modulate(in, shift, scale, out), t);
                checkInPlace(what + "gatedResidual", x, (in, out) -> k.gatedResidual(in, dy, scale, out), t);
                // dx may be dy
                checkInPlace(what + "softmaxBackward", dy, (in, out) -> k.softmaxBackward(x, in, out), t);
                checkInPlace(what + "geluBackward", dy, (in, out) -> k.geluBackward(x, in, out, true), t);
                checkInPlace(what + "siluBackward", dy, (in, out) -> k.siluBackward(x, in, out), t);
                checkInPlace(what + "modulateBackward", dy,
                        (in, out) -> k.modulateBackward(in, x, scale, out, null, null), t);
                INDArray x3 = x.reshape('c', large ? 96 : 1, large ? 64 : 13, large ? 128 : 37);
                if (x3.size(-1) % 2 == 0) {
                    INDArray[] table = KernelCases.ropeTables(t, r, x3.size(1) - 2, x3.size(2));
                    checkInPlace(what + "rope", x3, (in, out) -> k.rope(in, table[0], table[1], 2, false, out), t);
                }
                INDArray xg = x.reshape('c', large ? 8 : 1, large ? 256 : 13, large ? 384 : 37);
                checkInPlace(what + "groupNorm", xg, (in, out) -> k.groupNorm(in, 1, null, null, 1e-5, out, null, null),
                        t);
            }
        }
    }

    @FunctionalInterface
    private interface Op {
        void apply(INDArray in, INDArray out);
    }

    private static void checkInPlace(String what, INDArray input, Op op, DataType t) {
        INDArray expected = input.ulike();
        op.apply(input.dup(), expected);
        INDArray inPlace = input.dup();
        op.apply(inPlace, inPlace);
        Allclose.assertRelClose(what + " in place", inPlace, expected, t == DataType.FLOAT ? 1e-6 : 1e-14);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void rowSlicesAndTensorsAlongDimensionAreReadAtTheirOffset(Kernels k) {
        Random r = new Random(9);
        INDArray m = rand(DataType.FLOAT, r, 1, 7, 41);
        INDArray row = m.getRow(4);
        assertThat(row.offset()).isEqualTo(4 * 41);
        INDArray y = Nd4j.create(DataType.FLOAT, 41);
        k.softmax(row, y);
        INDArray ey = y.ulike();
        REF.softmax(row.dup(), ey);
        Allclose.assertRelClose("row slice softmax", y, ey, 1e-6);

        INDArray t3 = rand(DataType.FLOAT, r, 1, 5, 6, 8);
        INDArray tad = t3.tensorAlongDimension(3, 1, 2);
        INDArray out = tad.ulike();
        k.gelu(tad, out, true);
        INDArray eo = out.ulike();
        REF.gelu(tad.dup(), eo, true);
        Allclose.assertRelClose("tensorAlongDimension gelu", out, eo, 1e-6);
        // writing through a slice view changes the parent and nothing else
        INDArray before = t3.dup();
        k.silu(tad, tad);
        INDArray expectedParent = before.dup();
        INDArray es = tad.ulike();
        REF.silu(before.tensorAlongDimension(3, 1, 2).dup(), es);
        expectedParent.tensorAlongDimension(3, 1, 2).assign(es);
        Allclose.assertRelClose("in place on a slice", t3, expectedParent, 1e-6);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void adaLnChunksWithARowStrideAreRead(Kernels k) {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Random r = new Random(11);
            long b = 3;
            long d = 37;
            // the adaLN projection [B, 6D] split into six [B, D] column blocks: rows spaced 6D apart
            INDArray c = rand(t, r, 0.5, b, 6 * d);
            INDArray shift = c.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
            INDArray scale = c.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
            INDArray gate = c.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * d, 3 * d));
            assertThat(shift.stride(0)).isEqualTo(6 * d);
            INDArray gc = Nd4j.create(t, b, 6 * d).assign(-5);
            INDArray dshift = gc.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
            INDArray dscale = gc.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
            INDArray dgate = gc.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * d, 3 * d));
            INDArray x = rand(t, r, 1, b, 13, d);
            INDArray h = rand(t, r, 1, b, 13, d);
            INDArray dy = rand(t, r, 1, b, 13, d);

            INDArray y = x.ulike();
            k.modulate(x, shift, scale, y);
            INDArray ey = x.ulike();
            REF.modulate(x, shift.dup(), scale.dup(), ey);
            Allclose.assertRelClose(t + " modulate", y, ey, tol(t));

            INDArray out = x.ulike();
            k.gatedResidual(x, h, gate, out);
            INDArray eout = x.ulike();
            REF.gatedResidual(x, h, gate.dup(), eout);
            Allclose.assertRelClose(t + " gatedResidual", out, eout, tol(t));

            INDArray dx = x.ulike();
            k.modulateBackward(dy, x, scale, dx, dshift, dscale);
            INDArray edx = x.ulike();
            INDArray eds = Nd4j.create(t, b, d);
            INDArray edc = Nd4j.create(t, b, d);
            REF.modulateBackward(dy, x, scale.dup(), edx, eds, edc);
            Allclose.assertRelClose(t + " modulate dx", dx, edx, tol(t));
            Allclose.assertRelClose(t + " dshift", dshift, eds, tol(t));
            Allclose.assertRelClose(t + " dscale", dscale, edc, tol(t));

            INDArray dh = x.ulike();
            k.gatedResidualBackward(dy, h, gate, dh, dgate);
            INDArray edh = x.ulike();
            INDArray edg = Nd4j.create(t, b, d);
            REF.gatedResidualBackward(dy, h, gate.dup(), edh, edg);
            Allclose.assertRelClose(t + " dh", dh, edh, tol(t));
            Allclose.assertRelClose(t + " dgate", dgate, edg, tol(t));
            // the columns of the other chunks are untouched
            assertThat(gc.get(NDArrayIndex.all(), NDArrayIndex.interval(3 * d, 6 * d)).maxNumber().doubleValue())
                    .isEqualTo(-5.0);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void attentionReadsAndWritesViewsInsideAWorkspace(Kernels k) {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Random r = new Random(21);
            long bh = 3;
            long tok = 11;
            long dh = 8;
            long qkv = bh * tok * dh;
            long pp = bh * tok * tok;
            // one flat arena: [pad 5 | q | k | v | probs | out | dq | dk | dv | pad 5]
            INDArray arena = Nd4j.create(t, 5 + 7 * qkv + pp + 5).assign(-777.0);
            long[] at = {5};
            java.util.function.LongFunction<INDArray> take = n -> {
                INDArray v = arena.get(NDArrayIndex.interval(at[0], at[0] + n));
                at[0] += n;
                return v;
            };
            INDArray q = take.apply(qkv).reshape('c', bh, tok, dh).assign(rand(t, r, 1, bh, tok, dh));
            INDArray kk = take.apply(qkv).reshape('c', bh, tok, dh).assign(rand(t, r, 1, bh, tok, dh));
            INDArray v = take.apply(qkv).reshape('c', bh, tok, dh).assign(rand(t, r, 1, bh, tok, dh));
            INDArray probs = take.apply(pp).reshape('c', bh, tok, tok);
            INDArray out = take.apply(qkv).reshape('c', bh, tok, dh);
            INDArray dq = take.apply(qkv).reshape('c', bh, tok, dh);
            INDArray dk = take.apply(qkv).reshape('c', bh, tok, dh);
            INDArray dv = take.apply(qkv).reshape('c', bh, tok, dh);
            assertThat(q.offset()).isEqualTo(5);
            k.attention(q, kk, v, 0.35, probs, out);
            INDArray dout = rand(t, r, 1, bh, tok, dh);
            k.attentionBackward(q, kk, v, probs, 0.35, dout, dq, dk, dv);

            INDArray ep = probs.ulike();
            INDArray eo = out.ulike();
            REF.attention(q.dup(), kk.dup(), v.dup(), 0.35, ep, eo);
            INDArray edq = q.ulike();
            INDArray edk = q.ulike();
            INDArray edv = q.ulike();
            REF.attentionBackward(q.dup(), kk.dup(), v.dup(), ep, 0.35, dout, edq, edk, edv);
            Allclose.assertRelClose(t + " probs", probs, ep, tol(t));
            Allclose.assertRelClose(t + " out", out, eo, tol(t));
            Allclose.assertRelClose(t + " dq", dq, edq, tol(t));
            Allclose.assertRelClose(t + " dk", dk, edk, tol(t));
            Allclose.assertRelClose(t + " dv", dv, edv, tol(t));
            assertSentinelsIntact(arena, 5, arena.length() - 10);
        }
    }

    @Test
    void nonContiguousArraysFallBackToThePortablePathAndStayCorrect() {
        Kernels k = new CpuKernels();
        Random r = new Random(13);
        INDArray base = rand(DataType.FLOAT, r, 2, 37, 13);
        INDArray xt = base.transpose(); // [13, 37] with strides [1, 13]
        assertThat(CpuMemory.dense(xt)).isFalse();
        INDArray fOrder = Nd4j.create(DataType.FLOAT, new long[] {13, 37}, 'f');
        k.layerNorm(xt, null, null, 1e-5, fOrder, null, null);
        INDArray expected = Nd4j.create(DataType.FLOAT, 13, 37);
        REF.layerNorm(xt.dup('c'), null, null, 1e-5, expected, null, null);
        Allclose.assertRelClose("transposed in, f-order out", fOrder, expected, 1e-5);

        INDArray strided = rand(DataType.FLOAT, r, 1, 13, 80).get(NDArrayIndex.all(), NDArrayIndex.interval(3, 40));
        INDArray y = Nd4j.create(DataType.FLOAT, 13, 37);
        k.gelu(strided, y, true);
        INDArray ey = y.ulike();
        REF.gelu(strided.dup('c'), ey, true);
        Allclose.assertRelClose("column block gelu", y, ey, 1e-5);

        INDArray q = rand(DataType.FLOAT, r, 1, 2, 8, 5).permute(0, 2, 1); // [2, 5, 8], strides [40, 1, 5]
        assertThat(CpuMemory.dense(q)).isFalse();
        INDArray kk = rand(DataType.FLOAT, r, 1, 2, 5, 8);
        INDArray v = rand(DataType.FLOAT, r, 1, 2, 5, 8);
        INDArray probs = Nd4j.create(DataType.FLOAT, 2, 5, 5);
        INDArray out = Nd4j.create(DataType.FLOAT, 2, 5, 8);
        k.attention(q, kk, v, 0.3, probs, out);
        INDArray ep = probs.ulike();
        INDArray eo = out.ulike();
        REF.attention(q.dup('c'), kk, v, 0.3, ep, eo);
        Allclose.assertRelClose("attention with a permuted q", out, eo, 1e-5);
    }

    @Test
    void denseCheckAcceptsVectorsOfEitherOrderAndRejectsGaps() {
        assertThat(CpuMemory.dense(Nd4j.create(DataType.FLOAT, 4, 1))).isTrue();
        assertThat(CpuMemory.dense(Nd4j.create(DataType.FLOAT, new long[] {1, 4}, 'f'))).isTrue();
        assertThat(CpuMemory.dense(Nd4j.create(DataType.FLOAT, new long[] {3, 4}, 'f'))).isFalse();
        assertThat(CpuMemory.dense(Nd4j.create(DataType.FLOAT, 3, 4).getColumn(1))).isFalse();
        assertThat(CpuMemory.dense(Nd4j.create(DataType.FLOAT, 3, 4).getRow(1))).isTrue();
    }

    @Test
    void parameterGradientsAreDeterministicAcrossRunsWhenMultiThreaded() {
        Kernels k = new CpuKernels();
        Random r = new Random(17);
        INDArray x = rand(DataType.FLOAT, r, 1, 2048, 384);
        INDArray dy = rand(DataType.FLOAT, r, 1, 2048, 384);
        INDArray gamma = rand(DataType.FLOAT, r, 1, 384);
        INDArray mean = Nd4j.create(DataType.FLOAT, 2048);
        INDArray rstd = Nd4j.create(DataType.FLOAT, 2048);
        k.layerNorm(x, gamma, null, 1e-5, x.ulike(), mean, rstd);
        INDArray first = null;
        for (int run = 0; run < 5; run++) {
            INDArray dgamma = Nd4j.zeros(DataType.FLOAT, 384);
            k.layerNormBackward(dy, x, gamma, mean, rstd, x.ulike(), dgamma, null);
            if (first == null) {
                first = dgamma;
            } else {
                assertThat(dgamma).isEqualTo(first);
            }
        }
    }

    @Test
    void shapeMistakesFailWithTheShapesInTheMessage() {
        Kernels k = new CpuKernels();
        INDArray x = Nd4j.create(DataType.FLOAT, 4, 6);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> k.layerNorm(x, Nd4j.create(DataType.FLOAT, 5), null, 1e-5, x, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gamma").hasMessageContaining("[5]");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> k.modulate(x, Nd4j.create(DataType.FLOAT, 3, 6), Nd4j.create(DataType.FLOAT, 3, 6), x))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shift");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> k.softmax(x, Nd4j.create(DataType.DOUBLE, 4, 6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data type");
        INDArray chunks = Nd4j.create(DataType.FLOAT, 2, 6, 5);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> k.swapLeadingAxes(chunks, Nd4j.create(DataType.FLOAT, 2, 6, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 6, 5]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> k.addTo(x, Nd4j.create(DataType.FLOAT, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x");
    }
}
