package io.hardneg.image;

/**
 * Resamples float planes (C×H×W, values 0..255) to another size, one axis at a time.
 *
 * <p>Filter, chosen per axis: when an axis shrinks, an exact area average (box filter: each output pixel is the
 * mean of the source area it covers, weighted by overlap, like OpenCV's {@code INTER_AREA} and PIL's {@code BOX});
 * when it grows, bilinear interpolation with pixel-centre alignment (PyTorch's {@code align_corners=False}, edges
 * clamped); when it keeps its size, the values are copied. Area averaging does not alias when shrinking, which
 * bilinear does; bilinear is the usual choice for enlarging.
 */
final class Resizer {

    private Resizer() {
    }

    static float[] resize(float[] src, int channels, int srcH, int srcW, int dstH, int dstW) {
        return resize(src, channels, srcH, srcW, dstH, dstW, new Workspace());
    }

    /**
     * The same, into {@code ws}'s buffers: the result is the first {@code channels × dstH × dstW} floats of the
     * returned array, valid until the workspace's next use.
     */
    static float[] resize(float[] src, int channels, int srcH, int srcW, int dstH, int dstW, Workspace ws) {
        if (srcH == dstH && srcW == dstW) {
            return src;
        }
        Axis horizontal = ws.horizontal(srcW, dstW);
        Axis vertical = ws.vertical(srcH, dstH);
        float[] dst = ws.dst(channels * dstH * dstW);
        // The axis that shrinks the intermediate most goes first: it is then at most √(source × target pixels)
        // per channel. Widening first an image that is tall and narrow (1 × 1,048,576 to 32 × 32) made it
        // 32 M floats, 400 MB for a 2 KB RLE BMP or PNG within the pixel limit (found by HostileInputFuzzTest).
        if ((long) dstH * srcW < (long) srcH * dstW) {
            float[] cols = ws.between(channels * dstH * srcW);
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < dstH; y++) {
                    int out = (c * dstH + y) * srcW;
                    for (int x = 0; x < srcW; x++) {
                        cols[out + x] = vertical.apply(src, c * srcH * srcW + x, srcW, y);
                    }
                }
            }
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < dstH; y++) {
                    int in = (c * dstH + y) * srcW;
                    int out = (c * dstH + y) * dstW;
                    for (int x = 0; x < dstW; x++) {
                        dst[out + x] = horizontal.apply(cols, in, 1, x);
                    }
                }
            }
            return dst;
        }
        float[] rows = ws.between(channels * srcH * dstW);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < srcH; y++) {
                int in = (c * srcH + y) * srcW;
                int out = (c * srcH + y) * dstW;
                for (int x = 0; x < dstW; x++) {
                    rows[out + x] = horizontal.apply(src, in, 1, x);
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int x = 0; x < dstW; x++) {
                int in = c * srcH * dstW + x;
                int out = c * dstH * dstW + x;
                for (int y = 0; y < dstH; y++) {
                    dst[out + y * dstW] = vertical.apply(rows, in, dstW, y);
                }
            }
        }
        return dst;
    }

    /**
     * One thread's buffers and filter weights, kept between images: a stream's images nearly all have one size, so
     * resizing them allocates nothing after the first.
     */
    static final class Workspace {
        /**
         * Buffers above 1 Mi floats (4 MiB; a 1024×1024 source) are not kept: a rare large image must not pin
         * memory per decoding thread beyond what the heap budget counts for images in flight.
         */
        static final int RETAINED_FLOATS = 1 << 20;
        private float[] source = new float[0];
        /** Between the two passes: source rows at the target width, or target rows at the source width. */
        private float[] between = new float[0];
        private float[] dst = new float[0];
        private Axis horizontal;
        private Axis vertical;

        /** A buffer of at least {@code n} floats for the caller's source plane. */
        float[] source(int n) {
            return n > RETAINED_FLOATS ? new float[n] : (source = atLeast(source, n));
        }

        private float[] between(int n) {
            return n > RETAINED_FLOATS ? new float[n] : (between = atLeast(between, n));
        }

        private float[] dst(int n) {
            return n > RETAINED_FLOATS ? new float[n] : (dst = atLeast(dst, n));
        }

        private static float[] atLeast(float[] buffer, int n) {
            return buffer.length >= n ? buffer : new float[n];
        }

        private Axis horizontal(int src, int dst) {
            if (horizontal == null || !horizontal.maps(src, dst)) {
                horizontal = Axis.of(src, dst);
            }
            return horizontal;
        }

        private Axis vertical(int src, int dst) {
            if (vertical == null || !vertical.maps(src, dst)) {
                vertical = Axis.of(src, dst);
            }
            return vertical;
        }
    }

    /** For each output index: the first source index and a fixed number of weights (zero-padded). */
    static final class Axis {
        private final int[] start;
        private final float[] weights;
        private final int taps;
        private final int src;

        private Axis(int[] start, float[] weights, int taps, int src) {
            this.start = start;
            this.weights = weights;
            this.taps = taps;
            this.src = src;
        }

        static Axis of(int src, int dst) {
            return dst < src ? area(src, dst) : dst > src ? bilinear(src, dst) : identity(src);
        }

        boolean maps(int src, int dst) {
            return this.src == src && start.length == dst;
        }

        float apply(float[] data, int base, int stride, int i) {
            int s = start[i];
            int w = i * taps;
            float sum = 0f;
            for (int k = 0; k < taps; k++) {
                float weight = weights[w + k];
                if (weight != 0f) {
                    sum += weight * data[base + (s + k) * stride];
                }
            }
            return sum;
        }

        private static Axis identity(int n) {
            int[] start = new int[n];
            float[] weights = new float[n];
            for (int i = 0; i < n; i++) {
                start[i] = i;
                weights[i] = 1f;
            }
            return new Axis(start, weights, 1, n);
        }

        private static Axis area(int src, int dst) {
            double scale = (double) src / dst;
            int taps = (int) Math.ceil(scale) + 1;
            int[] start = new int[dst];
            float[] weights = new float[dst * taps];
            for (int i = 0; i < dst; i++) {
                double lo = i * scale;
                double hi = Math.min(src, (i + 1) * scale);
                int first = (int) Math.floor(lo);
                start[i] = first;
                for (int j = first, k = 0; j < hi && k < taps; j++, k++) {
                    double overlap = Math.min(hi, j + 1) - Math.max(lo, j);
                    weights[i * taps + k] = (float) (overlap / scale);
                }
            }
            return new Axis(start, weights, taps, src);
        }

        private static Axis bilinear(int src, int dst) {
            double scale = (double) src / dst;
            int[] start = new int[dst];
            float[] weights = new float[dst * 2];
            for (int i = 0; i < dst; i++) {
                double x = Math.max(0.0, (i + 0.5) * scale - 0.5);
                int i0 = Math.min((int) Math.floor(x), src - 1);
                double frac = i0 + 1 < src ? x - i0 : 0.0;
                start[i] = i0;
                weights[2 * i] = (float) (1.0 - frac);
                weights[2 * i + 1] = (float) frac;
            }
            return new Axis(start, weights, 2, src);
        }
    }
}
