package org.svgjava.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: {@code [u64 LE header length][JSON header][data]}, each tensor a contiguous
 * little-endian C-order range of the data. Reading maps each tensor's range of the file, so files larger than
 * 2 GB (SiT-XL in fp32 is 2.7 GB) are read without copying them onto the heap.
 */
public final class SafeTensors {
    /** The reference implementation refuses larger headers; so do we, before allocating anything. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {
    }

    /** A read file: tensors in header order (lazily mapped bytes) and the {@code __metadata__} strings. */
    public record Contents(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        public TensorData get(String name) throws WeightFileException {
            TensorData t = tensors.get(name);
            if (t == null) {
                throw new WeightFileException(file, name, "no such tensor (the file has " + tensors.size() + ")");
            }
            return t;
        }
    }

    public static Contents read(Path file) throws WeightFileException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightFileException(file, null, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new WeightFileException(file, null, "header length " + headerLen
                        + " is not a plausible safetensors header (not a safetensors file?)");
            }
            if (8 + headerLen > size) {
                throw new WeightFileException(file, null, "truncated: header needs " + (8 + headerLen)
                        + " bytes but the file has " + size);
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new WeightFileException(file, null, "header is not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw new WeightFileException(file, null, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            List<long[]> ranges = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    readMetadata(file, e.getValue(), metadata);
                    continue;
                }
                String name = e.getKey();
                JsonNode info = e.getValue();
                DType dtype = DType.fromSafetensors(info.path("dtype").asText(null));
                if (dtype == null) {
                    throw new WeightFileException(file, name, "unknown dtype " + info.path("dtype"));
                }
                long[] shape = longs(file, name, info.path("shape"), "shape");
                long[] offsets = longs(file, name, info.path("data_offsets"), "data_offsets");
                if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
                    throw new WeightFileException(file, name, "bad data_offsets " + info.path("data_offsets"));
                }
                if (offsets[1] > dataSize) {
                    throw new WeightFileException(file, name, "data_offsets " + info.path("data_offsets")
                            + " point past the end of the data (" + dataSize + " bytes): file truncated?");
                }
                long numel;
                try {
                    numel = TensorData.numel(shape);
                } catch (IllegalArgumentException | ArithmeticException ex) {
                    throw new WeightFileException(file, name, "bad shape " + info.path("shape"));
                }
                long bytes = offsets[1] - offsets[0];
                if (bytes != numel * dtype.byteSize()) {
                    throw new WeightFileException(file, name, "shape " + info.path("shape") + " of " + dtype
                            + " needs " + numel * dtype.byteSize() + " bytes but data_offsets give " + bytes);
                }
                if (bytes > Integer.MAX_VALUE) {
                    throw new WeightFileException(file, name, "a single tensor over 2 GB is not supported");
                }
                ByteBuffer mapped = bytes == 0 ? ByteBuffer.allocate(0)
                        : ch.map(FileChannel.MapMode.READ_ONLY, dataStart + offsets[0], bytes);
                tensors.put(name, TensorData.of(dtype, shape, mapped));
                ranges.add(new long[] {offsets[0], offsets[1], ranges.size()});
            }
            checkNoOverlap(file, tensors, ranges);
            return new Contents(file, tensors, metadata);
        } catch (WeightFileException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightFileException(file, null, "cannot read: " + e, e);
        }
    }

    /** Writes atomically: a crash mid-write leaves any previous file at {@code file} intact. */
    public static void write(Path file, Map<String, ?> tensors, Map<String, String> metadata) throws IOException {
        Map<String, TensorData> data = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : tensors.entrySet()) {
            Object v = e.getValue();
            if (v instanceof TensorData t) {
                data.put(e.getKey(), t);
            } else if (v instanceof org.nd4j.linalg.api.ndarray.INDArray a) {
                data.put(e.getKey(), TensorData.of(a));
            } else {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is a "
                        + (v == null ? "null" : v.getClass().getName()) + ", not an INDArray or TensorData");
            }
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : data.entrySet()) {
            TensorData t = e.getValue();
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", t.dtype().name());
            var shape = info.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            info.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // pad with spaces to 8 bytes so the data starts aligned, as the reference writer does
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicFiles.write(file, out -> {
            var channel = Channels.newChannel(out);
            channel.write(head);
            for (TensorData t : data.values()) {
                ByteBuffer b = t.bytes();
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }
        });
    }

    private static void readMetadata(Path file, JsonNode meta, Map<String, String> into) throws WeightFileException {
        if (!meta.isObject()) {
            throw new WeightFileException(file, null, "__metadata__ is not a JSON object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw new WeightFileException(file, null, "__metadata__ value of '" + m.getKey() + "' is not a string");
            }
            into.put(m.getKey(), m.getValue().asText());
        }
    }

    private static long[] longs(Path file, String name, JsonNode node, String field) throws WeightFileException {
        if (!node.isArray()) {
            throw new WeightFileException(file, name, "missing or non-array '" + field + "'");
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
                throw new WeightFileException(file, name, "'" + field + "' holds " + v + ", not a non-negative integer");
            }
            out[i] = v.asLong();
        }
        return out;
    }

    private static void checkNoOverlap(Path file, Map<String, TensorData> tensors, List<long[]> ranges)
            throws WeightFileException {
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        List<String> names = new ArrayList<>(tensors.keySet());
        for (int i = 1; i < ranges.size(); i++) {
            long[] prev = ranges.get(i - 1);
            long[] cur = ranges.get(i);
            if (cur[0] < prev[1] && cur[1] > cur[0]) {
                throw new WeightFileException(file, names.get((int) cur[2]), "data overlaps tensor '"
                        + names.get((int) prev[2]) + "'");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }
}
