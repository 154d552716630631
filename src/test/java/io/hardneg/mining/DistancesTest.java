package io.hardneg.mining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DistancesTest {

    @Test
    void shouldMatchDirectSquaredL2OnUnitVectors() {
        Random rnd = new Random(7);
        int dim = 64;
        int nq = 7;
        int nb = 33;
        float[] q = unitRows(rnd, nq, dim);
        float[] b = unitRows(rnd, nb, dim);
        float[] out = new float[nq * nb];
        Distances.create().squaredL2(q, nq, b, nb, dim, out);
        for (int i = 0; i < nq; i++) {
            for (int j = 0; j < nb; j++) {
                double d = 0;
                for (int k = 0; k < dim; k++) {
                    double x = q[i * dim + k] - b[j * dim + k];
                    d += x * x;
                }
                assertThat((double) out[i * nb + j]).isCloseTo(d, within(1e-5));
            }
        }
    }

    static float[] unitRows(Random rnd, int rows, int dim) {
        float[] v = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (int k = 0; k < dim; k++) {
                v[r * dim + k] = (float) rnd.nextGaussian();
                n += v[r * dim + k] * v[r * dim + k];
            }
            for (int k = 0; k < dim; k++) {
                v[r * dim + k] /= (float) Math.sqrt(n);
            }
        }
        return v;
    }
}
