package io.hardneg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitWatchTest {

    @Test
    void shouldMeasureCompileCoresOverTheLastFullWindowOnly() {
        AtomicLong ms = new AtomicLong();
        JitWatch jit = new JitWatch(2.0, ms::get);

        assertThat(jit.sample(0.0)).isNaN();
        ms.set(1_000); // 1 s of compiling in the first second: a whole core
        assertThat(jit.sample(1.0)).isNaN();
        assertThat(jit.quiet()).as("no full window yet").isFalse();
        ms.set(1_050);
        assertThat(jit.sample(2.0)).isEqualTo(0.525);
        assertThat(jit.quiet()).isFalse();
        // The busy first second slides out: from t=1 to t=3 only 100 ms more were compiled.
        ms.set(1_080);
        jit.sample(2.5);
        ms.set(1_100);
        assertThat(jit.sample(3.0)).isEqualTo(0.05);
        assertThat(jit.quiet()).isTrue();
        // A burst brings it back.
        ms.set(2_100);
        assertThat(jit.sample(4.0)).isEqualTo(0.525);
        assertThat(jit.quiet()).isFalse();
    }

    @Test
    void shouldNotWaitWhereTheJvmDoesNotMeasureCompileTime() {
        JitWatch jit = new JitWatch(2.0, () -> -1);

        assertThat(jit.sample(5.0)).isNaN();
        assertThat(jit.quiet()).isTrue();
        assertThat(JitWatch.cores(-1, 500, 1.0)).isNaN();
        assertThat(JitWatch.cores(100, 600, 2.0)).isEqualTo(0.25);
    }

    @Test
    void shouldReadThisJvmsCompileTime() {
        long a = JitWatch.totalCompileMillis();
        // HotSpot measures compile time; the figure only grows.
        assertThat(a).isGreaterThanOrEqualTo(0);
        assertThat(JitWatch.totalCompileMillis()).isGreaterThanOrEqualTo(a);
    }
}
