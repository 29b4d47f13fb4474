package org.svgjava.core.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward pass of a 3x3 convolution with stride 1 and zero padding 1 (every conv of the LDM decoder but the
 * 1x1 ones) on the CPU backend, without a patch matrix.
 *
 * <p>Each image is copied once into a zero-bordered buffer whose rows are {@code W + 2} wide, images stacked one
 * after another. Output pixel {@code (r, c)} then reads tap {@code (i, j)} at buffer position
 * {@code r*(W+2) + c + i*(W+2) + j}: a fixed shift per tap. So the output, computed "wide" (all {@code W + 2}
 * columns of every row, the last two of them junk), is the sum over the nine taps of {@code W_tap [out x in]} times
 * the buffer shifted by the tap: nine GEMMs whose right operand is a window of the same buffer, passed to BLAS with
 * the buffer's row length as leading dimension. A crop then drops the junk columns and adds the bias.
 *
 * <p>Against im2col this saves writing and reading a patch matrix nine times the size of the input (at 256 px and
 * 128 channels about as costly as the GEMM itself). Small images (the 16 and 32 px levels) are stacked in one
 * buffer so the GEMMs see many columns; the columns are taken in blocks whose output stays in cache while the nine
 * taps add into it.
 */
public final class CpuConv3x3 {
    /** Images of one group: padded input and wide output stay below this many floats (64 MB) each. */
    private static final long GROUP_ELEMENTS = 1L << 24;
    /** Output floats of one column block, which the nine tap GEMMs update in turn: 4 MB, the L2 of two cores. */
    private static final long BLOCK_ELEMENTS = 1L << 20;
    private static final String PAD = "conv3x3.pad";
    private static final String WIDE = "conv3x3.wide";
    private static final String TAPS = "conv3x3.taps";

    private CpuConv3x3() {
    }

    /**
     * Whether this path can run: the CPU kernels are selected and x {@code [B, C, H, W]}, weight {@code [O, C, 3, 3]},
     * bias {@code [O]} (may be null) and y {@code [B, O, H, W]} are dense C-order FLOAT arrays in host memory.
     */
    public static boolean supports(INDArray x, INDArray weight, INDArray bias, INDArray y) {
        return supports(x, ConvInput.AS_IS, weight, bias, null, y);
    }

    /**
     * {@link #supports(INDArray, INDArray, INDArray, INDArray)} for the convolution of {@code map(x)}, plus a
     * residual (may be null) of y's shape and layout.
     */
    public static boolean supports(INDArray x, ConvInput map, INDArray weight, INDArray bias, INDArray residual,
                                   INDArray y) {
        if (residual != null && !java.util.Arrays.equals(residual.shape(), y.shape())) {
            return false;
        }
        if (!(Kernels.get() instanceof CpuKernels) || x.rank() != 4 || weight.rank() != 4 || y.rank() != 4
                || weight.size(2) != 3 || weight.size(3) != 3 || weight.size(1) != x.size(1)
                || y.size(0) != x.size(0) || y.size(1) != weight.size(0) || map.source(y.size(2)) != x.size(2)
                || map.source(y.size(3)) != x.size(3)
                || !CpuMemory.usable(DataType.FLOAT, x, weight, bias, residual, y)) {
            return false;
        }
        Geometry g = Geometry.of(y, weight);
        // one image's scratch must be reachable through an int-indexed NIO buffer
        return g.rowsPerColumn() * g.padLd(1) < Integer.MAX_VALUE / Float.BYTES;
    }

    /**
     * {@code y = conv3x3(map(x), weight) + bias + residual} (bias and residual may be null), y overwritten (neither x
     * nor residual); x and residual are left unchanged.
     */
    public static void forward(INDArray x, ConvInput map, INDArray weight, INDArray bias, INDArray residual,
                               INDArray y) {
        forward(x, map, weight, bias, residual, y, GROUP_ELEMENTS, BLOCK_ELEMENTS);
    }

