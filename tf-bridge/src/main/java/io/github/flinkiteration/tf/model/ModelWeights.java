package io.github.flinkiteration.tf.model;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The values of a model's variables: names, shapes and row-major {@code float} values, in the
 * model's variable order. This is what travels between the subtasks of a training and what a
 * trained {@code TFModel} carries; it is a Flink POJO (public fields, no-argument constructor).
 *
 * <pre>{@code
 * ModelWeights w = ...;
 * w.writeTo(Path.of("/models/lr.weights"));     // a warm-start file for a later training
 * ModelWeights again = ModelWeights.readFrom(Path.of("/models/lr.weights"));
 * }</pre>
 */
public class ModelWeights {

    private static final int FILE_MAGIC = 0x54465731; // "TFW1"

    /** The variables' names in the graph. */
    public String[] names;

    /** Each variable's shape. */
    public long[][] shapes;

    /** Each variable's values, row-major. */
    public float[][] values;

    /** For Flink's POJO serializer. */
    public ModelWeights() {}

    public ModelWeights(String[] names, long[][] shapes, float[][] values) {
        if (names.length != shapes.length || names.length != values.length) {
            throw new IllegalArgumentException(
                    "names, shapes and values must have one entry per variable");
        }
        for (int i = 0; i < names.length; i++) {
            if (elementCount(shapes[i]) != values[i].length) {
                throw new IllegalArgumentException(
                        "variable "
                                + names[i]
                                + " has shape "
                                + Arrays.toString(shapes[i])
                                + " but "
                                + values[i].length
                                + " values");
            }
        }
        this.names = names;
        this.shapes = shapes;
        this.values = values;
    }

    /** The number of variables. */
    public int size() {
        return names.length;
    }

    /** The index of variable {@code name}, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The values of variable {@code name}. */
    public float[] valuesOf(String name) {
        int index = indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException(
                    "no variable " + name + "; variables: " + Arrays.toString(names));
        }
        return values[index];
    }

    /** Whether {@code other} has the same variables (names and shapes, in the same order). */
    public boolean hasLayoutOf(ModelWeights other) {
        return Arrays.equals(names, other.names) && Arrays.deepEquals(shapes, other.shapes);
    }

    /** A deep copy. */
    public ModelWeights copy() {
        float[][] copied = new float[values.length][];
        for (int i = 0; i < values.length; i++) {
            copied[i] = values[i].clone();
        }
        long[][] copiedShapes = new long[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            copiedShapes[i] = shapes[i].clone();
        }
        return new ModelWeights(names.clone(), copiedShapes, copied);
    }

    /** Writes these weights to {@code file} (replacing it), readable by {@link #readFrom}. */
    public void writeTo(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(new DataOutputStream(out));
        }
    }

    /** Reads weights written by {@link #writeTo}. */
    public static ModelWeights readFrom(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(new DataInputStream(in), file.toString());
        }
    }

    private void write(DataOutputStream out) throws IOException {
        out.writeInt(FILE_MAGIC);
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            out.writeUTF(names[i]);
            out.writeInt(shapes[i].length);
            for (long dimension : shapes[i]) {
                out.writeLong(dimension);
            }
            out.writeInt(values[i].length);
            for (float value : values[i]) {
                out.writeFloat(value);
            }
        }
        out.flush();
    }

    private static ModelWeights read(DataInputStream in, String source) throws IOException {
        if (in.readInt() != FILE_MAGIC) {
            throw new IOException(
                    source + " is not a weights file written by ModelWeights#writeTo");
        }
        int count = in.readInt();
        String[] names = new String[count];
        long[][] shapes = new long[count][];
        float[][] values = new float[count][];
        for (int i = 0; i < count; i++) {
            names[i] = in.readUTF();
            shapes[i] = new long[in.readInt()];
            for (int d = 0; d < shapes[i].length; d++) {
                shapes[i][d] = in.readLong();
            }
            values[i] = new float[in.readInt()];
            for (int v = 0; v < values[i].length; v++) {
                values[i][v] = in.readFloat();
            }
        }
        return new ModelWeights(names, shapes, values);
    }

    static long elementCount(long[] shape) {
        long count = 1;
        for (long dimension : shape) {
            count *= dimension;
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ModelWeights)) {
            return false;
        }
        ModelWeights other = (ModelWeights) o;
        return hasLayoutOf(other) && Arrays.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(names), Arrays.deepHashCode(values));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ModelWeights{");
        for (int i = 0; i < names.length; i++) {
            text.append(i == 0 ? "" : ", ").append(names[i]).append(Arrays.toString(shapes[i]));
        }
        return text.append('}').toString();
    }
}
