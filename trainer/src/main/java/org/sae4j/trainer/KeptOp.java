package org.sae4j.trainer;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.nd4j.nativeblas.OpaqueContext;

/**
 * One ND4J custom op kept from step to step: its arrays bound once in an ND4J op context, its scalar arguments set
 * in place before each run.
 *
 * <p>On ND4J's CPU backend a run is the call {@code Nd4j.exec(op, context)} makes to libnd4j
 * ({@code execCustomOp2} on the context), with the arguments written into native buffers made once. Through
 * {@code Nd4j.exec} and {@code OpContext.setTArguments} the same run allocates ~1 KB of heap: argument copies, the
 * profiler's hooks, the output list. This allocates nothing. On other backends (the CUDA profile, whose executioner
 * also manages streams) a run is {@code Nd4j.exec}.
 */
final class KeptOp {
    private final CustomOp op;
    private final OpContext context = Nd4j.getExecutioner().buildContext();
    private final double[] tArgs;
    private final long[] iArgs;
    private final Direct direct; // null off the CPU backend

    KeptOp(CustomOp op, int tArgCount, int iArgCount) {
        this.op = op;
        this.tArgs = new double[tArgCount];
        this.iArgs = new long[iArgCount];
        this.direct = Nd4j.getExecutioner().type() == OpExecutioner.ExecutionerType.NATIVE_CPU
                ? new Direct(context, op.opHash(), tArgCount, iArgCount) : null;
    }

    /** Binds the op's input and output arrays (once: the context holds them for every run after). */
    void bind(INDArray[] inputs, INDArray[] outputs) {
        context.setInputArrays(inputs);
        context.setOutputArrays(outputs);
    }

    void tArg(int i, double value) {
        tArgs[i] = value;
    }

    void iArg(int i, long value) {
        iArgs[i] = value;
    }

    /** Runs the op on the bound arrays with the arguments set so far. */
    void run() {
        if (direct != null) {
            direct.run(tArgs, iArgs, op);
            return;
        }
        context.setTArguments(tArgs);
        context.setIArguments(iArgs);
        Nd4j.exec(op, context);
    }

    /**
     * The CPU path, made only on the CPU backend: CUDA's executioner also prepares streams and device buffers
     * around the same call, which this path would skip.
     */
    private static final class Direct {
        private final NativeOps nativeOps = NativeOpsHolder.getInstance().getDeviceNativeOps();
        private final OpaqueContext context;
        private final long opHash;
        private final DoublePointer tArgs;
        private final LongPointer iArgs;

        Direct(OpContext context, long opHash, int tArgCount, int iArgCount) {
            this.context = (OpaqueContext) context.contextPointer();
            this.opHash = opHash;
            this.tArgs = new DoublePointer(Math.max(1, tArgCount));
            this.iArgs = new LongPointer(Math.max(1, iArgCount));
        }

        void run(double[] t, long[] i, CustomOp op) {
            for (int a = 0; a < t.length; a++) {
                tArgs.put(a, t[a]);
            }
            for (int a = 0; a < i.length; a++) {
                iArgs.put(a, i[a]);
            }
            // libnd4j copies the arguments into the context, so the buffers are free again after these calls.
            nativeOps.setGraphContextTArguments(context, tArgs, t.length);
            nativeOps.setGraphContextIArguments(context, iArgs, i.length);
            int status = nativeOps.execCustomOp2(null, opHash, context);
            if (status != 0 || nativeOps.lastErrorCode() != 0) {
                throw new IllegalStateException("ND4J op " + op.opName() + " failed (status " + status + "): "
                        + nativeOps.lastErrorMessage() + "; t args " + Arrays.toString(t) + ", i args "
                        + Arrays.toString(i));
            }
        }
    }
}
