package io.github.flinkiteration.tf.runtime;

import io.github.flinkiteration.tf.model.ModelBuilder;
import io.github.flinkiteration.tf.model.ModelGraph;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.params.OptimizerType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * One model's TF graph and session: trains on mini-batches, predicts, reads and writes all its
 * variables, exports a SavedModel. Each subtask owns one, opened in {@code open} and closed in
 * {@code close}; it is not thread-safe. Every tensor and result it creates is closed before a
 * method returns (they hold native memory).
 */
public final class ModelSession implements AutoCloseable {

    /** Reference variables: the kind TF Java's {@code Ops#variable} and its optimizers create. */
    private static final String VARIABLE_OP = "VariableV2";

    /** Prefix of the ops this class adds to write variables; unlikely in any user's graph. */
    private static final String ASSIGN_SCOPE = "flinkiteration_assign";

    private final SavedModelBundle bundle;
    private final Graph graph;
    private final Session session;
    private final int numFeatures;
    private final Output<TFloat32> features;
    private final Output<TFloat32> labels;
    private final Output<TFloat32> trainingLoss;
    private final Output<TFloat32> servingFeatures;
    private final Output<TFloat32> predictions;
    private final List<VariableHandle> variables;

    private ModelSession(
            SavedModelBundle bundle,
            Graph graph,
            Session session,
            int numFeatures,
            Output<TFloat32> features,
            Output<TFloat32> labels,
            Output<TFloat32> trainingLoss,
            Output<TFloat32> servingFeatures,
            Output<TFloat32> predictions) {
        this.bundle = bundle;
        this.graph = graph;
        this.session = session;
        this.numFeatures = numFeatures;
        this.features = features;
        this.labels = labels;
        this.trainingLoss = trainingLoss;
        this.servingFeatures = servingFeatures;
        this.predictions = predictions;
        this.variables = findVariables(graph);
    }

    /**
     * Builds or loads the model of {@code source} for {@code numFeatures} features. For a Java
     * definition the train op uses {@code optimizer} with {@code learningRate}; a SavedModel trains
     * with the optimizer its training signature was exported with.
     */
    public static ModelSession open(
            ModelSource source, int numFeatures, OptimizerType optimizer, float learningRate) {
        TensorFlowNative.ensureLoaded();
        return source.definition() != null
                ? build(source, numFeatures, optimizer, learningRate)
                : load(source.savedModel(), numFeatures, true);
    }

    /**
     * Builds or loads the model of {@code source} for prediction only: a Java definition gets no
     * train op (so no optimizer variables), a SavedModel needs only its serving signature. Write
     * weights with {@link #writeWeightsByName}, which ignores the optimizer's variables a trained
     * model carries.
     */
    public static ModelSession openForInference(ModelSource source, int numFeatures) {
        TensorFlowNative.ensureLoaded();
        return source.definition() != null
                ? build(source, numFeatures, null, 0)
                : load(source.savedModel(), numFeatures, false);
    }

    /** With {@code optimizer == null}: no train op, for inference. */
    private static ModelSession build(
            ModelSource source, int numFeatures, OptimizerType optimizer, float learningRate) {
        Graph graph = new Graph();
        Session session = null;
        try {
            Ops tf = Ops.create(graph);
            ModelBuilder builder = new ModelBuilder(tf, numFeatures);
            ModelGraph model = source.definition().build(builder);
            if (model == null) {
                throw new IllegalArgumentException(
                        "model definition " + source + " returned no ModelGraph from build()");
            }
            Output<TFloat32> trainingLoss = null;
            if (optimizer != null) {
                Operation train = optimizer.create(graph, learningRate).minimize(model.loss()).op();
                // The loss fetched for training runs after the optimizer step in the same session
                // call, and carries the value computed before that step.
                trainingLoss =
                        tf.withName("training_loss")
                                .withControlDependencies(List.of(() -> train))
                                .identity(model.loss())
                                .asOutput();
            }
            session = new Session(graph, sessionConfig());
            session.initialize();
            return new ModelSession(
                    null,
                    graph,
                    session,
                    numFeatures,
                    builder.features().asOutput(),
                    builder.labels().asOutput(),
                    trainingLoss,
                    builder.features().asOutput(),
                    model.predictions().asOutput());
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw e;
        }
    }

