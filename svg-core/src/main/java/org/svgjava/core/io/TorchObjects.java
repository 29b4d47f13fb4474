package org.svgjava.core.io;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;

/**
 * The inert Java stand-ins that {@link TorchUnpickler} builds while it reads a checkpoint's pickle. None of them
 * touches file bytes: storages and tensors are only described here and are materialised afterwards by
 * {@link TorchObjectTree}, once the whole pickle has been read and the tensors' key paths are known.
 */
final class TorchObjects {
    private TorchObjects() {
    }

    /** An allow-listed Python callable, named so that error messages can say which one was misused. */
    record AllowedGlobal(String name, IObjectConstructor body) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            return body.construct(args);
        }
    }

    /** A {@code torch.*Storage} class named by a GLOBAL opcode; {@code dtype} is null for types this library cannot read. */
    record StorageType(String name, DType dtype) {
    }

    /**
     * A storage named by a persistent id. {@code numel} counts elements of {@code type}. A legacy storage view
     * (torch &lt; 1.6) has a {@code root} storage and starts {@code rootOffset} elements into it.
     */
    record StorageRef(String key, StorageType type, long numel, StorageRef root, long rootOffset) {
        static StorageRef root(String key, StorageType type, long numel) {
            return new StorageRef(key, type, numel, null, 0);
        }

        String describe() {
            return "storage '" + key + "' (" + type.name() + ")";
        }
    }

    /** What {@code _rebuild_tensor_v2} was asked to build: a strided view, offsets and strides in elements. */
    record PendingTensor(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** Python objects that accept the pickle BUILD opcode. */
    interface Buildable {
        void __setstate__(HashMap<?, ?> state);
    }

    /**
     * {@code collections.OrderedDict}. BUILD on an OrderedDict sets instance attributes, not entries: torch state
     * dicts carry {@code _metadata} that way, and letting it into the entries would add a bogus "tensor", while
     * letting it replace the entries (what a ClassDict does) would silently drop every weight.
     */
    static final class PyOrderedDict extends LinkedHashMap<Object, Object> implements Buildable {
        private static final long serialVersionUID = 1L;
        private final transient Map<Object, Object> attributes = new LinkedHashMap<>();

        @Override
        public void __setstate__(HashMap<?, ?> state) {
            attributes.putAll(state);
        }

        Map<Object, Object> attributes() {
            return attributes;
        }
    }

    /** {@code argparse.Namespace}: its attributes arrive as the BUILD state and become the map's entries. */
    static final class PyNamespace extends LinkedHashMap<Object, Object> implements Buildable {
        private static final long serialVersionUID = 1L;

        @Override
        public void __setstate__(HashMap<?, ?> state) {
            putAll(state);
        }
    }

    /**
     * A problem found while unpickling. It must be unchecked because Razorvine's callbacks cannot throw checked
     * exceptions; {@link TorchCheckpoint} turns it into a {@link WeightFileException} with its message as is.
     */
    static final class TorchPickleException extends PickleException {
        private static final long serialVersionUID = 1L;

        TorchPickleException(String message) {
            super(message);
        }
    }

    static long toLong(Object value, String what) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big && big.bitLength() < 64) {
            return big.longValue();
        }
        throw new TorchPickleException(what + " must be an integer, got " + describeType(value));
    }

    static long[] toLongs(Object value, String what) {
        Object[] items;
        if (value instanceof Object[] tuple) {
            items = tuple;
        } else if (value instanceof List<?> list) {
            items = list.toArray();
        } else {
            throw new TorchPickleException(what + " must be a tuple of integers, got " + describeType(value));
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = toLong(items[i], what);
        }
        return out;
    }

    static String describeType(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Object[]) {
            return "tuple";
        }
        if (value instanceof StorageType type) {
            return "the class " + type.name();
        }
        if (value instanceof AllowedGlobal global) {
            return "the Python callable " + global.name();
        }
        return value.getClass().getSimpleName();
    }
}
