package org.svgjava.encoder.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The pipelines' entry points against the Python ones, and the tensor conversions against hand-computed values. */
class PreprocessTest {
    @ParameterizedTest
    @CsvSource({
        "rgb301x217, 256", "rgb200x150, 256", "rgb1024x700, 256", "grey640x480, 256",
        "grey640x480, 64", "rgb1024x700, 96",
    })
    void admCenterCropMatchesCenterCropArr(String image, int size) {
        RgbImage out = Preprocess.admCenterCrop(Goldens.input(image), size);
        Goldens.Diff d = Goldens.Diff.of(out, Goldens.get("adm" + size + "_" + image));
        assertThat(d.pixels()).as("pixels differing from center_crop_arr (max %d)", d.max()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"rgb301x217", "rgb200x150", "rgb1024x700", "grey640x480"})
    void autoencoderEvalMatchesSmallestMaxSizeAndCenterCrop(String image) {
        RgbImage out = Preprocess.autoencoderEval(Goldens.input(image), 256);
        Goldens.Diff d = Goldens.Diff.of(out, Goldens.get("ae256_" + image));
        assertThat(d.pixels()).as("pixels differing from albumentations (max %d)", d.max()).isZero();
    }

    @Test
    void smallestMaxSizeRoundsHalfToEvenAndSkipsScaleOne() {
        // 217 -> 256: 301 * 256 / 217 = 355.09 -> 355
        RgbImage img = Preprocess.smallestMaxSize(Goldens.input("rgb301x217"), 256);
        assertThat(new int[] {img.width(), img.height()}).containsExactly(355, 256);
        // 10x4 -> 2: 10 * 0.5 = 5; 5x2 -> 4 gives 5 * 2 = 10; 7x4 -> 2 gives 3.5 -> 4 (half to even)
        assertThat(Preprocess.smallestMaxSize(RgbImage.of(7, 4, new byte[84]), 2).width()).isEqualTo(4);
        assertThat(Preprocess.smallestMaxSize(RgbImage.of(5, 4, new byte[60]), 2).width()).isEqualTo(2);
        RgbImage same = RgbImage.of(300, 256, new byte[300 * 256 * 3]);
        assertThat(Preprocess.smallestMaxSize(same, 256)).isSameAs(same);
    }

    @Test
    void randomCropStaysInsideAndFollowsTheSeed() {
        RgbImage src = Goldens.input("rgb301x217");
        RgbImage a = Preprocess.autoencoderTrain(src, 64, new Random(7));
        RgbImage b = Preprocess.autoencoderTrain(src, 64, new Random(7));
        assertThat(a).isEqualTo(b);
        assertThat(new int[] {a.width(), a.height()}).containsExactly(64, 64);
        // the crop is a window of the resized image, at albumentations' offsets
        Random r = new Random(7);
        RgbImage resized = Preprocess.smallestMaxSize(src, 64);
        int y = (int) ((resized.height() - 64) * r.nextDouble());
        int x = (int) ((resized.width() - 64) * r.nextDouble());
        assertThat(a).isEqualTo(resized.crop(x, y, 64, 64));
        Set<RgbImage> seen = new HashSet<>();
        Random rng = new Random(1);
        for (int i = 0; i < 20; i++) {
            seen.add(Preprocess.randomCrop(src, 200, rng));
        }
        assertThat(seen).hasSizeGreaterThan(10);
    }

    @Test
    void diffusionTrainFlipsAboutHalfTheTime() {
        RgbImage src = Goldens.input("rgb200x150");
        RgbImage crop = Preprocess.admCenterCrop(src, 64);
        RgbImage flipped = crop.flipHorizontal();
        Random rng = new Random(3);
        int flips = 0;
        for (int i = 0; i < 200; i++) {
            RgbImage out = Preprocess.diffusionTrain(src, 64, rng);
            if (out.equals(flipped)) {
                flips++;
            } else {
                assertThat(out).isEqualTo(crop);
            }
        }
        assertThat(flips).isBetween(70, 130);
    }

