package io.github.flinkiteration.flinkml.common.window;

/**
 * One window holding the whole (bounded) stream, closed when the stream ends.
 *
 * <pre>{@code
 * DataStreamUtils.windowAllAndProcess(values, GlobalWindows.getInstance(), new SumAll());
 * }</pre>
 */
public final class GlobalWindows implements Windows {

    private static final long serialVersionUID = 1L;
    private static final GlobalWindows INSTANCE = new GlobalWindows();

    private GlobalWindows() {}

    public static GlobalWindows getInstance() {
        return INSTANCE;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GlobalWindows;
    }

    @Override
    public int hashCode() {
        return GlobalWindows.class.hashCode();
    }
}
