package org.svgjava.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistDatasetTest {
    @TempDir
    Path dir;

    /** An IDX file as the MNIST tools write it: magic, big-endian dims, then the bytes. */
    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return buf.toByteArray();
    }

    static void gz(Path f, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(content);
        }
    }

    /** n images of rows x cols where image i has pixel value (i * 10 + row) at every column, and label i % 10. */
    private void writeSplit(FashionMnistDataset.Split split, int n, int rows, int cols) throws IOException {
        byte[] px = new byte[n * rows * cols];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
            for (int r = 0; r < rows; r++) {
                Arrays.fill(px, (i * rows + r) * cols, (i * rows + r + 1) * cols, (byte) (i * 10 + r));
            }
        }
        gz(split.images(dir), idx(0x803, new int[] {n, rows, cols}, px));
        gz(split.labels(dir), idx(0x801, new int[] {n}, labels));
    }

    @Test
    void parsesSmallFilesWrittenHere() throws IOException {
        writeSplit(FashionMnistDataset.Split.TRAIN, 12, 3, 4);
        writeSplit(FashionMnistDataset.Split.TEST, 5, 3, 4);
        assertThat(FashionMnistDataset.isInstalled(dir)).isTrue();
        FashionMnistDataset d = FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN);
        assertThat(d.size()).isEqualTo(12);
        assertThat(d.rows()).isEqualTo(3);
        assertThat(d.cols()).isEqualTo(4);
        assertThat(d.label(11)).isEqualTo(1);
        assertThat(d.classNames()).hasSize(10).startsWith("T-shirt/top").endsWith("Ankle boot");
        Pixels p = d.get(7).pixels();
        assertThat(p.width()).isEqualTo(4);
        assertThat(p.height()).isEqualTo(3);
        // row 2 of image 7 holds 72 everywhere, in all three channels
        assertThat(new int[] {p.get(0, 2, 0), p.get(3, 2, 1), p.get(2, 2, 2), p.get(1, 0, 0)})
                .containsExactly(72, 72, 72, 70);
        assertThat(FashionMnistDataset.load(dir, FashionMnistDataset.Split.TEST).size()).isEqualTo(5);
    }

    @Test
    void wrongMagicIsReportedWithTheFileName() throws IOException {
        writeSplit(FashionMnistDataset.Split.TRAIN, 4, 2, 2);
        Path labels = FashionMnistDataset.Split.TRAIN.labels(dir);
        // an image file where the labels should be
        gz(labels, idx(0x803, new int[] {4, 1, 1}, new byte[4]));
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("0x00000803").hasMessageContaining("0x00000801");
    }

    @Test
    void truncatedAndOverlongFilesAreRejected() throws IOException {
        writeSplit(FashionMnistDataset.Split.TRAIN, 4, 2, 2);
        Path images = FashionMnistDataset.Split.TRAIN.images(dir);
        gz(images, idx(0x803, new int[] {4, 2, 2}, new byte[15]));
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN))
                .isInstanceOf(IOException.class).hasMessageContaining(images.toString()).hasMessageContaining("truncated");

        // a gzip stream cut in the middle, as a failed download leaves it
        byte[] good = Files.readAllBytes(FashionMnistDataset.Split.TRAIN.labels(dir));
        gz(images, idx(0x803, new int[] {4, 2, 2}, new byte[16]));
        byte[] whole = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN))
                .isInstanceOf(IOException.class).hasMessageContaining(images.toString());
        assertThat(good).isNotEmpty();

        gz(images, idx(0x803, new int[] {4, 2, 2}, new byte[17]));
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN))
                .isInstanceOf(IOException.class).hasMessageContaining("bytes after");
    }

    @Test
    void countsAndLabelsMustAgree() throws IOException {
        writeSplit(FashionMnistDataset.Split.TRAIN, 4, 2, 2);
        Path labels = FashionMnistDataset.Split.TRAIN.labels(dir);
        gz(labels, idx(0x801, new int[] {3}, new byte[3]));
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN))
                .isInstanceOf(IOException.class).hasMessageContaining("4 images").hasMessageContaining("3 labels");
        gz(labels, idx(0x801, new int[] {4}, new byte[] {0, 1, 10, 2}));
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN))
                .isInstanceOf(IOException.class).hasMessageContaining("label 10");
        gz(FashionMnistDataset.Split.TRAIN.images(dir), idx(0x803, new int[] {4, 0, 2}, new byte[0]));
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TRAIN))
                .isInstanceOf(IOException.class).hasMessageContaining("impossible dimensions");
    }

    @Test
    void missingFilesSayHowToGetThem() {
        assertThat(FashionMnistDataset.isInstalled(dir)).isFalse();
        assertThatThrownBy(() -> FashionMnistDataset.load(dir, FashionMnistDataset.Split.TEST))
                .isInstanceOf(IOException.class).hasMessageContaining("dataset-fashion-mnist")
                .hasMessageContaining("t10k-images-idx3-ubyte.gz");
    }

    @Test
    void readsTheInstalledDebianPackage() throws IOException {
        assumeTrue(FashionMnistDataset.isInstalled(), "dataset-fashion-mnist is not installed");
        FashionMnistDataset test = FashionMnistDataset.load(FashionMnistDataset.Split.TEST);
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(test.rows()).isEqualTo(28);
        assertThat(test.cols()).isEqualTo(28);
        // the published test split is balanced: 1,000 images per class
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) {
            counts[test.label(i)]++;
        }
        assertThat(counts).containsOnly(1000);
        // the first test image is an ankle boot (label 9) in the official files
        assertThat(test.label(0)).isEqualTo(9);
        // black background at the corners, bright garment somewhere
        Pixels first = test.get(0).pixels();
        assertThat(first.get(0, 0, 0)).isZero();
        int max = 0;
        for (byte b : test.grey(0)) {
            max = Math.max(max, b & 0xFF);
        }
        assertThat(max).isGreaterThan(200);

        FashionMnistDataset train = FashionMnistDataset.load(FashionMnistDataset.Split.TRAIN);
        assertThat(train.size()).isEqualTo(60_000);
        assertThat(train.label(0)).isEqualTo(9);
    }
}
