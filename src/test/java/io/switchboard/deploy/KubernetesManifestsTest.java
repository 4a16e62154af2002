package io.switchboard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders the Kubernetes overlays in {@code k8s/} the way an operator does
 * ({@code k8s/sync-files}, then {@code kubectl kustomize}) and checks what a platform team
 * relies on: probes on the actuator health groups, resources, a locked-down container,
 * termination longer than the server's shutdown, only {@code /webhooks} behind the Ingress,
 * no real secret in the repository, the PDB, HPA and NetworkPolicy, replicas per overlay,
 * and every route file inside the ConfigMaps.
 *
 * <p>Needs {@code kubectl} (set {@code KUBECTL} to use another binary); {@code .ci/run}
 * installs it. Without it the test fails rather than skips, so CI never passes unchecked.
 */
class KubernetesManifestsTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final List<String> OVERLAYS = List.of("dev", "prod");
    private static final Map<String, Integer> REPLICAS = Map.of("dev", 2, "prod", 3);
    private static final String DEMO_PROFILE = "application-default.yaml";
    /** The server waits this long for in-flight requests and inbox workers (application.yaml). */
    private static final int SERVER_SHUTDOWN_SECONDS = 30;
    /** PostgreSQL's default max_connections less its superuser_reserved_connections. */
    private static final int POSTGRES_CONNECTIONS = 100 - 3;

    @TempDir
    static Path copy;

    private static final Map<String, List<Map<String, Object>>> rendered = new HashMap<>();

    @BeforeAll
    static void renderOverlays() throws Exception {
        // Render a copy, so the test neither needs nor leaves k8s/base/app-files in the work tree.
        for (String folder : List.of("k8s", "routes", "config")) {
            copyTree(REPO.resolve(folder), copy.resolve(folder));
        }
        run(List.of("bash", copy.resolve("k8s/sync-files").toString()));
        String kubectl = Objects.requireNonNullElse(System.getenv("KUBECTL"), "kubectl");
        for (String overlay : OVERLAYS) {
            String yaml = run(List.of(kubectl, "kustomize", copy.resolve("k8s/overlays/" + overlay).toString()));
            List<Map<String, Object>> resources = new ArrayList<>();
            for (Object document : new Yaml().loadAll(yaml)) {
                if (document != null) {
                    resources.add(asMap(document));
                }
            }
            rendered.put(overlay, resources);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyRouteAndConfigFileIsInAConfigMapMountedWhereTheServerReadsIt(String overlay) throws IOException {
        Map<String, Object> pod = podSpec(deployment(overlay));
        Map<String, Object> container = serverContainer(overlay);

        Map<String, String> routes = filesIn(REPO.resolve("routes"), ".camel.yaml");
        routes.putAll(filesIn(REPO.resolve("routes"), ".card.yaml"));
        routes.putAll(filesIn(REPO.resolve("routes"), ".schema.json"));
        assertThat(configMapData(overlay, pod, container, "/app/routes"))
                .as("each integration's route, card and schema files in routes/")
                .isEqualTo(routes);
        Map<String, String> config = filesIn(REPO.resolve("config"), ".yaml");
        config.remove(DEMO_PROFILE);
        assertThat(configMapData(overlay, pod, container, "/app/config"))
                .as("config/*.yaml but the demo profile, whose published secret the cluster never uses")
                .isEqualTo(config);
        Map<String, String> schemas = Files.isDirectory(REPO.resolve("config/schemas"))
                ? filesIn(REPO.resolve("config/schemas"), ".json") : Map.of();
        assertThat(Objects.requireNonNullElse(configMapData(overlay, pod, container, "/app/config/schemas"), Map.of()))
                .isEqualTo(schemas);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void probesAskTheActuatorHealthGroupsOnTheHttpPort(String overlay) {
        Map<String, Object> container = serverContainer(overlay);
        assertThat(list(container, "ports")).anySatisfy(port -> {
            assertThat(get(port, "name")).isEqualTo("http");
            assertThat(get(port, "containerPort")).isEqualTo(8080);
        });
        assertThat(probe(container, "startupProbe")).isEqualTo("/actuator/health/liveness");
        assertThat(probe(container, "livenessProbe")).isEqualTo("/actuator/health/liveness");
        assertThat(probe(container, "readinessProbe")).isEqualTo("/actuator/health/readiness");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyContainerHasResourcesAndTheJvmIsSizedToIt(String overlay) {
        for (Map<String, Object> workload : workloads(overlay)) {
            for (Object container : list(podSpec(workload), "containers")) {
                String name = get(workload, "metadata", "name") + "/" + get(container, "name");
                assertThat(map(container, "resources", "requests")).as(name).containsKeys("cpu", "memory");
                assertThat(map(container, "resources", "limits")).as(name).containsKey("memory");
            }
        }
        assertThat(env(overlay, "JAVA_TOOL_OPTIONS").get("value").toString()).contains("-XX:MaxRAMPercentage=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyContainerRunsAsNonRootOnAReadOnlyRootWithoutCapabilities(String overlay) {
        for (Map<String, Object> workload : workloads(overlay)) {
            Map<String, Object> pod = podSpec(workload);
            for (Object container : list(pod, "containers")) {
                String name = get(workload, "metadata", "name") + "/" + get(container, "name");
                Map<String, Object> security = map(container, "securityContext");
                Map<String, Object> podSecurity = map(pod, "securityContext");
                assertThat(Objects.requireNonNullElse(security.get("runAsNonRoot"), podSecurity.get("runAsNonRoot")))
                        .as(name + " runAsNonRoot").isEqualTo(true);
                Object user = Objects.requireNonNullElse(security.get("runAsUser"), podSecurity.get("runAsUser"));
                assertThat((Integer) user).as(name + " runAsUser").isPositive();
                assertThat(security.get("readOnlyRootFilesystem")).as(name + " readOnlyRootFilesystem").isEqualTo(true);
                assertThat(security.get("allowPrivilegeEscalation")).as(name + " allowPrivilegeEscalation").isEqualTo(false);
                assertThat(list(security, "capabilities", "drop")).as(name + " capabilities").contains("ALL");
                assertThat(podSecurity.get("seccompProfile")).as(name + " seccomp").isEqualTo(Map.of("type", "RuntimeDefault"));
            }
        }
        // A read-only root still needs somewhere to write: the JVM's temp files and ./data.
        Map<String, Object> pod = podSpec(deployment(overlay));
        for (String path : List.of("/tmp", "/app/data")) {
            Map<String, Object> volume = volumeMountedAt(pod, serverContainer(overlay), path);
            assertThat(volume).as(path).containsKey("emptyDir");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void terminationOutlastsThePreStopPauseAndTheServersShutdown(String overlay) {
        Map<String, Object> pod = podSpec(deployment(overlay));
        List<Object> preStop = list(serverContainer(overlay), "lifecycle", "preStop", "exec", "command");
        assertThat(preStop).as("preStop pause while the endpoints drop this node").hasSize(2).first().isEqualTo("sleep");
        int pause = Integer.parseInt(preStop.get(1).toString());
        assertThat(pause).isPositive();
        assertThat((Integer) pod.get("terminationGracePeriodSeconds"))
                .isGreaterThan(SERVER_SHUTDOWN_SECONDS)
                .isGreaterThanOrEqualTo(pause + SERVER_SHUTDOWN_SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void environmentNamesTheNodeAndTakesSecretsOnlyFromTheSecret(String overlay) throws IOException {
        assertThat(env(overlay, "SPRING_PROFILES_ACTIVE")).containsEntry("value", "cluster");
        assertThat(get(env(overlay, "SWITCHBOARD_NODE_ID"), "valueFrom", "fieldRef", "fieldPath")).isEqualTo("metadata.name");
        for (String name : List.of("SWITCHBOARD_ADMIN_PASSWORD", "LEAD_INTAKE_WEBHOOK_SECRET",
                "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD")) {
            assertThat(get(env(overlay, name), "valueFrom", "secretKeyRef", "name")).as(name).isEqualTo("switchboard");
        }
        assertThat(env(overlay, "SPRING_DATASOURCE_URL")).isNotNull();

        Set<String> templateKeys = map(secretTemplate(), "stringData").keySet();
        for (Map<String, Object> workload : workloads(overlay)) {
            for (Object container : list(podSpec(workload), "containers")) {
                for (Object variable : list(container, "env")) {
                    Map<String, Object> entry = asMap(variable);
                    assertThat(entry.containsKey("value") && entry.containsKey("valueFrom"))
                            .as("%s has both value and valueFrom (a patch merged instead of replacing)", entry.get("name"))
                            .isFalse();
                    Object secretKey = get(entry, "valueFrom", "secretKeyRef", "key");
                    if (secretKey != null) {
                        assertThat(templateKeys).as("keys of k8s/base/secret.template.yaml").contains(secretKey.toString());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void ingressExposesOnlyTheWebhooks(String overlay) {
        Map<String, Object> ingress = single(overlay, "Ingress");
        assertThat(map(ingress, "spec")).doesNotContainKey("defaultBackend");
        List<Object> rules = list(ingress, "spec", "rules");
        assertThat(rules).isNotEmpty();
        for (Object rule : rules) {
            List<Object> paths = list(rule, "http", "paths");
            assertThat(paths).hasSize(1);
            assertThat(get(paths.get(0), "path")).isEqualTo("/webhooks");
            assertThat(get(paths.get(0), "pathType")).isEqualTo("Prefix");
            assertThat(get(paths.get(0), "backend", "service", "name")).isEqualTo("switchboard");
        }
    }

    @Test
    void secretTemplateHoldsOnlyPlaceholdersAndIsNeverApplied() throws IOException {
        Map<String, Object> secret = secretTemplate();
        assertThat(secret.get("kind")).isEqualTo("Secret");
        assertThat(get(secret, "metadata", "name")).isEqualTo("switchboard");
        assertThat(secret).as("base64 data would hide what is in it").doesNotContainKey("data");
        assertThat(map(secret, "stringData")).isNotEmpty().allSatisfy((key, value) ->
                assertThat(value.toString()).as(key).matches("<change-me: [^>]+>"));
        // Applying the template would overwrite the real Secret with placeholders.
        for (String overlay : OVERLAYS) {
            assertThat(rendered.get(overlay)).as(overlay).noneMatch(resource -> "Secret".equals(resource.get("kind")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void replicasDisruptionBudgetAndAutoscalerMatchTheOverlay(String overlay) {
        Map<String, Object> deployment = deployment(overlay);
        Map<String, Object> podLabels = map(deployment, "spec", "template", "metadata", "labels");
        assertThat(get(deployment, "spec", "replicas")).isEqualTo(REPLICAS.get(overlay));

        Map<String, Object> budget = single(overlay, "PodDisruptionBudget");
        assertThat(get(budget, "apiVersion")).isEqualTo("policy/v1");
        assertThat(podLabels).containsAllEntriesOf(map(budget, "spec", "selector", "matchLabels"));
        assertThat(map(budget, "spec")).containsAnyOf(Map.entry("maxUnavailable", 1), Map.entry("minAvailable", REPLICAS.get(overlay) - 1));

        Map<String, Object> autoscaler = single(overlay, "HorizontalPodAutoscaler");
        assertThat(get(autoscaler, "apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(map(autoscaler, "spec", "scaleTargetRef")).containsEntry("kind", "Deployment").containsEntry("name", "switchboard");
        assertThat(get(autoscaler, "spec", "minReplicas")).isEqualTo(REPLICAS.get(overlay));
        assertThat((Integer) get(autoscaler, "spec", "maxReplicas")).isGreaterThan(REPLICAS.get(overlay));
        assertThat(list(autoscaler, "spec", "metrics")).anySatisfy(metric ->
                assertThat(get(metric, "resource", "name")).isEqualTo("cpu"));

        Map<String, Object> service = single(overlay, "Service", "switchboard");
        assertThat(podLabels).containsAllEntriesOf(map(service, "spec", "selector"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void databaseConnectionsOfAllNodesFitPostgres(String overlay) {
        int pool = Integer.parseInt(env(overlay, "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE").get("value").toString());
        int maxNodes = (Integer) get(single(overlay, "HorizontalPodAutoscaler"), "spec", "maxReplicas")
                + (Integer) get(deployment(overlay), "spec", "strategy", "rollingUpdate", "maxSurge");
        assertThat(pool * maxNodes)
                .as("pool %d x (maxReplicas + maxSurge = %d nodes) within PostgreSQL's default connections", pool, maxNodes)
                .isLessThanOrEqualTo(POSTGRES_CONNECTIONS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void networkPolicyAdmitsHttpOnlyAndLetsOutOnlyDnsPostgresAndHttps(String overlay) {
        Map<String, Object> policy = single(overlay, "NetworkPolicy", "switchboard");
        assertThat(map(podTemplateMetadata(deployment(overlay)), "labels"))
                .containsAllEntriesOf(map(policy, "spec", "podSelector", "matchLabels"));
        assertThat(list(policy, "spec", "policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(ports(list(policy, "spec", "ingress"))).containsExactly("TCP/8080");
        assertThat(ports(list(policy, "spec", "egress")))
                .containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/5432", "TCP/443");
    }

    @Test
    void devRunsItsOwnPostgresAndProdNamesAnExternalOne() {
        Map<String, Object> postgres = single("dev", "StatefulSet");
        assertThat(get(postgres, "metadata", "name")).isEqualTo("switchboard-postgres");
        assertThat(single("dev", "Service", "switchboard-postgres")).isNotNull();
        assertThat(env("dev", "SPRING_DATASOURCE_URL").get("value").toString())
                .isEqualTo("jdbc:postgresql://switchboard-postgres:5432/switchboard");

        assertThat(rendered.get("prod")).noneMatch(resource -> "StatefulSet".equals(resource.get("kind")));
        assertThat(get(env("prod", "SPRING_DATASOURCE_URL"), "valueFrom", "secretKeyRef", "key"))
                .isEqualTo("SPRING_DATASOURCE_URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everythingLandsInTheOverlaysNamespace(String overlay) {
        Set<Object> namespaces = rendered.get(overlay).stream()
                .map(resource -> get(resource, "metadata", "namespace"))
                .collect(Collectors.toSet());
        assertThat(namespaces).hasSize(1).doesNotContainNull();
    }

    // --- the rendered resources

    private static Map<String, Object> deployment(String overlay) {
        return single(overlay, "Deployment", "switchboard");
    }

    private static Map<String, Object> serverContainer(String overlay) {
        return list(podSpec(deployment(overlay)), "containers").stream()
                .map(KubernetesManifestsTest::asMap)
                .filter(container -> "switchboard".equals(container.get("name")))
                .findFirst().orElseThrow();
    }

    private static List<Map<String, Object>> workloads(String overlay) {
        return rendered.get(overlay).stream()
                .filter(resource -> Set.of("Deployment", "StatefulSet", "DaemonSet", "Job").contains(resource.get("kind")))
                .toList();
    }

    private static Map<String, Object> podTemplateMetadata(Map<String, Object> workload) {
        return map(workload, "spec", "template", "metadata");
    }

    private static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(workload, "spec", "template", "spec");
    }

    private static Map<String, Object> single(String overlay, String kind) {
        List<Map<String, Object>> found = rendered.get(overlay).stream().filter(r -> kind.equals(r.get("kind"))).toList();
        assertThat(found).as("%s in %s", kind, overlay).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Object> single(String overlay, String kind, String name) {
        List<Map<String, Object>> found = rendered.get(overlay).stream()
                .filter(r -> kind.equals(r.get("kind")) && name.equals(get(r, "metadata", "name")))
                .toList();
        assertThat(found).as("%s %s in %s", kind, name, overlay).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Object> env(String overlay, String name) {
        return list(serverContainer(overlay), "env").stream()
                .map(KubernetesManifestsTest::asMap)
                .filter(variable -> name.equals(variable.get("name")))
                .findFirst()
                .orElseGet(() -> fail("%s has no %s in the server's environment", overlay, name));
    }

    private static String probe(Map<String, Object> container, String kind) {
        assertThat(get(container, kind, "httpGet", "port")).as(kind + " port").isIn("http", 8080);
        return (String) get(container, kind, "httpGet", "path");
    }

    private static Map<String, Object> volumeMountedAt(Map<String, Object> pod, Map<String, Object> container, String path) {
        String volume = list(container, "volumeMounts").stream()
                .filter(mount -> path.equals(get(mount, "mountPath")))
                .map(mount -> (String) get(mount, "name"))
                .findFirst().orElseGet(() -> fail("nothing is mounted at %s", path));
        return list(pod, "volumes").stream()
                .map(KubernetesManifestsTest::asMap)
                .filter(v -> volume.equals(v.get("name")))
                .findFirst().orElseThrow();
    }

    /** The data of the ConfigMap mounted at {@code path}, looked up by the (hashed) name the volume names. */
    private static Map<String, String> configMapData(String overlay, Map<String, Object> pod,
            Map<String, Object> container, String path) {
        Object name = get(volumeMountedAt(pod, container, path), "configMap", "name");
        assertThat(name).as("a ConfigMap at " + path).isNotNull();
        Map<String, Object> data = map(single(overlay, "ConfigMap", name.toString()), "data");
        Map<String, String> files = new TreeMap<>();
        data.forEach((key, value) -> files.put(key, value.toString()));
        return files;
    }

    private static Set<String> ports(List<Object> rules) {
        Set<String> ports = new TreeSet<>();
        for (Object rule : rules) {
            for (Object port : list(rule, "ports")) {
                ports.add(Objects.requireNonNullElse(get(port, "protocol"), "TCP") + "/" + get(port, "port"));
            }
        }
        return ports;
    }

    private static Map<String, Object> secretTemplate() throws IOException {
        return asMap(new Yaml().load(Files.readString(REPO.resolve("k8s/base/secret.template.yaml"))));
    }

    // --- reading YAML trees

    private static Object get(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    private static Map<String, Object> map(Object node, String... path) {
        Object found = get(node, path);
        return found == null ? Map.of() : asMap(found);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node, String... path) {
        Object found = get(node, path);
        return found == null ? List.of() : (List<Object>) found;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node) {
        return (Map<String, Object>) node;
    }

    // --- files and processes

    private static Map<String, String> filesIn(Path folder, String suffix) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(folder)) {
            for (Path file : list.filter(f -> f.getFileName().toString().endsWith(suffix)).toList()) {
                files.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        assertThat(files).as("files *%s in %s", suffix, folder).isNotEmpty();
        return files;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path source : tree.toList()) {
                Path relative = from.relativize(source);
                if (relative.startsWith(Path.of("base", "app-files"))) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static String run(List<String> command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            return fail("cannot run %s: %s. The manifest test needs kubectl: `apt-get install kubernetes-client` "
                    + "(.ci/run does it), or point KUBECTL at one.", command.get(0), e.getMessage());
        }
        process.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("%s did not finish within 2 minutes", command);
        }
        if (process.exitValue() != 0) {
            fail("%s exited with %d:%n%s", command, process.exitValue(), err.get());
        }
        return out.get();
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
