package io.hardneg.image;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResizerTest {

    private static float[] plane(Random rnd, int n) {
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = rnd.nextInt(256);
        }
        return p;
    }

    @Test
    void shouldGiveTheSameResultsThroughAReusedWorkspaceAsFreshOnes() {
        // Given one workspace reused across sizes that grow, shrink, mix both and repeat
        Random rnd = new Random(3);
        Resizer.Workspace ws = new Resizer.Workspace();
        int[][] sizes = {{28, 28, 112, 112}, {28, 28, 112, 112}, {40, 30, 28, 28}, {7, 50, 28, 28},
                         {28, 28, 112, 112}, {300, 200, 112, 112}, {28, 28, 14, 56}};
        for (int[] s : sizes) {
            for (int channels : new int[] {1, 3}) {
                float[] src = plane(rnd, channels * s[0] * s[1]);
                float[] srcCopy = src.clone();
                int n = channels * s[2] * s[3];
                // When resized through the workspace and afresh
                float[] reused = Resizer.resize(src, channels, s[0], s[1], s[2], s[3], ws);
                float[] fresh = Resizer.resize(srcCopy, channels, s[0], s[1], s[2], s[3]);
                // Then the first C×H×W floats agree bit for bit, and the source is untouched
                assertThat(Arrays.copyOf(reused, n)).as(Arrays.toString(s) + " × " + channels)
                        .containsExactly(fresh);
                assertThat(fresh).hasSize(n);
                assertThat(src).containsExactly(srcCopy);
            }
        }
    }

    @Test
    void shouldReuseItsBuffersForImagesOfOneSizeButNotKeepLargeOnes() {
        Random rnd = new Random(4);
        Resizer.Workspace ws = new Resizer.Workspace();
        // Same size twice: the same result buffer (nothing allocated per image after the first)
        float[] first = Resizer.resize(plane(rnd, 28 * 28), 1, 28, 28, 112, 112, ws);
        float[] second = Resizer.resize(plane(rnd, 28 * 28), 1, 28, 28, 112, 112, ws);
        assertThat(second).isSameAs(first);
        float[] plane = ws.source(784);
        assertThat(ws.source(100)).isSameAs(plane);
        // A source larger than the retained limit gets a buffer of its own each time
        int big = Resizer.Workspace.RETAINED_FLOATS + 1;
        assertThat(ws.source(big)).isNotSameAs(ws.source(big));
        assertThat(ws.source(10)).hasSizeLessThanOrEqualTo(Resizer.Workspace.RETAINED_FLOATS);
    }

    @Test
    void shouldResizeATransposedImageToTheTransposedResult() {
        // Given images whose transpose takes the other pass order (rows first for one, columns first for the other)
        Random rnd = new Random(5);
        int[][] sizes = {{100, 7, 28, 28}, {7, 100, 28, 28}, {300, 2, 32, 32}, {40, 30, 28, 28}, {5, 3, 28, 112},
                         {1, 4096, 28, 28}};
        for (int[] s : sizes) {
            for (int channels : new int[] {1, 3}) {
                int h = s[0];
                int w = s[1];
                float[] src = plane(rnd, channels * h * w);
                // When each is resized
                float[] direct = Resizer.resize(src, channels, h, w, s[2], s[3]);
                float[] viaTranspose = transpose(Resizer.resize(transpose(src, channels, h, w), channels, w, h, s[3],
                        s[2]), channels, s[3], s[2]);
                // Then the results agree: the filters are separable, so the order changes only the rounding
                assertThat(direct).as(Arrays.toString(s) + " × " + channels)
                        .containsExactly(viaTranspose, within(1e-3f));
            }
        }
    }

    @Test
    void shouldNotWidenATallNarrowImageBeforeShrinkingIt() {
        // Given a 1 × 1,048,576 plane (a 2 KB RLE BMP or PNG may claim it within a 1 Mpx limit), a warm workspace
        float[] tall = new float[1 << 20];
        Arrays.fill(tall, 200f);
        Resizer.Workspace ws = new Resizer.Workspace();
        Resizer.resize(tall, 1, tall.length, 1, 28, 28, ws);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        // When it is resized to 28 × 28
        float[] out = Resizer.resize(tall, 1, tall.length, 1, 28, 28, ws);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // Then the intermediate is 28 rows of one pixel, not a million rows of 28 (112 MB before the fix)
        assertThat(allocated).isLessThan(1 << 20);
        float[] expected = new float[28 * 28];
        Arrays.fill(expected, 200f);
        assertThat(Arrays.copyOf(out, 28 * 28)).containsExactly(expected, within(1e-3f));
    }

    private static float[] transpose(float[] planes, int channels, int h, int w) {
        float[] t = new float[planes.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    t[c * h * w + x * h + y] = planes[c * h * w + y * w + x];
                }
            }
        }
        return t;
    }
}
