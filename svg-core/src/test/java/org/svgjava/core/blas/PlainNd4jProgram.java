package org.svgjava.core.blas;

import org.nd4j.linalg.factory.Nd4j;

/** A user's program that knows nothing of svg-java: it only has the library on its class path. */
public final class PlainNd4jProgram {
    public static void main(String[] args) {
        var a = Nd4j.rand(64, 64);
        System.out.println("sum=" + a.mmul(a).sumNumber());
        System.out.println("outcome=" + OpenBlasSetup.configure());
        // what libc's environment holds now (System.getenv is the JVM's start-up copy)
        var omp = org.bytedeco.systems.global.linux.getenv(new org.bytedeco.javacpp.BytePointer("OMP_WAIT_POLICY"));
        System.out.println("OMP_WAIT_POLICY=" + (omp == null || omp.isNull() ? "" : omp.getString()));
    }
}
