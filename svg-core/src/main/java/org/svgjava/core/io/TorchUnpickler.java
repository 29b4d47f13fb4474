package org.svgjava.core.io;

import java.io.IOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import org.svgjava.core.io.TorchObjects.AllowedGlobal;
import org.svgjava.core.io.TorchObjects.Buildable;
import org.svgjava.core.io.TorchObjects.PendingTensor;
import org.svgjava.core.io.TorchObjects.PyNamespace;
import org.svgjava.core.io.TorchObjects.PyOrderedDict;
import org.svgjava.core.io.TorchObjects.StorageRef;
import org.svgjava.core.io.TorchObjects.StorageType;
import org.svgjava.core.io.TorchObjects.TorchPickleException;

/**
 * Reads the pickles inside {@code torch.save} files with a strict allow-list of globals.
 *
 * <p>Razorvine resolves GLOBAL through a static, JVM-wide constructor registry and turns every unknown global into
 * a ClassDict, so a hostile or merely unexpected file would load "successfully" into meaningless maps. This class
 * therefore intercepts every opcode that names a global (GLOBAL, STACK_GLOBAL, INST) and resolves it against its own
 * allow-list, refusing anything else before any object is built; Razorvine's registry is neither consulted nor
 * modified, so other users of Razorvine in the same JVM are unaffected.
 *
 * <p>It also keeps dict entries in file order (Razorvine's SETITEMS collects them into a HashMap first) and applies
 * BUILD without reflection. One instance reads all pickles of one file and remembers the storages they name.
 */
final class TorchUnpickler extends Unpickler {
    private static final Map<String, AllowedGlobal> ALLOWED;
    private static final Pattern STORAGE_CLASS = Pattern.compile("[A-Za-z0-9]+Storage");

    static {
        Map<String, AllowedGlobal> m = new HashMap<>();
        allow(m, "torch._utils._rebuild_tensor_v2", args -> rebuildTensor(args, 6, 7));
        allow(m, "torch._utils._rebuild_tensor", args -> rebuildTensor(args, 4, 4));
        allow(m, "torch._utils._rebuild_parameter", args -> rebuildParameter(args, 3));
        // the extra Python attributes of a Parameter subclass do not affect its values
        allow(m, "torch._utils._rebuild_parameter_with_state", args -> rebuildParameter(args, 4));
        allow(m, "collections.OrderedDict", TorchUnpickler::orderedDict);
        allow(m, "torch.Size", TorchUnpickler::torchSize);
        allow(m, "argparse.Namespace", TorchUnpickler::namespace);
        ALLOWED = Collections.unmodifiableMap(m);
    }

    private static void allow(Map<String, AllowedGlobal> m, String name, IObjectConstructor body) {
        m.put(name, new AllowedGlobal(name, body));
    }

    /** Storages by key; one key always means one storage, whichever tensors share it. */
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();

