package org.svgjava.encoder.image;

/**
 * OpenCV's {@code cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR)} for 8-bit 3-channel images, as
 * OpenCV 4.6 computes it ({@code imgproc/src/resize.cpp}; builds with IPP do not hand 8-bit bilinear resizes to it
 * unless {@code useIPP_NotExact} is set, and the SIMD and scalar kernels agree bit for bit). Three paths, as in
 * OpenCV:
 * <ul>
 *   <li>same size: a copy;</li>
 *   <li>exactly half the size in both directions: OpenCV switches to {@code INTER_AREA}'s fast path, the rounded
 *       mean of each 2x2 block;</li>
 *   <li>otherwise separable bilinear in fixed point: source coordinate {@code (d + 0.5) * scale - 0.5} in float,
 *       clamped to the border, weights as shorts scaled by 2048; the horizontal pass keeps ints, the vertical pass
 *       combines two of them the way OpenCV's SIMD kernel does (inputs shifted right by 4, 16x16-bit high
 *       multiplies, {@code (sum + 2) >> 2}), which is not the textbook {@code (v + 2^21) >> 22}.</li>
 * </ul>
 */
public final class Cv2Resize {
    /** {@code INTER_RESIZE_COEF_BITS}: weights are shorts in units of 1/2048. */
    private static final int COEF_SCALE = 1 << 11;
    /** OpenCV's {@code DBL_EPSILON} test of whether the scale is an integer. */
    private static final double DBL_EPSILON = Math.ulp(1.0);

    private Cv2Resize() {
    }

    /** {@code cv2.resize(arr, (width, height), interpolation=cv2.INTER_LINEAR)}. */
    public static RgbImage resizeLinear(RgbImage src, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        int sw = src.width();
        int sh = src.height();
        if (width == sw && height == sh) {
            return RgbImage.wrap(sw, sh, src.toByteArray());
        }
        // OpenCV derives the scale as 1 / (dst / src), which is not always src / dst to the last bit
        double scaleX = 1.0 / ((double) width / sw);
        double scaleY = 1.0 / ((double) height / sh);
        int iscaleX = (int) Math.rint(scaleX);
        int iscaleY = (int) Math.rint(scaleY);
        boolean integerScale = Math.abs(scaleX - iscaleX) < DBL_EPSILON && Math.abs(scaleY - iscaleY) < DBL_EPSILON;
        if (integerScale && iscaleX == 2 && iscaleY == 2) {
            return halve(src, width, height);
        }
        return bilinear(src, width, height, scaleX, scaleY);
    }

