package org.copsite.esnode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the unpacked distribution's own launcher in the foreground until this JVM is killed, then
 * stops the node with it: {@code mvn -f search/es-node/pom.xml compile exec:java}.
 *
 * Arguments (all given by the pom's exec:java configuration):
 * -esHome DIR -httpPort PORT -clusterName NAME -basePath DIR -heap SIZE.
 * BASE_DIR receives the node's own copy of config/, and its data, logs and temp folders.
 */
public final class RunNode {

    private RunNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^-+", ""), args[i + 1]);
        }
        Path esHome = Path.of(required(options, "esHome")).toAbsolutePath();
        Path base = Path.of(required(options, "basePath")).toAbsolutePath();
        String cluster = required(options, "clusterName");
        String port = required(options, "httpPort");
        String heap = required(options, "heap");

        if ("root".equals(System.getProperty("user.name"))) {
            System.err.println("Elasticsearch refuses to run as root: use scripts/start-elasticsearch.sh, which drops privileges.");
            System.exit(1);
        }

        Path config = base.resolve("config");
        if (Files.notExists(config)) {
            copyTree(esHome.resolve("config"), config);
        }
        for (String dir : List.of("data", "logs", "tmp")) {
            Files.createDirectories(base.resolve(dir));
        }

        ProcessBuilder builder = new ProcessBuilder(
            esHome.resolve("bin/elasticsearch").toString(),
            "-Ecluster.name=" + cluster,
            "-Enode.name=" + cluster + "-1",
            "-Ediscovery.type=single-node",
            "-Enetwork.host=127.0.0.1",
            "-Ehttp.port=" + port,
            "-Epath.data=" + base.resolve("data"),
            "-Epath.logs=" + base.resolve("logs"),
            "-Expack.security.enabled=false",
            "-Ecluster.routing.allocation.disk.threshold_enabled=false"
        ).inheritIO();
        builder.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("ES_JAVA_OPTS", "-Xms" + heap + " -Xmx" + heap);
        builder.environment().put("ES_PATH_CONF", config.toString());
        builder.environment().put("ES_TMPDIR", base.resolve("tmp").toString());

        Process node = builder.start();
        // Killing Maven (TERM, Ctrl-C) stops the node: the launcher shuts the server down on TERM.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node), "stop-elasticsearch"));
        System.exit(node.waitFor());
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing -" + name);
        }
        return value;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Files.copy(source, to.resolve(from.relativize(source).toString()));
            }
        }
    }

    private static void stop(Process node) {
        if (!node.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = node.descendants().toList();
        node.destroy();
        try {
            node.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The launcher stops the server JVM it started; whatever is still alive now is ended.
        node.destroyForcibly();
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
