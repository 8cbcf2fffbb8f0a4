package io.github.flinkiteration.tf.params;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A typed parameter: its name, what it means, its default (or none, when it must be set) and the
 * rule its values follow.
 *
 * <pre>{@code
 * Param<Integer> batchSize = Param.of("batchSize", "rows per mini-batch", 32, n -> n >= 1, "at least 1");
 * int size = batchSize.check(64);        // 64
 * batchSize.check(0);                    // InvalidParameterException: parameter 'batchSize': ...
 * }</pre>
 *
 * @param <T> the value type
 */
public final class Param<T> {

    private final String name;
    private final String description;
    private final T defaultValue;
    private final Predicate<T> rule;
    private final String requirement;

    private Param(
            String name,
            String description,
            T defaultValue,
            Predicate<T> rule,
            String requirement) {
        this.name = Objects.requireNonNull(name);
        this.description = Objects.requireNonNull(description);
        this.defaultValue = defaultValue;
        this.rule = Objects.requireNonNull(rule);
        this.requirement = Objects.requireNonNull(requirement);
    }

    /** A parameter whose values must satisfy {@code rule}, described by {@code requirement}. */
    public static <T> Param<T> of(
            String name,
            String description,
            T defaultValue,
            Predicate<T> rule,
            String requirement) {
        return new Param<>(name, description, defaultValue, rule, requirement);
    }

    /** A parameter any non-null value of which is valid. */
    public static <T> Param<T> of(String name, String description, T defaultValue) {
        return new Param<>(name, description, defaultValue, v -> true, "any value");
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The default, or {@code null} when the parameter has none. */
    public T defaultValue() {
        return defaultValue;
    }

    /** Returns {@code value} if it is valid, else throws naming this parameter and the rule. */
    public T check(T value) {
        if (value == null) {
            throw new InvalidParameterException(name, "must not be null (" + description + ")");
        }
        if (!rule.test(value)) {
            throw new InvalidParameterException(
                    name, "got " + ParamValues.render(value) + ", but it must be " + requirement);
        }
        return value;
    }

    @Override
    public String toString() {
        return name;
    }
}
