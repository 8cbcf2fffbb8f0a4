package io.github.flinkiteration.runtime;

import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationContext;
import io.github.flinkiteration.api.OperatorLifecycle;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.runtime.draft.DraftEnvironment;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What the body may ask of its iteration while it runs. Operators created in {@link #forEachRound}
 * are recorded in the draft with a per-round lifecycle.
 */
final class BodyContext implements IterationContext {

    private final boolean bounded;
    private final IterationConfig config;
    private final DraftEnvironment draft;

    BodyContext(boolean bounded, IterationConfig config, DraftEnvironment draft) {
        this.bounded = bounded;
        this.config = config;
        this.draft = draft;
    }

    @Override
    public ResultStreams forEachRound(Supplier<Map<String, DataStream<?>>> part) {
        if (!bounded) {
            throw new IllegalStateException(IterationValidator.PER_ROUND_UNBOUNDED);
        }
        Map<String, DataStream<?>> streams = draft.withLifecycle(OperatorLifecycle.PER_ROUND, part);
        if (streams == null) {
            throw new IllegalArgumentException(
                    "The function given to forEachRound returned null; return a map of the"
                            + " streams the rest of the body uses (Map.of() for none).");
        }
        return new ResultStreams(streams);
    }

    @Override
    public boolean isBounded() {
        return bounded;
    }

    @Override
    public IterationConfig getConfig() {
        return config;
    }
}
