package dev.carrot.route.encoder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tiny ONNX models byte by byte (protobuf wire format), to test how the encoder treats graphs that are not
 * sentence encoders. The graph is one {@code Cast} of an int64 input {@code [batch, seq]} to a float output.
 */
final class TinyOnnx {

    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private TinyOnnx() {
    }

    /**
     * @param inputName  name of the int64 [batch, seq] input
     * @param outputName name of the float [batch, seq] output (rank 2, which no sentence encoder has)
     * @return ONNX model bytes
     */
    static byte[] castModel(String inputName, String outputName) {
        Proto attribute = new Proto().string(1, "to").varint(20, 2).varint(3, FLOAT);
        Proto node = new Proto().string(1, inputName).string(2, outputName).string(3, "cast").string(4, "Cast")
                .message(5, attribute);
        Proto graph = new Proto().message(1, node).string(2, "tiny")
                .message(11, valueInfo(inputName, INT64))
                .message(12, valueInfo(outputName, FLOAT));
        Proto opset = new Proto().string(1, "").varint(2, 13);
        return new Proto().varint(1, 8).string(2, "carrot-test").message(7, graph).message(8, opset).bytes();
    }

    private static Proto valueInfo(String name, int elemType) {
        Proto shape = new Proto()
                .message(1, new Proto().string(2, "batch"))
                .message(1, new Proto().string(2, "seq"));
        Proto tensor = new Proto().varint(1, elemType).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    /** Minimal protobuf writer. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            writeVarint((long) field << 3);
            writeVarint(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return bytes(field, message.bytes());
        }

        private Proto bytes(int field, byte[] value) {
            writeVarint(((long) field << 3) | 2);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void writeVarint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
