package org.svgjava.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.io.TorchObjects.TorchPickleException;

/**
 * Reads files written by {@code torch.save} ({@code .pt}, {@code .pth}, {@code .ckpt}) without Python: the zip
 * container of torch &gt;= 1.6 and the legacy stream format before it.
 *
 * <p>Only the globals a tensor/state-dict checkpoint needs are accepted (tensor and parameter rebuilders, storage
 * types, {@code OrderedDict}, {@code torch.Size}, {@code argparse.Namespace}); a pickle naming anything else is
 * refused before any object is built. Nothing in a checkpoint is ever executed.
 */
public final class TorchCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);

    private TorchCheckpoint() {
    }

    /**
     * Reads the whole object tree. Maps are {@code LinkedHashMap<String, Object>} in file order (non-string keys
     * converted with {@link String#valueOf}), lists and tuples are {@code List<Object>}, tensors are
     * {@link TensorData} (zero-copy slices of the mapped file when contiguous, C-order copies of strided views
     * otherwise), Python scalars are Long/Double/Boolean/String/null, and an {@code argparse.Namespace} is a map of
     * its attributes.
     *
     * @throws WeightFileException for any file that cannot be read: its message names the file, the tensor (by key
     *     path) where there is one, and the problem
     */
    public static Object load(Path file) throws WeightFileException {
        try {
            return switch (detect(file)) {
                case ZIP -> loadZip(file);
                case LEGACY -> loadLegacy(file);
            };
        } catch (WeightFileException e) {
            throw e;
        } catch (TorchPickleException e) {
            throw new WeightFileException(file, null, e.getMessage(), e);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            // Razorvine signals truncated or malformed pickles with whatever exception the bad byte provokes, and
            // absurdly deep nesting overflows the stack; neither may escape as anything but a bad-file report
            throw new WeightFileException(file, null, "corrupt or truncated checkpoint: " + describe(e), e);
        }
    }

    private enum Format { ZIP, LEGACY }

    private static Format detect(Path file) throws IOException {
        Format f = sniff(file);
        if (f == null) {
            throw new WeightFileException(file, null, Files.size(file) == 0 ? "the file is empty"
                    : "not a torch checkpoint: neither a zip archive nor a pickle stream");
        }
        return f;
    }

    /** Whether the file starts like a {@code torch.save} file (zip or legacy pickle stream). */
    static boolean isTorchFile(Path file) throws IOException {
        return sniff(file) != null;
    }

    /** The container by its first bytes, or null when it is neither a zip nor a pickle stream. */
    private static Format sniff(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(2);
        }
        if (head.length == 2 && head[0] == 'P' && head[1] == 'K') {
            return Format.ZIP;
        }
        if (head.length >= 1 && (head[0] & 0xff) == 0x80) {
            return Format.LEGACY; // pickle protocol 2+ begins with PROTO
        }
        return null;
    }

    private static Object loadZip(Path file) throws IOException {
        try (ZipCheckpoint zip = ZipCheckpoint.open(file)) {
            Object raw = new TorchUnpickler().loads(zip.pickle());
            Object result = new TorchObjectTree(file, zip).convert(raw);
            LOG.debug("read torch zip checkpoint {} (archive root '{}')", file, zip.root());
            return result;
        }
    }

    private static Object loadLegacy(Path file) throws IOException {
        try (LegacyCheckpoint legacy = LegacyCheckpoint.open(file)) {
            Object raw = legacy.read();
            Object result = new TorchObjectTree(file, legacy).convert(raw);
            LOG.debug("read legacy (pre-1.6) torch checkpoint {}", file);
            return result;
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + message;
    }
}
