/**
 * Training data: the {@link org.svgjava.train.data.Dataset} abstraction, three sources (an ImageFolder tree,
 * Debian's Fashion-MNIST, and built-in procedural shapes that need no files) and a prefetching
 * {@link org.svgjava.train.data.Loader} whose batch order is a pure function of (seed, epoch, step), so a resumed
 * run sees exactly the batches it would have seen.
 */
package org.svgjava.train.data;
