package org.svgjava.encoder.image;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The image preprocessing of the two official SVG pipelines, and the conversions between images and the tensors
 * the models take. Geometry is bit-exact with the Python code (see {@link PilResize} and {@link Cv2Resize}); the
 * random choices use {@link Random}, so they follow the same distributions as numpy's and torch's generators but
 * not their streams. See {@code docs/preprocessing.md}.
 */
public final class Preprocess {
    /** ImageNet channel means (R, G, B), as float32 the way torchvision's {@code Normalize} holds them. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet channel standard deviations (R, G, B). */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private Preprocess() {
    }

    // ---- stage 1: the autoencoder (taming-transformers ImagePaths, albumentations) ----

    /**
     * Validation images of the autoencoder: taming's {@code ImagePaths(size)} with {@code random_crop=False},
     * i.e. albumentations {@code SmallestMaxSize(size)} then {@code CenterCrop(size, size)}.
     */
    public static RgbImage autoencoderEval(RgbImage img, int size) {
        return centerCrop(smallestMaxSize(img, size), size);
    }

    /**
     * Training images of the autoencoder: taming's {@code ImagePaths(size, random_crop=True)}, i.e.
     * {@code SmallestMaxSize(size)} then {@code RandomCrop(size, size)}. No flip, as in taming.
     */
    public static RgbImage autoencoderTrain(RgbImage img, int size, Random rng) {
        return randomCrop(smallestMaxSize(img, size), size, rng);
    }

    /**
     * albumentations {@code SmallestMaxSize(maxSize)} with its default {@code cv2.INTER_LINEAR}: scales the
     * shorter side to {@code maxSize}, each side becoming {@code round(side * scale)} (Python's round, half to
     * even); an image whose shorter side already is {@code maxSize} is returned as it is.
     */
    public static RgbImage smallestMaxSize(RgbImage img, int maxSize) {
        double scale = maxSize / (double) Math.min(img.width(), img.height());
        if (scale == 1.0) {
            return img;
        }
        int h = (int) Math.rint(img.height() * scale);
        int w = (int) Math.rint(img.width() * scale);
        return Cv2Resize.resizeLinear(img, w, h);
    }

    /** The central {@code size x size} window, rounding the offsets down (albumentations' and ADM's rule). */
    public static RgbImage centerCrop(RgbImage img, int size) {
        checkFits(img, size);
        return img.crop((img.width() - size) / 2, (img.height() - size) / 2, size, size);
    }

    /**
     * albumentations {@code RandomCrop}: {@code h_start} and {@code w_start} uniform in [0, 1), drawn in that
     * order, top-left corner {@code int((H - size) * h_start), int((W - size) * w_start)}.
     */
    public static RgbImage randomCrop(RgbImage img, int size, Random rng) {
        checkFits(img, size);
        double hStart = rng.nextDouble();
        double wStart = rng.nextDouble();
        int y = (int) ((img.height() - size) * hStart);
        int x = (int) ((img.width() - size) * wStart);
        return img.crop(x, y, size, size);
    }

    private static void checkFits(RgbImage img, int size) {
        if (size <= 0 || img.width() < size || img.height() < size) {
            throw new IllegalArgumentException("cannot crop " + size + "x" + size + " from " + img);
        }
    }

    // ---- stage 2: the diffusion model (ADM / DiT center_crop_arr) ----

    /**
     * ADM's {@code center_crop_arr(pil_image, size)} (guided-diffusion, DiT's {@code train.py}): halve with
     * {@code Image.BOX} while the shorter side is at least {@code 2 * size}, scale the shorter side to {@code size}
     * with {@code Image.BICUBIC} (sides {@code round(side * scale)}), then crop the centre.
     */
    public static RgbImage admCenterCrop(RgbImage img, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        RgbImage cur = img;
        while (Math.min(cur.width(), cur.height()) >= 2 * size) {
            cur = PilResize.resize(cur, cur.width() / 2, cur.height() / 2, PilResize.Filter.BOX);
        }
        double scale = size / (double) Math.min(cur.width(), cur.height());
        int w = (int) Math.rint(cur.width() * scale);
        int h = (int) Math.rint(cur.height() * scale);
        cur = PilResize.resize(cur, w, h, PilResize.Filter.BICUBIC);
        return centerCrop(cur, size);
    }

