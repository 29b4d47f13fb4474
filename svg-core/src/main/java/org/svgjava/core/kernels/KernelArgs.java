package org.svgjava.core.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument checks shared by both implementations, so a shape mistake fails the same way, with the shapes in the
 * message, whichever kernels run. Methods return the derived sizes.
 */
final class KernelArgs {
    private KernelArgs() {
    }

    static INDArray require(String what, INDArray a) {
        if (a == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return a;
    }

    static String shape(INDArray a) {
        return a == null ? "null" : Arrays.toString(a.shape());
    }

    /** Last dimension of x, which must be non-empty. */
    static long lastDim(String what, INDArray x) {
        require(what, x);
        if (x.rank() < 1 || x.size(-1) < 1 || x.length() == 0) {
            throw new IllegalArgumentException(what + " must be non-empty with a last dimension, got " + shape(x));
        }
        return x.size(-1);
    }

    static void sameLength(String what, INDArray a, INDArray ref, String refName) {
        require(what, a);
        if (a.length() != ref.length()) {
            throw new IllegalArgumentException(what + " " + shape(a) + " must have as many elements as " + refName
                    + " " + shape(ref));
        }
    }

    static void lengthIs(String what, INDArray a, long n, boolean nullable) {
        if (a == null) {
            if (!nullable) {
                throw new IllegalArgumentException(what + " must not be null");
            }
            return;
        }
        if (a.length() != n) {
            throw new IllegalArgumentException(what + " " + shape(a) + " must have " + n + " elements");
        }
    }

    /** dst must be src {@code [A, B, C]} with the first two axes swapped, {@code [B, A, C]}. */
    static void swappedLeadingAxes(INDArray src, INDArray dst) {
        if (src.rank() != 3 || dst.rank() != 3 || dst.size(0) != src.size(1) || dst.size(1) != src.size(0)
                || dst.size(2) != src.size(2)) {
            throw new IllegalArgumentException("dst must be src [A, B, C] as [B, A, C], got src "
                    + java.util.Arrays.toString(src.shape()) + " and dst " + java.util.Arrays.toString(dst.shape()));
        }
        sameType(src, dst);
    }

    static void sameType(INDArray... arrays) {
        INDArray first = null;
        for (INDArray a : arrays) {
            if (a == null) {
                continue;
            }
            if (first == null) {
                first = a;
            } else if (a.dataType() != first.dataType()) {
                throw new IllegalArgumentException("all arrays of one call must have the same data type, got "
                        + first.dataType() + " and " + a.dataType());
            }
        }
    }

    /** [B, C, spatial...] with C divisible by groups; returns C. */
    static long groupNormChannels(INDArray x, int groups) {
        require("x", x);
        if (x.rank() < 2 || x.length() == 0) {
            throw new IllegalArgumentException("groupNorm x must be [B, C, ...], got " + shape(x));
        }
        long c = x.size(1);
        if (groups < 1 || c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels do not split into " + groups + " groups");
        }
        return c;
    }

    /** {B, T} for x [B*T, D] and a per-sample parameter of B*D elements. */
    static long[] perSample(String what, INDArray x, INDArray param, long d) {
        require(what, param);
        long rows = x.length() / d;
        if (param.length() == 0 || param.length() % d != 0 || rows % (param.length() / d) != 0) {
            throw new IllegalArgumentException(what + " " + shape(param) + " must be [B, " + d + "] with B dividing the "
                    + rows + " rows of x " + shape(x));
        }
        long b = param.length() / d;
        return new long[] {b, rows / b};
    }

    /** {BH, T, dh} of a RoPE input, with sin and cos of (T - prefix) * dh elements. */
    static long[] rope(INDArray x, INDArray sin, INDArray cos, int prefix, INDArray y) {
        require("x", x);
        if (x.rank() < 3 || x.length() == 0 || x.size(-1) % 2 != 0) {
            throw new IllegalArgumentException("rope x must be [BH, T, dh] with even dh, got " + shape(x));
        }
        long t = x.size(-2);
        long dh = x.size(-1);
        if (prefix < 0 || prefix > t) {
            throw new IllegalArgumentException("rope prefix " + prefix + " outside [0, " + t + "]");
        }
        lengthIs("sin", sin, (t - prefix) * dh, false);
        lengthIs("cos", cos, (t - prefix) * dh, false);
        sameLength("y", y, x, "x");
        return new long[] {x.length() / (t * dh), t, dh};
    }

    /** q [BH,Tq,dh], k [BH,Tk,dh], v [BH,Tk,dv], probs (transposed) [BH,Tk,Tq], out [BH,Tq,dv] or [B,Tq,H*dv]. */
    static void attention(INDArray q, INDArray k, INDArray v, INDArray probs, INDArray out) {
        for (String n : new String[] {"q", "k", "v", "probs", "out"}) {
            INDArray a = switch (n) {
                case "q" -> q;
                case "k" -> k;
                case "v" -> v;
                case "probs" -> probs;
                default -> out;
            };
            require(n, a);
            if (a.rank() != 3) {
                throw new IllegalArgumentException("attention " + n + " must be rank 3 [BH, T, ...], got " + shape(a));
            }
        }
        long bh = q.size(0);
        long tq = q.size(1);
        long tk = k.size(1);
        boolean ok = k.size(0) == bh && v.size(0) == bh && probs.size(0) == bh
                && k.size(2) == q.size(2) && v.size(1) == tk && probs.size(1) == tk && probs.size(2) == tq
                && out.size(1) == tq && out.size(0) > 0 && bh % out.size(0) == 0
                && out.size(2) == bh / out.size(0) * v.size(2);
        if (!ok) {
            throw new IllegalArgumentException("attention shapes do not match: q " + shape(q) + ", k " + shape(k)
                    + ", v " + shape(v) + ", probs " + shape(probs) + ", out " + shape(out));
        }
    }

    /** {N, in, out} of a linear layer: x [N, in], w [out, in] (rank 2), y [N, out]; b [out] may be null. */
    static long[] linear(INDArray x, INDArray w, INDArray b, INDArray y) {
        require("x", x);
        require("w", w);
        require("y", y);
        if (w.rank() != 2 || x.rank() != 2 || y.rank() != 2 || x.size(1) != w.size(1) || y.size(0) != x.size(0)
                || y.size(1) != w.size(0) || x.length() == 0) {
            throw new IllegalArgumentException("linear shapes do not match: x " + shape(x) + " must be [N, in], w "
                    + shape(w) + " [out, in], y " + shape(y) + " [N, out]");
        }
        lengthIs("b", b, w.size(0), true);
        return new long[] {x.size(0), w.size(1), w.size(0)};
    }

    /** {B, T, H, dh} of a head split: x [B, T, 3*H*dh], q/k/v [B, H, T, dh]; with norms, the [dh] params and stats. */
    static int[] heads(INDArray x, INDArray q, INDArray k, INDArray v, INDArray qGamma, INDArray qBeta,
                       INDArray kGamma, INDArray kBeta, INDArray stats, boolean needBetas) {
        require("x", x);
        require("q", q);
        if (q.rank() != 4 || x.rank() != 3) {
            throw new IllegalArgumentException("heads: x must be [B, T, 3*H*dh] and q [B, H, T, dh], got x " + shape(x)
                    + ", q " + shape(q));
        }
        long b = q.size(0);
        long h = q.size(1);
        long t = q.size(2);
        long dh = q.size(3);
        if (x.size(0) != b || x.size(1) != t || x.size(2) != 3 * h * dh) {
            throw new IllegalArgumentException("heads: x " + shape(x) + " does not match q " + shape(q)
                    + " (x must be [B, T, 3*H*dh])");
        }
        sameLength("k", k, q, "q");
        sameLength("v", v, q, "q");
        if (qGamma != null) {
            for (INDArray p : needBetas ? new INDArray[] {qGamma, qBeta, kGamma, kBeta} : new INDArray[] {qGamma, kGamma}) {
                lengthIs("QK-norm parameter", p, dh, false);
            }
            lengthIs("stats", stats, 4 * b * h * t, false);
        }
        return new int[] {(int) b, (int) t, (int) h, (int) dh};
    }
}
