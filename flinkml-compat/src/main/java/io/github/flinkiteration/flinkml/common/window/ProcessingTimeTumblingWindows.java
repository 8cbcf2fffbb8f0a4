package io.github.flinkiteration.flinkml.common.window;

import java.time.Duration;
import java.util.Objects;

/**
 * Windows of a fixed length by the clock of the subtask, one after the other.
 *
 * <pre>{@code
 * ProcessingTimeTumblingWindows.of(Duration.ofSeconds(10));
 * }</pre>
 */
public final class ProcessingTimeTumblingWindows implements Windows {

    private static final long serialVersionUID = 1L;

    private final Duration size;

    private ProcessingTimeTumblingWindows(Duration size) {
        this.size = Objects.requireNonNull(size, "size");
        if (size.isNegative() || size.isZero()) {
            throw new IllegalArgumentException(
                    "The size of a window must be positive, not " + size + ".");
        }
    }

    public static ProcessingTimeTumblingWindows of(Duration size) {
        return new ProcessingTimeTumblingWindows(size);
    }

    public Duration getSize() {
        return size;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProcessingTimeTumblingWindows
                && ((ProcessingTimeTumblingWindows) other).size.equals(size);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ProcessingTimeTumblingWindows.class, size);
    }
}
