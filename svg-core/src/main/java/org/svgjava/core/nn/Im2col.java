package org.svgjava.core.nn;

import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The patch matrix of a convolution: image {@code [C, H, W]} to columns {@code [C*k*k, Ho*Wo]} (row
 * {@code (c*k + i)*k + j} holds input pixel {@code (c, oh*s - p + i, ow*s - p + j)}, zero outside), and its adjoint,
 * which scatters columns back and adds overlapping contributions. Both work on the arrays' memory directly.
 */
final class Im2col {
    private Im2col() {
    }

    record Geometry(int c, int h, int w, int k, int stride, int pad) {
        int ho() {
            return (h + 2 * pad - k) / stride + 1;
        }

        int wo() {
            return (w + 2 * pad - k) / stride + 1;
        }

        int rows() {
            return c * k * k;
        }
    }

    /** image: a C-contiguous {@code [C,H,W]} array (any offset); cols: C-contiguous {@code [C*k*k, Ho*Wo]}. */
    static void im2col(INDArray image, INDArray cols, Geometry g) {
        if (image.dataType() == DataType.FLOAT) {
            im2colFloat(image, cols, g);
            return;
        }
        int ho = g.ho();
        int wo = g.wo();
        long xo = image.offset();
        long co = cols.offset();
        boolean dbl = image.dataType() == DataType.DOUBLE;
        var xd = dbl ? image.data().asNioDouble() : null;
        var cd = dbl ? cols.data().asNioDouble() : null;
        var xf = dbl ? null : image.data().asNioFloat();
        var cf = dbl ? null : cols.data().asNioFloat();
        parallel(g.rows(), (long) g.rows() * ho * wo).forEach(r -> {
            int c = r / (g.k() * g.k());
            int i = r / g.k() % g.k();
            int j = r % g.k();
            for (int oh = 0; oh < ho; oh++) {
                int ih = oh * g.stride() - g.pad() + i;
                int base = (int) (co + (long) r * ho * wo + (long) oh * wo);
                for (int ow = 0; ow < wo; ow++) {
                    int iw = ow * g.stride() - g.pad() + j;
                    boolean in = ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w();
                    int src = (int) (xo + ((long) c * g.h() + ih) * g.w() + iw);
                    if (dbl) {
                        cd.put(base + ow, in ? xd.get(src) : 0.0);
                    } else {
                        cf.put(base + ow, in ? xf.get(src) : 0f);
                    }
                }
            }
        });
    }

    /** image += scatter(cols): the adjoint of {@link #im2col}; image must be zeroed by the caller if needed. */
    static void col2imAdd(INDArray cols, INDArray image, Geometry g) {
        if (image.dataType() == DataType.FLOAT) {
            col2imAddFloat(cols, image, g);
            return;
        }
        int ho = g.ho();
        int wo = g.wo();
        long xo = image.offset();
        long co = cols.offset();
        boolean dbl = image.dataType() == DataType.DOUBLE;
        var xd = dbl ? image.data().asNioDouble() : null;
        var cd = dbl ? cols.data().asNioDouble() : null;
        var xf = dbl ? null : image.data().asNioFloat();
        var cf = dbl ? null : cols.data().asNioFloat();
        // one task per input channel: the rows of one channel are the only writers of its pixels
        parallel(g.c(), (long) g.rows() * ho * wo).forEach(c -> {
            for (int i = 0; i < g.k(); i++) {
                for (int j = 0; j < g.k(); j++) {
                    int r = (c * g.k() + i) * g.k() + j;
                    for (int oh = 0; oh < ho; oh++) {
                        int ih = oh * g.stride() - g.pad() + i;
                        if (ih < 0 || ih >= g.h()) {
                            continue;
                        }
                        int base = (int) (co + (long) r * ho * wo + (long) oh * wo);
                        for (int ow = 0; ow < wo; ow++) {
                            int iw = ow * g.stride() - g.pad() + j;
                            if (iw < 0 || iw >= g.w()) {
                                continue;
                            }
                            int dst = (int) (xo + ((long) c * g.h() + ih) * g.w() + iw);
                            if (dbl) {
                                xd.put(dst, xd.get(dst) + cd.get(base + ow));
                            } else {
                                xf.put(dst, xf.get(dst) + cf.get(base + ow));
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * The FLOAT path on heap arrays: one bulk read of the image, rows built in plain arrays and written back in bulk
     * (element-wise access to the native buffers made im2col a quarter of a decoder training step).
     */
    private static void im2colFloat(INDArray image, INDArray cols, Geometry g) {
        int ho = g.ho();
        int wo = g.wo();
        int hw = g.h() * g.w();
        float[] src = new float[g.c() * hw];
        image.data().asNioFloat().get((int) image.offset(), src, 0, src.length);
        var cf = cols.data().asNioFloat();
        long co = cols.offset();
        int p = ho * wo;
        parallel(g.rows(), (long) g.rows() * p).forEach(r -> {
            float[] row = ROW.get();
            if (row.length < p) {
                row = new float[p];
                ROW.set(row);
            }
            int c = r / (g.k() * g.k());
            int i = r / g.k() % g.k();
            int j = r % g.k();
            int base = c * hw;
            for (int oh = 0; oh < ho; oh++) {
                int ih = oh * g.stride() - g.pad() + i;
                int o = oh * wo;
                if (ih < 0 || ih >= g.h()) {
                    java.util.Arrays.fill(row, o, o + wo, 0f);
                    continue;
                }
                int srcRow = base + ih * g.w();
                for (int ow = 0; ow < wo; ow++) {
                    int iw = ow * g.stride() - g.pad() + j;
                    row[o + ow] = iw >= 0 && iw < g.w() ? src[srcRow + iw] : 0f;
                }
            }
            cf.put((int) (co + (long) r * p), row, 0, p);
        });
    }

    private static void col2imAddFloat(INDArray cols, INDArray image, Geometry g) {
        int ho = g.ho();
        int wo = g.wo();
        int hw = g.h() * g.w();
        int p = ho * wo;
        var xf = image.data().asNioFloat();
        var cf = cols.data().asNioFloat();
        long xo = image.offset();
        long co = cols.offset();
        int kk = g.k() * g.k();
        parallel(g.c(), (long) g.rows() * p).forEach(c -> {
            float[] acc = new float[hw];
            float[] row = ROW.get();
            if (row.length < p) {
                row = new float[p];
                ROW.set(row);
            }
            xf.get((int) (xo + (long) c * hw), acc, 0, hw);
            for (int t = 0; t < kk; t++) {
                int i = t / g.k();
                int j = t % g.k();
                cf.get((int) (co + (long) (c * kk + t) * p), row, 0, p);
                for (int oh = 0; oh < ho; oh++) {
                    int ih = oh * g.stride() - g.pad() + i;
                    if (ih < 0 || ih >= g.h()) {
                        continue;
                    }
                    int dst = ih * g.w();
                    int o = oh * wo;
                    for (int ow = 0; ow < wo; ow++) {
                        int iw = ow * g.stride() - g.pad() + j;
                        if (iw >= 0 && iw < g.w()) {
                            acc[dst + iw] += row[o + ow];
                        }
                    }
                }
            }
            xf.put((int) (xo + (long) c * hw), acc, 0, hw);
        });
    }

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private static IntStream parallel(int tasks, long work) {
        IntStream s = IntStream.range(0, tasks);
        return work >= (1 << 16) ? s.parallel() : s;
    }
}
