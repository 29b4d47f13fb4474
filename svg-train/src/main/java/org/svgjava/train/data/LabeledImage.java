package org.svgjava.train.data;

import java.util.Objects;

/** One sample: the image and its class index. */
public record LabeledImage(Pixels pixels, int label) {
    public LabeledImage {
        Objects.requireNonNull(pixels, "pixels");
        if (label < 0) {
            throw new IllegalArgumentException("negative label " + label);
        }
    }
}
