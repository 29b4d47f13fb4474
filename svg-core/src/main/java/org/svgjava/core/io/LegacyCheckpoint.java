package org.svgjava.core.io;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.svgjava.core.io.TorchObjects.StorageRef;

/**
 * The pre-zip {@code torch.save} format (torch &lt; 1.6): one stream holding the pickles magic number, protocol
 * version, sys_info, the object and the list of storage keys, followed by each storage in that list's order as an
 * int64 element count and its raw bytes. The storages' positions are only known after all pickles are read, so they
 * are located first and mapped on demand.
 */
final class LegacyCheckpoint implements StorageSource {
    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL_VERSION = 1001;

    private final Path file;
    private final FileChannel channel;
    /** File offset of each root storage's bytes (after its count). */
    private final Map<String, Long> offsets = new HashMap<>();
    private final Map<String, ByteBuffer> loaded = new HashMap<>();

    private LegacyCheckpoint(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static LegacyCheckpoint open(Path file) throws IOException {
        return new LegacyCheckpoint(file, FileChannel.open(file, StandardOpenOption.READ));
    }

    /** Reads every pickle and locates the storages; returns the saved object with tensors still pending. */
    Object read() throws IOException {
        CountingInputStream in = new CountingInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
        TorchUnpickler unpickler = new TorchUnpickler();
        Object magic = unpickler.load(in);
        if (!MAGIC.equals(magic)) {
            throw new WeightFileException(file, null,
                    "not a torch checkpoint: neither a zip archive nor the legacy format (wrong magic number)");
        }
        Object version = unpickler.load(in);
        if (!(version instanceof Number v) || v.longValue() != PROTOCOL_VERSION) {
            throw new WeightFileException(file, null, "unsupported legacy torch.save protocol version " + version);
        }
        if (unpickler.load(in) instanceof Map<?, ?> sysInfo && Boolean.FALSE.equals(sysInfo.get("little_endian"))) {
            throw new WeightFileException(file, null,
                    "written on a big-endian machine; only little-endian checkpoints are supported");
        }
        Object result = unpickler.load(in);
        Object keys = unpickler.load(in);
        if (!(keys instanceof List<?> keyList)) {
            throw new WeightFileException(file, null, "the storage key list is " + TorchObjects.describeType(keys)
                    + ", not a list");
        }
        locateStorages(unpickler, keyList, in.count());
        return result;
    }

    private void locateStorages(TorchUnpickler unpickler, List<?> keys, long start) throws IOException {
        long position = start;
        ByteBuffer count = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Object k : keys) {
            String key = String.valueOf(k);
            StorageRef storage = unpickler.storage(key);
            if (storage == null || storage.root() != null) {
                throw new WeightFileException(file, null, "storage key list names '" + key
                        + "', which no tensor uses as a root storage");
            }
            DType dtype = storage.type().dtype();
            if (dtype == null) {
                throw new WeightFileException(file, null, storage.describe() + " has a storage type this library"
                        + " cannot read");
            }
            count.clear();
            if (readFully(count, position) != Long.BYTES) {
                throw new WeightFileException(file, null, "file ends before " + storage.describe()
                        + " (truncated?)");
            }
            long numel = count.getLong(0);
            if (numel != storage.numel()) {
                throw new WeightFileException(file, null, storage.describe() + " should hold " + storage.numel()
                        + " elements but the file says " + numel);
            }
            long data = position + Long.BYTES;
            long bytes = Math.multiplyExact(numel, dtype.byteSize());
            if (data + bytes > channel.size()) {
                throw new WeightFileException(file, null, storage.describe() + " needs " + bytes + " bytes at offset "
                        + data + " but the file ends at " + channel.size() + " (truncated?)");
            }
            offsets.put(key, data);
            position = data + bytes;
        }
    }

    private int readFully(ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public ByteBuffer bytes(StorageRef storage, String tensor) throws IOException {
        ByteBuffer cached = loaded.get(storage.key());
        if (cached == null) {
            Long offset = offsets.get(storage.key());
            if (offset == null) {
                throw new WeightFileException(file, tensor, storage.describe()
                        + " is not in the file's storage key list, so its bytes are missing");
            }
            long size = storage.numel() * storage.type().dtype().byteSize();
            if (size > Integer.MAX_VALUE) {
                throw new WeightFileException(file, tensor, storage.describe() + " has " + size
                        + " bytes; storages over 2 GB are not supported");
            }
            cached = size == 0 ? ByteBuffer.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, offset, size);
            loaded.put(storage.key(), cached);
        }
        return cached.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Counts the bytes the unpickler consumed, which is where the raw storages begin. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