    /** With {@code forTraining == false} only the serving signature must exist. */
    private static ModelSession load(
            SavedModelDefinition saved, int numFeatures, boolean forTraining) {
        if (!Files.isRegularFile(Path.of(saved.directory(), "saved_model.pb"))) {
            throw new IllegalArgumentException(
                    "no SavedModel in "
                            + saved.directory()
                            + " (saved_model.pb is missing); give the directory a TFEstimator"
                            + " exported, or one with the same signatures");
        }
        SavedModelBundle bundle =
                SavedModelBundle.loader(saved.directory())
                        .withTags(SavedModelBundle.DEFAULT_TAG)
                        .withConfigProto(sessionConfig())
                        .load();
        try {
            Signature serving = signature(bundle, saved.servingSignature(), saved);
            Signature train =
                    forTraining || hasSignature(bundle, saved.trainSignature())
                            ? signature(bundle, saved.trainSignature(), saved)
                            : null;
            Graph graph = bundle.graph();
            Output<TFloat32> servingFeatures =
                    tensor(graph, serving, true, SavedModelDefinition.FEATURES);
            Output<TFloat32> features =
                    train != null
                            ? tensor(graph, train, true, SavedModelDefinition.FEATURES)
                            : servingFeatures;
            Shape featureShape = features.shape();
            if (featureShape.numDimensions() != 2 || featureShape.get(1) != numFeatures) {
                throw new IllegalArgumentException(
                        "the SavedModel in "
                                + saved.directory()
                                + " takes features of shape "
                                + featureShape
                                + ", but the input columns give "
                                + numFeatures
                                + " features per row");
            }
            return new ModelSession(
                    bundle,
                    graph,
                    bundle.session(),
                    numFeatures,
                    features,
                    train != null ? tensor(graph, train, true, SavedModelDefinition.LABELS) : null,
                    train != null ? tensor(graph, train, false, SavedModelDefinition.LOSS) : null,
                    servingFeatures,
                    tensor(graph, serving, false, SavedModelDefinition.PREDICTIONS));
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static boolean hasSignature(SavedModelBundle bundle, String key) {
        return bundle.signatures().stream().anyMatch(s -> s.key().equals(key));
    }

    private static Signature signature(
            SavedModelBundle bundle, String key, SavedModelDefinition saved) {
        for (Signature signature : bundle.signatures()) {
            if (signature.key().equals(key)) {
                return signature;
            }
        }
        List<String> keys = new ArrayList<>();
        bundle.signatures().forEach(s -> keys.add(s.key()));
        throw new IllegalArgumentException(
                "the SavedModel in "
                        + saved.directory()
                        + " has no signature "
                        + key
                        + " (it has "
                        + keys
                        + "); see SavedModelDefinition for the signatures a training needs");
    }

    private static Output<TFloat32> tensor(
            Graph graph, Signature signature, boolean input, String name) {
        Map<String, Signature.TensorDescription> tensors =
                input ? signature.getInputs() : signature.getOutputs();
        Signature.TensorDescription description = tensors.get(name);
        if (description == null) {
            throw new IllegalArgumentException(
                    "signature "
                            + signature.key()
                            + " has no "
                            + (input ? "input " : "output ")
                            + name
                            + " (it has "
                            + tensors.keySet()
                            + ")");
        }
        if (description.dataType != DataType.DT_FLOAT) {
            throw new IllegalArgumentException(
                    "signature "
                            + signature.key()
                            + ": "
                            + name
                            + " must be float, it is "
                            + description.dataType);
        }
        return graph.outputOrThrow(description.name).expect(TFloat32.class);
    }

    /** One thread per session: a TaskManager runs one session per slot, side by side. */
    private static ConfigProto sessionConfig() {
        return ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(1)
                .setInterOpParallelismThreads(1)
                .build();
    }

    private static List<VariableHandle> findVariables(Graph graph) {
        List<GraphOperation> found = new ArrayList<>();
        Iterator<GraphOperation> operations = graph.operations();
        while (operations.hasNext()) {
            GraphOperation operation = operations.next();
            if (operation.type().equals("VarHandleOp")) {
                throw new IllegalArgumentException(
                        "the model has a resource variable ("
                                + operation.name()
                                + "); only reference variables (VariableV2), as TF Java and"
                                + " TFEstimator exports create them, are supported");
            }
            if (operation.type().equals(VARIABLE_OP)) {
                if (operation.attributes().getAttrType("dtype") != DataType.DT_FLOAT) {
                    throw new IllegalArgumentException(
                            "variable "
                                    + operation.name()
                                    + " is "
                                    + operation.attributes().getAttrType("dtype")
                                    + "; only float variables are supported");
                }
                found.add(operation);
            }
        }
        // Graph iteration order is TF's; a stable order lets weights travel as plain arrays.
        found.sort(Comparator.comparing(GraphOperation::name));
        Ops tf = Ops.create(graph);
        List<VariableHandle> handles = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            GraphOperation variable = found.get(i);
            Shape shape = variable.attributes().getAttrShape("shape");
            String valueName = ASSIGN_SCOPE + "_value_" + i;
            String assignName = ASSIGN_SCOPE + "_assign_" + i;
            Output<TFloat32> value;
            Operation assign;
            GraphOperation exported = graph.operation(assignName);
            if (exported != null) {
                // A SavedModel exported by this class carries the assign ops already.
                if (!exported.input(0).op().name().equals(variable.name())) {
                    throw new IllegalArgumentException(
                            "the graph has an op "
                                    + assignName
                                    + " that does not write "
                                    + variable.name()
                                    + "; rename it");
                }
                value = graph.operationOrThrow(valueName).output(0).expect(TFloat32.class);
                assign = exported;
            } else {
                value =
                        tf.withName(valueName)
                                .placeholder(TFloat32.class, Placeholder.shape(shape))
                                .asOutput();
                assign =
                        graph.opBuilder("Assign", assignName, graph.baseScope())
                                .addInput(variable.output(0))
                                .addInput(value)
                                .build();
            }
            handles.add(
                    new VariableHandle(
                            variable.name(), shape.asArray(), variable.output(0), value, assign));
        }
        return handles;
    }

    public int numFeatures() {
        return numFeatures;
    }

    /**
     * Runs one optimizer step on {@code rows} rows ({@code features}: rows × numFeatures,
     * row-major; {@code labels}: rows) and returns the batch's loss before the step.
     */
    public float trainBatch(float[] features, float[] labels, int rows) {
        if (trainingLoss == null) {
            throw new IllegalStateException("this session was opened for inference only");
        }
        try (TFloat32 x =
                        TFloat32.tensorOf(
                                Shape.of(rows, numFeatures),
                                DataBuffers.of(features, true, false)
                                        .narrow((long) rows * numFeatures));
                TFloat32 y =
                        TFloat32.tensorOf(
                                Shape.of(rows, 1),
                                DataBuffers.of(labels, true, false).narrow(rows));
                Result result =
                        session.runner()
                                .feed(this.features, x)
                                .feed(this.labels, y)
                                .fetch(trainingLoss)
                                .run()) {
            return ((TFloat32) result.get(0)).getFloat();
        }
    }

    /** The model's predictions for {@code rows} rows: one value per row (the first output). */
    public float[] predict(float[] features, int rows) {
        return predict(features, rows, 1);
    }

    /**
     * The number of values the model predicts per row, from the static shape of its prediction
     * output: 1 for a vector, the second dimension for a matrix, -1 when the graph does not say.
     */
    public int predictionWidth() {
        Shape shape = predictions.shape();
        if (shape.isUnknown() || shape.numDimensions() <= 1) {
            return shape.isUnknown() ? -1 : 1;
        }
        long width = shape.get(shape.numDimensions() - 1);
        return width < 0 ? -1 : (int) width;
    }

    /**
     * The model's predictions for {@code rows} rows, the first {@code columns} values of each row's
     * prediction, row-major ({@code rows × columns}).
     */
    public float[] predict(float[] features, int rows, int columns) {
        try (TFloat32 x =
                        TFloat32.tensorOf(
                                Shape.of(rows, numFeatures),
                                DataBuffers.of(features, true, false)
                                        .narrow((long) rows * numFeatures));
                Result result =
                        session.runner().feed(servingFeatures, x).fetch(predictions).run()) {
            TFloat32 out = (TFloat32) result.get(0);
            float[] values = new float[(int) out.shape().size()];
            out.copyTo(DataBuffers.of(values, false, false));
            int width = values.length / Math.max(rows, 1);
            if (rows > 0 && width < columns) {
                throw new IllegalStateException(
                        "the model predicts "
                                + width
                                + " value(s) per row, but "
                                + columns
                                + " output columns are configured; configure at most "
                                + width);
            }
            float[] selected = new float[rows * columns];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(values, r * width, selected, r * columns, columns);
            }
            return selected;
        }
    }

