package org.svgjava.encoder.init;

import java.util.function.Consumer;
import org.svgjava.core.nn.Module;

/** Visits a module and all its descendants, parents first, in registration order. */
public final class ModuleTree {
    private ModuleTree() {
    }

    public static void walk(Module root, Consumer<Module> visit) {
        visit.accept(root);
        for (Module child : root.children().values()) {
            walk(child, visit);
        }
    }
}
