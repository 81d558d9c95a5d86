package org.sae4j.formats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dtype names of PyTorch config files (SAELens and sparsify cfg.json) and of the --dtype option. */
class DTypeTest {
    @Test
    void torchNamesRoundTripForTheFloatTypes() {
        for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16, DType.F64}) {
            assertEquals(t, DType.fromTorchName(t.torchName()), t.toString());
            assertEquals(t, DType.fromTorchName("torch." + t.torchName()), "SAELens < 6 wrote torch.<name>");
        }
        assertEquals(DType.F16, DType.fromTorchName("half"));
        assertEquals(DType.F32, DType.fromTorchName("float"));
        assertNull(DType.fromTorchName("int64"), "only float types are weight types");
        assertNull(DType.fromTorchName("float8_e4m3fn"));
    }

    @Test
    void weightTypeAcceptsTheThreeWritableTypesAndNamesThemOtherwise() {
        assertEquals(DType.BF16, DType.weightType("bfloat16"));
        assertEquals(DType.F16, DType.weightType("float16"));
        assertEquals(DType.F32, DType.weightType("torch.float32"));
        BadInputException e = assertThrows(BadInputException.class, () -> DType.weightType("fp8"));
        assertTrue(e.getMessage().contains("'fp8'") && e.getMessage().contains("bfloat16"), e.getMessage());
        assertThrows(BadInputException.class, () -> DType.weightType("float64"), "F64 cannot be written");
    }
}