    /** The current values of all variables (model and optimizer state), by name. */
    public ModelWeights readWeights() {
        Session.Runner runner = session.runner();
        for (VariableHandle variable : variables) {
            runner.fetch(variable.output);
        }
        String[] names = new String[variables.size()];
        long[][] shapes = new long[variables.size()][];
        float[][] values = new float[variables.size()][];
        try (Result result = runner.run()) {
            for (int i = 0; i < variables.size(); i++) {
                VariableHandle variable = variables.get(i);
                names[i] = variable.name;
                shapes[i] = variable.shape.clone();
                values[i] = new float[(int) Shape.of(variable.shape).size()];
                ((TFloat32) result.get(i)).copyTo(DataBuffers.of(values[i], false, false));
            }
        }
        return new ModelWeights(names, shapes, values);
    }

    /** Sets all variables to {@code weights}, which must have this model's layout. */
    public void writeWeights(ModelWeights weights) {
        checkLayout(weights);
        assign(weights, IntStream.range(0, variables.size()).toArray());
    }

    /**
     * Sets every variable of this session to the values of the variable of the same name in {@code
     * weights}; variables only {@code weights} has (an optimizer's, when this session was opened
     * for inference) are ignored.
     */
    public void writeWeightsByName(ModelWeights weights) {
        assign(weights, matchByName(weights));
    }

