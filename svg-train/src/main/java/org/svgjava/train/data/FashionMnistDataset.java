package org.svgjava.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fashion-MNIST (Zalando, MIT) as Debian's {@code dataset-fashion-mnist} installs it: 60,000 training and 10,000
 * test images of 28x28 grey, in ten classes, read whole into memory (47 MB for the training split). Images come
 * back as RGB with R=G=B; 0 is the black background.
 */
public final class FashionMnistDataset implements Dataset {
    private static final Logger LOG = LoggerFactory.getLogger(FashionMnistDataset.class);

    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The two splits and their file-name prefixes. */
    public enum Split {
        TRAIN("train"),
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** The gzipped image file of this split in {@code dir}. */
        public Path images(Path dir) {
            return dir.resolve(prefix + "-images-idx3-ubyte.gz");
        }

        /** The gzipped label file of this split in {@code dir}. */
        public Path labels(Path dir) {
            return dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        }
    }

    private final Split split;
    private final int rows;
    private final int cols;
    private final byte[] images;
    private final byte[] labels;

    private FashionMnistDataset(Split split, int rows, int cols, byte[] images, byte[] labels) {
        this.split = split;
        this.rows = rows;
        this.cols = cols;
        this.images = images;
        this.labels = labels;
    }

    /** Whether both splits are present in {@link #DEFAULT_DIR}. */
    public static boolean isInstalled() {
        return isInstalled(DEFAULT_DIR);
    }

    /** Whether both splits' files are present in {@code dir}. */
    public static boolean isInstalled(Path dir) {
        for (Split s : Split.values()) {
            if (!Files.isRegularFile(s.images(dir)) || !Files.isRegularFile(s.labels(dir))) {
                return false;
            }
        }
        return true;
    }

    /** Loads a split from {@link #DEFAULT_DIR}. */
    public static FashionMnistDataset load(Split split) throws IOException {
        return load(DEFAULT_DIR, split);
    }

    /**
     * Loads a split from {@code dir}.
     *
     * @throws IOException naming the file when one is missing, is not an unsigned-byte IDX file of the right rank,
     *                     is truncated, or when images and labels disagree in count or a label is out of range
     */
    public static FashionMnistDataset load(Path dir, Split split) throws IOException {
        Objects.requireNonNull(split, "split");
        Path imageFile = split.images(dir);
        Path labelFile = split.labels(dir);
        for (Path f : List.of(imageFile, labelFile)) {
            if (!Files.isRegularFile(f)) {
                throw new IOException("Fashion-MNIST file " + f + " not found (apt-get install dataset-fashion-mnist,"
                        + " or pass the folder holding the *-idx?-ubyte.gz files)");
            }
        }
        IdxFile img = IdxFile.read(imageFile, 3);
        IdxFile lab = IdxFile.read(labelFile, 1);
        int n = img.dims()[0];
        if (lab.dims()[0] != n) {
            throw new IOException("Fashion-MNIST " + imageFile + " holds " + n + " images but " + labelFile + " holds "
                    + lab.dims()[0] + " labels");
        }
        for (int i = 0; i < n; i++) {
            int l = lab.data()[i] & 0xFF;
            if (l >= CLASS_NAMES.size()) {
                throw new IOException("Fashion-MNIST " + labelFile + ": label " + l + " at index " + i
                        + " is not a class (0.." + (CLASS_NAMES.size() - 1) + ")");
            }
        }
        LOG.info("Fashion-MNIST {}: {} images of {}x{} from {}", split, n, img.dims()[1], img.dims()[2], dir);
        return new FashionMnistDataset(split, img.dims()[1], img.dims()[2], img.data(), lab.data());
    }

    public Split split() {
        return split;
    }

    /** Image height in pixels (28 for the real data). */
    public int rows() {
        return rows;
    }

    /** Image width in pixels (28 for the real data). */
    public int cols() {
        return cols;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public List<String> classNames() {
        return CLASS_NAMES;
    }

    @Override
    public int label(int index) {
        return labels[index] & 0xFF;
    }

    @Override
    public Optional<LabeledImage> tryGet(int index) {
        Objects.checkIndex(index, labels.length);
        return Optional.of(new LabeledImage(Pixels.fromGrey(cols, rows, images, index * rows * cols), label(index)));
    }

    /** The raw grey bytes of one image, {@code [rows, cols]}. */
    public byte[] grey(int index) {
        Objects.checkIndex(index, labels.length);
        int n = rows * cols;
        return Arrays.copyOfRange(images, index * n, (index + 1) * n);
    }

    @Override
    public String toString() {
        return "FashionMnistDataset[" + split + ", " + labels.length + " images]";
    }
}
