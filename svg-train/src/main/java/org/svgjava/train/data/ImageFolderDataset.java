package org.svgjava.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * torchvision's {@code ImageFolder} layout: {@code root/<class>/**}/<image>}. Class names are the sub-folders of
 * the root, sorted, with labels 0..K-1; images are found recursively and ordered as torchvision orders them (by
 * folder, then file name), so indices and labels agree with a PyTorch run over the same tree.
 *
 * <p>Only files ending in jpg, jpeg, png, bmp or gif (any case) are images; anything else is ignored and counted
 * in {@link #ignoredCount()}. Images are decoded lazily, on whichever thread asks, so listing a large tree is
 * quick. A file that cannot be decoded is logged once at WARN and counted in {@link #skippedCount()}; its index
 * then reads as empty, which a {@link Loader} fills from other samples.
 */
public final class ImageFolderDataset implements Dataset {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);

    /** Lower-case extensions read as images; torchvision's list minus the formats ImageIO cannot decode. */
    public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif");

    private final Path root;
    private final List<String> classNames;
    private final Path[] files;
    private final int[] labels;
    private final int ignored;
    private final UnaryOperator<Pixels> resize;
    private final Set<Integer> skipped = ConcurrentHashMap.newKeySet();

    private ImageFolderDataset(Path root, List<String> classNames, Path[] files, int[] labels, int ignored,
                               UnaryOperator<Pixels> resize) {
        this.root = root;
        this.classNames = classNames;
        this.files = files;
        this.labels = labels;
        this.ignored = ignored;
        this.resize = resize;
    }

    /** Lists the tree under {@code root}; images come back at their stored size. */
    public static ImageFolderDataset open(Path root) {
        return open(root, UnaryOperator.identity());
    }

    /**
     * Lists the tree under {@code root}; each decoded image passes through {@code resize} (e.g. a centre crop to
     * the training resolution) before it is returned, so full-size decodes never leave the reading thread.
     *
     * @throws IllegalArgumentException when root is not a folder, has no class sub-folders, or holds no images
     * @throws UncheckedIOException when the tree cannot be listed
     */
    public static ImageFolderDataset open(Path root, UnaryOperator<Pixels> resize) {
        Objects.requireNonNull(resize, "resize");
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("image folder " + root.toAbsolutePath() + " does not exist or is not a"
                    + " directory");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list image folder " + root.toAbsolutePath(), e);
        }
        if (classDirs.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root.toAbsolutePath() + " has no class sub-folders"
                    + " (expected root/<class>/<image>)");
        }
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int ignored = 0;
        for (Path dir : classDirs) {
            int label = names.size();
            names.add(dir.getFileName().toString());
            int before = files.size();
            for (Path f : listFiles(dir)) {
                if (isImage(f)) {
                    files.add(f);
                    labels.add(label);
                } else {
                    ignored++;
                    LOG.debug("ignoring {}: not a {} file", f, EXTENSIONS);
                }
            }
            if (files.size() == before) {
                LOG.warn("class folder {} (label {}) holds no images", dir, label);
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("image folder " + root.toAbsolutePath() + " has " + names.size()
                    + " class folders but no image files (" + String.join(", ", EXTENSIONS) + ")");
        }
        if (ignored > 0) {
            LOG.info("image folder {}: ignored {} files that are not images", root, ignored);
        }
        LOG.info("image folder {}: {} images in {} classes", root, files.size(), names.size());
        return new ImageFolderDataset(root, List.copyOf(names), files.toArray(Path[]::new),
                labels.stream().mapToInt(Integer::intValue).toArray(), ignored, resize);
    }

    /**
     * Loose images, one class ({@code images}, label 0): files as given, folders walked in the same sorted order as
     * class folders (non-images in folders are ignored).
     *
     * @throws IllegalArgumentException when a path does not exist or no image is found
     */
    public static ImageFolderDataset ofFiles(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                listFiles(p).stream().filter(ImageFolderDataset::isImage).forEach(files::add);
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException(p.toAbsolutePath() + " does not exist");
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files (" + String.join(", ", EXTENSIONS) + ") in " + paths);
        }
        return new ImageFolderDataset(paths.get(0), List.of("images"), files.toArray(Path[]::new),
                new int[files.size()], 0, UnaryOperator.identity());
    }

    /** All regular files below {@code dir}, in the order of torchvision's {@code sorted(os.walk(dir))}. */
    private static List<Path> listFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString())
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list class folder " + dir.toAbsolutePath(), e);
        } catch (UncheckedIOException e) {
            // Files.walk reports errors met during the walk this way
            throw new UncheckedIOException("cannot list class folder " + dir.toAbsolutePath(), e.getCause());
        }
    }

    static boolean isImage(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    /** The file behind {@code index}. */
    public Path file(int index) {
        return files[index];
    }

    @Override
    public Optional<LabeledImage> tryGet(int index) {
        Objects.checkIndex(index, files.length);
        if (skipped.contains(index)) {
            return Optional.empty();
        }
        Path f = files[index];
        BufferedImage img;
        try {
            img = ImageIO.read(f.toFile());
        } catch (IOException | RuntimeException e) {
            // decoders throw all sorts on bad data (IIOException, IndexOutOfBounds, IllegalArgument...)
            return skip(index, e.toString());
        }
        if (img == null) {
            return skip(index, "no ImageIO reader recognises its contents");
        }
        return Optional.of(new LabeledImage(resize.apply(Pixels.fromBufferedImage(img)), labels[index]));
    }

    private Optional<LabeledImage> skip(int index, String why) {
        if (skipped.add(index)) {
            LOG.warn("skipping unreadable image {} ({}); {} skipped so far", files[index], why, skipped.size());
        }
        return Optional.empty();
    }

    @Override
    public long skippedCount() {
        return skipped.size();
    }

    /** Files under the class folders that were not images (by extension) and so were never listed. */
    public int ignoredCount() {
        return ignored;
    }

    @Override
    public String toString() {
        return "ImageFolderDataset[" + root + ", " + files.length + " images, " + classNames.size() + " classes]";
    }
}
