/** The stage-1 (autoencoder) training step: two Adam optimisers, manual optimisation as in the official code. */
package org.svgjava.encoder.train;
