package org.svgjava.core.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.svgjava.core.io.TorchObjects.PendingTensor;
import org.svgjava.core.io.TorchObjects.StorageRef;

/**
 * Turns what {@link TorchUnpickler} produced into the public object model (maps, lists, Long/Double/Boolean/String,
 * {@link TensorData}) and materialises every tensor from its storage. Doing this after unpickling, rather than in
 * the pickle callbacks, lets every error name the tensor by its key path ({@code state_dict/decoder.conv_in.weight}).
 */
final class TorchObjectTree {
    private final Path file;
    private final StorageSource storages;
    /** Finished conversions, so objects the pickle shares (memo references) stay shared and are converted once. */
    private final Map<Object, Object> done = new IdentityHashMap<>();
    private final Set<Object> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());

    TorchObjectTree(Path file, StorageSource storages) {
        this.file = file;
        this.storages = storages;
    }

    Object convert(Object raw) throws IOException {
        return convert(raw, "");
    }

    private Object convert(Object value, String path) throws IOException {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof Double || value instanceof byte[]) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < Long.SIZE ? (Object) big.longValue() : big;
        }
        Object finished = done.get(value);
        if (finished != null) {
            return finished;
        }
        if (!inProgress.add(value)) {
            throw new WeightFileException(file, null, "the object at '" + display(path) + "' contains itself");
        }
        Object converted = convertContainer(value, path);
        inProgress.remove(value);
        done.put(value, converted);
        return converted;
    }

    private Object convertContainer(Object value, String path) throws IOException {
        if (value instanceof PendingTensor tensor) {
            return assemble(tensor, display(path));
        }
        if (value instanceof StorageRef storage) {
            // a storage saved on its own reads as the 1-D tensor of all its elements
            return assemble(new PendingTensor(storage, 0, new long[] {storage.numel()}, new long[] {1}), display(path));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(convert(e.getKey(), path));
                out.put(key, convert(e.getValue(), path.isEmpty() ? key : path + "/" + key));
            }
            return out;
        }
        if (value instanceof Object[] tuple) {
            return convertAll(Arrays.asList(tuple), path);
        }
        if (value instanceof List<?> list) {
            return convertAll(list, path);
        }
        if (value instanceof Set<?> set) {
            Set<Object> out = new LinkedHashSet<>();
            for (Object item : set) {
                out.add(convert(item, path));
            }
            return out;
        }
        throw new WeightFileException(file, null, "the value at '" + display(path) + "' is "
                + TorchObjects.describeType(value) + ", which has no meaning outside Python");
    }

    private List<Object> convertAll(Collection<?> items, String path) throws IOException {
        List<Object> out = new ArrayList<>(items.size());
        int i = 0;
        for (Object item : items) {
            out.add(convert(item, path.isEmpty() ? String.valueOf(i) : path + "/" + i));
            i++;
        }
        return out;
    }

    private static String display(String path) {
        return path.isEmpty() ? "<top level>" : path;
    }

    private TensorData assemble(PendingTensor t, String name) throws IOException {
        StorageRef storage = t.storage();
        DType dtype = storage.type().dtype();
        if (dtype == null) {
            throw new WeightFileException(file, name, "unsupported storage type " + storage.type().name()
                    + " (readable: " + readableTypes() + ")");
        }
        long[] size = t.size();
        long[] stride = t.stride();
        if (size.length != stride.length) {
            throw new WeightFileException(file, name, "size " + Arrays.toString(size) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        long numel = 1;
        long last = t.offset();
        for (int d = 0; d < size.length; d++) {
            if (size[d] < 0 || stride[d] < 0) {
                throw new WeightFileException(file, name, "negative size or stride: size " + Arrays.toString(size)
                        + ", stride " + Arrays.toString(stride));
            }
            numel = Math.multiplyExact(numel, size[d]);
            if (size[d] > 0) {
                last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
            }
        }
        if (t.offset() < 0) {
            throw new WeightFileException(file, name, "negative storage offset " + t.offset());
        }
        if (numel == 0) {
            return TensorData.of(dtype, size, ByteBuffer.allocate(0));
        }
        if (last >= storage.numel()) {
            throw new WeightFileException(file, name, "view (offset " + t.offset() + ", size " + Arrays.toString(size)
                    + ", stride " + Arrays.toString(stride) + ") needs element " + last + " but storage '"
                    + storage.key() + "' has " + storage.numel() + " elements");
        }
        long bytes = Math.multiplyExact(numel, dtype.byteSize());
        if (bytes > Integer.MAX_VALUE) {
            throw new WeightFileException(file, name, "tensor of " + bytes + " bytes exceeds the 2 GB buffer limit");
        }
        ByteBuffer data = storageBytes(storage, name);
        int es = dtype.byteSize();
        if (isContiguous(size, stride)) {
            int start = Math.toIntExact(t.offset() * es);
            return TensorData.of(dtype, size, data.position(start).limit(start + (int) bytes).slice());
        }
        return TensorData.of(dtype, size, gather(data, es, t.offset(), size, stride, (int) bytes));
    }

    /** The bytes of exactly this storage; a legacy view storage is a window into its root. */
    private ByteBuffer storageBytes(StorageRef storage, String tensor) throws IOException {
        if (storage.root() == null) {
            return storages.bytes(storage, tensor);
        }
        int es = storage.type().dtype().byteSize();
        ByteBuffer root = storages.bytes(storage.root(), tensor);
        int start = Math.toIntExact(storage.rootOffset() * es);
        return root.position(start).limit(start + Math.toIntExact(storage.numel() * es)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            // a dimension of extent 1 never moves, so torch leaves its stride arbitrary
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    /** Copies a strided view into C order, whole rows at a time where the last dimension is dense. */
    private static ByteBuffer gather(ByteBuffer src, int es, long offset, long[] size, long[] stride, int bytes) {
        ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int rank = size.length;
        int inner = (int) size[rank - 1];
        long innerStride = stride[rank - 1];
        long[] index = new long[rank];
        long base = offset;
        int outPos = 0;
        while (true) {
            if (innerStride == 1) {
                out.put(outPos, src, (int) (base * es), inner * es);
                outPos += inner * es;
            } else {
                for (int j = 0; j < inner; j++) {
                    out.put(outPos, src, (int) ((base + j * innerStride) * es), es);
                    outPos += es;
                }
            }
            int d = rank - 2;
            while (d >= 0) {
                index[d]++;
                base += stride[d];
                if (index[d] < size[d]) {
                    break;
                }
                base -= stride[d] * size[d];
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return out;
            }
        }
    }

    private static String readableTypes() {
        StringBuilder sb = new StringBuilder();
        for (DType t : DType.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.torchStorage());
        }
        return sb.toString();
    }
}
