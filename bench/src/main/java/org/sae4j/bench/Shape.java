package org.sae4j.bench;

/**
 * A benchmark shape: batch rows N, input width dIn, latents dSae, active latents k. Written {@code N:dIn:dSae:k} in
 * JMH {@code @Param}s because the interesting shapes vary dIn and k together (a cartesian product would not).
 */
public record Shape(int n, int dIn, int dSae, int k) {
    /** The shape and SAELens's benchmark shape. */
    public static final String SMALL_K = "4096:768:16384:32";
    public static final String SAELENS = "4096:1024:16384:100";

    public Shape {
        if (n < 1 || dIn < 1 || dSae < 1 || k < 1 || k > dSae) {
            throw new IllegalArgumentException("bad shape " + n + ":" + dIn + ":" + dSae + ":" + k);
        }
    }

    public static Shape parse(String s) {
        String[] p = s.split(":");
        if (p.length != 4) {
            throw new IllegalArgumentException("shape must be N:dIn:dSae:k, got " + s);
        }
        return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                Integer.parseInt(p[3]));
    }

    /** Flops of the encoder GEMM [N, dIn] × [dIn, dSae]. */
    public double encoderFlops() {
        return 2.0 * n * dIn * dSae;
    }

    @Override
    public String toString() {
        return n + ":" + dIn + ":" + dSae + ":" + k;
    }
}
