package io.github.flinkiteration.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink session cluster on this machine: one JobManager and a number of TaskManagers, each in its
 * own JVM, started from the jars of Flink's Maven artifacts. Maven Central has no Flink
 * distribution for Flink 2, so this does what the distribution's scripts would: write a
 * config.yaml, derive each process's memory settings with Flink's {@code BashJavaUtils}, and launch
 * {@code StandaloneSessionClusterEntrypoint} and {@code TaskManagerRunner}.
 *
 * <p>Everything lives under a work directory: {@code conf/} (config.yaml, log4j.properties), {@code
 * log/} (one {@code .log} and one {@code .out} file per process), {@code tmp/} and the file {@code
 * processes} with the process ids and start times, so that a later {@link #stopRecorded} can stop a
 * cluster that another JVM started. All sockets bind to localhost.
 *
 * <p>Each TaskManager exports its metrics with Flink's Prometheus reporter on a port of its own
 * ({@link #prometheusAddresses()}). The reporter's HTTP server listens on every interface, as
 * Flink's reporter has no setting for the address; the ports are free ones picked at start.
 *
 * <p>The cluster is stopped by {@link #stop()}, or by a shutdown hook if the JVM that started it
 * exits first, unless {@link #keepRunningAfterExit()} was called.
 */
public final class LocalFlinkCluster implements AutoCloseable {

    static final String JOB_MANAGER_CLASS =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_CLASS =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private static final String HOST = "localhost";

    private static final String PROMETHEUS_FACTORY =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    /**
     * JDK packages that Flink reaches into by reflection (serializers, and the client code that
     * runs a submitted jar's main method in the JobManager). Flink's distribution opens them in its
     * config.yaml; without java.util, running a jar through the REST API fails.
     */
    private static final List<String> OPENED_PACKAGES =
            List.of(
                    "java.io",
                    "java.lang",
                    "java.lang.reflect",
                    "java.net",
                    "java.nio",
                    "java.text",
                    "java.time",
                    "java.util",
                    "java.util.concurrent",
                    "java.util.concurrent.atomic",
                    "java.util.concurrent.locks",
                    "sun.nio.ch");

    private static final String LOG4J_PROPERTIES =
            String.join(
                    "\n",
                    "# Each cluster JVM logs to the file that its -Dlog.file names.",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.file.ref = file",
                    "appender.file.type = File",
                    "appender.file.name = file",
                    "appender.file.fileName = ${sys:log.file}",
                    // Appending: start() empties log/ anyway, and a logger that comes back to life
                    // during shutdown would otherwise truncate the file to its last lines.
                    "appender.file.append = true",
                    "appender.file.layout.type = PatternLayout",
                    "appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %c - %m%n",
                    "");

    private static final String PROCESS_FILE = "processes";
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Pattern TASK_MANAGER_COUNT = Pattern.compile("\"taskmanagers\":(\\d+)");
    private static final Pattern TOTAL_SLOTS = Pattern.compile("\"slots-total\":(\\d+)");

    private final Path workDir;
    private final String classpath;
    private final URI restAddress;

    /** TaskManager id to the port of its Prometheus reporter, for the running TaskManagers. */
    private final Map<String, Integer> prometheusPorts;

    /** The number in the id of the last TaskManager started: ids are never reused. */
    private int lastTaskManagerNumber;

    /** Process name ("jobmanager", "taskmanager-1", …) to its JVM, in start order. */
    private final Map<String, Process> processes = new LinkedHashMap<>();

    private final Thread shutdownHook;
    private boolean stopped;

    private LocalFlinkCluster(
            Path workDir, String classpath, int restPort, Map<String, Integer> prometheusPorts) {
        this.workDir = workDir;
        this.classpath = classpath;
        this.restAddress = URI.create("http://" + HOST + ":" + restPort);
        this.prometheusPorts = new LinkedHashMap<>(prometheusPorts);
        this.lastTaskManagerNumber = prometheusPorts.size();
        this.shutdownHook = new Thread(this::stopOnExit, "stop local Flink cluster");
    }

    /**
     * Settings for a cluster whose files go to {@code workDir} and whose JVMs run on {@code
     * classpath} (Flink's jars and a logging backend, as in a distribution's {@code lib/}).
     */
    public static Builder builder(Path workDir, String classpath) {
        return new Builder(workDir, classpath);
    }

    /** The REST API's (and web UI's) address, for example {@code http://localhost:8081}. */
    public URI restAddress() {
        return restAddress;
    }

    /** Where each process writes {@code NAME.log} (its log) and {@code NAME.out} (stdout). */
    public Path logDirectory() {
        return workDir.resolve("log");
    }

    /**
     * The resource ids the running TaskManagers registered with: {@code taskmanager-1}, … in start
     * order, without killed ones.
     */
    public synchronized List<String> taskManagerIds() {
        return List.copyOf(prometheusPorts.keySet());
    }

    /**
     * Where each TaskManager serves its metrics in Prometheus' text format, by TaskManager id: for
     * example {@code http://127.0.0.1:41234/metrics}.
     */
    public synchronized Map<String, URI> prometheusAddresses() {
        Map<String, URI> addresses = new LinkedHashMap<>();
        prometheusPorts.forEach(
                (id, port) ->
                        addresses.put(id, URI.create("http://127.0.0.1:" + port + "/metrics")));
        return addresses;
    }

    /**
     * Kills the TaskManager {@code id} and whatever it started with SIGKILL ({@code kill -9}), as a
     * crashed machine would end it: no shutdown hooks, no goodbye to the JobManager. Returns once
     * the processes are gone; the TaskManager no longer counts among {@link #jvms()} and {@link
     * #taskManagerIds()}.
     *
     * @throws IllegalArgumentException if no running TaskManager has that id
     * @throws IllegalStateException if a process is still alive after being killed
     */
    public synchronized void killTaskManager(String id) throws IOException, InterruptedException {
        if (!prometheusPorts.containsKey(id)) {
            throw new IllegalArgumentException(
                    "No running TaskManager '" + id + "'; running: " + prometheusPorts.keySet());
        }
        // Collected before the kill: an orphan is no longer a descendant of anything we know.
        List<ProcessHandle> tree =
                ProcessTrees.withDescendants(List.of(processes.get(id).toHandle()));
        List<ProcessHandle> survivors = ProcessTrees.kill(tree, STOP_GRACE);
        processes.remove(id);
        prometheusPorts.remove(id);
        recordProcesses();
        if (!survivors.isEmpty()) {
            throw new IllegalStateException(
                    "Still running after kill -9: "
                            + survivors.stream()
                                    .map(ProcessTrees::describe)
                                    .collect(Collectors.joining(", ")));
        }
    }

    /**
     * Starts one more TaskManager with the cluster's settings and a new id ({@code taskmanager-N},
     * N one above the last one started), and returns its id once it has registered with the
     * JobManager.
     *
     * @throws IllegalStateException if it has not registered within {@code timeout}
     */
    public synchronized String startTaskManager(Duration timeout)
            throws IOException, InterruptedException {
        if (stopped) {
            throw new IllegalStateException("The cluster is stopped");
        }
        String id = "taskmanager-" + (++lastTaskManagerNumber);
        prometheusPorts.put(id, freePort());
        launch(id, TASK_MANAGER_CLASS, resources(ResourceParameters.Kind.TASK_MANAGER), id);
        recordProcesses();
        awaitRegistration(id, timeout);
        return id;
    }

    /** The cluster's JVMs by name: {@code jobmanager}, {@code taskmanager-1}, … */
    public synchronized Map<String, ProcessHandle> jvms() {
        Map<String, ProcessHandle> jvms = new LinkedHashMap<>();
        processes.forEach((name, process) -> jvms.put(name, process.toHandle()));
        return jvms;
    }

    /** The cluster's JVMs and whatever they started, as far as they are alive now. */
    public synchronized List<ProcessHandle> processes() {
        return ProcessTrees.withDescendants(
                processes.values().stream().map(Process::toHandle).collect(Collectors.toList()));
    }

    /** Lets the cluster outlive this JVM; stop it later with {@link #stopRecorded}. */
    public synchronized void keepRunningAfterExit() {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    /**
     * Stops every process of the cluster with its descendants and waits until they are gone.
     * Calling it again does nothing.
     *
     * @throws IllegalStateException if a process is still alive after being killed
     */
    public synchronized void stop() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the hook itself, or the JVM is exiting: nothing to remove.
        }
        List<ProcessHandle> roots =
                processes.values().stream().map(Process::toHandle).collect(Collectors.toList());
        terminate(roots);
        deleteIfExists(workDir.resolve(PROCESS_FILE));
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /**
     * Stops a cluster that was started with {@code workDir}, from any JVM, using the process ids
     * and start times it recorded there. A process whose start time differs is another process that
     * got a recorded id later, and is left alone.
     *
     * @return how many processes were stopped
     */
    public static int stopRecorded(Path workDir) throws IOException, InterruptedException {
        Path processFile = workDir.toAbsolutePath().resolve(PROCESS_FILE);
        if (!Files.exists(processFile)) {
            return 0;
        }
        List<ProcessHandle> recorded = new ArrayList<>();
        for (String line : Files.readAllLines(processFile, StandardCharsets.UTF_8)) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length != 3) {
                continue;
            }
            long startMillis = Long.parseLong(fields[2]);
            ProcessHandle.of(Long.parseLong(fields[1]))
                    .filter(p -> startMillis(p) == startMillis)
                    .ifPresent(recorded::add);
        }
        List<ProcessHandle> all = ProcessTrees.withDescendants(recorded);
        terminate(recorded);
        Files.delete(processFile);
        return all.size();
    }

    /** Ends the processes and their descendants, or says which survived. */
    private static void terminate(List<ProcessHandle> roots) throws InterruptedException {
        List<ProcessHandle> survivors = ProcessTrees.terminate(roots, STOP_GRACE);
        if (!survivors.isEmpty()) {
            throw new IllegalStateException(
                    "Still running after being killed: "
                            + survivors.stream()
                                    .map(ProcessTrees::describe)
                                    .collect(Collectors.joining(", ")));
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    private void stopOnExit() {
        try {
            stop();
        } catch (InterruptedException | RuntimeException e) {
            System.err.println("Could not stop the local Flink cluster: " + e);
        }
    }

    private static Path configDir(Path workDir) {
        return workDir.resolve("conf");
    }

    /** Settings of a {@link LocalFlinkCluster}; {@link #start()} launches it. */
    public static final class Builder {

        private final Path workDir;
        private final String classpath;
        private int taskManagers = 2;
        private int slotsPerTaskManager = 2;
        private int restPort;
        private String jobManagerMemory = "768m";
        private String taskManagerMemory = "1280m";
        private Duration startupTimeout = Duration.ofMinutes(2);
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder(Path workDir, String classpath) {
            this.workDir = workDir.toAbsolutePath();
            this.classpath = classpath;
        }

        /** Number of TaskManager processes; 2 unless set. */
        public Builder taskManagers(int count) {
            this.taskManagers = count;
            return this;
        }

        /** Task slots of each TaskManager; 2 unless set. */
        public Builder slotsPerTaskManager(int slots) {
            this.slotsPerTaskManager = slots;
            return this;
        }

        /** Port of the REST API and web UI; 0, the default, picks a free one. */
        public Builder restPort(int port) {
            this.restPort = port;
            return this;
        }

        /** {@code jobmanager.memory.process.size}; 768m unless set. */
        public Builder jobManagerMemory(String size) {
            this.jobManagerMemory = size;
            return this;
        }

        /** {@code taskmanager.memory.process.size}; 1280m unless set. */
        public Builder taskManagerMemory(String size) {
            this.taskManagerMemory = size;
            return this;
        }

        /**
         * One more line {@code key: value} of config.yaml, for example a shorter {@code
         * heartbeat.timeout}, for a key that this class does not set itself ({@link #start()}
         * refuses those); setting a key again replaces its value.
         */
        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** How long to wait for all TaskManagers to register; two minutes unless set. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /**
         * Starts the processes and returns once every TaskManager has registered with the
         * JobManager. Processes left by an earlier cluster with the same work directory are stopped
         * first. If the cluster does not come up, whatever was started is stopped again.
         */
        public LocalFlinkCluster start() throws IOException, InterruptedException {
            stopRecorded(workDir);
            Path conf = configDir(workDir);
            for (String dir : List.of("conf", "log", "tmp")) {
                deleteRecursively(workDir.resolve(dir));
                Files.createDirectories(workDir.resolve(dir));
            }
            int rest = restPort == 0 ? freePort() : requireFree(restPort);
            int rpc = freePort();
            Files.writeString(conf.resolve("config.yaml"), configYaml(rest, rpc));
            Files.writeString(conf.resolve("log4j.properties"), LOG4J_PROPERTIES);

            Map<String, Integer> ids = new LinkedHashMap<>();
            for (int i = 1; i <= taskManagers; i++) {
                ids.put("taskmanager-" + i, freePort());
            }
            LocalFlinkCluster cluster = new LocalFlinkCluster(workDir, classpath, rest, ids);
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            try {
                ResourceParameters jobManagerResources =
                        cluster.resources(ResourceParameters.Kind.JOB_MANAGER);
                ResourceParameters taskManagerResources =
                        cluster.resources(ResourceParameters.Kind.TASK_MANAGER);
                cluster.launch("jobmanager", JOB_MANAGER_CLASS, jobManagerResources, null);
                for (String id : ids.keySet()) {
                    cluster.launch(id, TASK_MANAGER_CLASS, taskManagerResources, id);
                }
                cluster.recordProcesses();
                cluster.awaitTaskManagers(taskManagers * slotsPerTaskManager, startupTimeout);
                return cluster;
            } catch (IOException | InterruptedException | RuntimeException e) {
                try {
                    cluster.stop();
                } catch (RuntimeException stopFailure) {
                    e.addSuppressed(stopFailure);
                }
                throw e;
            }
        }

        private String configYaml(int restPort, int rpcPort) {
            Path tmp = workDir.resolve("tmp");
            List<String> lines =
                    new ArrayList<>(
                            List.of(
                                    "# Written by LocalFlinkCluster on every start.",
                                    "jobmanager.rpc.address: " + HOST,
                                    "jobmanager.rpc.port: " + rpcPort,
                                    "jobmanager.bind-host: " + HOST,
                                    "jobmanager.memory.process.size: " + jobManagerMemory,
                                    "taskmanager.host: " + HOST,
                                    "taskmanager.bind-host: " + HOST,
                                    "taskmanager.numberOfTaskSlots: " + slotsPerTaskManager,
                                    "taskmanager.memory.process.size: " + taskManagerMemory,
                                    // Managed memory serves RocksDB and batch operators; the
                                    // default fraction
                                    // would leave a small TaskManager almost no task heap.
                                    "taskmanager.memory.managed.size: 128m",
                                    "rest.address: " + HOST,
                                    "rest.bind-address: " + HOST,
                                    "rest.port: " + restPort,
                                    "parallelism.default: 1",
                                    "io.tmp.dirs: " + yamlString(tmp.toString()),
                                    "web.tmpdir: " + yamlString(tmp.resolve("web").toString())));
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                String key = setting.getKey();
                if (lines.stream().anyMatch(line -> line.startsWith(key + ":"))) {
                    throw new IllegalArgumentException(
                            key + " is set by LocalFlinkCluster; use the builder's method for it");
                }
                lines.add(key + ": " + setting.getValue());
            }
            lines.add("");
            return String.join("\n", lines);
        }
    }

    private ResourceParameters resources(ResourceParameters.Kind kind)
            throws IOException, InterruptedException {
        String logName = "resources-" + kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
        List<String> command =
                javaCommand(List.of("-Xmx256m"), logName, ResourceParameters.UTILITY_CLASS);
        return ResourceParameters.compute(command, configDir(workDir).toString(), kind);
    }

    /** java, JVM options, logging set-up, classpath and main class of a cluster JVM. */
    private List<String> javaCommand(List<String> jvmOptions, String logName, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // log.file also tells the web UI where a process's .log and .out files are.
        command.add("-Dlog.file=" + logDirectory().resolve(logName + ".log"));
        command.add(
                "-Dlog4j.configurationFile="
                        + configDir(workDir).resolve("log4j.properties").toUri());
        command.add("-classpath");
        command.add(classpath);
        command.add(mainClass);
        return command;
    }

    /**
     * Starts one cluster JVM named {@code name}, its output going to {@code log/NAME.out}; a
     * TaskManager gets {@code resourceId} as its id.
     */
    private synchronized void launch(
            String name, String mainClass, ResourceParameters resources, String resourceId)
            throws IOException {
        List<String> jvmOptions = new ArrayList<>(resources.jvmOptions());
        for (String pkg : OPENED_PACKAGES) {
            jvmOptions.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
        }
        List<String> command = javaCommand(jvmOptions, name, mainClass);
        command.add("--configDir");
        command.add(configDir(workDir).toString());
        command.addAll(resources.dynamicProperties());
        if (resourceId != null) {
            command.add("-D");
            command.add("taskmanager.resource-id=" + resourceId);
            // Per TaskManager, not in config.yaml: each needs its own port, the JobManager none.
            command.add("-D");
            command.add("metrics.reporter.prom.factory.class=" + PROMETHEUS_FACTORY);
            command.add("-D");
            command.add("metrics.reporter.prom.port=" + prometheusPorts.get(resourceId));
        }
        Process process =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(logDirectory().resolve(name + ".out").toFile())
                        .start();
        // Nothing reads the JVM's stdin; closing it keeps it from holding a pipe to this JVM.
        process.getOutputStream().close();
        processes.put(name, process);
    }

    private void recordProcesses() throws IOException {
        StringBuilder lines = new StringBuilder();
        // The start time tells a recorded process from a later one that reuses its id.
        processes.forEach(
                (name, p) ->
                        lines.append(name)
                                .append(' ')
                                .append(p.pid())
                                .append(' ')
                                .append(startMillis(p.toHandle()))
                                .append('\n'));
        Files.writeString(workDir.resolve(PROCESS_FILE), lines.toString());
    }

    /** Polls the REST API until all TaskManagers and their slots are registered. */
    private void awaitTaskManagers(int slots, Duration timeout)
            throws IOException, InterruptedException {
        awaitRest(
                "/overview",
                answer ->
                        number(TASK_MANAGER_COUNT, answer) == prometheusPorts.size()
                                && number(TOTAL_SLOTS, answer) == slots,
                "The TaskManagers did not all register",
                timeout);
    }

    /** Polls the REST API until the TaskManager {@code id} is registered. */
    private void awaitRegistration(String id, Duration timeout)
            throws IOException, InterruptedException {
        awaitRest(
                "/taskmanagers",
                answer -> answer.contains("\"id\":\"" + id + "\""),
                id + " did not register",
                timeout);
    }

    /**
     * Polls {@code GET path} until its answer satisfies {@code done}, failing early if a process of
     * the cluster has exited.
     */
    private void awaitRest(String path, Predicate<String> done, String failure, Duration timeout)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request =
                HttpRequest.newBuilder(restAddress.resolve(path))
                        .timeout(Duration.ofSeconds(5))
                        .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            for (Map.Entry<String, Process> process : processes.entrySet()) {
                if (!process.getValue().isAlive()) {
                    throw new IllegalStateException(
                            process.getKey()
                                    + " exited with code "
                                    + process.getValue().exitValue()
                                    + "; see "
                                    + logDirectory().resolve(process.getKey() + ".log")
                                    + tail(process.getKey()));
                }
            }
            try {
                HttpResponse<String> response =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                last = response.body();
                if (response.statusCode() == 200 && done.test(last)) {
                    return;
                }
            } catch (IOException notListeningYet) {
                last = notListeningYet.toString();
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new IllegalStateException(
                failure
                        + " within "
                        + timeout
                        + "; last answer of "
                        + path
                        + ": "
                        + last
                        + "; logs in "
                        + logDirectory());
    }

    private static int number(Pattern pattern, String json) {
        Matcher matcher = pattern.matcher(json);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    /** The last lines of a process's log, to put into an error message. */
    private String tail(String name) {
        try {
            List<String> lines =
                    Files.readAllLines(
                            logDirectory().resolve(name + ".log"), StandardCharsets.UTF_8);
            return "\n"
                    + String.join(
                            "\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** A free port on the loopback interface, found by binding to port 0 and letting go. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int requireFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return port;
        } catch (IOException inUse) {
            throw new IOException("Port " + port + " is in use", inUse);
        }
    }

    /** A single-quoted YAML string, for paths. */
    private static String yamlString(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A stale file only makes the next start check process ids that are gone.
        }
    }
}
