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
import java.util.Set;
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
import org.tensorflow.Tensor;
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

    /** Resource variables: the kind TensorFlow 2 and Keras create and export. */
    private static final String RESOURCE_VARIABLE_OP = "VarHandleOp";

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

    /**
     * The serving signature when its tensors are fed and fetched by name (a SavedModel whose
     * signature is not {@code features -> predictions}); {@code null} otherwise.
     */
    private final Signature namedSignature;

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
            Output<TFloat32> predictions,
            Signature namedSignature) {
        this.bundle = bundle;
        this.graph = graph;
        this.session = session;
        this.numFeatures = numFeatures;
        this.features = features;
        this.labels = labels;
        this.trainingLoss = trainingLoss;
        this.servingFeatures = servingFeatures;
        this.predictions = predictions;
        this.namedSignature = namedSignature;
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
     * Builds or loads the model of {@code source} for prediction only (a SavedModel with {@code
     * numFeatures < 0}: as many features as it takes, see {@link #numFeatures()}): a Java
     * definition gets no train op (so no optimizer variables), a SavedModel needs only its serving
     * signature. Write weights with {@link #writeWeightsByName}, which ignores the optimizer's
     * variables a trained model carries.
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
                    model.predictions().asOutput(),
                    null);
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            throw e;
        }
    }

    /**
     * With {@code forTraining == false} only the serving signature must exist; it is then either of
     * the form {@code features -> predictions} (the columns are assembled into one feature matrix)
     * or any other, whose inputs and outputs are fed and fetched by name ({@link
     * #namedSignature()}).
     */
    private static ModelSession load(
            SavedModelDefinition saved, int numFeatures, boolean forTraining) {
        SavedModelBundle bundle = loadBundle(saved);
        try {
            Graph graph = bundle.graph();
            if (forTraining) {
                List<String> resources = resourceVariables(graph);
                if (!resources.isEmpty()) {
                    throw new IllegalArgumentException(
                            resourceVariablesCannotTrain(saved, resources));
                }
            }
            Signature serving = signature(bundle, saved.servingSignature(), saved);
            if (!forTraining && !isFeaturesToPredictions(serving)) {
                return new ModelSession(
                        bundle, graph, bundle.session(), 0, null, null, null, null, null, serving);
            }
            Signature train =
                    forTraining || hasSignature(bundle, saved.trainSignature())
                            ? signature(bundle, saved.trainSignature(), saved)
                            : null;
            Output<TFloat32> servingFeatures =
                    tensor(graph, serving, true, SavedModelDefinition.FEATURES);
            Output<TFloat32> features =
                    train != null
                            ? tensor(graph, train, true, SavedModelDefinition.FEATURES)
                            : servingFeatures;
            Shape featureShape = features.shape();
            if (numFeatures < 0 && featureShape.numDimensions() == 2 && featureShape.get(1) > 0) {
                numFeatures = (int) featureShape.get(1); // the caller takes what the model takes
            }
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
                    tensor(graph, serving, false, SavedModelDefinition.PREDICTIONS),
                    null);
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static SavedModelBundle loadBundle(SavedModelDefinition saved) {
        if (!Files.isRegularFile(Path.of(saved.directory(), "saved_model.pb"))) {
            throw new IllegalArgumentException(
                    "no SavedModel in "
                            + saved.directory()
                            + " (saved_model.pb is missing); give the directory a TFEstimator"
                            + " exported, or one with the same signatures");
        }
        return SavedModelBundle.loader(saved.directory())
                .withTags(SavedModelBundle.DEFAULT_TAG)
                .withConfigProto(sessionConfig())
                .load();
    }

    /**
     * The float variables of the SavedModel in {@code directory}, reference or resource ones, by
     * name, without needing any signature: what a warm start reads.
     */
    public static ModelWeights readSavedModelWeights(String directory) {
        TensorFlowNative.ensureLoaded();
        SavedModelDefinition saved = new SavedModelDefinition(directory);
        SavedModelBundle bundle = loadBundle(saved);
        try {
            ModelSession session =
                    new ModelSession(
                            bundle,
                            bundle.graph(),
                            bundle.session(),
                            0,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null);
            try (session) {
                return session.readWeights();
            }
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** The serving signature of the form TFEstimator exports: one input, features. */
    private static boolean isFeaturesToPredictions(Signature serving) {
        return serving.getInputs().keySet().equals(Set.of(SavedModelDefinition.FEATURES))
                && serving.getOutputs().containsKey(SavedModelDefinition.PREDICTIONS);
    }

    private static List<String> resourceVariables(Graph graph) {
        List<String> names = new ArrayList<>();
        Iterator<GraphOperation> operations = graph.operations();
        while (operations.hasNext()) {
            GraphOperation operation = operations.next();
            if (operation.type().equals(RESOURCE_VARIABLE_OP)) {
                names.add(operation.name());
            }
        }
        names.sort(null);
        return names;
    }

    private static String resourceVariablesCannotTrain(
            SavedModelDefinition saved, List<String> resources) {
        return "the SavedModel in "
                + saved.directory()
                + " keeps its weights in resource variables ("
                + String.join(", ", resources.subList(0, Math.min(3, resources.size())))
                + (resources.size() > 3 ? ", ..." : "")
                + "), as TensorFlow 2 and Keras export them; TF Java trains only graphs with"
                + " reference variables (VariableV2), as a TFModelDefinition or a TFEstimator"
                + " export has them. Supported for this SavedModel: inference"
                + " (TFModel.fromSavedModel, through its serving_default or a named signature),"
                + " and a warm start (setWarmStartPath) of a TFModelDefinition whose variables have"
                + " the same names and shapes";
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

    /**
     * Every session runs its ops in the thread that calls it (a subtask's own thread), one op at a
     * time: a TaskManager runs one session per slot, side by side, and each slot has its core.
     *
     * <p>Why not one inter-op thread: TensorFlow keeps a single inter-op pool per process, sized by
     * the first session, and unless a session asks for threads of its own every session of the JVM
     * runs its ops there; with one thread, the sessions of all slots took turns on it, so two
     * trainers trained no faster than one (benchmarks W5, {@code docs/benchmarks.md}), and each
     * step also handed its ops to that thread and back. A negative inter-op count makes TF run a
     * step's ops inline in the caller's thread. The intra-op pool, for the work inside one op, is
     * also one per process: one thread, so that ops split no work and run inline too.
     */
    static ConfigProto sessionConfig() {
        return ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(1)
                .setInterOpParallelismThreads(-1)
                .build();
    }

    /**
     * The graph's float variables, sorted by name, each with the ops that read and write it. Both
     * kinds count: reference variables ({@code VariableV2}) and resource variables ({@code
     * VarHandleOp}, TensorFlow 2's). Resource variables of other types (step counters and the like)
     * are not weights and are left alone; a reference variable of another type is an error.
     */
    private static List<VariableHandle> findVariables(Graph graph) {
        List<GraphOperation> found = new ArrayList<>();
        Iterator<GraphOperation> operations = graph.operations();
        while (operations.hasNext()) {
            GraphOperation operation = operations.next();
            boolean resource = operation.type().equals(RESOURCE_VARIABLE_OP);
            if (!resource && !operation.type().equals(VARIABLE_OP)) {
                continue;
            }
            if (operation.attributes().getAttrType("dtype") == DataType.DT_FLOAT) {
                found.add(operation);
            } else if (!resource) {
                throw new IllegalArgumentException(
                        "variable "
                                + operation.name()
                                + " is "
                                + operation.attributes().getAttrType("dtype")
                                + "; only float variables are supported");
            }
        }
        // Graph iteration order is TF's; a stable order lets weights travel as plain arrays.
        found.sort(Comparator.comparing(GraphOperation::name));
        Ops tf = Ops.create(graph);
        List<VariableHandle> handles = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            GraphOperation variable = found.get(i);
            boolean resource = variable.type().equals(RESOURCE_VARIABLE_OP);
            Shape shape = variable.attributes().getAttrShape("shape");
            if (resource && (shape.isUnknown() || shape.hasUnknownDimension())) {
                continue; // not a weight this class can carry; the model keeps its own value
            }
            if (shape.isUnknown() || shape.hasUnknownDimension()) {
                throw new IllegalArgumentException(
                        "variable "
                                + variable.name()
                                + " has shape "
                                + shape
                                + "; only variables of a fixed shape are supported");
            }
            String valueName = ASSIGN_SCOPE + "_value_" + i;
            String assignName = ASSIGN_SCOPE + "_assign_" + i;
            Output<TFloat32> value;
            Operation assign;
            Output<?> read = variable.output(0);
            GraphOperation exported = graph.operation(assignName);
            if (exported != null) {
                // A SavedModel exported by this class carries the assign ops already.
                if (resource || !exported.input(0).op().name().equals(variable.name())) {
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
                if (resource) {
                    // A resource variable's output is a handle: reading and writing are ops.
                    read =
                            tf.withName(ASSIGN_SCOPE + "_read_" + i)
                                    .readVariableOp(variable.output(0), TFloat32.class)
                                    .asOutput();
                    assign =
                            tf.withName(assignName)
                                    .assignVariableOp(variable.output(0), value)
                                    .op();
                } else {
                    assign =
                            graph.opBuilder("Assign", assignName, graph.baseScope())
                                    .addInput(variable.output(0))
                                    .addInput(value)
                                    .build();
                }
            }
            handles.add(new VariableHandle(variable.name(), shape.asArray(), read, value, assign));
        }
        return handles;
    }

    /**
     * The serving signature whose inputs and outputs are fed and fetched by name, or {@code null}
     * when the model takes one feature matrix ({@link #predict}).
     */
    public Signature namedSignature() {
        return namedSignature;
    }

    /**
     * Runs the {@link #namedSignature()}: feeds {@code inputs} (by signature input name) and
     * returns the outputs named {@code outputs}, in that order. The caller closes the result.
     */
    public Result runSignature(Map<String, ? extends Tensor> inputs, List<String> outputs) {
        if (namedSignature == null) {
            throw new IllegalStateException("this model has no signature with named inputs");
        }
        Session.Runner runner = session.runner();
        inputs.forEach(
                (name, tensor) ->
                        runner.feed(
                                graph.outputOrThrow(namedSignature.getInputs().get(name).name),
                                tensor));
        for (String output : outputs) {
            runner.fetch(graph.outputOrThrow(namedSignature.getOutputs().get(output).name));
        }
        return runner.run();
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
        if (predictions == null) {
            return -1;
        }
        Shape shape = predictions.shape();
        if (shape.isUnknown() || shape.numDimensions() <= 1) {
            return shape.isUnknown() ? -1 : 1;
        }
        long width = shape.get(shape.numDimensions() - 1);
        return width < 0 ? -1 : (int) width;
    }

    /**
     * The model's predictions for {@code rows} rows, the first {@code columns} values of each row's
     * prediction, row-major ({@code rows × columns}); all of them with {@code columns < 0}.
     */
    public float[] predict(float[] features, int rows, int columns) {
        if (predictions == null) {
            throw new IllegalStateException(
                    "this model's signature takes named inputs; run it with runSignature");
        }
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
            if (columns < 0) {
                return values;
            }
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
