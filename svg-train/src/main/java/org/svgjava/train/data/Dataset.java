package org.svgjava.train.data;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A fixed, indexable collection of labelled RGB images. Implementations must be safe to read from several threads
 * and must return the same sample for the same index whenever it is asked for, so that a batch order fixed by
 * (seed, epoch) fixes the batches.
 */
public interface Dataset {
    /** Number of indices, including any that later turn out to be unreadable. */
    int size();

    /** Class names; the label of a sample is an index into this list. */
    List<String> classNames();

    default int numClasses() {
        return classNames().size();
    }

    /** The label at {@code index}, known without decoding the image. */
    int label(int index);

    /**
     * The sample at {@code index}, or empty when it cannot be read. A dataset that returns empty has already logged
     * why and counted it in {@link #skippedCount()}; a training run carries on without it.
     */
    Optional<LabeledImage> tryGet(int index);

    /** The sample at {@code index}; throws rather than skipping an unreadable one. */
    default LabeledImage get(int index) {
        return tryGet(index).orElseThrow(
                () -> new NoSuchElementException("sample " + index + " of " + this + " is unreadable (see the log)"));
    }

    /** How many distinct samples were found unreadable so far. */
    default long skippedCount() {
        return 0;
    }
}
