package org.svgjava.core.kernels;

/**
 * What {@link CpuConv3x3} applies to its input while copying it into the padded buffer, so that the decoder's
 * {@code conv(swish(h))} and {@code conv(upsample(h))} never write the mapped tensor out in inference.
 */
public enum ConvInput {
    /** the input itself */
    AS_IS,
    /** SiLU / swish of the input */
    SILU,
    /** nearest-neighbour 2x upsampling of the input: the convolution sees twice its height and width */
    NEAREST_2X;

    /** Input height or width for an output (convolution) height or width. */
    long source(long size) {
        return this == NEAREST_2X ? size / 2 : size;
    }
}
