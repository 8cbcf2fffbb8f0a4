package io.github.flinkiteration.examples;

/**
 * PageRank in plain Java, one thread: the reference {@link PageRank} is checked against. Ranks
 * start at {@code 1/n}; each round {@code rank'(v) = 0.15/n + 0.85 (sum over edges u -> v of
 * rank(u)/outdeg(u) + D/n)}, with {@code D} the summed rank of the vertices without out-edges.
 */
public final class PageRankReference {

    private PageRankReference() {}

    /** The ranks after {@code rounds} rounds on the given edges (packed as in {@link Graphs}). */
    public static double[] ranks(int vertices, long[] edges, int rounds) {
        int[] outDegree = new int[vertices];
        for (long edge : edges) {
            outDegree[Graphs.source(edge)]++;
        }
        double[] rank = new double[vertices];
        java.util.Arrays.fill(rank, 1.0 / vertices);
        double[] incoming = new double[vertices];
        for (int round = 0; round < rounds; round++) {
            double dangling = 0;
            for (int v = 0; v < vertices; v++) {
                if (outDegree[v] == 0) {
                    dangling += rank[v];
                }
            }
            java.util.Arrays.fill(incoming, 0);
            for (long edge : edges) {
                int from = Graphs.source(edge);
                incoming[Graphs.target(edge)] += rank[from] / outDegree[from];
            }
            for (int v = 0; v < vertices; v++) {
                rank[v] =
                        PageRank.TELEPORT / vertices
                                + PageRank.DAMPING * (incoming[v] + dangling / vertices);
            }
        }
        return rank;
    }

    /** The benchmark's checksum: the sum of {@code rank(v) * (v mod 1000)}. */
    public static double checksum(double[] ranks) {
        double sum = 0;
        for (int v = 0; v < ranks.length; v++) {
            sum += ranks[v] * (v % 1000);
        }
        return sum;
    }

    public static void main(String[] args) {
        int vertices = Arguments.intValue(args, "--vertices", 1_000_000);
        int edges = Arguments.intValue(args, "--edges", 4_000_000);
        int rounds = Arguments.intValue(args, "--rounds", 20);
        long start = System.nanoTime();
        double[] ranks = ranks(vertices, Graphs.edgeArray(vertices, edges), rounds);
        System.out.printf(
                java.util.Locale.ROOT,
                "checksum %.11f after %d rounds, %d ms%n",
                checksum(ranks),
                rounds,
                (System.nanoTime() - start) / 1_000_000);
    }
}
