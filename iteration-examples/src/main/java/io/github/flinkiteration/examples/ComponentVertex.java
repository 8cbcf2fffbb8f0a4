package io.github.flinkiteration.examples;

/**
 * A vertex in the connected-components solution set: its id, its current label and its neighbours.
 * Plain int fields rather than a tuple of Integers: changing a label then writes an int into the
 * object the heap state holds, instead of pointing a long-lived object at a fresh Integer, which
 * the garbage collector would have to track for every update.
 */
public class ComponentVertex {

    public int vertex;
    public int label;
    public int[] neighbours;

    public ComponentVertex() {}

    public ComponentVertex(int vertex, int label, int[] neighbours) {
        this.vertex = vertex;
        this.label = label;
        this.neighbours = neighbours;
    }
}
