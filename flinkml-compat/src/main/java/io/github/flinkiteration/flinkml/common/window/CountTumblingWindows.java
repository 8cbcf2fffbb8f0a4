package io.github.flinkiteration.flinkml.common.window;

/**
 * Windows of a fixed number of records, one after the other. A last window that is not full when
 * the stream ends does not fire, as with Flink's count windows.
 *
 * <pre>{@code
 * CountTumblingWindows.of(100);
 * }</pre>
 */
public final class CountTumblingWindows implements Windows {

    private static final long serialVersionUID = 1L;

    private final long size;

    private CountTumblingWindows(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException(
                    "The size of a count window must be positive, not " + size + ".");
        }
        this.size = size;
    }

    public static CountTumblingWindows of(long size) {
        return new CountTumblingWindows(size);
    }

    public long getSize() {
        return size;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CountTumblingWindows && ((CountTumblingWindows) other).size == size;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size);
    }
}
