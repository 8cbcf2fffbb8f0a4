package io.github.flinkiteration.tf;

import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Test fixtures: SavedModels in the style TensorFlow 2 and Keras export, generated with TF Java at
 * test time. Their weights live in resource variables ({@code VarHandleOp}, read with {@code
 * ReadVariableOp}), their signatures take inputs by name, and one takes strings. The plain-Java
 * formulas next to each model compute what it predicts.
 */
final class Tf2StyleSavedModels {

    /** Classifier: numbers [batch, 3] and text [batch] in, 3 class probabilities out. */
    static final float[] KERNEL = {0.8f, -0.3f, 0.1f, -0.5f, 0.6f, 0.2f, 0.3f, 0.1f, -0.7f};

    static final float[] LENGTH_WEIGHTS = {0.05f, -0.1f, 0.02f};
    static final float[] BIAS = {0.1f, 0f, -0.1f};

    /** The signature key under which a SavedModel names the op that initializes it. */
    private static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

    /** The op TF Java's graph export adds to run all initializers. */
    private static final String INIT_OP = "Init";

    private Tf2StyleSavedModels() {}

    /**
     * Writes the classifier: {@code serving_default(numbers: float[batch, 3], text: string[batch])
     * -> probabilities: float[batch, 3], top_logit: float[batch]}, where logits = numbers · KERNEL
     * + utf8length(text) · LENGTH_WEIGHTS + BIAS; and {@code by_length(text) -> length_score:
     * float[batch]} = utf8length(text) · LENGTH_WEIGHTS[0] + BIAS[0].
     */
    static void writeClassifier(Path directory) throws Exception {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> numbers =
                    tf.withName("numbers")
                            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
            Ops dense = tf.withSubScope("dense");
            Placeholder<TString> text =
                    tf.withName("text").placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
            Operand<TFloat32> kernel = resourceVariable(dense, "kernel", Shape.of(3, 3), KERNEL);
            Operand<TFloat32> lengthWeights =
                    resourceVariable(dense, "length_weights", Shape.of(1, 3), LENGTH_WEIGHTS);
            Operand<TFloat32> bias = resourceVariable(dense, "bias", Shape.of(3), BIAS);
            Operand<TFloat32> lengths =
                    tf.reshape(
                            tf.dtypes.cast(tf.strings.stringLength(text), TFloat32.class),
                            tf.constant(new long[] {-1, 1}));
            Operand<TFloat32> logits =
                    tf.math.add(
                            tf.math.add(
                                    tf.linalg.matMul(numbers, kernel),
                                    tf.linalg.matMul(lengths, lengthWeights)),
                            bias);
            Operand<TFloat32> probabilities = tf.nn.softmax(logits);
            Operand<TFloat32> topLogit = tf.max(logits, tf.constant(1));
            Operand<TFloat32> lengthScore =
                    tf.reshape(
                            tf.math.add(
                                    tf.linalg.matMul(
                                            lengths,
                                            tf.slice(
                                                    lengthWeights,
                                                    tf.constant(new int[] {0, 0}),
                                                    tf.constant(new int[] {1, 1}))),
                                    tf.slice(
                                            bias,
                                            tf.constant(new int[] {0}),
                                            tf.constant(new int[] {1}))),
                            tf.constant(new long[] {-1}));
            Signature serving =
                    Signature.builder()
                            .key("serving_default")
                            .input("numbers", numbers)
                            .input("text", text)
                            .output("probabilities", probabilities)
                            .output("top_logit", topLogit)
                            .build();
            Signature byLength =
                    Signature.builder()
                            .key("by_length")
                            .input("text", text)
                            .output("length_score", lengthScore)
                            .build();
            export(graph, directory, serving, byLength);
        }
    }

    /** The classifier's logits for one row, in plain Java. */
    static double[] classifierLogits(float[] numbers, String text) {
        int length = text.getBytes(StandardCharsets.UTF_8).length;
        double[] logits = new double[3];
        for (int k = 0; k < 3; k++) {
            double z = BIAS[k] + (double) length * LENGTH_WEIGHTS[k];
            for (int j = 0; j < 3; j++) {
                z += (double) numbers[j] * KERNEL[j * 3 + k];
            }
            logits[k] = z;
        }
        return logits;
    }

    /**
     * Writes logistic regression with the variable names of {@link LogisticRegressionDefinition}
     * ({@code weights} [n, 1], {@code bias} [1]) as resource variables set to {@code weights}, and
     * a signature {@code serving_default(features) -> predictions}, but no training signature: what
     * a TensorFlow 2 export of the same model looks like.
     */
    static void writeLogisticRegression(Path directory, ModelWeights weights) throws Exception {
        float[] w = weights.valuesOf(LogisticRegressionDefinition.WEIGHTS);
        float[] b = weights.valuesOf(LogisticRegressionDefinition.BIAS);
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> features =
                    tf.withName("features")
                            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, w.length)));
            Operand<TFloat32> weightsVariable =
                    resourceVariable(
                            tf, LogisticRegressionDefinition.WEIGHTS, Shape.of(w.length, 1), w);
            Operand<TFloat32> biasVariable =
                    resourceVariable(tf, LogisticRegressionDefinition.BIAS, Shape.of(1), b);
            Operand<TFloat32> predictions =
                    tf.math.sigmoid(
                            tf.math.add(tf.linalg.matMul(features, weightsVariable), biasVariable));
            export(
                    graph,
                    directory,
                    Signature.builder()
                            .key("serving_default")
                            .input("features", features)
                            .output("predictions", predictions)
                            .build());
        }
    }

    /**
     * A float resource variable named {@code name} (in {@code tf}'s name scope) holding {@code
     * values}, as TF 2 creates them: a {@code VarHandleOp} set by an initializer, read by {@code
     * ReadVariableOp}.
     */
    private static Operand<TFloat32> resourceVariable(
            Ops tf, String name, Shape shape, float[] values) {
        Ops init = tf.withInitScope();
        VarHandleOp handle =
                init.withName(name)
                        .varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(name));
        init.assignVariableOp(handle, init.constant(shape, DataBuffers.of(values, true, false)));
        return tf.readVariableOp(handle, TFloat32.class);
    }

    /**
     * Exports with TF Java, then names the graph's initializer op in the signature TensorFlow 2
     * exports use for it ({@value #INIT_OP_SIGNATURE}): TF Java's exporter saves reference
     * variables only, so the resource variables get their values from the initializer, which the
     * loader runs through that signature.
     */
    private static void export(Graph graph, Path directory, Signature... signatures)
            throws Exception {
        try (Session session = new Session(graph)) {
            session.initialize();
            SavedModelBundle.exporter(directory.toString())
                    .withSession(session)
                    .withSignatures(signatures)
                    .export();
        }
        Path file = directory.resolve("saved_model.pb");
        SavedModel.Builder model;
        try (InputStream in = Files.newInputStream(file)) {
            model = SavedModel.parseFrom(in).toBuilder();
        }
        model.getMetaGraphsBuilder(0)
                .putSignatureDef(
                        INIT_OP_SIGNATURE,
                        SignatureDef.newBuilder()
                                .putOutputs(
                                        INIT_OP_SIGNATURE,
                                        TensorInfo.newBuilder().setName(INIT_OP).build())
                                .build());
        try (OutputStream out = Files.newOutputStream(file)) {
            model.build().writeTo(out);
        }
    }
}
