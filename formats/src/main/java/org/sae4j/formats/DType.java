package org.sae4j.formats;

/**
 * Element types of the Hugging Face safetensors format, named as the spec spells them in the header's "dtype" field
 * (https://github.com/huggingface/safetensors, "Format"). Only the float types can be read as activations or weights;
 * the integer types are there so files holding token ids or counts can still be opened and listed.
 */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2),
    I64(8), I32(4), I16(2), I8(1),
    U64(8), U32(4), U16(2), U8(1),
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name the spec uses in the header, e.g. {@code "BF16"}. */
    public String specName() {
        return name();
    }

    /** True for the types {@link SafetensorsReader#readFloats} converts to float32. */
    public boolean isFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The type whose header name is {@code specName}, or null if the spec name is unknown here. */
    public static DType fromSpecName(String specName) {
        for (DType t : values()) {
            if (t.name().equals(specName)) {
                return t;
            }
        }
        return null;
    }
}
