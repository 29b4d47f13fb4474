package org.svgjava.encoder.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Cv2Resize} against OpenCV 4.6's {@code cv2.resize(..., INTER_LINEAR)} (Debian build, SSE2 baseline). */
class Cv2ResizeTest {
    private static final Logger LOG = LoggerFactory.getLogger(Cv2ResizeTest.class);
    private static final Pattern KEY = Pattern.compile("cv2_(\\w+?)_(\\d+)x(\\d+)");

    static Stream<String> cv2Keys() {
        return Goldens.all().keySet().stream().filter(k -> k.startsWith("cv2_"));
    }

    @ParameterizedTest
    @MethodSource("cv2Keys")
    void matchesOpenCvExactly(String key) {
        Matcher m = KEY.matcher(key);
        assertThat(m.matches()).isTrue();
        RgbImage src = Goldens.input(m.group(1));
        RgbImage out = Cv2Resize.resizeLinear(src, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        Goldens.Diff d = Goldens.Diff.of(out, Goldens.get(key));
        LOG.info("{}: {} of {} pixels differ from OpenCV, max {}", key, d.pixels(), out.width() * out.height(), d.max());
        assertThat(d.pixels()).as("%s: pixels differing from OpenCV (max %d)", key, d.max()).isZero();
    }

    @Test
    void coversExactHalvingAndUpscaling() {
        assertThat(cv2Keys()).contains("cv2_grey640x480_320x240", "cv2_rgb1024x700_512x350",
                "cv2_rgb200x150_341x256");
    }

    @Test
    void exactHalvingRoundsTheBlockMeanHalfUp() {
        byte[] px = new byte[2 * 2 * 3];
        int[] grey = {1, 2, 3, 4}; // sum 10: OpenCV's (10 + 2) >> 2 = 3 where rint(2.5) would give 2
        for (int i = 0; i < 4; i++) {
            px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = (byte) grey[i];
        }
        assertThat(Cv2Resize.resizeLinear(RgbImage.of(2, 2, px), 1, 1).get(0, 0, 2)).isEqualTo(3);
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage src = Goldens.input("rgb200x150");
        assertThat(Cv2Resize.resizeLinear(src, 200, 150)).isEqualTo(src);
    }

    @Test
    void singlePixelSourceIsReplicated() {
        RgbImage one = RgbImage.of(1, 1, new byte[] {7, (byte) 200, 33});
        RgbImage out = Cv2Resize.resizeLinear(one, 5, 3);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertThat(new int[] {out.get(x, y, 0), out.get(x, y, 1), out.get(x, y, 2)})
                        .containsExactly(7, 200, 33);
            }
        }
    }
}
