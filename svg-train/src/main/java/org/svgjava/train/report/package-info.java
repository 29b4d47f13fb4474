/**
 * What a training run leaves for people to look at: sample grids, loss curves, and a JSON-lines metrics log. Every
 * whole-file write goes through a temporary file and a rename, so a run killed mid-write never leaves a broken PNG.
 */
package org.svgjava.train.report;
