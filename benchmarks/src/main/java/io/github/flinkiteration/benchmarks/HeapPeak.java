package io.github.flinkiteration.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The peak heap of a run: the JVM's heap memory pools record their own peak usage, which {@link
 * #reset()} clears when a run starts. The sum of the pools' peaks is an upper bound of the heap in
 * use at any one moment (the young and old pools may peak at different times); it is what a run
 * needed from {@code -Xmx}, garbage not yet collected included.
 */
final class HeapPeak {

    private HeapPeak() {}

    /** Starts a new measurement. */
    static void reset() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** Bytes: the sum of the heap pools' peak usage since the last {@link #reset()}. */
    static long bytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
