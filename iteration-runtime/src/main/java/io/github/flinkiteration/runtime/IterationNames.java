package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.spi.IterationSpec;
import io.github.flinkiteration.runtime.coordinator.IterationControlSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;

/**
 * Gives each iteration of a job a name of its own: the ids of its operators and its metrics' labels
 * derive from it. A default name already taken gets a suffix ({@code #2}, {@code #3}, in build
 * order); a given name already taken is an error, since renaming it would break the ids the user
 * chose.
 */
final class IterationNames {

    private IterationNames() {}

    /** The name {@code spec}'s iteration gets in {@code env}'s job. */
    static String claim(StreamExecutionEnvironment env, IterationSpec spec) {
        Set<String> taken = namesIn(env);
        String name = spec.getName();
        if (!taken.contains(name)) {
            return name;
        }
        if (spec.isNameGiven()) {
            throw new IllegalArgumentException(
                    "Two iterations of this job are named '"
                            + name
                            + "': their operators' ids derive from the name and would collide."
                            + " Give each iteration its own name(...).");
        }
        int suffix = 2;
        while (taken.contains(name + "#" + suffix)) {
            suffix++;
        }
        return name + "#" + suffix;
    }

    /**
     * The names of the iterations already built into {@code env}: each has a control source,
     * upstream of the tails that were added to the environment.
     */
    private static Set<String> namesIn(StreamExecutionEnvironment env) {
        Set<String> names = new HashSet<>();
        Deque<Transformation<?>> open = new ArrayDeque<>(env.getTransformations());
        Set<Integer> seen = new HashSet<>();
        while (!open.isEmpty()) {
            Transformation<?> current = open.pop();
            if (!seen.add(current.getId())) {
                continue;
            }
            if (current instanceof SourceTransformation<?, ?, ?> source
                    && source.getSource() instanceof IterationControlSource control) {
                names.add(control.getIterationName());
            }
            open.addAll(current.getInputs());
        }
        return names;
    }
}
