package io.github.flinkiteration.flinkml.common.window;

import java.time.Duration;
import java.util.Objects;

/**
 * Sessions by the clock of the subtask: a window closes after a gap without records.
 *
 * <pre>{@code
 * ProcessingTimeSessionWindows.withGap(Duration.ofSeconds(30));
 * }</pre>
 */
public final class ProcessingTimeSessionWindows implements Windows {

    private static final long serialVersionUID = 1L;

    private final Duration gap;

    private ProcessingTimeSessionWindows(Duration gap) {
        this.gap = Objects.requireNonNull(gap, "gap");
        if (gap.isNegative() || gap.isZero()) {
            throw new IllegalArgumentException(
                    "The gap of a window must be positive, not " + gap + ".");
        }
    }

    public static ProcessingTimeSessionWindows withGap(Duration gap) {
        return new ProcessingTimeSessionWindows(gap);
    }

    public Duration getGap() {
        return gap;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProcessingTimeSessionWindows
                && ((ProcessingTimeSessionWindows) other).gap.equals(gap);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ProcessingTimeSessionWindows.class, gap);
    }
}
