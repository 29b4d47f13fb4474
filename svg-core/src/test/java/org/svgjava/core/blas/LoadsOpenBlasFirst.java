package org.svgjava.core.blas;

import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;

/** A program in which something else loads OpenBLAS before ND4J and svg-java get a chance. */
public final class LoadsOpenBlasFirst {
    public static void main(String[] args) {
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        System.out.println("outcome=" + OpenBlasSetup.configure());
        System.out.println("sum=" + Nd4j.rand(8, 8).sumNumber());
    }
}
