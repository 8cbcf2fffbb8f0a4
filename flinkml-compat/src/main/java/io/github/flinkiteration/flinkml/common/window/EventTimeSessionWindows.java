package io.github.flinkiteration.flinkml.common.window;

import java.time.Duration;
import java.util.Objects;

/**
 * Sessions by the records' timestamps: a window closes after a gap without records.
 *
 * <pre>{@code
 * EventTimeSessionWindows.withGap(Duration.ofMinutes(5));
 * }</pre>
 */
public final class EventTimeSessionWindows implements Windows {

    private static final long serialVersionUID = 1L;

    private final Duration gap;

    private EventTimeSessionWindows(Duration gap) {
        this.gap = Objects.requireNonNull(gap, "gap");
        if (gap.isNegative() || gap.isZero()) {
            throw new IllegalArgumentException(
                    "The gap of a window must be positive, not " + gap + ".");
        }
    }

    public static EventTimeSessionWindows withGap(Duration gap) {
        return new EventTimeSessionWindows(gap);
    }

    public Duration getGap() {
        return gap;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventTimeSessionWindows
                && ((EventTimeSessionWindows) other).gap.equals(gap);
    }

    @Override
    public int hashCode() {
        return Objects.hash(EventTimeSessionWindows.class, gap);
    }
}
