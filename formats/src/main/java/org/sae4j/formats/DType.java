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

    /**
     * The name PyTorch gives the type without its {@code torch.} prefix, as SAELens's and sparsify's {@code cfg.json}
     * spell a dtype: {@code "float32"}, {@code "bfloat16"}, {@code "int64"}, {@code "bool"}.
     */
    public String torchName() {
        return switch (this) {
            case F64 -> "float64";
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case I64 -> "int64";
            case I32 -> "int32";
            case I16 -> "int16";
            case I8 -> "int8";
            case U64 -> "uint64";
            case U32 -> "uint32";
            case U16 -> "uint16";
            case U8 -> "uint8";
            case BOOL -> "bool";
        };
    }

    /**
     * The float type PyTorch calls {@code name}, with or without the {@code torch.} prefix SAELens before 6.0 wrote
     * ({@code "torch.float32"}), and PyTorch's aliases {@code float}, {@code half}, {@code double}; null if
     * {@code name} is no float type PyTorch knows.
     */
    public static DType fromTorchName(String name) {
        String bare = name.startsWith("torch.") ? name.substring("torch.".length()) : name;
        return switch (bare) {
            case "float32", "float" -> F32;
            case "float16", "half" -> F16;
            case "bfloat16" -> BF16;
            case "float64", "double" -> F64;
            default -> null;
        };
    }

    /**
     * The type of weights a user asked to write ({@code --dtype}): float32, float16 or bfloat16.
     *
     * @throws BadInputException naming the choices when {@code name} is another value
     */
    public static DType weightType(String name) {
        DType t = fromTorchName(name);
        if (t == null || t == F64) {
            throw new BadInputException("unknown weight dtype '" + name + "' (float32, float16 or bfloat16)");
        }
        return t;
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
