/**
 * The generative half: the SiT flow transformer, the rectified-flow path and loss, time shifts, the Euler, Heun
 * and further samplers with classifier-free guidance (issue 5).
 */
package org.svgjava.diffusion;
