package io.hardneg.topics;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One topic as declared in {@code topics/NAME.yaml}: its name, partitions, replicas, configs, and which of
 * those configs are correctness requirements rather than tuning.
 *
 * @param name            the topic name
 * @param partitions      the partition count to create it with
 * @param replicas        the replication factor to create it with
 * @param configs         topic-level configs (e.g. {@code cleanup.policy=compact})
 * @param requiredConfigs the keys of {@code configs} an existing topic must match, or hardneg refuses it
 */
public record TopicDeclaration(String name, int partitions, short replicas, Map<String, String> configs,
                               Set<String> requiredConfigs) {

    /** The topic config that, with {@code acks=all}, says how many replicas must have a write. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    public TopicDeclaration {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, was " + partitions);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("topic " + name + ": replicas must be >= 1, was " + replicas);
        }
        // Immutable copies: one declaration is shared by the provisioner, the CLI and the service.
        configs = Map.copyOf(configs);
        requiredConfigs = Set.copyOf(requiredConfigs);
        for (String key : requiredConfigs) {
            if (!configs.containsKey(key)) {
                throw new IllegalArgumentException("topic " + name + ": required config " + key
                        + " has no value in spec.config");
            }
        }
    }

    /**
     * This topic on a replicated cluster: {@code replicationFactor} replicas and {@code min.insync.replicas}
     * {@code minInsyncReplicas}; 0 keeps what the file declares (replicas) or leaves the broker's default (ISR).
     *
     * @throws IllegalArgumentException when the minimum in-sync replicas exceed the replicas
     */
    public TopicDeclaration withReplication(int replicationFactor, int minInsyncReplicas) {
        if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE || minInsyncReplicas < 0) {
            throw new IllegalArgumentException("topic " + name + ": replication factor and min.insync.replicas must"
                    + " be >= 0 (0 = as declared), were " + replicationFactor + " and " + minInsyncReplicas);
        }
        short factor = replicationFactor == 0 ? replicas : (short) replicationFactor;
        // A min ISR above the replica count would refuse every acks=all write: say so now, not at the first send.
        if (minInsyncReplicas > factor) {
            throw new IllegalArgumentException("topic " + name + ": min.insync.replicas " + minInsyncReplicas
                    + " is more than its " + factor + " replicas; every write would be refused");
        }
        Map<String, String> next = new HashMap<>(configs);
        if (minInsyncReplicas > 0) {
            next.put(MIN_INSYNC_REPLICAS, Integer.toString(minInsyncReplicas));
        }
        return new TopicDeclaration(name, partitions, factor, next, requiredConfigs);
    }

    /** The configs sorted by key, for printing. */
    public Map<String, String> sortedConfigs() {
        return new TreeMap<>(configs);
    }

    /** The required config keys sorted, for printing. */
    public Set<String> sortedRequiredConfigs() {
        return new TreeSet<>(requiredConfigs);
    }
}