    /** @return the storage a persistent id named under {@code key}, or null when none did */
    StorageRef storage(String key) {
        return storages.get(key);
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolveGlobal(module, name));
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new TorchPickleException("STACK_GLOBAL needs two strings, got "
                            + TorchObjects.describeType(module) + " and " + TorchObjects.describeType(name));
                }
                stack.add(resolveGlobal(m, n));
            }
            case Opcodes.INST -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                Object resolved = resolveGlobal(module, name);
                List<Object> args = stack.pop_all_since_marker();
                stack.add(construct(resolved, args.toArray(), module + "." + name));
            }
            case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case Opcodes.DICT -> {
                Map<Object, Object> dict = new LinkedHashMap<>();
                putPairs(dict, stack.pop_all_since_marker());
                stack.add(dict);
            }
            case Opcodes.SETITEMS -> {
                List<Object> pairs = stack.pop_all_since_marker();
                putPairs(asDict(stack.peek(), "SETITEMS"), pairs);
            }
            case Opcodes.SETITEM -> {
                Object value = stack.pop();
                Object k = stack.pop();
                asDict(stack.peek(), "SETITEM").put(k, value);
            }
            case Opcodes.BUILD -> {
                Object state = stack.pop();
                build(stack.peek(), state);
            }
            case Opcodes.REDUCE, Opcodes.NEWOBJ -> {
                Object args = stack.pop();
                Object callable = stack.pop();
                if (!(args instanceof Object[] tuple)) {
                    throw new TorchPickleException("REDUCE needs an argument tuple, got " + TorchObjects.describeType(args));
                }
                stack.add(construct(callable, tuple, "REDUCE"));
            }
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        // ('storage', storage_type, key, location, numel[, view_metadata]); the location (cpu, cuda:0, ...) is
        // irrelevant here because everything is read into host memory
        if (!(pid instanceof Object[] t) || t.length < 5 || t.length > 6 || !"storage".equals(t[0])) {
            throw new TorchPickleException("unsupported persistent id " + describePid(pid)
                    + " (expected ('storage', type, key, location, numel))");
        }
        if (!(t[1] instanceof StorageType type)) {
            throw new TorchPickleException("persistent id names " + TorchObjects.describeType(t[1])
                    + " where a torch storage class belongs");
        }
        String key = String.valueOf(t[2]);
        long numel = TorchObjects.toLong(t[4], "storage numel");
        if (numel < 0) {
            throw new TorchPickleException("storage '" + key + "' has negative size " + numel);
        }
        StorageRef root = storages.computeIfAbsent(key, k -> StorageRef.root(k, type, numel));
        if (!root.type().equals(type) || root.numel() != numel) {
            throw new TorchPickleException("storage '" + key + "' is named twice with different types or sizes: "
                    + root.type().name() + "[" + root.numel() + "] and " + type.name() + "[" + numel + "]");
        }
        if (t.length == 6 && t[5] != null) {
            return legacyView(root, t[5]);
        }
        return root;
    }

    private StorageRef legacyView(StorageRef root, Object metadata) {
        if (!(metadata instanceof Object[] v) || v.length != 3) {
            throw new TorchPickleException("storage view metadata of '" + root.key()
                    + "' must be (view_key, offset, size), got " + TorchObjects.describeType(metadata));
        }
        String viewKey = String.valueOf(v[0]);
        long offset = TorchObjects.toLong(v[1], "storage view offset");
        long size = TorchObjects.toLong(v[2], "storage view size");
        if (offset < 0 || size < 0 || offset + size > root.numel()) {
            throw new TorchPickleException("storage view '" + viewKey + "' [" + offset + ", " + (offset + size)
                    + ") lies outside " + root.describe() + " of " + root.numel() + " elements");
        }
        return storages.computeIfAbsent(viewKey, k -> new StorageRef(k, root.type(), size, root, offset));
    }

    private static Object resolveGlobal(String module, String name) {
        String qualified = module + "." + name;
        AllowedGlobal allowed = ALLOWED.get(qualified);
        if (allowed != null) {
            return allowed;
        }
        // storage classes are only type tags in persistent ids; an unreadable one (complex, quantized) is reported
        // with the tensor that uses it, which is far more useful than refusing the file at the first GLOBAL
        if ((module.equals("torch") || module.equals("torch.cuda")) && STORAGE_CLASS.matcher(name).matches()) {
            DType dtype = name.equals("UntypedStorage")
                    // torch.load reads an untyped storage as uint8 (serialization.py: dtype = torch.uint8)
                    ? DType.U8 : DType.fromTorchStorage(name);
            return new StorageType("torch." + name, dtype);
        }
        throw new TorchPickleException("refuses global " + qualified
                + ": not in the allow-list of torch tensor/state-dict types");
    }

    private static Object construct(Object callable, Object[] args, String opcode) {
        if (!(callable instanceof IObjectConstructor constructor)) {
            throw new TorchPickleException(opcode + " applied to " + TorchObjects.describeType(callable)
                    + ", which cannot be called");
        }
        return constructor.construct(args);
    }

    private static void build(Object target, Object state) {
        // BUILD's state is either a dict or (dict_or_None, slots_dict)
        HashMap<Object, Object> merged = new LinkedHashMap<>();
        if (state instanceof Object[] pair && pair.length == 2) {
            putState(merged, pair[0]);
            putState(merged, pair[1]);
        } else {
            putState(merged, state);
        }
        if (!(target instanceof Buildable buildable)) {
            throw new TorchPickleException("BUILD on " + TorchObjects.describeType(target) + " is not supported");
        }
        buildable.__setstate__(merged);
    }

    private static void putState(Map<Object, Object> merged, Object state) {
        if (state instanceof Map<?, ?> m) {
            merged.putAll(m);
        } else if (state != null) {
            throw new TorchPickleException("BUILD state must be a dict, got " + TorchObjects.describeType(state));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asDict(Object target, String opcode) {
        if (!(target instanceof Map<?, ?>)) {
            throw new TorchPickleException(opcode + " on " + TorchObjects.describeType(target) + ", not a dict");
        }
        return (Map<Object, Object>) target;
    }

    private static void putPairs(Map<Object, Object> dict, List<Object> flat) {
        if (flat.size() % 2 != 0) {
            throw new TorchPickleException("odd number of items for a dict: " + flat.size());
        }
        for (int i = 0; i < flat.size(); i += 2) {
            dict.put(flat.get(i), flat.get(i + 1));
        }
    }

    private static Object rebuildTensor(Object[] args, int minArgs, int maxArgs) {
        // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]]): requires_grad,
        // hooks (OrderedDict or None in old files) and metadata carry no values
        if (args.length < minArgs || args.length > maxArgs) {
            throw new TorchPickleException("_rebuild_tensor expects " + minArgs + (minArgs == maxArgs ? "" : " or " + maxArgs)
                    + " arguments, got " + args.length);
        }
        if (!(args[0] instanceof StorageRef storage)) {
            throw new TorchPickleException("_rebuild_tensor expects a storage, got " + TorchObjects.describeType(args[0]));
        }
        long offset = TorchObjects.toLong(args[1], "tensor storage_offset");
        long[] size = TorchObjects.toLongs(args[2], "tensor size");
        long[] stride = TorchObjects.toLongs(args[3], "tensor stride");
        return new PendingTensor(storage, offset, size, stride);
    }

    private static Object rebuildParameter(Object[] args, int expected) {
        if (args.length != expected || !(args[0] instanceof PendingTensor)) {
            throw new TorchPickleException("_rebuild_parameter expects (tensor, requires_grad, hooks"
                    + (expected == 4 ? ", state" : "") + "), got " + args.length + " arguments");
        }
        return args[0];
    }

    private static Object orderedDict(Object[] args) {
        PyOrderedDict dict = new PyOrderedDict();
        if (args.length == 0) {
            return dict;
        }
        // torch < 1.6 era files: OrderedDict([[k, v], ...]) reduced from a list of pairs
        if (args.length == 1 && args[0] instanceof List<?> pairs) {
            for (Object pair : pairs) {
                Object[] kv = pair instanceof List<?> l ? l.toArray() : pair instanceof Object[] a ? a : null;
                if (kv == null || kv.length != 2) {
                    throw new TorchPickleException("OrderedDict expects [key, value] pairs, got "
                            + TorchObjects.describeType(pair));
                }
                dict.put(kv[0], kv[1]);
            }
            return dict;
        }
        throw new TorchPickleException("OrderedDict expects no arguments or a list of pairs, got " + args.length
                + " arguments");
    }

    private static Object torchSize(Object[] args) {
        if (args.length != 1) {
            throw new TorchPickleException("torch.Size expects one tuple, got " + args.length + " arguments");
        }
        TorchObjects.toLongs(args[0], "torch.Size");
        // torch.Size is a tuple subclass; keep it a tuple so tensor code treats both alike
        return args[0] instanceof Object[] a ? a.clone() : ((List<?>) args[0]).toArray();
    }

    private static Object namespace(Object[] args) {
        if (args.length != 0) {
            throw new TorchPickleException("argparse.Namespace expects no constructor arguments, got " + args.length);
        }
        return new PyNamespace();
    }

    private static String describePid(Object pid) {
        if (pid instanceof Object[] t && t.length > 0) {
            return "(" + TorchObjects.describeType(t[0]) + (t[0] instanceof String s ? " '" + s + "'" : "") + ", ... "
                    + t.length + " items)";
        }
        return TorchObjects.describeType(pid);
    }
}
