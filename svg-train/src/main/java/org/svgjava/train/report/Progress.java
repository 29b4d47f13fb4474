package org.svgjava.train.report;

import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a long loop (training steps, encoded images, sampled batches): with a terminal, one bar redrawn in
 * place with the rate, ETA and the running status (e.g. the loss); without one, an SLF4J line every
 * {@code logEvery} units and at the end. Library code only ever logs; the bar is drawn only on a stream the
 * caller hands in (the command line gives stderr when {@code System.console()} is not null).
 */
public final class Progress {
    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    /** Where a loop's progress goes: {@link #LOG} or a terminal. Loops ask it for one {@link Progress} each. */
    @FunctionalInterface
    public interface Display {
        Progress start(String task, long total, long start, long logEvery);
    }

    /** Periodic log lines (the default of every loop). */
    public static final Display LOG = (task, total, start, logEvery) -> new Progress(task, total, start, logEvery, null);

    /** A bar on {@code terminal}; log lines when it is null. */
    public static Display on(PrintStream terminal) {
        return (task, total, start, logEvery) -> new Progress(task, total, start, logEvery, terminal);
    }

    private final String task;
    private final long total;
    private final long start;
    private final long logEvery;
    private final PrintStream bar;
    private final long t0 = System.nanoTime();
    private long lastDraw = System.nanoTime() - REDRAW_NANOS;
    private long done;
    private long logged;

    public Progress(String task, long total, long start, long logEvery, PrintStream bar) {
        this.task = task;
        this.total = total;
        this.start = start;
        this.logEvery = Math.max(1, logEvery);
        this.bar = bar;
        this.done = start;
        this.logged = start;
    }

    /** {@code done} of {@code total} units finished; {@code status} is shown beside (null for none). */
    public void update(long done, String status) {
        this.done = done;
        boolean last = done >= total;
        if (bar != null) {
            long now = System.nanoTime();
            if (last || now - lastDraw >= REDRAW_NANOS) {
                lastDraw = now;
                bar.print("\r" + line(status, true) + (last ? System.lineSeparator() : ""));
                bar.flush();
            }
        } else if (done / logEvery > logged / logEvery || last) {
            // a multiple of logEvery was passed (loops may advance by more than one unit)
            logged = done;
            log.info(line(status, false));
        }
    }

    /** Seconds per unit so far (NaN before the first). */
    public double secondsPerUnit() {
        return done > start ? (System.nanoTime() - t0) / 1e9 / (done - start) : Double.NaN;
    }

    /** Estimated seconds to {@code total} (NaN before the first unit). */
    public double etaSeconds() {
        return secondsPerUnit() * (total - done);
    }

    String line(String status, boolean withBar) {
        StringBuilder s = new StringBuilder(task).append(' ');
        if (withBar) {
            int filled = total > 0 ? (int) (WIDTH * Math.min(1.0, (double) done / total)) : WIDTH;
            s.append('[').append("=".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
        }
        s.append(done).append('/').append(total);
        if (status != null && !status.isEmpty()) {
            s.append(' ').append(status);
        }
        double per = secondsPerUnit();
        if (!Double.isNaN(per)) {
            s.append(String.format(Locale.ROOT, " (%.3f s each, ETA %s)", per, duration(etaSeconds())));
        }
        return s.toString();
    }

    /** {@code 1h02m}, {@code 3m05s}, {@code 42s}. */
    static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
