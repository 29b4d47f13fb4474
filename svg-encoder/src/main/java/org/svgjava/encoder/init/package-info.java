/** PyTorch's parameter initialisers over seeded generators, and a walk over module trees. */
package org.svgjava.encoder.init;
