package org.svgjava.diffusion.train;

/** A step produced a NaN or infinite loss (or gradient norm); no parameter was updated by it. */
public class NonFiniteLossException extends IllegalStateException {
    private final long step;

    public NonFiniteLossException(long step, double value) {
        super("non-finite loss or gradient norm (" + value + ") at step " + step + "; no update was applied");
        this.step = step;
    }

    public long step() {
        return step;
    }
}