    /** {@code resizeAreaFast_} with a 2x2 area: {@code (a + b + c + d + 2) >> 2} per channel. */
    private static RgbImage halve(RgbImage src, int width, int height) {
        byte[] in = src.buffer();
        int inRow = src.width() * 3;
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int r0 = 2 * y * inRow;
            int r1 = r0 + inRow;
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    int s = 6 * x + c;
                    int sum = (in[r0 + s] & 0xFF) + (in[r0 + s + 3] & 0xFF) + (in[r1 + s] & 0xFF)
                            + (in[r1 + s + 3] & 0xFF);
                    // rounds half up; OpenCV's generic area code would round half to even, but this path never
                    // reaches it
                    out[(y * width + x) * 3 + c] = (byte) ((sum + 2) >> 2);
                }
            }
        }
        return RgbImage.wrap(width, height, out);
    }

    /**
     * The taps of one axis: output {@code d} reads source {@code index[d]} and {@code index[d] + 1} with weights
     * {@code w0[d]} and {@code w1[d]}; from {@code last} on, only {@code index[d]} is read, at full weight
     * (the horizontal pass's {@code xmax}).
     */
    private record Taps(int[] index, short[] w0, short[] w1, int last) {
        static Taps of(int inSize, int outSize, double scale, boolean clampBorder) {
            int[] index = new int[outSize];
            short[] w0 = new short[outSize];
            short[] w1 = new short[outSize];
            int last = outSize;
            for (int d = 0; d < outSize; d++) {
                float f = (float) ((d + 0.5) * scale - 0.5);
                int s = (int) Math.floor(f);
                f -= s;
                // only the horizontal pass pins the weight at the borders; the vertical one clamps the rows
                // it reads but keeps the fractional weights
                if (clampBorder && s < 0) {
                    f = 0;
                    s = 0;
                }
                if (s + 1 >= inSize) {
                    last = Math.min(last, d);
                    if (clampBorder && s >= inSize - 1) {
                        f = 0;
                        s = inSize - 1;
                    }
                }
                index[d] = s;
                w0[d] = toShort((1.0f - f) * COEF_SCALE);
                w1[d] = toShort(f * COEF_SCALE);
            }
            return new Taps(index, w0, w1, last);
        }

        /** {@code saturate_cast<short>(float)}: round half to even, then saturate. */
        private static short toShort(float v) {
            int r = (int) Math.rint(v);
            return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, r));
        }
    }

    private static RgbImage bilinear(RgbImage src, int width, int height, double scaleX, double scaleY) {
        int sw = src.width();
        int sh = src.height();
        Taps tx = Taps.of(sw, width, scaleX, true);
        Taps ty = Taps.of(sh, height, scaleY, false);
        byte[] in = src.buffer();
        int rowLen = width * 3;
        byte[] out = new byte[height * rowLen];
        int[] row0 = new int[rowLen];
        int[] row1 = new int[rowLen];
        int have0 = -1;
        int have1 = -1;
        for (int dy = 0; dy < height; dy++) {
            int sy0 = clampRow(ty.index[dy], sh);
            int sy1 = clampRow(ty.index[dy] + 1, sh);
            // consecutive output rows mostly share source rows, as OpenCV's row cache exploits
            if (sy0 == have1) {
                int[] t = row0;
                row0 = row1;
                row1 = t;
                have0 = have1;
                have1 = -1;
            }
            if (sy0 != have0) {
                horizontalRow(in, sy0 * sw * 3, tx, row0);
                have0 = sy0;
            }
            if (sy1 != have1) {
                if (sy1 == have0) {
                    System.arraycopy(row0, 0, row1, 0, rowLen);
                } else {
                    horizontalRow(in, sy1 * sw * 3, tx, row1);
                }
                have1 = sy1;
            }
            int b0 = ty.w0[dy];
            int b1 = ty.w1[dy];
            for (int i = 0, o = dy * rowLen; i < rowLen; i++, o++) {
                int v = (((b0 * (row0[i] >> 4)) >> 16) + ((b1 * (row1[i] >> 4)) >> 16) + 2) >> 2;
                out[o] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return RgbImage.wrap(width, height, out);
    }

    /** OpenCV's {@code clip(sy, 0, height)}. */
    private static int clampRow(int sy, int height) {
        return sy < 0 ? 0 : Math.min(sy, height - 1);
    }

    /** {@code HResizeLinear}: one source row into {@code width * 3} ints in units of 1/2048. */
    private static void horizontalRow(byte[] in, int rowStart, Taps tx, int[] dst) {
        int width = tx.index.length;
        for (int dx = 0; dx < width; dx++) {
            int p = rowStart + tx.index[dx] * 3;
            int o = dx * 3;
            if (dx < tx.last) {
                int a0 = tx.w0[dx];
                int a1 = tx.w1[dx];
                for (int c = 0; c < 3; c++) {
                    dst[o + c] = (in[p + c] & 0xFF) * a0 + (in[p + c + 3] & 0xFF) * a1;
                }
            } else {
                for (int c = 0; c < 3; c++) {
                    dst[o + c] = (in[p + c] & 0xFF) * COEF_SCALE;
                }
            }
        }
    }
}
