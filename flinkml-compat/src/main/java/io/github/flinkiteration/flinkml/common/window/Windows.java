package io.github.flinkiteration.flinkml.common.window;

import java.io.Serializable;

/**
 * How {@code DataStreamUtils.windowAllAndProcess} slices a stream into windows; one of the classes
 * of this package.
 *
 * <pre>{@code
 * Windows batches = CountTumblingWindows.of(100);
 * }</pre>
 */
public interface Windows extends Serializable {}
