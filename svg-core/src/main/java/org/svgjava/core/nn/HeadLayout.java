package org.svgjava.core.nn;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Moving attention heads between the token-major layout of the projections ({@code [B, T, parts, H, dh]}) and the
 * head-major layout of the attention core ({@code [B, H, T, dh]}). For FLOAT arrays this is a copy of contiguous
 * runs of dh values through heap rows; ND4J's strided assign of the permuted views took about a twelfth of a DiT
 * block step. Other types use that assign.
 */
final class HeadLayout {
    private HeadLayout() {
    }

    /** {@code heads[s] = tokens[:, :, s]} permuted to {@code [B, H, T, dh]}, for each part s. */
    static void split(INDArray tokens, INDArray[] heads, int h, long dh) {
        copy(tokens, heads, h, dh, true);
    }

    /** The inverse: {@code tokens[:, :, s] = heads[s]} permuted back. */
    static void merge(INDArray[] heads, INDArray tokens, int h, long dh) {
        copy(tokens, heads, h, dh, false);
    }

    private static void copy(INDArray tokens, INDArray[] heads, int h, long dh, boolean split) {
        int parts = heads.length;
        long b = tokens.size(0);
        long t = tokens.size(1);
        if (!fast(tokens) || !java.util.Arrays.stream(heads).allMatch(HeadLayout::fast)) {
            INDArray view = tokens.reshape('c', b, t, parts, h, dh);
            INDArrayIndex all = NDArrayIndex.all();
            for (int s = 0; s < parts; s++) {
                INDArray part = view.get(all, all, NDArrayIndex.point(s), all, all).permute(0, 2, 1, 3);
                if (split) {
                    heads[s].assign(part);
                } else {
                    part.assign(heads[s]);
                }
            }
            return;
        }
        FloatBuffer tb = tokens.data().asNioFloat();
        int to = (int) tokens.offset();
        FloatBuffer[] hb = new FloatBuffer[parts];
        int[] ho = new int[parts];
        for (int s = 0; s < parts; s++) {
            hb[s] = heads[s].data().asNioFloat();
            ho[s] = (int) heads[s].offset();
        }
        int d = (int) dh;
        int rowLen = parts * h * d;
        IntStream rows = IntStream.range(0, (int) (b * t));
        (b * t * rowLen >= (1 << 16) ? rows.parallel() : rows).forEach(r -> {
            float[] row = ROW.get();
            if (row.length < rowLen) {
                row = new float[rowLen];
                ROW.set(row);
            }
            long bi = r / t;
            long ti = r % t;
            if (split) {
                tb.get(to + r * rowLen, row, 0, rowLen);
            }
            for (int s = 0; s < parts; s++) {
                for (int hi = 0; hi < h; hi++) {
                    int at = (int) (ho[s] + ((bi * h + hi) * t + ti) * d);
                    int in = (s * h + hi) * d;
                    if (split) {
                        hb[s].put(at, row, in, d);
                    } else {
                        hb[s].get(at, row, in, d);
                    }
                }
            }
            if (!split) {
                tb.put(to + r * rowLen, row, 0, rowLen);
            }
        });
    }

    private static boolean fast(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.ordering() == 'c' && a.elementWiseStride() == 1
                && (a.offset() + a.length()) * 4 <= Integer.MAX_VALUE;
    }

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
}
