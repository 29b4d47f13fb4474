package org.svgjava.train.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte IDX file (the MNIST family's format): magic {@code 00 00 08 <ndim>}, then {@code ndim}
 * big-endian int32 dimensions, then the data in row-major order. Everything is checked against what the caller
 * expects, and every error names the file, because a wrong or half-downloaded file otherwise shows up much later
 * as garbage images.
 *
 * @param dims the dimensions read from the header
 * @param data {@code product(dims)} bytes
 */
public record IdxFile(int[] dims, byte[] data) {
    private static final int UNSIGNED_BYTE = 0x08;

    /**
     * Reads {@code file}, gunzipping it when its name ends in {@code .gz}.
     *
     * @param ndim the number of dimensions the magic number must announce (1 for labels, 3 for images)
     * @throws IOException naming the file for a missing file, bad magic, impossible dimensions, or a data section
     *                     that is shorter or longer than the header says
     */
    public static IdxFile read(Path file, int ndim) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz")
                     ? new GZIPInputStream(new BufferedInputStream(raw, 1 << 16), 1 << 16)
                     : new BufferedInputStream(raw, 1 << 16)) {
            return read(in, file.toString(), ndim);
        } catch (EOFException e) {
            throw new IOException("IDX file " + file + " is truncated: " + e.getMessage(), e);
        } catch (java.util.zip.ZipException e) {
            throw new IOException("IDX file " + file + " is not valid gzip: " + e.getMessage(), e);
        }
    }

    private static IdxFile read(InputStream stream, String name, int ndim) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic = in.readInt();
        int expected = (UNSIGNED_BYTE << 8) | ndim;
        if (magic != expected) {
            throw new IOException(String.format("IDX file %s has magic number 0x%08X, expected 0x%08X (unsigned bytes,"
                    + " %d dimensions)", name, magic, expected, ndim));
        }
        int[] dims = new int[ndim];
        long count = 1;
        for (int i = 0; i < ndim; i++) {
            dims[i] = in.readInt();
            count *= dims[i];
            if (dims[i] <= 0 || count > Integer.MAX_VALUE - 8) {
                throw new IOException("IDX file " + name + " has impossible dimensions " + Arrays.toString(
                        Arrays.copyOf(dims, i + 1)));
            }
        }
        byte[] data = new byte[(int) count];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new EOFException("header " + Arrays.toString(dims) + " announces " + count + " data bytes, the file"
                    + " ends early");
        }
        if (in.read() != -1) {
            throw new IOException("IDX file " + name + " has bytes after the " + count + " that its header "
                    + Arrays.toString(dims) + " announces");
        }
        return new IdxFile(dims, data);
    }
}
