package io.github.flinkiteration.runtime.record;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A {@code long} written in 7-bit groups, lowest first, the high bit of a byte saying another
 * follows: rounds below 128 take one byte and below 16,384 two, as an {@code int} round took four,
 * while an unbounded iteration can still count past {@link Integer#MAX_VALUE}. Negative values take
 * ten bytes; rounds never are.
 */
public final class VarLong {

    private VarLong() {}

    public static void write(long value, DataOutput out) throws IOException {
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    public static long read(DataInput in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.readByte();
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IOException("A variable-length long runs past ten bytes: corrupt data");
    }

    /** Copies one value from {@code in} to {@code out} without decoding it. */
    public static void copy(DataInput in, DataOutput out) throws IOException {
        for (int i = 0; i < 10; i++) {
            byte b = in.readByte();
            out.writeByte(b);
            if (b >= 0) {
                return;
            }
        }
        throw new IOException("A variable-length long runs past ten bytes: corrupt data");
    }
}
