package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.protocol.FeedbackItem;
import io.github.flinkiteration.runtime.protocol.RoundFeedback;
import java.util.ArrayList;
import java.util.List;

/**
 * What of a feedback channel's checkpointed items survives a restore at another parallelism: the
 * feedback records only. Round markers and decisions describe the progress of one old tail and head
 * pair; after rescaling, a head rebuilds its tail's progress from the markers its new tail sends
 * (the body's operators send their round watermarks again when they restart).
 */
final class FeedbackRescaling {

    private FeedbackRescaling() {}

    static List<FeedbackItem> recordsOnly(List<FeedbackItem> items) {
        List<FeedbackItem> records = new ArrayList<>(items.size());
        for (FeedbackItem item : items) {
            if (item instanceof RoundFeedback) {
                records.add(item);
            }
        }
        return records;
    }
}
