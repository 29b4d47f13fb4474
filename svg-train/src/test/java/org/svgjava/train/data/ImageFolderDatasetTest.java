package org.svgjava.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    /** A w x h image whose every pixel is (r, g, b). */
    static BufferedImage solid(int w, int h, int r, int g, int b) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return img;
    }

    private Path write(String rel, BufferedImage img, String format) throws IOException {
        Path f = root.resolve(rel);
        Files.createDirectories(f.getParent());
        assertThat(ImageIO.write(img, format, f.toFile())).as("writer for " + format).isTrue();
        return f;
    }

    private void writeProgressiveJpeg(Path f, BufferedImage img) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = w.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(img, null, null), param);
        } finally {
            w.dispose();
        }
    }

    @Test
    void listsClassesAndImagesInTorchvisionOrderAndSkipsBadFiles() throws IOException {
        write("dog/b.png", solid(6, 4, 10, 200, 30), "png");
        write("dog/a.PNG", solid(6, 4, 250, 0, 0), "png");
        write("dog/sub/c.png", solid(6, 4, 0, 0, 250), "png");
        write("cat/x.jpg", solid(16, 16, 40, 120, 220), "jpg");
        writeProgressiveJpeg(root.resolve("cat/y.jpeg"), solid(16, 16, 200, 200, 50));
        Files.writeString(root.resolve("cat/broken.jpg"), "definitely not a JPEG");
        Files.write(root.resolve("cat/truncated.png"), head(write("cat/tmp.png", solid(8, 8, 1, 2, 3), "png"), 40));
        Files.delete(root.resolve("cat/tmp.png"));
        Files.writeString(root.resolve("cat/notes.txt"), "labels: cat");
        Files.write(root.resolve("dog/sub/cut.jpg"), head(write("dog/tmp.jpg", solid(64, 64, 5, 5, 5), "jpg"), 300));
        Files.delete(root.resolve("dog/tmp.jpg"));
        Files.createDirectories(root.resolve("empty-class"));
        Files.writeString(root.resolve("README.md"), "files at the root are not classes");

        ImageFolderDataset d = ImageFolderDataset.open(root);

        assertThat(d.classNames()).containsExactly("cat", "dog", "empty-class");
        assertThat(d.ignoredCount()).isEqualTo(1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            names.add(root.relativize(d.file(i)).toString().replace('\\', '/'));
        }
        // sorted(os.walk(...)) order: folder first, then file name; "A" sorts before "b"
        assertThat(names).containsExactly("cat/broken.jpg", "cat/truncated.png", "cat/x.jpg", "cat/y.jpeg",
                "dog/a.PNG", "dog/b.png", "dog/sub/c.png", "dog/sub/cut.jpg");
        assertThat(d.label(0)).isZero();
        assertThat(d.label(4)).isEqualTo(1);

        assertThat(d.tryGet(0)).isEmpty();
        assertThat(d.tryGet(1)).isEmpty();
        assertThat(d.tryGet(0)).isEmpty();
        assertThat(d.skippedCount()).as("each bad file counts once").isEqualTo(2);
        assertThatThrownBy(() -> d.get(0)).hasMessageContaining("unreadable");

        Pixels jpeg = d.get(2).pixels();
        assertThat(jpeg.width()).isEqualTo(16);
        // JPEG is lossy, but a flat colour survives to within a few levels
        assertThat(jpeg.get(8, 8, 0)).isCloseTo(40, offset(6));
        assertThat(jpeg.get(8, 8, 1)).isCloseTo(120, offset(6));
        assertThat(jpeg.get(8, 8, 2)).isCloseTo(220, offset(6));
        assertThat(d.get(3).pixels().get(3, 3, 2)).isCloseTo(50, offset(6));

        Pixels png = d.get(4).pixels();
        assertThat(png.width()).isEqualTo(6);
        assertThat(png.height()).isEqualTo(4);
        assertThat(new int[] {png.get(5, 3, 0), png.get(5, 3, 1), png.get(5, 3, 2)}).containsExactly(250, 0, 0);
        assertThat(d.get(6).label()).isEqualTo(1);
        // a JPEG cut off in its data may decode partially or be skipped, but must never throw
        long before = d.skippedCount();
        Optional<LabeledImage> cut = d.tryGet(7);
        assertThat(d.skippedCount()).isEqualTo(cut.isPresent() ? before : before + 1);
        assertThat(before).isEqualTo(2);
    }

    private static byte[] head(Path f, int n) throws IOException {
        byte[] all = Files.readAllBytes(f);
        return java.util.Arrays.copyOf(all, Math.min(n, all.length));
    }

    @Test
    void greyPngKeepsItsValues() throws IOException {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 128, 255});
        write("g/grey.png", grey, "png");
        Pixels p = ImageFolderDataset.open(root).get(0).pixels();
        // getRGB() would turn the linear-grey 128 into about 186
        assertThat(new int[] {p.get(0, 0, 0), p.get(1, 0, 0), p.get(1, 0, 1), p.get(1, 0, 2), p.get(2, 0, 2)})
                .containsExactly(0, 128, 128, 128, 255);
    }

    @Test
    void resizeHookRunsOnEveryDecodedImage() throws IOException {
        write("a/1.png", solid(10, 6, 9, 9, 9), "png");
        write("b/2.bmp", solid(7, 5, 9, 9, 9), "bmp");
        write("b/3.gif", solid(7, 5, 0, 0, 0), "gif");
        ImageFolderDataset d = ImageFolderDataset.open(root,
                p -> Pixels.of(4, 4, java.util.Arrays.copyOf(p.rgbBytes(), 48)));
        assertThat(d.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            Optional<LabeledImage> s = d.tryGet(i);
            assertThat(s).isPresent();
            assertThat(s.get().pixels().width()).isEqualTo(4);
        }
    }

    @Test
    void theTwelveMonkeysJpegReaderIsRegistered() {
        List<String> readers = new ArrayList<>();
        for (var it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            readers.add(r.getClass().getName());
        }
        assertThat(readers).anyMatch(n -> n.startsWith("com.twelvemonkeys."));
    }

    @Test
    void missingOrEmptyRootsAreClearErrors() throws IOException {
        Path missing = root.resolve("nope");
        assertThatThrownBy(() -> ImageFolderDataset.open(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> ImageFolderDataset.open(root))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no class sub-folders")
                .hasMessageContaining(root.toString());
        Files.createDirectories(root.resolve("cls"));
        Files.writeString(root.resolve("cls/a.txt"), "x");
        assertThatThrownBy(() -> ImageFolderDataset.open(root))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no image files");
    }
}
