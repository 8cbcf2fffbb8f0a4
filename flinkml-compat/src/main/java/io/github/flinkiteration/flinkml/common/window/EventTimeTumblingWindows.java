package io.github.flinkiteration.flinkml.common.window;

import java.time.Duration;
import java.util.Objects;

/**
 * Windows of a fixed length by the records' timestamps, one after the other.
 *
 * <pre>{@code
 * EventTimeTumblingWindows.of(Duration.ofMinutes(1));
 * }</pre>
 */
public final class EventTimeTumblingWindows implements Windows {

    private static final long serialVersionUID = 1L;

    private final Duration size;

    private EventTimeTumblingWindows(Duration size) {
        this.size = Objects.requireNonNull(size, "size");
        if (size.isNegative() || size.isZero()) {
            throw new IllegalArgumentException(
                    "The size of a window must be positive, not " + size + ".");
        }
    }

    public static EventTimeTumblingWindows of(Duration size) {
        return new EventTimeTumblingWindows(size);
    }

    public Duration getSize() {
        return size;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventTimeTumblingWindows
                && ((EventTimeTumblingWindows) other).size.equals(size);
    }

    @Override
    public int hashCode() {
        return Objects.hash(EventTimeTumblingWindows.class, size);
    }
}
