package org.svgjava.train.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batches of one epoch, assembled ahead of time by a daemon thread into a bounded queue. At most
 * {@code capacity} finished batches wait in memory (plus the one being assembled), so a slow consumer never makes
 * the worker run away. A failure on the worker is rethrown here, wrapped in a {@link LoaderException}, at the point
 * in the sequence where it happened.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchIterator.class);
    private static final Object END = new Object();

    private record Failure(int step, Throwable error) {
    }

    private final ArrayBlockingQueue<Object> queue;
    private final Thread worker;
    private final Runnable onClose;
    private volatile boolean closed;
    private Object next;

    BatchIterator(String name, int firstStep, int endStep, int capacity, IntFunction<Batch> makeBatch,
                  Runnable onClose) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onClose = onClose;
        this.worker = new Thread(() -> produce(firstStep, endStep, makeBatch), name);
        worker.setDaemon(true);
        worker.start();
    }

    private void produce(int firstStep, int endStep, IntFunction<Batch> makeBatch) {
        int step = firstStep;
        try {
            for (; step < endStep && !closed; step++) {
                queue.put(makeBatch.apply(step));
            }
            queue.put(END);
        } catch (InterruptedException e) {
            // close() interrupts a worker blocked on a full queue; nobody is waiting for the rest
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (closed) {
                LOG.debug("loader worker failed after close", t);
                return;
            }
            try {
                queue.put(new Failure(step, t));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean hasNext() {
        return peek() != END;
    }

    @Override
    public Batch next() {
        Object o = peek();
        if (o == END) {
            throw new NoSuchElementException("epoch finished");
        }
        next = null;
        return (Batch) o;
    }

    private Object peek() {
        if (next == null) {
            next = take();
        }
        if (next instanceof Failure f) {
            throw new LoaderException("data loader failed while assembling step " + f.step() + ": " + f.error(),
                    f.error());
        }
        if (next == END) {
            close();
        }
        return next;
    }

    private Object take() {
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("batch iterator is closed");
                }
                // a timed poll so that close() from another thread does not leave the consumer blocked forever
                Object o = queue.poll(200, TimeUnit.MILLISECONDS);
                if (o != null) {
                    return o;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next batch", e);
        }
    }

    /** Finished batches waiting in the queue. */
    public int buffered() {
        return queue.size();
    }

    /** Whether the worker thread is still running. */
    public boolean isWorkerAlive() {
        return worker.isAlive();
    }

    /** Stops the worker and drops any prefetched batches. Idempotent; waits briefly for the worker to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.interrupt();
        try {
            // the worker may be inside a slow decode; it sees the flag when that sample is done
            worker.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // after the join: a put racing with the interrupt may still have landed
        queue.clear();
        onClose.run();
    }
}