    /** Sets variable {@code i} to {@code weights.values[sources[i]]}, all in one session run. */
    private void assign(ModelWeights weights, int[] sources) {
        List<TFloat32> tensors = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (int i = 0; i < variables.size(); i++) {
                VariableHandle variable = variables.get(i);
                TFloat32 tensor =
                        TFloat32.tensorOf(
                                Shape.of(variable.shape),
                                DataBuffers.of(weights.values[sources[i]], true, false));
                tensors.add(tensor);
                runner.feed(variable.value, tensor).addTarget(variable.assign);
            }
            runner.run().close();
        } finally {
            tensors.forEach(TFloat32::close);
        }
    }

    /**
     * For each of this session's variables, the index of the variable with its name in {@code
     * weights}; fails naming the first variable that is missing or has another shape.
     */
    public int[] matchByName(ModelWeights weights) {
        int[] sources = new int[variables.size()];
        for (int i = 0; i < sources.length; i++) {
            VariableHandle variable = variables.get(i);
            int source = weights.indexOf(variable.name);
            if (source < 0) {
                throw new IllegalArgumentException(
                        "the weights have no variable "
                                + variable.name
                                + " of the model (they have "
                                + weights
                                + ")");
            }
            if (!Arrays.equals(weights.shapes[source], variable.shape)) {
                throw new IllegalArgumentException(
                        "variable "
                                + variable.name
                                + " has shape "
                                + Arrays.toString(variable.shape)
                                + " in the model but "
                                + Arrays.toString(weights.shapes[source])
                                + " in the weights");
            }
            sources[i] = source;
        }
        return sources;
    }

    /** Fails with a message naming the difference when {@code weights} do not fit this model. */
    public void checkLayout(ModelWeights weights) {
        ModelWeights own = layout();
        if (!own.hasLayoutOf(weights)) {
            throw new IllegalArgumentException(
                    "the weights do not fit the model: the model has "
                            + own
                            + ", the weights "
                            + weights);
        }
    }

    private ModelWeights layout() {
        String[] names = new String[variables.size()];
        long[][] shapes = new long[variables.size()][];
        float[][] values = new float[variables.size()][];
        for (int i = 0; i < variables.size(); i++) {
            names[i] = variables.get(i).name;
            shapes[i] = variables.get(i).shape;
            values[i] = new float[(int) Shape.of(shapes[i]).size()];
        }
        return new ModelWeights(names, shapes, values);
    }

    /**
     * Writes the model with its current variables as a SavedModel into {@code directory} (which
     * must not exist yet), with the serving and training signatures {@link SavedModelDefinition}
     * describes.
     */
    public void exportSavedModel(Path directory) throws IOException {
        if (trainingLoss == null) {
            throw new IllegalStateException("this session was opened for inference only");
        }
        Signature serving =
                Signature.builder()
                        .key(SavedModelDefinition.DEFAULT_SERVING_SIGNATURE)
                        .input(SavedModelDefinition.FEATURES, servingFeatures)
                        .output(SavedModelDefinition.PREDICTIONS, predictions)
                        .build();
        Signature train =
                Signature.builder()
                        .key(SavedModelDefinition.DEFAULT_TRAIN_SIGNATURE)
                        .input(SavedModelDefinition.FEATURES, features)
                        .input(SavedModelDefinition.LABELS, labels)
                        .output(SavedModelDefinition.LOSS, trainingLoss)
                        .build();
        SavedModelBundle.exporter(directory.toString())
                .withSession(session)
                .withSignatures(serving, train)
                .export();
    }

    @Override
    public void close() {
        if (bundle != null) {
            bundle.close(); // closes its session and graph
        } else {
            session.close();
            graph.close();
        }
    }

    /** A variable with the placeholder and assign op that write it. */
    private static final class VariableHandle {
        final String name;
        final long[] shape;
        final Output<?> output;
        final Operand<TFloat32> value;
        final Operation assign;

        VariableHandle(
                String name,
                long[] shape,
                Output<?> output,
                Operand<TFloat32> value,
                Operation assign) {
            this.name = name;
            this.shape = shape;
            this.output = output;
            this.value = value;
            this.assign = assign;
        }
    }
}
