package io.hardneg.bench;

import java.util.Map;

/** One bench stage's typed figures, written under the JSON keys that docs/performance.md lists. */
interface BenchFigures {

    /** Puts this stage's keys into {@code json}, in the order the table prints them. */
    void writeTo(Map<String, Object> json);
}
