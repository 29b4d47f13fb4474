package org.svgjava.encoder.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading and converting images as PIL's {@code Image.open(f).convert("RGB")}, cropping and flipping. */
class RgbImageTest {
    @ParameterizedTest
    @CsvSource({"grey640x480.png", "rgba64x48.png", "la64x48.png", "palette64x48.png", "jpeg96x64.jpg"})
    void decodesAsPilConvertRgb(String file) throws IOException {
        RgbImage img = RgbImage.read(Goldens.resource(file));
        Goldens.Diff d = Goldens.Diff.of(img, Goldens.get("decoded_" + file.substring(0, file.indexOf('.'))));
        assertThat(d.pixels()).as("pixels differing from PIL (max %d)", d.max()).isZero();
    }

    @Test
    void rgbaKeepsColourWhereAlphaIsZero() throws IOException {
        // the first column of rgba64x48 is fully transparent; PIL keeps its colour, so must we
        RgbImage img = Goldens.input("rgba64x48");
        BufferedImage raw = ImageIO.read(Goldens.resource("rgba64x48.png").toFile());
        assertThat(raw.getRGB(0, 5) >>> 24).isZero();
        assertThat(img.get(0, 5, 0)).isEqualTo(raw.getRGB(0, 5) >> 16 & 0xFF);
        assertThat(img.get(0, 5, 0) + img.get(0, 5, 1) + img.get(0, 5, 2)).isPositive();
    }

    @Test
    void greyBufferedImageIsNotGammaConverted() {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 50, 200});
        RgbImage img = RgbImage.fromBufferedImage(grey);
        // getRGB would give 50 -> 124 (linear grey to sRGB)
        assertThat(new int[] {img.get(1, 0, 0), img.get(1, 0, 1), img.get(1, 0, 2)}).containsExactly(50, 50, 50);
        assertThat(img.get(2, 0, 2)).isEqualTo(200);
    }

    @Test
    void sixteenBitGreyIsClippedLikePil() {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {200, 40000});
        RgbImage img = RgbImage.fromBufferedImage(grey);
        assertThat(img.get(0, 0, 0)).isEqualTo(200);
        assertThat(img.get(1, 0, 0)).isEqualTo(255);
    }

    @Test
    void argbDropsAlphaWithoutCompositing() {
        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x10_20_30_40);
        RgbImage img = RgbImage.fromBufferedImage(argb);
        assertThat(new int[] {img.get(0, 0, 0), img.get(0, 0, 1), img.get(0, 0, 2)}).containsExactly(0x20, 0x30, 0x40);
    }

    @Test
    void bufferedImageRoundTrip(@TempDir Path dir) throws IOException {
        RgbImage img = Goldens.input("rgb200x150");
        assertThat(RgbImage.fromBufferedImage(img.toBufferedImage())).isEqualTo(img);
        Path png = dir.resolve("out.png");
        assertThat(ImageIO.write(img.toBufferedImage(), "png", png.toFile())).isTrue();
        assertThat(RgbImage.read(png)).isEqualTo(img);
    }

    @Test
    void corruptFileNamesTheFile(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("broken.png");
        byte[] png = Files.readAllBytes(Goldens.resource("rgb200x150.png"));
        Files.write(bad, Arrays.copyOf(png, 200)); // a valid signature and header, then nothing
        assertThatThrownBy(() -> RgbImage.read(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining(bad.toString());
        Path text = dir.resolve("notes.jpg");
        Files.writeString(text, "not an image");
        assertThatThrownBy(() -> RgbImage.read(text)).isInstanceOf(IOException.class)
                .hasMessageContaining(text.toString());
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> RgbImage.read(missing)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void cropAndFlip() {
        byte[] px = new byte[3 * 2 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        RgbImage img = RgbImage.of(3, 2, px);
        RgbImage crop = img.crop(1, 1, 2, 1);
        assertThat(crop.toByteArray()).containsExactly(12, 13, 14, 15, 16, 17);
        RgbImage flip = img.flipHorizontal();
        assertThat(flip.toByteArray()).containsExactly(6, 7, 8, 3, 4, 5, 0, 1, 2, 15, 16, 17, 12, 13, 14, 9, 10, 11);
        assertThat(flip.flipHorizontal()).isEqualTo(img);
        assertThatThrownBy(() -> img.crop(2, 0, 2, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isImmutable() {
        byte[] px = new byte[3];
        RgbImage img = RgbImage.of(1, 1, px);
        px[0] = 9;
        img.toByteArray()[1] = 9;
        assertThat(img.toByteArray()).containsExactly(0, 0, 0);
        assertThatThrownBy(() -> RgbImage.of(2, 1, px)).isInstanceOf(IllegalArgumentException.class);
    }
}
