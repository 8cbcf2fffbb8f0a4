package io.github.flinkiteration.runtime.delta;

import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.SolutionSetJoinFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Holds a solution set in keyed state and joins the workset with it. Input 1 takes the initial
 * values (round 0), input 2 the workset records; both are keyed by the solution set's key.
 *
 * <p>A round-0 lookup may arrive before its key's initial value: it waits in keyed state and is
 * joined at the end of round 0, when all initial values are in. Later lookups are joined as they
 * come; an update is written to the state at once. When the iteration ends, every value leaves
 * through the side output {@code finalValues}.
 */
public final class SolutionSetJoinOperator<K, T, W, O> extends AbstractStreamOperator<O>
        implements TwoInputStreamOperator<T, W, O>, IterationListener<O> {

    private static final long serialVersionUID = 1L;

    private final String solutionSet;
    private final KeySelector<T, K> valueKey;
    private final SolutionSetJoinFunction<W, T, O> function;
    private final TypeInformation<T> valueType;
    private final TypeInformation<W> worksetType;
    private final OutputTag<T> finalValues;

    private transient ValueState<T> values;
    private transient ListState<W> waiting;
    private transient ValueStateDescriptor<T> valuesDescriptor;
    private transient ListStateDescriptor<W> waitingDescriptor;
    private transient TimestampedCollector<O> collector;
    private transient Updates updates;

    SolutionSetJoinOperator(
            String solutionSet,
            KeySelector<T, K> valueKey,
            SolutionSetJoinFunction<W, T, O> function,
            TypeInformation<T> valueType,
            TypeInformation<W> worksetType,
            OutputTag<T> finalValues) {
        this.solutionSet = solutionSet;
        this.valueKey = valueKey;
        this.function = function;
        this.valueType = valueType;
        this.worksetType = worksetType;
        this.finalValues = finalValues;
    }

    @Override
    public void open() throws Exception {
        super.open();
        valuesDescriptor = new ValueStateDescriptor<>("solution-set/" + solutionSet, valueType);
        waitingDescriptor =
                new ListStateDescriptor<>("solution-set/" + solutionSet + "/round-0", worksetType);
        values = getPartitionedState(valuesDescriptor);
        waiting = getPartitionedState(waitingDescriptor);
        collector = new TimestampedCollector<>(output);
        updates = new Updates();
        if (function instanceof org.apache.flink.api.common.functions.RichFunction rich) {
            rich.setRuntimeContext(getRuntimeContext());
            rich.open(DefaultOpenContext.INSTANCE);
        }
    }

    @Override
    public void close() throws Exception {
        if (function instanceof org.apache.flink.api.common.functions.RichFunction rich) {
            rich.close();
        }
        super.close();
    }

    @Override
    public void processElement1(StreamRecord<T> element) throws Exception {
        values.update(element.getValue());
    }

    @Override
    public void processElement2(StreamRecord<W> element) throws Exception {
        T current = values.value();
        if (current == null && IterationRuntimeContext.currentRound() == 0) {
            waiting.add(element.getValue()); // its initial value may still come in round 0
            return;
        }
        collector.setTimestamp(element);
        function.join(element.getValue(), current, updates, collector);
    }

    @Override
    public void onRoundEnd(int round, Context context, Collector<O> out) throws Exception {
        if (round != 0) {
            return;
        }
        KeyedStateBackend<K> backend = getKeyedStateBackend();
        try (Stream<K> keys =
                backend.getKeys(waitingDescriptor.getName(), VoidNamespace.INSTANCE)) {
            // The heap backend's key stream runs over the live table, which clearing would change;
            // RocksDB's reads a snapshot, and its keys may not fit in memory.
            Iterable<K> toJoin =
                    "rocksdb".equals(backend.getBackendTypeIdentifier())
                            ? keys::iterator
                            : keys.collect(Collectors.toCollection(ArrayList::new));
            for (K key : toJoin) {
                setCurrentKey(key);
                List<W> records = new ArrayList<>();
                waiting.get().forEach(records::add);
                waiting.clear();
                for (W record : records) {
                    function.join(record, values.value(), updates, out);
                }
            }
        }
    }

    @Override
    public void onIterationTerminated(Context context, Collector<O> out) throws Exception {
        getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        valuesDescriptor,
                        (key, state) -> context.output(finalValues, state.value()));
    }

    /** Writes the joined key's value, after checking the value has that key. */
    private final class Updates implements SolutionSetJoinFunction.Context<T> {
        @Override
        public void update(T value) {
            try {
                K key = valueKey.getKey(value);
                Object joined = getCurrentKey();
                if (!key.equals(joined)) {
                    throw new IllegalArgumentException(
                            "The join with solution set '"
                                    + solutionSet
                                    + "' updated key "
                                    + joined
                                    + " with a value of key "
                                    + key
                                    + " ("
                                    + value
                                    + "). A join may only update the key it joins; send the"
                                    + " value to its own key through the workset instead.");
                }
                values.update(value);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(
                        "Could not update solution set '" + solutionSet + "'", e);
            }
        }
    }
}
