package io.github.flinkiteration.tf.runtime;

import org.tensorflow.TensorFlow;

/**
 * Loads TensorFlow's native library once per JVM (per class loader that holds TF Java).
 *
 * <p>Every subtask of every TF operator in a TaskManager shares the library; loading it is slow
 * (the first load on a machine unpacks ~650 MB into JavaCPP's cache, see {@code
 * org.bytedeco.javacpp.cachedir}), so it happens here, once, before the first graph is built.
 */
public final class TensorFlowNative {

    private static volatile String version;

    private TensorFlowNative() {}

    /** Makes sure the native library is loaded; returns TensorFlow's version. */
    public static String ensureLoaded() {
        String loaded = version;
        if (loaded == null) {
            synchronized (TensorFlowNative.class) {
                loaded = version;
                if (loaded == null) {
                    // TensorFlow's static initialiser loads the library; version() forces it.
                    loaded = TensorFlow.version();
                    version = loaded;
                }
            }
        }
        return loaded;
    }
}
