package org.svgjava.core.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.svgjava.core.io.TorchObjects.StorageRef;

/** Where the raw bytes of a checkpoint's root storages live: zip entries or the tail of a legacy file. */
interface StorageSource extends Closeable {
    /**
     * The bytes of a root storage, exactly {@code numel * elementSize} of them, little-endian, position 0.
     *
     * @param tensor the key path of the tensor that needs the storage, for error messages
     */
    ByteBuffer bytes(StorageRef storage, String tensor) throws IOException;

    @Override
    void close() throws IOException;
}
