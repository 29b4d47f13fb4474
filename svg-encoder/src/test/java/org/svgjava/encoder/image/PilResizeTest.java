package org.svgjava.encoder.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link PilResize} against Pillow 9.4's {@code Image.resize}: every pixel equal. */
class PilResizeTest {
    private static final Pattern KEY = Pattern.compile("pil_(box|bilinear|bicubic)_(\\w+?)_(\\d+)x(\\d+)");

    static Stream<String> pilKeys() {
        return Goldens.all().keySet().stream().filter(k -> k.startsWith("pil_"));
    }

    @ParameterizedTest
    @MethodSource("pilKeys")
    void matchesPillowExactly(String key) {
        Matcher m = KEY.matcher(key);
        assertThat(m.matches()).isTrue();
        PilResize.Filter filter = PilResize.Filter.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT));
        RgbImage src = Goldens.input(m.group(2));
        RgbImage out = PilResize.resize(src, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), filter);
        Goldens.Diff d = Goldens.Diff.of(out, Goldens.get(key));
        assertThat(d.pixels()).as("%s: pixels differing from Pillow (max %d)", key, d.max()).isZero();
    }

    @Test
    void coversEveryFilterUpAndDown() {
        assertThat(pilKeys().count()).isGreaterThanOrEqualTo(21);
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage src = Goldens.input("rgb200x150");
        RgbImage out = PilResize.resize(src, 200, 150, PilResize.Filter.BICUBIC);
        assertThat(out).isEqualTo(src).isNotSameAs(src);
    }

    @Test
    void theIntermediateImageIsRoundedToEightBits() {
        byte[] px = new byte[4 * 2 * 3];
        int[] grey = {10, 20, 200, 201, 30, 41, 0, 255};
        for (int i = 0; i < grey.length; i++) {
            px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = (byte) grey[i];
        }
        RgbImage out = PilResize.resize(RgbImage.of(4, 2, px), 2, 1, PilResize.Filter.BOX);
        // not the 2x2 means 25.25 and 164: the horizontal pass rounds 35.5 -> 36 (and 200.5, 127.5 up), then
        // (15 + 36) / 2 = 25.5 -> 26 and (201 + 128) / 2 = 164.5 -> 165, as Pillow gives
        assertThat(out.get(0, 0, 0)).isEqualTo(26);
        assertThat(out.get(1, 0, 1)).isEqualTo(165);
    }

    @Test
    void rejectsEmptyTargets() {
        RgbImage src = Goldens.input("rgb200x150");
        assertThatThrownBy(() -> PilResize.resize(src, 0, 10, PilResize.Filter.BOX))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
