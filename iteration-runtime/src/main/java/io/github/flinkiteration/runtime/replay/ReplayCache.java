package io.github.flinkiteration.runtime.replay;

import java.io.IOException;
import java.util.Iterator;

/**
 * Where a constant's records wait between rounds: appended once, in round 0, then read from the
 * start once per later round. Each read hands out fresh objects, so the body may keep or change
 * what it receives.
 */
interface ReplayCache<T> extends AutoCloseable {

    void append(T record) throws IOException;

    /** Ends the appending; reads are possible from now on. */
    void finish() throws IOException;

    /** How many records were appended. */
    long size();

    /** Reads every record, in the order they were appended. */
    Iterator<T> read() throws IOException;

    /** Gives back the memory and deletes the files the cache holds. */
    @Override
    void close() throws IOException;
}