    /**
     * Training images of the diffusion model: {@link #admCenterCrop} then torchvision's
     * {@code RandomHorizontalFlip()} (probability 0.5).
     */
    public static RgbImage diffusionTrain(RgbImage img, int size, Random rng) {
        RgbImage crop = admCenterCrop(img, size);
        return rng.nextDouble() < 0.5 ? crop.flipHorizontal() : crop;
    }

    // ---- images to tensors and back ----

    /**
     * {@code [3, H, W]} float32 in [-1, 1] as taming's {@code ImagePaths} computes it,
     * {@code (arr / 127.5 - 1.0).astype(np.float32)}: in double, then rounded to float.
     */
    public static INDArray toMinusOneOne(RgbImage img) {
        return planar(img, v -> (float) (v / 127.5 - 1.0));
    }

    /**
     * {@code [3, H, W]} float32 as torchvision's {@code ToTensor()} then {@code Normalize(IMAGENET_MEAN,
     * IMAGENET_STD)} computes it: {@code (x / 255 - mean) / std}, each step rounded to float32.
     */
    public static INDArray toImageNet(RgbImage img) {
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c][v] = ((float) v / 255f - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
            }
        }
        return planar(img, lut);
    }

    /**
     * What the SVG autoencoder feeds DINOv3 from its [-1, 1] input: {@code ((x + 1) / 2 - mean) / std} per
     * channel, in float32 step by step, on a {@code [B, 3, H, W]} batch. Returns a new float array.
     */
    public static INDArray imageNetFromMinusOneOne(INDArray x) {
        if (x.rank() != 4 || x.size(1) != 3) {
            throw new IllegalArgumentException("expected [B, 3, H, W], got " + Arrays.toString(x.shape()));
        }
        long[] shape = x.shape();
        float[] v = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int plane = (int) (shape[2] * shape[3]);
        for (int i = 0; i < v.length; i++) {
            int c = (i / plane) % 3;
            v[i] = ((v[i] + 1f) / 2f - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
        }
        return Nd4j.create(v, shape, 'c');
    }

    /**
     * A {@code [3, H, W]} tensor in [-1, 1] back to an image with the sampling scripts' convention (DiT's
     * {@code sample.py}): {@code torch.clamp(127.5 * x + 128.0, 0, 255).to(torch.uint8)}, i.e. float32 arithmetic
     * then truncation, so 0.0 maps to 128 and -1 to 0.5, truncated to 0. NaN maps to 0.
     */
    public static RgbImage toImage(INDArray chw) {
        if (chw.rank() != 3 || chw.size(0) != 3) {
            throw new IllegalArgumentException("expected [3, H, W], got " + Arrays.toString(chw.shape()));
        }
        int h = (int) chw.size(1);
        int w = (int) chw.size(2);
        float[] v = chw.castTo(DataType.FLOAT).dup('c').data().asFloat();
        byte[] out = new byte[w * h * 3];
        int plane = w * h;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                float t = 127.5f * v[c * plane + p] + 128.0f;
                t = t > 255f ? 255f : (t >= 0f ? t : 0f); // NaN fails both tests and becomes 0
                out[p * 3 + c] = (byte) (int) t;
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    private interface SampleMap {
        float apply(int v);
    }

    private static INDArray planar(RgbImage img, SampleMap f) {
        float[] lut = new float[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = f.apply(v);
        }
        return planar(img, new float[][] {lut, lut, lut});
    }

    /** HWC bytes to a CHW float tensor through one lookup table per channel. */
    private static INDArray planar(RgbImage img, float[][] lut) {
        int w = img.width();
        int h = img.height();
        int plane = w * h;
        byte[] in = img.buffer();
        float[] out = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = lut[c][in[p * 3 + c] & 0xFF];
            }
        }
        return Nd4j.create(out, new long[] {3, h, w}, 'c');
    }
}
