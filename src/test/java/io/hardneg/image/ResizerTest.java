package io.hardneg.image;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

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
}
