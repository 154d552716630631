package io.hardneg.topics;

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

    /** The configs sorted by key, for printing. */
    public Map<String, String> sortedConfigs() {
        return new TreeMap<>(configs);
    }

    /** The required config keys sorted, for printing. */
    public Set<String> sortedRequiredConfigs() {
        return new TreeSet<>(requiredConfigs);
    }
}
