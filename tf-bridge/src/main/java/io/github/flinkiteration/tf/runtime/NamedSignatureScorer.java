package io.github.flinkiteration.tf.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.types.Row;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Scores with a SavedModel signature whose inputs and outputs are matched to columns by name: each
 * input column becomes the tensor of the signature input of its name (numbers and vectors as float,
 * strings as string tensors) and each output column takes the signature output of its name.
 */
final class NamedSignatureScorer implements BatchScorer {

    private final InferenceSettings settings;
    private final String[] inputNames;
    private final int[] inputPositions;
    private final int[] inputSizes;

    NamedSignatureScorer(InferenceSettings settings) {
        this.settings = settings;
        this.inputNames = settings.features.names();
        this.inputPositions = settings.features.positions();
        this.inputSizes = settings.features.sizes();
    }

    @Override
    public Object[][] score(ModelSession session, Row[] rows, int count) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        try {
            for (int c = 0; c < inputNames.length; c++) {
                feeds.put(inputNames[c], tensor(c, rows, count));
            }
            List<String> outputs = Arrays.asList(settings.outputNames);
            try (Result result = session.runSignature(feeds, outputs)) {
                return values(result, count);
            }
        } finally {
            feeds.values().forEach(Tensor::close);
        }
    }

    /** The tensor of input column {@code c}: [rows] or [rows, size], as the signature takes it. */
    private Tensor tensor(int c, Row[] rows, int count) {
        int size = inputSizes[c];
        Shape shape = settings.inputRanks[c] == 1 ? Shape.of(count) : Shape.of(count, size);
        if (settings.stringInputs[c]) {
            String[] values = new String[count];
            for (int r = 0; r < count; r++) {
                Object value = rows[r].getField(inputPositions[c]);
                if (!(value instanceof String)) {
                    throw new IllegalArgumentException(
                            "column "
                                    + inputNames[c]
                                    + " holds "
                                    + (value == null ? "null" : value.getClass().getSimpleName())
                                    + " in row "
                                    + rows[r]
                                    + "; the model takes a string there");
                }
                values[r] = (String) value;
            }
            return TString.tensorOf(shape, DataBuffers.ofObjects(values));
        }
        float[] values = new float[count * size];
        for (int r = 0; r < count; r++) {
            FeatureColumns.write(rows[r], inputPositions[c], inputNames[c], size, values, r * size);
        }
        return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
    }

    private Object[][] values(Result result, int count) {
        OutputKind[] kinds = settings.outputKinds;
        Object[][] values = new Object[count][kinds.length];
        List<float[]> outputs = new ArrayList<>(kinds.length);
        for (int o = 0; o < kinds.length; o++) {
            TFloat32 tensor = (TFloat32) result.get(o);
            float[] flat = new float[(int) tensor.shape().size()];
            tensor.copyTo(DataBuffers.of(flat, false, false));
            outputs.add(flat);
        }
        for (int o = 0; o < kinds.length; o++) {
            float[] flat = outputs.get(o);
            int width = flat.length / Math.max(count, 1);
            if (kinds[o].isScalar() && width != 1) {
                throw new IllegalStateException(
                        "signature output "
                                + settings.outputNames[o]
                                + " has "
                                + width
                                + " values per row; give its column the type float[]"
                                + " (Types.PRIMITIVE_ARRAY(Types.FLOAT))");
            }
            for (int r = 0; r < count; r++) {
                values[r][o] = kinds[o].value(flat, r * width, width);
            }
        }
        return values;
    }
}
