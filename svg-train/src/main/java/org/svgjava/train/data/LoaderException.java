package org.svgjava.train.data;

/** A failure on a loader's worker thread, rethrown on the thread that consumes the batches. */
public class LoaderException extends RuntimeException {
    public LoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
