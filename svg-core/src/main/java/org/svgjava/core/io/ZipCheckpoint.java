package org.svgjava.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.svgjava.core.io.TorchObjects.StorageRef;

/**
 * The zip container of {@code torch.save} (torch &gt;= 1.6): {@code <root>/data.pkl}, raw storages in
 * {@code <root>/data/<key>} and an optional {@code <root>/byteorder}. Storages are STORED (uncompressed), so each
 * one is memory-mapped straight from the file; mapping per storage keeps offsets beyond 2 GB (zip64) usable.
 */
final class ZipCheckpoint implements StorageSource {
    private static final int MAX_BUFFER = Integer.MAX_VALUE;

    private final Path file;
    private final ZipFile zip;
    private final FileChannel channel;
    private final String root;
    private final Map<String, ByteBuffer> loaded = new HashMap<>();

    private ZipCheckpoint(Path file, ZipFile zip, FileChannel channel, String root) {
        this.file = file;
        this.zip = zip;
        this.channel = channel;
        this.root = root;
    }

    static ZipCheckpoint open(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(file).get();
        } catch (IOException | RuntimeException e) {
            throw new WeightFileException(file, null, "not a readable zip archive (truncated or corrupt download?): "
                    + e.getMessage(), e);
        }
        try {
            String root = findRoot(file, zip);
            checkByteOrder(file, zip, root);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            return new ZipCheckpoint(file, zip, channel, root);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** The archive root is whatever directory holds data.pkl; torch names it after the file (model/, archive/ ...). */
    private static String findRoot(Path file, ZipFile zip) throws WeightFileException {
        String best = null;
        for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
            String name = entry.getName();
            if (name.equals("data.pkl") || name.endsWith("/data.pkl")) {
                String prefix = name.substring(0, name.length() - "data.pkl".length());
                // prefer the outermost one in case a checkpoint was zipped inside a folder that holds another
                if (best == null || prefix.length() < best.length()) {
                    best = prefix;
                }
            }
        }
        if (best == null) {
            throw new WeightFileException(file, null,
                    "zip archive has no data.pkl entry, so it is not a torch.save checkpoint");
        }
        return best;
    }

    private static void checkByteOrder(Path file, ZipFile zip, String root) throws IOException {
        ZipArchiveEntry entry = zip.getEntry(root + "byteorder");
        if (entry == null) {
            return; // written by torch < 2.1, which only ever wrote little-endian storages
        }
        String order;
        try (InputStream in = zip.getInputStream(entry)) {
            order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
        }
        if (!order.equals("little")) {
            throw new WeightFileException(file, null, "storages are stored in '" + order
                    + "' byte order; only little-endian checkpoints are supported");
        }
    }

    byte[] pickle() throws IOException {
        ZipArchiveEntry entry = zip.getEntry(root + "data.pkl");
        if (entry.getSize() > MAX_BUFFER) {
            throw new WeightFileException(file, null, root + "data.pkl is larger than 2 GB");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    String root() {
        return root;
    }

    @Override
    public ByteBuffer bytes(StorageRef storage, String tensor) throws IOException {
        ByteBuffer cached = loaded.get(storage.key());
        if (cached == null) {
            cached = read(storage, tensor);
            loaded.put(storage.key(), cached);
        }
        return cached.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer read(StorageRef storage, String tensor) throws IOException {
        String name = root + "data/" + storage.key();
        ZipArchiveEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new WeightFileException(file, tensor, storage.describe() + " is missing: no entry " + name);
        }
        long expected = Math.multiplyExact(storage.numel(), storage.type().dtype().byteSize());
        if (entry.getSize() != expected) {
            throw new WeightFileException(file, tensor, storage.describe() + " of " + storage.numel()
                    + " elements needs " + expected + " bytes but entry " + name + " holds " + entry.getSize());
        }
        if (expected > MAX_BUFFER) {
            throw new WeightFileException(file, tensor, storage.describe() + " has " + expected
                    + " bytes; storages over 2 GB are not supported");
        }
        if (entry.getMethod() != ZipArchiveEntry.STORED) {
            // torch never compresses storages, but a re-zipped checkpoint might be; read it into memory instead
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] data = in.readNBytes((int) expected);
                if (data.length != expected) {
                    throw new WeightFileException(file, tensor, "entry " + name + " ends after " + data.length
                            + " of " + expected + " bytes");
                }
                return ByteBuffer.wrap(data);
            }
        }
        long offset = entry.getDataOffset();
        if (offset < 0 || offset + expected > channel.size()) {
            throw new WeightFileException(file, tensor, "entry " + name + " lies beyond the end of the file ("
                    + channel.size() + " bytes): the file is truncated");
        }
        if (expected == 0) {
            return ByteBuffer.allocate(0);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, expected);
    }

    @Override
    public void close() throws IOException {
        // mapped buffers stay valid after their channel is closed
        try (zip) {
            channel.close();
        }
    }
}
