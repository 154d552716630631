package io.hardneg.topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Makes a cluster match the topic declarations: creates missing topics, and refuses existing ones whose
 * required configs contradict their declaration.
 *
 * <p>It never alters or deletes a topic: an existing topic is the operator's, and changing
 * {@code cleanup.policy} or partitions under a running application loses data or moves keys.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    /** Long enough for a busy cluster, short enough that a wrong address fails before the user gives up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final String clusterName;
    private final Duration timeout;

    /**
     * @param admin       a client of the cluster; not closed here
     * @param clusterName how errors name the cluster, e.g. its bootstrap servers
     * @param timeout     the limit for each admin call
     */
    public TopicProvisioner(Admin admin, String clusterName, Duration timeout) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * What {@link #apply} did: topics created, topics found already there, warnings about the latter, and each
     * topic's partitions as the cluster has them (as declared for those just created).
     */
    public record Report(List<String> created, List<String> existing, List<String> warnings,
                         Map<String, Integer> partitions) {
        public Report {
            created = List.copyOf(created);
            existing = List.copyOf(existing);
            warnings = List.copyOf(warnings);
            partitions = Map.copyOf(partitions);
        }

        /** Partitions of {@code topic}, or 0 when it was not among the declarations. */
        public int partitionsOf(String topic) {
            return partitions.getOrDefault(topic, 0);
        }
    }

    /**
     * Creates the bundled topics missing from the cluster at {@code bootstrapServers} with an admin client of its
     * own: what the service and the bench both do at start-up.
     *
     * @param clientOverrides Kafka client settings (security, timeouts) for the admin client
     */
    public static Report provisionBundled(String bootstrapServers, Map<String, ?> clientOverrides) {
        return provisionBundled(bootstrapServers, clientOverrides, 0, 0);
    }

    /**
     * As above, each topic with {@code replicationFactor} replicas and {@code minInsyncReplicas} (0: as declared
     * in {@code topics/}, and the broker's default minimum).
     */
    public static Report provisionBundled(String bootstrapServers, Map<String, ?> clientOverrides,
                                          int replicationFactor, int minInsyncReplicas) {
        Map<String, Object> props = new LinkedHashMap<>(clientOverrides);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            return new TopicProvisioner(admin, bootstrapServers, DEFAULT_TIMEOUT).apply(TopicFiles.loadBundled()
                    .stream().map(d -> d.withReplication(replicationFactor, minInsyncReplicas)).toList());
        }
    }

    /**
     * Creates the missing topics (idempotently: another instance creating one at the same time is fine),
     * then checks the existing ones.
     *
     * @throws TopicContradictionException listing every required config that differs on an existing topic
     * @throws TopicProvisioningException  when the cluster is unreachable or refuses a creation
     */
    public Report apply(Collection<TopicDeclaration> declarations) {
        Map<String, TopicDeclaration> byName = new LinkedHashMap<>();
        declarations.forEach(d -> byName.put(d.name(), d));
        int timeoutMs = Math.toIntExact(timeout.toMillis());

        Set<String> present = await(admin.listTopics(new ListTopicsOptions().timeoutMs(timeoutMs)).names(),
                "list topics");
        List<String> created = new ArrayList<>();
        List<String> racedOrExisting = new ArrayList<>();
        List<NewTopic> toCreate = byName.values().stream()
                .filter(d -> !present.contains(d.name()))
                .map(d -> new NewTopic(d.name(), d.partitions(), d.replicas()).configs(d.configs()))
                .toList();
        if (!toCreate.isEmpty()) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(toCreate,
                    new CreateTopicsOptions().timeoutMs(timeoutMs)).values();
            for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
                try {
                    await(e.getValue(), "create topic " + e.getKey());
                    created.add(e.getKey());
                    log.info("Created topic {} ({} partitions, replicas {}, {})", e.getKey(),
                            byName.get(e.getKey()).partitions(), byName.get(e.getKey()).replicas(),
                            byName.get(e.getKey()).sortedConfigs());
                } catch (TopicProvisioningException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                    // Another instance created it between our list and our create: check it like any other.
                    racedOrExisting.add(e.getKey());
                }
            }
        }

        List<String> existing = new ArrayList<>(byName.keySet().stream().filter(present::contains).toList());
        existing.addAll(racedOrExisting);
        List<String> warnings = new ArrayList<>();
        Map<String, Integer> partitions = new LinkedHashMap<>();
        created.forEach(t -> partitions.put(t, byName.get(t).partitions()));
        if (!existing.isEmpty()) {
            check(existing.stream().map(byName::get).toList(), warnings, partitions);
        }
        created.sort(null);
        existing.sort(null);
        return new Report(created, existing, warnings, partitions);
    }

    private void check(List<TopicDeclaration> existing, List<String> warnings, Map<String, Integer> partitions) {
        int timeoutMs = Math.toIntExact(timeout.toMillis());
        List<String> names = existing.stream().map(TopicDeclaration::name).toList();
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<String, TopicDescription> descriptions = null;
        Map<ConfigResource, Config> configs = null;
        // A topic that another instance has just created may not have reached this broker's metadata yet.
        for (int attempt = 1; descriptions == null; attempt++) {
            try {
                descriptions = await(admin.describeTopics(names, new DescribeTopicsOptions().timeoutMs(timeoutMs))
                        .allTopicNames(), "describe topics " + names);
                configs = await(admin.describeConfigs(resources, new DescribeConfigsOptions().timeoutMs(timeoutMs))
                        .all(), "describe configs of " + names);
            } catch (TopicProvisioningException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == 20) {
                    throw e;
                }
                descriptions = null;
                sleep(250);
            }
        }

        List<String> contradictions = new ArrayList<>();
        for (TopicDeclaration d : existing) {
            int actualPartitions = descriptions.get(d.name()).partitions().size();
            partitions.put(d.name(), actualPartitions);
            if (actualPartitions < d.partitions()) {
                // Only a warning: fewer partitions limit parallelism, not correctness. Adding partitions
                // ourselves would move keys to other partitions under a running application, and the
                // operator may have chosen fewer on purpose; Kafka Streams checks co-partitioning itself.
                warnings.add(d.name() + " has " + actualPartitions + " partitions, declared " + d.partitions()
                        + ": at most " + actualPartitions + " instances will share its work");
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, d.name()));
            for (Map.Entry<String, String> e : d.sortedConfigs().entrySet()) {
                ConfigEntry entry = config == null ? null : config.get(e.getKey());
                String actual = entry == null ? null : entry.value();
                if (sameValue(e.getKey(), e.getValue(), actual)) {
                    continue;
                }
                String found = e.getKey() + "=" + actual;
                if (d.requiredConfigs().contains(e.getKey())) {
                    contradictions.add(d.name() + " has " + found + ", hardneg needs " + e.getValue());
                } else {
                    warnings.add(d.name() + " has " + found + ", declared " + e.getValue());
                }
            }
        }
        warnings.forEach(w -> log.warn("Existing topic differs from topics/: {}", w));
        if (!contradictions.isEmpty()) {
            throw new TopicContradictionException(clusterName, contradictions);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicProvisioningException("interrupted while waiting for topic metadata", e);
        }
    }

    /** List-valued configs such as {@code cleanup.policy=compact,delete} compare as sets. */
    static boolean sameValue(String key, String declared, String actual) {
        if (actual == null) {
            return false;
        }
        if (declared.contains(",") || actual.contains(",")) {
            return items(declared).equals(items(actual));
        }
        return declared.strip().equals(actual.strip());
    }

    private static Set<String> items(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            // A little over the admin call's own timeout, so the client's error (which says more) wins.
            return future.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicProvisioningException("interrupted while trying to " + what + " on " + clusterName, e);
        } catch (TimeoutException e) {
            throw timedOut(what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw timedOut(what, cause);
            }
            throw new TopicProvisioningException("cannot " + what + " on " + clusterName + ": "
                    + cause.getMessage(), cause);
        }
    }

    private TopicProvisioningException timedOut(String what, Throwable cause) {
        return new TopicProvisioningException("cannot reach Kafka at " + clusterName + " to " + what
                + " within " + timeout.toSeconds() + " s; is the address right and the cluster up?", cause);
    }
}
