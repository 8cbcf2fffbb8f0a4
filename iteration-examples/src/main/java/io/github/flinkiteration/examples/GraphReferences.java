package io.github.flinkiteration.examples;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Plain-Java, one-thread references of the delta-iteration examples on the generated graphs:
 * components by union-find, distances by Dijkstra.
 */
public final class GraphReferences {

    private GraphReferences() {}

    /** For every vertex the smallest vertex id of its component, edges taken as undirected. */
    public static int[] componentLabels(int vertices, long[] edges) {
        int[] parent = new int[vertices];
        for (int v = 0; v < vertices; v++) {
            parent[v] = v;
        }
        for (long edge : edges) {
            int a = root(parent, Graphs.source(edge));
            int b = root(parent, Graphs.target(edge));
            // The smaller id becomes the root, so a root is its component's smallest id.
            if (a < b) {
                parent[b] = a;
            } else if (b < a) {
                parent[a] = b;
            }
        }
        int[] labels = new int[vertices];
        for (int v = 0; v < vertices; v++) {
            labels[v] = root(parent, v);
        }
        return labels;
    }

    private static int root(int[] parent, int v) {
        while (parent[v] != v) {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        return v;
    }

    /**
     * Distances from {@code source} along the directed edges, edge {@code i} weighing {@link
     * Adjacency#weight}; {@code Infinity} where unreachable.
     */
    public static double[] distances(int vertices, long[] edges, int source) {
        int[] start = new int[vertices + 1];
        for (long edge : edges) {
            start[Graphs.source(edge) + 1]++;
        }
        for (int v = 0; v < vertices; v++) {
            start[v + 1] += start[v];
        }
        int[] targets = new int[edges.length];
        double[] weights = new double[edges.length];
        int[] next = Arrays.copyOf(start, vertices);
        for (int i = 0; i < edges.length; i++) {
            int at = next[Graphs.source(edges[i])]++;
            targets[at] = Graphs.target(edges[i]);
            weights[at] = Adjacency.weight(i);
        }
        double[] distance = new double[vertices];
        Arrays.fill(distance, Double.POSITIVE_INFINITY);
        distance[source] = 0;
        PriorityQueue<double[]> queue = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        queue.add(new double[] {0, source});
        while (!queue.isEmpty()) {
            double[] head = queue.poll();
            int v = (int) head[1];
            if (head[0] > distance[v]) {
                continue;
            }
            for (int e = start[v]; e < start[v + 1]; e++) {
                double candidate = head[0] + weights[e];
                if (candidate < distance[targets[e]]) {
                    distance[targets[e]] = candidate;
                    queue.add(new double[] {candidate, targets[e]});
                }
            }
        }
        return distance;
    }

    /** W6's checksum parts: the number of components and the sum of all labels. */
    public static long[] componentChecksum(int[] labels) {
        long components = 0;
        long sum = 0;
        for (int v = 0; v < labels.length; v++) {
            components += labels[v] == v ? 1 : 0;
            sum += labels[v];
        }
        return new long[] {components, sum};
    }

    public static void main(String[] args) {
        int vertices = Arguments.intValue(args, "--vertices", 1_000_000);
        int edges = Arguments.intValue(args, "--edges", 1_000_000);
        long[] checksum =
                componentChecksum(componentLabels(vertices, Graphs.edgeArray(vertices, edges)));
        System.out.println("components " + checksum[0] + ", label sum " + checksum[1]);
    }
}
