package io.github.flinkiteration.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** Ends processes together with everything they started, and tells what, if anything, is left. */
final class ProcessTrees {

    private ProcessTrees() {}

    /** The given processes and all their descendants that are alive now. */
    static List<ProcessHandle> withDescendants(Collection<ProcessHandle> roots) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        for (ProcessHandle root : roots) {
            if (root.isAlive()) {
                all.add(root);
            }
            root.descendants().forEach(all::add);
        }
        return new ArrayList<>(all);
    }

    /**
     * Asks every process of the trees to terminate (SIGTERM on Unix, so Flink shuts down in order),
     * waits up to {@code grace}, kills what is still there and waits up to {@code grace} again.
     *
     * @return the processes still alive after that; empty when all are gone
     */
    static List<ProcessHandle> terminate(Collection<ProcessHandle> roots, Duration grace)
            throws InterruptedException {
        // Collected before anything ends: a child whose parent is gone is no longer a descendant.
        List<ProcessHandle> all = withDescendants(roots);
        all.forEach(ProcessHandle::destroy);
        awaitExit(all, grace);
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        awaitExit(all, grace);
        return all.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    /**
     * Kills the processes at once (SIGKILL on Unix) and waits up to {@code timeout} for them to
     * exit.
     *
     * @return the processes still alive after that; empty when all are gone
     */
    static List<ProcessHandle> kill(Collection<ProcessHandle> processes, Duration timeout)
            throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(processes);
        all.forEach(ProcessHandle::destroyForcibly);
        awaitExit(all, timeout);
        return all.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList());
    }

    private static void awaitExit(List<ProcessHandle> processes, Duration timeout)
            throws InterruptedException {
        CompletableFuture<?>[] exits =
                processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // The caller looks at what is still alive.
        }
    }

    /** {@code pid (command line)}, for messages about processes. */
    static String describe(ProcessHandle process) {
        return process.pid() + " (" + process.info().commandLine().orElse("?") + ")";
    }
}
