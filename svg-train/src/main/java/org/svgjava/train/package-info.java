/**
 * What a user runs: data pipelines, the two trainers, checkpoints with exact resume, and the {@code svg}
 * command-line tool (issue 7).
 */
package org.svgjava.train;
