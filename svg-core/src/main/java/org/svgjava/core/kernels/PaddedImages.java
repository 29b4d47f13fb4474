package org.svgjava.core.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The copies around the tap GEMMs of {@link CpuConv3x3}: images into the zero-bordered buffer, the weight into
 * one {@code [out, in]} matrix per tap, and the wide output back to {@code [B, O, H, W]} with the bias added.
 * Bulk copies through per-thread heap rows, parallel over channels.
 */
final class PaddedImages {
    private PaddedImages() {
    }

    /** taps[t][o][c] = weight[o][c][t / 3][t % 3]. */
    static void packTaps(INDArray weight, INDArray taps, CpuConv3x3.Geometry g) {
        Buf src = Buf.of(weight);
        Buf dst = Buf.of(taps);
        int in = g.in();
        Parallel.forEach(g.out(), 9L * in, (chunk, o0, o1) -> {
            Scratch s = Scratch.get();
            float[] w = s.floats(0, 9 * in);
            float[] row = s.floats(1, in);
            for (int o = o0; o < o1; o++) {
                src.get((long) o * 9 * in, w, 9 * in);
                for (int t = 0; t < 9; t++) {
                    for (int c = 0; c < in; c++) {
                        row[c] = w[c * 9 + t];
                    }
                    dst.put(((long) t * g.out() + o) * in, row, in);
                }
            }
        });
    }

    /**
     * Channel c of images {@code b0 .. b0+n-1}, mapped by {@code map}, into row c of pad
     * ({@link CpuConv3x3.Geometry#padLd} long): each image as {@code H + 2} rows of {@code W + 2} with a zero border,
     * then two zeros.
     */
    static void pad(INDArray x, ConvInput map, int b0, int n, INDArray pad, CpuConv3x3.Geometry g) {
        Buf src = Buf.of(x);
        Buf dst = Buf.of(pad);
        int sh = (int) map.source(g.h());
        int sw = (int) map.source(g.w());
        int plane = sh * sw;
        int ld = (int) g.padLd(n);
        Parallel.forEach(g.in(), ld, (chunk, c0, c1) -> {
            Scratch s = Scratch.get();
            float[] image = s.floats(0, plane);
            float[] row = s.floats(1, ld);
            Arrays.fill(row, 0, ld, 0f);
            for (int c = c0; c < c1; c++) {
                for (int b = 0; b < n; b++) {
                    src.get(((long) (b0 + b) * g.in() + c) * plane, image, plane);
                    int base = b * g.plane() + g.rowLength() + 1;
                    if (map == ConvInput.NEAREST_2X) {
                        for (int r = 0; r < g.h(); r++) {
                            int from = (r >> 1) * sw;
                            int to = base + r * g.rowLength();
                            for (int col = 0; col < g.w(); col++) {
                                row[to + col] = image[from + (col >> 1)];
                            }
                        }
                        continue;
                    }
                    if (map == ConvInput.SILU) {
                        CpuActivations.siluInPlace(image, plane);
                    }
                    for (int r = 0; r < g.h(); r++) {
                        System.arraycopy(image, r * g.w(), row, base + r * g.rowLength(), g.w());
                    }
                }
                // the border cells were zeroed once and are never written
                dst.put((long) c * ld, row, ld);
            }
        });
    }

    /**
     * y[b0 + b, o] = bias[o] plus, over {@code terms} row sets of src (rows {@code ld} apart), the valid columns of
     * image b in row {@code t*O + o} read at the shift of tap t: one term is the wide output of the tap products,
     * nine terms are the per-tap rows of the taps-as-rows product. Then plus the same element of residual, when
     * there is one (a residual block's skip path, added here instead of in another pass over y).
     */
    static void crop(INDArray src, long ld, int terms, float[] bias, INDArray residual, INDArray y, int b0, int n,
                     CpuConv3x3.Geometry g) {
        Buf from = Buf.of(src);
        Buf skip = Buf.of(residual);
        Buf dst = Buf.of(y);
        int hw = g.h() * g.w();
        int span = g.h() * g.rowLength();
        Parallel.forEach(g.out() * n, (long) terms * span, (chunk, i0, i1) -> {
            Scratch s = Scratch.get();
            float[] rows = s.floats(0, span);
            float[] sum = s.floats(1, span);
            float[] image = s.floats(2, hw);
            for (int i = i0; i < i1; i++) {
                int o = i / n;
                int b = i % n;
                Arrays.fill(sum, 0, span, bias[o]);
                for (int t = 0; t < terms; t++) {
                    long row = (long) t * g.out() + o;
                    from.get(row * ld + (long) b * g.plane() + (terms == 1 ? 0 : g.shift(t)), rows, span);
                    for (int k = 0; k < span; k++) {
                        sum[k] += rows[k];
                    }
                }
                for (int r = 0; r < g.h(); r++) {
                    System.arraycopy(sum, r * g.rowLength(), image, r * g.w(), g.w());
                }
                long at = ((long) (b0 + b) * g.out() + o) * hw;
                if (skip != null) {
                    skip.get(at, rows, hw);
                    for (int k = 0; k < hw; k++) {
                        image[k] += rows[k];
                    }
                }
                dst.put(at, image, hw);
            }
        });
    }
}