    @Test
    void centerCropRoundsTheOffsetsDown() {
        byte[] px = new byte[5 * 4 * 3];
        for (int i = 0; i < 20; i++) {
            px[3 * i] = (byte) i;
        }
        RgbImage crop = Preprocess.centerCrop(RgbImage.of(5, 4, px), 2);
        // offsets (5-2)//2 = 1, (4-2)//2 = 1: pixel (1, 1) is index 6
        assertThat(crop.get(0, 0, 0)).isEqualTo(6);
        assertThat(crop.get(1, 1, 0)).isEqualTo(12);
        assertThatThrownBy(() -> Preprocess.centerCrop(RgbImage.of(5, 4, px), 5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RgbImage twoPixels() {
        // (0, 127, 255) and (128, 1, 64)
        return RgbImage.of(2, 1, new byte[] {0, 127, (byte) 255, (byte) 128, 1, 64});
    }

    @Test
    void toMinusOneOneIsTamingsScaling() {
        INDArray t = Preprocess.toMinusOneOne(twoPixels());
        assertThat(t.shape()).containsExactly(3, 1, 2);
        assertThat(t.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(t.getFloat(0, 0, 0)).isEqualTo(-1f);
        assertThat(t.getFloat(2, 0, 0)).isEqualTo(1f);
        assertThat(t.getFloat(1, 0, 0)).isEqualTo((float) (127 / 127.5 - 1.0)); // -0.003921...
        assertThat(t.getFloat(0, 0, 1)).isCloseTo(0.00392157f, within(1e-7f));
        assertThat(t.getFloat(1, 0, 1)).isCloseTo(-0.99215686f, within(1e-7f));
    }

    @Test
    void toImageNetIsToTensorThenNormalize() {
        INDArray t = Preprocess.toImageNet(twoPixels());
        assertThat(t.shape()).containsExactly(3, 1, 2);
        // float32 values of torch's ToTensor + Normalize (numpy float32, same operations):
        // R = 0: -0.485 / 0.229; G = 127: (127/255 - 0.456) / 0.224; B = 255: (1 - 0.406) / 0.225
        assertThat(t.getFloat(0, 0, 0)).isEqualTo(-2.117904f);
        assertThat(t.getFloat(1, 0, 0)).isEqualTo(0.18767506f);
        assertThat(t.getFloat(2, 0, 0)).isEqualTo(2.64f);
        assertThat(t.getFloat(2, 0, 1)).isEqualTo(-0.68897593f);
    }

    @Test
    void imageNetFromMinusOneOneAgreesWithToImageNet() {
        RgbImage img = Goldens.input("rgba64x48");
        INDArray viaMinusOne = Preprocess.imageNetFromMinusOneOne(
                Preprocess.toMinusOneOne(img).reshape(1, 3, 48, 64));
        INDArray direct = Preprocess.toImageNet(img).reshape(1, 3, 48, 64);
        assertThat(viaMinusOne.shape()).containsExactly(1, 3, 48, 64);
        // the two routes round differently, by a few float32 ulps
        assertThat(viaMinusOne.sub(direct).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void imageNetFromMinusOneOneHandValuesAndBatches() {
        INDArray x = Nd4j.create(new float[] {-1f, 0f, 1f, 0.5f, 0f, 0f}, new long[] {2, 3, 1, 1}, 'c');
        INDArray y = Preprocess.imageNetFromMinusOneOne(x);
        assertThat(y.getFloat(0, 0, 0, 0)).isCloseTo(-0.485f / 0.229f, within(1e-6f));
        assertThat(y.getFloat(0, 1, 0, 0)).isCloseTo((0.5f - 0.456f) / 0.224f, within(1e-6f));
        assertThat(y.getFloat(0, 2, 0, 0)).isCloseTo((1f - 0.406f) / 0.225f, within(1e-6f));
        assertThat(y.getFloat(1, 0, 0, 0)).isCloseTo((0.75f - 0.485f) / 0.229f, within(1e-6f));
        assertThat(x.getFloat(0, 0, 0, 0)).isEqualTo(-1f); // the input is left alone
        assertThatThrownBy(() -> Preprocess.imageNetFromMinusOneOne(Nd4j.zeros(DataType.FLOAT, 3, 4, 4)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toImageUsesTheSamplingConvention() {
        // 127.5 * x + 128, clamped, truncated: -1 -> 0.5 -> 0; 0 -> 128; 1 -> 255.5 -> 255; 0.5 -> 191.75 -> 191
        float[] v = {-1f, 0f, 1f, 0.5f, -2f, 3f, Float.NaN, -0.999f, 0.9999f};
        INDArray chw = Nd4j.create(v, new long[] {3, 1, 3}, 'c');
        RgbImage img = Preprocess.toImage(chw);
        assertThat(new int[] {img.get(0, 0, 0), img.get(1, 0, 0), img.get(2, 0, 0)}).containsExactly(0, 128, 255);
        assertThat(new int[] {img.get(0, 0, 1), img.get(1, 0, 1), img.get(2, 0, 1)}).containsExactly(191, 0, 255);
        assertThat(new int[] {img.get(0, 0, 2), img.get(1, 0, 2), img.get(2, 0, 2)}).containsExactly(0, 0, 255);
    }

    @Test
    void toImageInvertsToMinusOneOneUpToTheHalfStep() {
        RgbImage img = Goldens.input("rgb200x150");
        RgbImage back = Preprocess.toImage(Preprocess.toMinusOneOne(img));
        // x/127.5 - 1 then 127.5x + 128 adds 0.5: truncation gives v back, except float rounding just below v + 0.5
        Goldens.Diff d = Goldens.Diff.of(back, img);
        assertThat(d.max()).isLessThanOrEqualTo(1);
    }
}
