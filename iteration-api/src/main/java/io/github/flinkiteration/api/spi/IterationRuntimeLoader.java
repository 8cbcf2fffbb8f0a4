package io.github.flinkiteration.api.spi;

import java.util.Iterator;
import java.util.ServiceLoader;

/** Finds the {@link IterationRuntime} on the classpath. */
public final class IterationRuntimeLoader {

    private IterationRuntimeLoader() {}

    /**
     * Returns the runtime found through {@link ServiceLoader}.
     *
     * @throws IllegalStateException if {@code iteration-runtime} is not on the classpath
     */
    public static IterationRuntime load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = IterationRuntimeLoader.class.getClassLoader();
        }
        Iterator<IterationRuntime> found =
                ServiceLoader.load(IterationRuntime.class, loader).iterator();
        if (!found.hasNext()) {
            found =
                    ServiceLoader.load(
                                    IterationRuntime.class,
                                    IterationRuntimeLoader.class.getClassLoader())
                            .iterator();
        }
        if (!found.hasNext()) {
            throw new IllegalStateException(
                    "No iteration runtime found on the classpath. Add the dependency"
                            + " io.github.flinkiteration:iteration-runtime to your job.");
        }
        return found.next();
    }
}