    /** With the group and block sizes given (tests make them small to cross their boundaries on small inputs). */
    static void forward(INDArray x, ConvInput map, INDArray weight, INDArray bias, INDArray residual, INDArray y,
                        long groupElements, long blockElements) {
        Geometry g = Geometry.of(y, weight);
        INDArray taps = NativeScratch.array(TAPS, DataType.FLOAT, 9L * g.out() * g.in());
        PaddedImages.packTaps(weight, taps, g);
        float[] b = bias == null ? new float[g.out()] : bias.toFloatVector();
        int group = g.groupSize(groupElements);
        for (int b0 = 0; b0 < g.batch(); b0 += group) {
            int n = Math.min(group, g.batch() - b0);
            INDArray pad = NativeScratch.array(PAD, DataType.FLOAT, (long) g.in() * g.padLd(n));
            PaddedImages.pad(x, map, b0, n, pad, g);
            if (g.tapRows()) {
                INDArray rows = NativeScratch.array(WIDE, DataType.FLOAT, 9L * g.out() * g.padLd(n));
                tapRows(g, n, taps, pad, rows);
                PaddedImages.crop(rows, g.padLd(n), 9, b, residual, y, b0, n, g);
            } else {
                INDArray wide = NativeScratch.array(WIDE, DataType.FLOAT, (long) g.out() * g.wideLd(n));
                tapProducts(g, n, taps, pad, wide, blockElements);
                PaddedImages.crop(wide, g.wideLd(n), 1, b, residual, y, b0, n, g);
            }
        }
    }

    /**
     * wide = sum over taps of W_tap x (padded images shifted by the tap), in column blocks of about equal size so
     * each block's output stays in cache while the nine products add into it.
     */
    private static void tapProducts(Geometry g, int images, INDArray taps, INDArray pad, INDArray wide,
                                    long blockElements) {
        long columns = g.wideColumns(images);
        long blocks = Math.max(1, columns * g.out() / blockElements);
        long block = (columns + blocks - 1) / blocks;
        Sgemm.Operand w = Sgemm.Operand.of(taps, 0, g.in());
        Sgemm.Operand xs = Sgemm.Operand.of(pad, 0, (int) g.padLd(images));
        Sgemm.Operand ys = Sgemm.Operand.of(wide, 0, (int) g.wideLd(images));
        for (long s = 0; s < columns; s += block) {
            int n = (int) Math.min(block, columns - s);
            for (int t = 0; t < 9; t++) {
                Sgemm.gemm(false, false, g.out(), n, g.in(), 1f, w.at((long) t * g.out() * g.in()),
                        xs.at(g.shift(t) + s), t == 0 ? 0f : 1f, ys.at(s));
            }
        }
    }

    /**
     * For few output channels (the RGB head): rows = [W_0; ...; W_8] x padded images, one GEMM with 9*out rows that
     * reads the images once, where nine products with out rows each would read them nine times; the crop then
     * sums each tap's rows at the tap's shift.
     */
    private static void tapRows(Geometry g, int images, INDArray taps, INDArray pad, INDArray rows) {
        int ld = (int) g.padLd(images);
        Sgemm.gemm(false, false, 9 * g.out(), ld, g.in(), 1f, Sgemm.Operand.of(taps, 0, g.in()),
                Sgemm.Operand.of(pad, 0, ld), 0f, Sgemm.Operand.of(rows, 0, ld));
    }

    /** Sizes of one call and the layout of its padded and wide buffers. */
    record Geometry(int batch, int in, int out, int h, int w) {
        /** From the output and the weight: h and w are the sizes the convolution sees. */
        static Geometry of(INDArray y, INDArray weight) {
            return new Geometry((int) y.size(0), (int) weight.size(1), (int) weight.size(0), (int) y.size(2),
                    (int) y.size(3));
        }

        /** Length of a padded row. */
        int rowLength() {
            return w + 2;
        }

        /** Floats of one padded image per channel. */
        int plane() {
            return (h + 2) * rowLength();
        }

        /** Row length of the padded buffer for {@code images} images: two more floats for the last taps' overrun. */
        long padLd(int images) {
            return (long) images * plane() + 2;
        }

        long wideLd(int images) {
            return (long) images * plane();
        }

        /** Wide columns to compute: every row of every image but the padding rows after the last one. */
        long wideColumns(int images) {
            return (long) (images - 1) * plane() + (long) h * rowLength();
        }

        /** Where tap t reads, relative to the output position: {@code t / 3} rows down, {@code t % 3} right. */
        long shift(int t) {
            return (long) (t / 3) * rowLength() + t % 3;
        }

        /** Whether the taps-as-rows matrix is no taller than the input is deep: then {@code tapRows} reads less. */
        boolean tapRows() {
            return 9L * out <= in;
        }

        /** Rows of the larger scratch buffer: the padded input's, or the wide output's. */
        long rowsPerColumn() {
            return Math.max(in, tapRows() ? 9L * out : out);
        }

        int groupSize(long groupElements) {
            long perImage = rowsPerColumn() * plane();
            return (int) Math.max(1, Math.min(batch, groupElements / perImage));
        }
    }
}
