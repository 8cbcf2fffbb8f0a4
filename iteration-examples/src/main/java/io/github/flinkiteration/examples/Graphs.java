package io.github.flinkiteration.examples;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The generated graphs G(n, m) of the graph benchmarks ({@code shared/BENCHMARKS.md}, "Graph
 * data"): vertices {@code 0 .. n - 1}, edge {@code i} from {@code floorMod(draw(2i), n)} to {@code
 * floorMod(draw(2i + 1), n)}, where {@code draw(k)} is the {@code k}-th value of the SplitMix64
 * sequence of seed 42. Each edge depends on its index only, so any subtask can generate any range
 * of edges, and every implementation (ours, the plain-Java reference, the peers') sees one graph.
 *
 * <p>An edge travels as one {@code long}: source in the high 32 bits, target in the low 32.
 *
 * <pre>{@code
 * DataStream<Long> edges = Graphs.edges(env, 1_000_000, 4_000_000);
 * int from = Graphs.source(edge), to = Graphs.target(edge);
 * }</pre>
 */
public final class Graphs {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final long SEED = 42;

    private Graphs() {}

    /** The {@code k}-th draw of the SplitMix64 sequence of seed 42 ({@code k >= 0}). */
    static long draw(long k) {
        long z = SEED + (k + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Edge {@code i} of a graph of {@code n} vertices, packed. */
    public static long edge(long i, int n) {
        long from = Math.floorMod(draw(2 * i), (long) n);
        long to = Math.floorMod(draw(2 * i + 1), (long) n);
        return (from << 32) | to;
    }

    public static int source(long edge) {
        return (int) (edge >>> 32);
    }

    public static int target(long edge) {
        return (int) edge;
    }

    /** The {@code edges} edges of G(vertices, edges) as a bounded stream, generated in parallel. */
    public static DataStream<Long> edges(StreamExecutionEnvironment env, int vertices, long edges) {
        return env.fromSequence(0, edges - 1).map(i -> edge(i, vertices)).name("generate edges");
    }

    /** All edges of G(vertices, edges), in index order, for plain-Java references. */
    public static long[] edgeArray(int vertices, int edges) {
        long[] all = new long[edges];
        for (int i = 0; i < edges; i++) {
            all[i] = edge(i, vertices);
        }
        return all;
    }
}
