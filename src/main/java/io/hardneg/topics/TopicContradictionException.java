package io.hardneg.topics;

import java.util.List;

/** Existing topics contradict their declarations in ways hardneg can't run with; lists every one. */
public final class TopicContradictionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> contradictions;

    TopicContradictionException(String clusterName, List<String> contradictions) {
        super("existing topics on " + clusterName + " contradict topics/: " + String.join("; ", contradictions)
                + " (fix the topic, e.g. kafka-configs.sh --alter, or delete it so it is created as declared)");
        this.contradictions = List.copyOf(contradictions);
    }

    /** One line per contradiction, e.g. {@code embedding-bank has cleanup.policy=delete, hardneg needs compact}. */
    public List<String> contradictions() {
        return contradictions;
    }
}
